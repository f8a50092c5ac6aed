"""The short answer: split off the reply's first line, kept only when the checked
sentences after it hold it, and shown first in the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel

from assistant.answering.chain import AnswerChain
from assistant.answering.citations import CANNOT_ANSWER
from assistant.answering.short import is_yes_no, split_short
from assistant.types import NO_FILTERS


@pytest.mark.parametrize(
    ("raw", "short", "rest"),
    [
        (
            "The White House.\nThe White House called the claims false [1].",
            "The White House.",
            "The White House called the claims false [1].",
        ),
        (
            "Answer: 7,000 troops\n\nRussia added as many as 7,000 troops [2].",
            "7,000 troops.",
            "Russia added as many as 7,000 troops [2].",
        ),
        # One line: the first sentence is the short answer when it is short and unmarked.
        (
            "Stoltenberg. He said NATO had not seen any de-escalation [1].",
            "Stoltenberg.",
            "He said NATO had not seen any de-escalation [1].",
        ),
    ],
)
def test_the_first_line_is_the_short_answer(raw: str, short: str, rest: str) -> None:
    assert split_short(raw, "Who disputed the withdrawal?") == (short, rest)


@pytest.mark.parametrize(
    "raw",
    [
        "The White House called the claims false [1].",  # one cited sentence: no short line
        "The White House called the claims false [1].\nIt said so on Wednesday [1].",
        "A senior official of the Biden administration said on Wednesday in Washington that "
        "it was false\nThe official said so [1].",  # too long for a headline
        "The articles don't say.",
        "The articles don't say.\nNo passage names a winner.",
    ],
)
def test_no_short_answer_when_the_first_line_is_not_one(raw: str) -> None:
    assert split_short(raw, "Who disputed the withdrawal?") == ("", raw)


def test_a_yes_no_question_gets_a_plain_yes_or_no() -> None:
    assert is_yes_no("Did Russia withdraw its troops?")
    assert not is_yes_no("Who disputed the withdrawal?")
    raw = "No, it did not.\nThe White House said the claims were false [1]."
    assert split_short(raw, "Did Russia withdraw its troops?")[0] == "No."
    # Not a yes/no question: the line stays as written.
    assert split_short("No one.\nNobody disputed it [1].", "Who disputed it?")[0] == "No one."


def _chain(bot, reply: str) -> AnswerChain:  # type: ignore[no-untyped-def]
    return AnswerChain(
        bot.searcher,
        bot.embedder,
        backend="scripted",
        chat_model=FakeListChatModel(responses=[reply]),
        k=5,
        passage_tokens=bot.settings.llm.passage_tokens,
        history_tokens=bot.settings.llm.history_tokens,
        per_article=bot.settings.retrieval.per_article,
        select=False,  # whole passages: the replies cite the sample's passage numbers
    )


@pytest.fixture()
def bot(sample_store: Path, make_assistant):  # type: ignore[no-untyped-def]
    return make_assistant(data_dir=sample_store)


def _cite(bot, question: str, needle: str) -> int:  # type: ignore[no-untyped-def]
    passages = _chain(bot, "").retrieve(question, NO_FILTERS, None)
    return next(n for n, p in enumerate(passages, start=1) if needle in p.text)


def test_a_supported_short_answer_opens_the_answer(bot) -> None:  # type: ignore[no-untyped-def]
    question = "Who disputed the withdrawal?"
    n = _cite(bot, question, "we now know it was false")
    reply = f"The White House.\nA senior Biden administration official said it was false [{n}]."
    answer = _chain(bot, reply).invoke(question)
    assert answer.short == "The White House."
    assert answer.text.startswith("The White House.\n\n")
    assert [c.n for c in answer.citations] == [n]
    assert answer.as_dict()["short"] == "The White House."


def test_a_short_answer_the_passages_do_not_hold_is_removed_and_listed(bot) -> None:  # type: ignore[no-untyped-def]
    question = "Who disputed the withdrawal?"
    n = _cite(bot, question, "we now know it was false")
    reply = f"The Pentagon.\nA senior Biden administration official said it was false [{n}]."
    answer = _chain(bot, reply).invoke(question)
    assert answer.short == ""
    assert "Pentagon" not in answer.text and answer.citations
    assert [r.text for r in answer.removed] == ["The Pentagon."]


def test_no_short_answer_survives_a_refusal(bot) -> None:  # type: ignore[no-untyped-def]
    reply = f"France.\n{CANNOT_ANSWER}"
    answer = _chain(bot, reply).invoke("Who won the 2018 World Cup?")
    assert answer.refused and answer.short == "" and answer.text == CANNOT_ANSWER
