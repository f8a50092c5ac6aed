"""Claims verification removed, and quoted fallbacks, are shown on the page and in the CLI."""

from __future__ import annotations

import pytest

from assistant.cli import print_answer
from assistant.types import Answer, Citation, Passage, RemovedClaim
from assistant.web.views import answer_html

PASSAGE = Passage("a#0", "a", 0, "NATO had not seen any de-escalation.", 0, 36, title="NATO")
CITED = Citation(1, PASSAGE, PASSAGE.text, 0, 36)
REMOVED = RemovedClaim(
    "Stoltenberg resigned in protest.", "the passage does not mention: protest, resign", (1,)
)


def _answer(**kwargs: object) -> Answer:
    fields: dict[str, object] = {
        "question": "What did NATO say?",
        "text": "NATO had not seen any de-escalation [1].",
        "citations": (CITED,),
        "passages": (PASSAGE,),
        "backend": "openai:x",
    }
    fields.update(kwargs)
    return Answer(**fields)  # type: ignore[arg-type]


def test_the_page_folds_removed_claims_under_their_reason() -> None:
    page = answer_html(_answer(removed=(REMOVED,)), 0)
    assert '<details class="nd-removed"><summary>1 claim removed by the checks' in page
    assert "Stoltenberg resigned in protest." in page and "protest, resign" in page
    assert "nd-removed" not in answer_html(_answer(), 0)


def test_the_page_says_when_a_passage_is_quoted_instead_of_an_answer() -> None:
    page = answer_html(_answer(quoted=True), 0)
    assert "No answer from the model; the closest passage says:" in page
    assert "No answer from the model" not in answer_html(_answer(), 0)
    removed = answer_html(_answer(quoted=True, removed=(REMOVED,)), 0)
    assert "answer was removed; the closest passage says:" in removed
    assert "No answer from the model" not in removed


def test_the_cli_says_when_a_passage_is_quoted_because_the_model_declined(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_answer(_answer(quoted=True))
    assert capsys.readouterr().out.startswith(
        "No answer from the model; the closest passage says:\n"
    )


def test_the_cli_prints_removed_claims_and_the_quote_label(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_answer(_answer(removed=(REMOVED, REMOVED), quoted=True))
    out = capsys.readouterr().out
    # The model answered; the checks removed its claims: the label says so.
    assert out.startswith("The model's answer was removed; the closest passage says:\n")
    assert "2 claims removed by the checks" in out
    assert "  - Stoltenberg resigned in protest. (the passage does not mention" in out


def test_removed_claims_are_in_the_json() -> None:
    removed = _answer(removed=(REMOVED,)).as_dict()["removed"]
    assert removed == [{"text": REMOVED.text, "reason": REMOVED.reason, "cited": [1]}]


def _short_over_quote() -> Answer:
    return _answer(
        text="No.\n\nNATO had not seen any de-escalation [1].",
        short="No.",
        quote_support=True,
        removed=(REMOVED,),
    )


def test_the_page_labels_a_passage_quoted_under_the_short_answer() -> None:
    page = answer_html(_short_over_quote(), 0)
    label = "The model&#39;s sentences were removed; the passage that holds its answer says:"
    # The short answer, then the label, then the passage's sentence.
    assert page.index("<strong>No.</strong>") < page.index(label) < page.index("NATO had not")
    assert "sentences were removed" not in answer_html(_answer(), 0)


def test_the_cli_labels_a_passage_quoted_under_the_short_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_answer(_short_over_quote())
    out = capsys.readouterr().out
    assert out.startswith(
        "No.\n\nThe model's sentences were removed; the passage that holds its answer says:\n"
        "NATO had not seen any de-escalation [1].\n"
    )


def test_a_short_answer_given_after_a_decline_is_labelled_as_such(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = _answer(
        text="Stoltenberg.\n\nNATO had not seen any de-escalation [1].",
        short="Stoltenberg.",
        quote_support=True,
        declined=True,
    )
    label = "The model said the articles don't say, then gave this answer; the passage"
    print_answer(answer)
    assert capsys.readouterr().out.startswith(f"Stoltenberg.\n\n{label}")
    page = answer_html(answer, 0)
    assert label.replace("'", "&#39;") in page and "sentences were removed" not in page
