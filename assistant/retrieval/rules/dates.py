"""Query rule: a question that asks when wants a passage that gives a day of a month.

"When was Diablo 3 released?" is answered by a passage with a date, but both dense and
BM25 rank passages about the thing (its patches, its sequel) as high; a candidate that
states a day of a month, not counting the date it opens with (a dateline), gains the
fusion's ``date_weight``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# A day of a month, as news text writes one: "May 15, 2012", "Dec. 1", "10 December 2020".
_DAY_OF_MONTH = re.compile(
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"
)
# The date a text opens with is when it was written, not a date it reports: a snippet's
# "Apr 20, 2022 ...", or a wire dateline, "WASHINGTON, May 3 (Reuters) -" or "NEW YORK,
# March 3, 2022 /PRNewswire/ --", whose place is in capitals.
_PLACE = r"[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+)*(?:, [A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+)*)?"
_OPENING_DATE = re.compile(
    rf"\s*(?:{_MONTH}\.?\s+\d{{1,2}},\s+\d{{4}}"  # a snippet's date has its year
    rf"|{_PLACE},\s+{_MONTH}\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?)"  # a dateline may not
    r"\s*(?:\([^)]{1,40}\)\s*|/[^/]{1,40}/\s*)?(?:\.\.\.|…|[-–—:]+)\s*"
)
_ASKS_WHEN = re.compile(
    r"^\s*when\b|\bwhen (?:is|was|will|did|does|do|are|were)\b|\b(?:what|which) (?:date|day)\b"
    r"|\b(?:release|premiere|launch|opening|air) date\b",
    re.IGNORECASE,
)


def asks_when(question: str) -> bool:
    """Whether the question asks for a date ("When was it released?", "on what day")."""
    return bool(_ASKS_WHEN.search(question))


@lru_cache(maxsize=4096)  # the same passages come back for question after question
def states_a_date(text: str) -> bool:
    """Whether the text gives a day of a month other than the date it opens with."""
    opening = _OPENING_DATE.match(text)
    return bool(_DAY_OF_MONTH.search(text, opening.end() if opening else 0))
