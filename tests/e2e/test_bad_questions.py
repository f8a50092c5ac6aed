"""Questions that cannot be asked, or are asked oddly, through ``newsdesk ask``: one line
that says what to do, or a reply; never a traceback.

``Assistant.ask`` on the same cases is in test_answers.py; German is added here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import CANNOT_ANSWER
from assistant.cli import EXIT_ERROR, main


def _ask(store: Path, question: str) -> list[str]:
    return ["ask", question, "--backend", "extractive", "--data-dir", str(store)]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "newsdesk: the question is empty; ask something about the articles"),
        ("   \n\t", "newsdesk: the question is empty; ask something about the articles"),
        (
            "?!?... ¿¡ —",
            "newsdesk: the question has no words, only punctuation; "
            "ask something about the articles",
        ),
        (
            "why " * 5_000,  # 20,000 characters; 19,999 once stripped
            "newsdesk: the question is 19,999 characters long; keep it under 2,000 "
            "(to find passages about a text, search for its key words)",
        ),
    ],
)
def test_ask_command_refuses_with_one_line_saying_what_to_do(
    sample_store: Path, capsys: pytest.CaptureFixture[str], question: str, message: str
) -> None:
    assert main(_ask(sample_store, question)) == EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == message + "\n"


@pytest.mark.parametrize(
    "question",
    [
        "Wer hat den Rückzug der russischen Truppen bestritten?",
        "谁否认了俄罗斯撤军的说法？",
        "Who disputed the withdrawal? " + "Please answer briefly. " * 60,
    ],
)
def test_ask_command_replies_to_other_languages_and_long_questions(
    sample_store: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    assert main(_ask(sample_store, question)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.strip()  # an answer with its citations, or the fixed reply


def test_a_german_question_gets_a_reply(sample_store: Path, make_assistant) -> None:
    answer = make_assistant(data_dir=sample_store).ask(
        "Wer hat den Rückzug der russischen Truppen bestritten?"
    )
    assert answer.text
    assert answer.refused == (answer.text == CANNOT_ANSWER)
