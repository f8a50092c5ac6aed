"""The days a question's time words name, and what they do to a ranking."""

from datetime import date

import pytest

from assistant.retrieval.time_window import TimeHandling, question_window, time_bonuses
from assistant.types import Filters, Passage, TimeWindow

AS_OF = date(2023, 10, 5)  # a Thursday


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What did Acme announce today?", date(2023, 10, 5), date(2023, 10, 5)),
        ("What did Acme announce yesterday?", date(2023, 10, 4), date(2023, 10, 4)),
        ("What did Acme announce this week?", date(2023, 10, 2), date(2023, 10, 5)),
        ("What did Acme announce last week?", date(2023, 9, 25), date(2023, 10, 1)),
        ("What did Acme announce last month?", date(2023, 9, 1), date(2023, 9, 30)),
        ("What did Acme announce this month?", date(2023, 10, 1), date(2023, 10, 5)),
        ("What did Acme announce in July?", date(2023, 7, 1), date(2023, 7, 31)),
        ("What did Acme announce in November?", date(2022, 11, 1), date(2022, 11, 30)),
        ("What has Acme said since March 3?", date(2023, 3, 3), date(2023, 10, 5)),
        ("What did Acme announce in 2021?", date(2021, 1, 1), date(2021, 12, 31)),
        ("What did Acme announce on May 3?", date(2023, 5, 3), date(2023, 5, 3)),
        ("What did Acme announce on 3 May 2021?", date(2021, 5, 3), date(2021, 5, 3)),
        ("What did Acme announce on 2023-09-14?", date(2023, 9, 14), date(2023, 9, 14)),
        ("What did Acme announce in October 2022?", date(2022, 10, 1), date(2022, 10, 31)),
        ("What did Acme announce two weeks ago?", date(2023, 9, 18), date(2023, 9, 24)),
        ("What did Acme announce in the past 10 days?", date(2023, 9, 26), date(2023, 10, 5)),
        ("What did Acme announce on Monday?", date(2023, 10, 2), date(2023, 10, 2)),
        ("What did Acme announce last year?", date(2022, 1, 1), date(2022, 12, 31)),
        ("Today, what did Acme announce?", date(2023, 10, 5), date(2023, 10, 5)),
        (
            "Between the report on 2023-09-24 and the one on 2023-09-26, did Acme change course?",
            date(2023, 9, 24),
            date(2023, 9, 26),
        ),
    ],
)
def test_time_words_name_a_window(question: str, start: date, end: date) -> None:
    window = question_window(question, as_of=AS_OF)
    assert window is not None
    assert (window.start, window.end) == (start, end)
    assert window.phrase


@pytest.mark.parametrize(
    "question",
    [
        "What did Acme announce?",
        "May I ask what Acme announced?",
        "How did the 2021 season end?",
        "What did the Sunday Times report about Acme?",
        "Who won the march on Washington?",
        "How many days did the strike last?",
        "Did the article from Business Today discuss the cuisine of Italy?",
    ],
)
def test_no_time_words_no_window(question: str) -> None:
    assert question_window(question, as_of=AS_OF) is None


def test_the_window_counts_from_the_day_asked() -> None:
    earlier = question_window("What did Acme announce this week?", as_of=date(2023, 9, 28))
    assert earlier == TimeWindow(date(2023, 9, 25), date(2023, 9, 28), "this week")


def test_a_month_is_looked_for_into_the_month_after_it() -> None:
    # "inflation in May" is published in June; a day or a week is reported within it
    may = question_window("What was inflation in May?", as_of=AS_OF)
    assert may is not None and (may.start, may.end) == (date(2023, 5, 1), date(2023, 5, 31))
    assert may.reported_until == date(2023, 6, 30)
    assert may.holds(20230610) and not may.holds(20230701) and not may.holds(20230430)
    passages = [_passage("june", "2023-06-10"), _passage("august", "2023-08-02")]
    weight = TimeHandling(mode="weight", weight=0.5, margin_days=0, recency_weight=0.0)
    assert time_bonuses(passages, may, weight) == [0.5, 0.0]
    assert Filters(window=may).allows({"published_day": 20230610})
    # not past the day asked, and not for a day, a week or a year
    september = question_window("What did Acme announce last month?", as_of=AS_OF)
    assert september is not None and september.reported_until == AS_OF
    for question in ("What happened on May 3?", "What happened last week?", "Who won in 2021?"):
        window = question_window(question, as_of=AS_OF)
        assert window is not None and window.reported_until is None, question


def test_widened_adds_days_each_side() -> None:
    window = TimeWindow(date(2023, 10, 2), date(2023, 10, 5), "this week").widened(2)
    assert (window.start, window.end) == (date(2023, 9, 30), date(2023, 10, 7))


def _passage(cid: str, published: str) -> Passage:
    return Passage(cid, cid, 0, "text", 0, 4, published=published, score=1.0)


def test_a_window_filter_keeps_undated_articles() -> None:
    window = TimeWindow(date(2023, 10, 2), date(2023, 10, 8), "this week")
    filters = Filters(window=window)
    assert filters.allows({"published_day": 20231003})
    assert not filters.allows({"published_day": 20230926})
    assert filters.allows({"published_day": 0})
    assert filters.chroma_where() == {
        "$or": [
            {"published_day": 0},
            {
                "$and": [
                    {"published_day": {"$gte": 20231002}},
                    {"published_day": {"$lte": 20231008}},
                ]
            },
        ]
    }


def test_weight_mode_favours_the_window_within_its_margin() -> None:
    passages = [_passage("a", "2023-09-20"), _passage("b", "2023-10-01"), _passage("c", "")]
    window = TimeWindow(date(2023, 10, 2), date(2023, 10, 5), "this week")
    handling = TimeHandling(mode="weight", weight=0.5, margin_days=1, recency_weight=0.0)
    assert time_bonuses(passages, window, handling) == [0.0, 0.5, 0.0]
    filtering = TimeHandling(mode="filter", weight=0.5, margin_days=1, recency_weight=0.0)
    assert time_bonuses(passages, window, filtering) is None


def test_recency_favours_the_newest_when_no_time_is_named() -> None:
    passages = [_passage("a", "2023-09-01"), _passage("b", "2023-09-11"), _passage("c", "")]
    passages.append(_passage("d", "2023-09-21"))
    handling = TimeHandling(mode="filter", weight=0.5, margin_days=1, recency_weight=0.1)
    assert time_bonuses(passages, None, handling) == pytest.approx([0.0, 0.05, 0.0, 0.1])
    off = TimeHandling(mode="filter", weight=0.5, margin_days=1, recency_weight=0.0)
    assert time_bonuses(passages, None, off) is None
