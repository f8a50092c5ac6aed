"""Questions about time: the days a question's time words name, and how they steer a search.

"What did Acme announce this week?" asked on Thursday 5 October 2023 is about articles
from Monday 2 October to that Thursday. :func:`question_window` finds the time words
("today", "yesterday", "this week", "last month", "in July", "since March 3", "in 2021",
"on May 3", "two weeks ago", "the past 10 days") with patterns of its own, so that "may"
the verb or "the 2021 season" name no time, and lets dateparser read each one relative to
the day the question is asked, preferring the past. A phrase becomes the calendar span
dateparser says it names (a day, a Monday-to-Sunday week, a month, a year), ending no later
than the day asked; several phrases make one window from the first to the last day.

:class:`TimeHandling` says what the window does to a search: ``filter`` keeps only
articles inside it (undated ones too, since they cannot be told apart), ``weight`` gives
candidates inside it a bonus, ``off`` ignores it; a margin widens it by days on each side.
When the question names no time, ``recency_weight`` can favour the newest of the
candidates. How each was measured: ``docs/retrieval.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from assistant.types import Passage, TimeWindow

TimeMode = Literal["filter", "weight", "off"]
TIME_MODES: tuple[str, ...] = ("filter", "weight", "off")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_COUNT = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_YEAR = r"(?:19|20)\d{2}"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

# Each alternative is one time phrase; the named groups say how to read it. "since" and
# "after" open a window that runs to the day asked.
_PHRASE = re.compile(
    rf"(?P<open>\b(?:since|after)\s+)?(?:"
    rf"(?P<rolling>\b(?:(?:the\s+)?(?:past|last)\s+(?P<n>{_COUNT})\s+"
    rf"(?P<unit>days?|weeks?|months?))\b|\b(?:the\s+)?past\s+(?P<unit1>week|month|year)\b)"
    rf"|(?P<fixed>\b(?:today|tonight|this\s+morning|yesterday"
    rf"|(?:this|last|previous)\s+(?:week|month|year)"
    rf"|{_COUNT}\s+(?:days?|weeks?|months?|years?)\s+ago)\b)"
    rf"|(?(open)|\b(?:on|last|this\s+past)\s+)(?P<weekday>{_WEEKDAY})\b"
    rf"|(?P<date>\b{_MONTH}\.?\s+{_DAY}(?:,?\s+{_YEAR})?\b"
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH}\b\.?(?:,?\s+{_YEAR}\b)?"
    rf"|\b{_YEAR}-\d{{2}}-\d{{2}}\b)"
    rf"|(?P<month>\b{_MONTH}\.?\s+{_YEAR}\b)"
    rf"|(?(open)|\b(?:in|during|throughout|from|of)\s+)"
    rf"(?P<month1>(?:early\s+|mid-?\s*|late\s+)?{_MONTH}\b\.?)(?!\s*\d)"
    rf"|(?(open)|\b(?:in|during|throughout)\s+)(?P<year>{_YEAR})\b(?!-)"
    r")",
    re.IGNORECASE,
)
_GROUPS = ("fixed", "date", "month", "month1", "year", "weekday")
_FIXED_WORDS = {"tonight": "today", "this morning": "today", "previous": "last"}


@dataclass(frozen=True)
class TimeHandling:
    """What a question's time window does to a search (from Settings, by the Assistant)."""

    mode: TimeMode  # filter: only the window's articles; weight: a bonus for them; off
    weight: float  # weight mode: the bonus, on the scale where first in both lists is 1
    margin_days: int  # days added on each side of the window before it is used
    recency_weight: float  # no window: bonus for the newest candidate, 0 for the oldest


TIME_OFF = TimeHandling(mode="off", weight=0.0, margin_days=0, recency_weight=0.0)


def question_window(question: str, *, as_of: date) -> TimeWindow | None:
    """The days the question's time words name, asked on ``as_of``; None if it names none.

    Example:
        >>> w = question_window("What did Acme announce this week?", as_of=date(2023, 10, 5))
        >>> w.start, w.end, w.phrase
        (datetime.date(2023, 10, 2), datetime.date(2023, 10, 5), 'this week')
    """
    spans: list[tuple[date, date, str]] = []
    phrases: list[str] = []
    for match in _PHRASE.finditer(question):
        if _is_a_name(match, question):
            continue
        span = _span(match, as_of)
        if span is not None:
            spans.append(span)
            phrases.append(" ".join(match.group(0).split()))
    if not spans:
        return None
    end = max(e for _, e, _ in spans)
    until = max(_reported_until(e, period, as_of) for _, e, period in spans)
    return TimeWindow(
        min(s for s, _, _ in spans),
        end,
        ", ".join(dict.fromkeys(phrases)),
        until if until > end else None,
    )


