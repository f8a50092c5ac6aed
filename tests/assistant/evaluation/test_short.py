"""Exact match and F1 score the short answer (the whole text when there is none);
contains-answer scores the whole text; records, summaries and reports carry it."""

from __future__ import annotations

from datetime import date

import pytest

from assistant import Answer, Citation, Passage
from assistant.evaluation.questions import Question
from assistant.evaluation.reports import html_report, markdown_report, summary_rows
from assistant.evaluation.runner import evaluate_question, score_question, scored_short
from assistant.evaluation.summary import percentile, summarize

PASSAGE = Passage(
    chunk_id="a#0",
    article_id="a",
    index=0,
    text="The White House disputed the withdrawal.",
    start=0,
    end=40,
)
CITATION = Citation(1, PASSAGE, "The White House disputed the withdrawal.", 0, 40)
QUESTION = Question("q", "Who disputed the withdrawal?", ("White House",), answerable=True)
TEXT = "The White House [1]. It disputed the withdrawal and called it false [1]."


def _answer(short: str, text: str = TEXT, refused: bool = False) -> Answer:
    return Answer(
        QUESTION.question, text, (CITATION,), (PASSAGE,), "x", refused=refused, short=short
    )


def test_exact_match_and_f1_score_the_short_answer() -> None:
    m = score_question(QUESTION, [], _answer("The White House [1]."))
    assert m["exact_match"] == 1.0  # "white house" == "white house", the marker dropped
    assert m["f1"] == 1.0
    assert m["contains_answer"] == 1.0  # the whole text


def test_a_wrong_short_answer_scores_zero_though_the_text_holds_the_answer() -> None:
    m = score_question(QUESTION, [], _answer("The Kremlin."))
    assert (m["exact_match"], m["f1"]) == (0.0, 0.0)
    assert m["contains_answer"] == 1.0  # contains-answer stays on the whole text


def test_without_a_short_answer_exact_match_and_f1_score_the_whole_text() -> None:
    m = score_question(QUESTION, [], _answer(""))
    assert m["exact_match"] == 0.0
    # "white house it disputed withdrawal and called it false" (9) vs "white house" (2):
    # common 2, precision 2/9, recall 1 -> F1 = 4/11
    assert m["f1"] == pytest.approx(4 / 11)
    assert scored_short(_answer("")) == TEXT.replace("[1]", "")
    assert score_question(QUESTION, [], _answer("", text="White House."))["exact_match"] == 1.0


def test_a_refusal_scores_nothing_whatever_its_short_answer() -> None:
    answer = _answer("White House.", text="The articles don't say.", refused=True)
    assert scored_short(answer) == ""
    m = score_question(QUESTION, [], answer)
    assert (m["exact_match"], m["f1"], m["contains_answer"]) == (0.0, 0.0, 0.0)


class _Bot:
    """Answers every question with one fixed answer; searches find its passage."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def search(self, query: str, k: int | None = None, *, as_of: date | None = None):
        return [PASSAGE]

    def ask(self, question: str, *, as_of: date | None = None) -> Answer:
        return self.answer


def test_each_record_keeps_the_short_answer() -> None:
    record = evaluate_question(_Bot(_answer("The White House.")), QUESTION)
    assert record["short"] == "The White House."
    assert record["answer"] == TEXT
    assert record["metrics"]["exact_match"] == 1.0
    assert evaluate_question(_Bot(_answer("")), QUESTION)["short"] == ""


def _record(short: str | None, f1: float) -> dict:
    record = {
        "id": "q",
        "question": "Who?",
        "answer": "The White House disputed it [1].",
        "refused": False,
        "quoted": False,
        "removed": [],
        "citations": [],
        "retrieved": [],
        "timings": {"total_s": 1.0},
        "metrics": {"exact_match": float(f1 == 1.0), "f1": f1, "contains_answer": 1.0},
        "gold": {"gold_ids": []},
    }
    if short is not None:
        record["short"] = short
    return record


def test_summary_counts_short_answers_and_shows_em_f1_as_short_answer_scores() -> None:
    summary = summarize([_record("The White House.", 1.0), _record("", 0.5)])
    assert summary["short_answer_rate"] == 0.5
    assert summary["exact_match"] == 0.5 and summary["f1"] == 0.75  # keys unchanged
    assert summary["quoted_rate"] == 0.0  # quoted and removed counts stay
    rows = dict(summary_rows(summary))
    assert rows["short answer EM"] == "0.500"
    assert rows["short answer F1"] == "0.750"
    assert "exact_match" not in rows and "f1" not in rows


def test_runs_from_before_short_answers_have_no_short_answer_rate() -> None:
    assert "short_answer_rate" not in summarize([_record(None, 1.0)])


def test_reports_show_the_short_answer_and_its_scores() -> None:
    records = [_record("The | White House.", 1.0), _record(None, 0.5)]
    markdown = markdown_report(records, "run")
    assert "| short answer EM | 0.500 |" in markdown
    assert "| short answer F1 | 0.750 |" in markdown
    assert "| short answer | answer |" in markdown
    assert "| The \\| White House. | The White House disputed it [1]. |" in markdown
    page = html_report(records, "run")
    assert "<td>short answer F1</td>" in page
    assert "<td>The | White House.</td>" in page


def test_percentile_by_hand() -> None:
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0], 0.95) == pytest.approx(2.9)
    assert percentile([4.0], 0.95) == 4.0
    with pytest.raises(ValueError):
        percentile([], 0.5)
