"""A quoted passage stands in for a model's answer: counted apart in the summary."""

from __future__ import annotations

from assistant.evaluation.summary import summarize


def test_quoted_answers_and_removed_claims_are_counted_apart() -> None:
    records = [
        {"metrics": {"contains_answer": 1.0}, "timings": {}, "quoted": True, "removed": []},
        {"metrics": {"contains_answer": 0.0}, "timings": {}, "quoted": False, "removed": [{}]},
    ]
    summary = summarize(records)
    assert summary["quoted_rate"] == 0.5
    assert summary["removed_claims_per_answer"] == 0.5
    assert summary["contains_answer"] == 0.5  # scored as today


def test_runs_from_before_have_no_quoted_rate() -> None:
    assert "quoted_rate" not in summarize([{"metrics": {}, "timings": {}}])