def _reported_until(end: date, period: str, as_of: date) -> date:
    """The last day articles about a span ending on ``end`` are still looked for: a
    month's own figures and events are reported into the month after it ("inflation in
    May" is published in June), so a month named looks a month further, up to the day
    asked. A day or a week is reported within it; a year's end is not waited for."""
    if period != "month":
        return end
    return min(as_of, _period(end + timedelta(days=1), "month")[1])


def _is_a_name(match: re.Match[str], question: str) -> bool:
    """Whether a word phrase is part of a name: "Business Today", "USA Today", "This Week
    in Tech" (capitalised, and not where a sentence starts)."""
    if not (match.group("fixed") or match.group("rolling")) or not match.group(0)[0].isupper():
        return False
    before = question[: match.start()].rstrip()
    return bool(before) and before[-1] not in ".?!:;,(\"'“‘"


def _span(match: re.Match[str], as_of: date) -> tuple[date, date, str] | None:
    """The first and last day one matched phrase names, and the period it names (day,
    week, month, year; "rolling" for "the past 10 days")."""
    period = "rolling"
    if match.group("rolling"):
        unit = (match.group("unit") or match.group("unit1")).lower().rstrip("s")
        count = match.group("n")
        n = 1 if count is None else _WORDS.get(count.lower()) or int(count)
        days = n * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
        start, end = as_of - timedelta(days=days - 1), as_of
    else:
        text = next(match.group(g) for g in _GROUPS if match.group(g))
        text = " ".join(text.lower().split())
        for word, plain in _FIXED_WORDS.items():
            text = text.replace(word, plain)
        text = re.sub(r"^(?:early|mid|late)[\s-]*", "", text)
        parsed = _parse(text, as_of)
        if parsed is None:
            return None
        day, period = parsed
        start, end = _period(day, period)
    if match.group("open"):
        end = as_of
    if start <= as_of < end:
        end = as_of  # the rest of "this week" has not happened yet
    return start, end, period


@lru_cache(maxsize=4096)
def _parse(text: str, as_of: date) -> tuple[date, str] | None:
    """dateparser's reading of a phrase relative to ``as_of``: a day and its period."""
    data = _parser(as_of).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")


@lru_cache(maxsize=64)
def _parser(as_of: date) -> Any:
    from dateparser.date import DateDataParser  # imported on first use: it takes 0.15 s

    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime(as_of.year, as_of.month, as_of.day),
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def _period(day: date, period: str) -> tuple[date, date]:
    """The calendar span around ``day`` that dateparser's period names."""
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def time_bonuses(
    passages: Sequence[Passage], window: TimeWindow | None, handling: TimeHandling
) -> list[float] | None:
    """Each candidate's time bonus, in order, on the fusion's scale; None when none applies.

    Weight mode: ``weight`` for a candidate published inside the (widened) window. No
    window: ``recency_weight`` times where the candidate's day falls between the oldest
    and the newest dated candidate (the newest gets all of it, undated ones nothing).
    """
    if window is not None:
        if handling.mode != "weight" or not handling.weight:
            return None
        wide = window.widened(handling.margin_days)
        return [handling.weight if wide.holds(_published_day(p)) else 0.0 for p in passages]
    if not handling.recency_weight or handling.mode == "off":
        return None
    days = [_published_day(p) for p in passages]
    ordinals = [_ordinal(d) for d in days]
    dated = [o for o in ordinals if o]
    if len(dated) < 2 or min(dated) == max(dated):
        return None
    low, high = min(dated), max(dated)
    return [handling.recency_weight * (o - low) / (high - low) if o else 0.0 for o in ordinals]


def _published_day(passage: Passage) -> int:
    """YYYYMMDD of the passage's published date; 0 when it has none."""
    digits = passage.published[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def _ordinal(day: int) -> int:
    if not day:
        return 0
    try:
        return date(day // 10000, day // 100 % 100, day % 100).toordinal()
    except ValueError:
        return 0
