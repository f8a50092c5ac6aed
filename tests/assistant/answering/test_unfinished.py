"""Sentences that break off are not shown as claims (assistant.answering.unfinished)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel

from assistant import Assistant
from assistant.answering.unfinished import BREAKS_OFF, CUT_AT_LIMIT, drop_unfinished
from assistant.types import NO_FILTERS
from tests.conftest import whole_passage_chain
from tests.scripted_server import ScriptedServer


@pytest.mark.parametrize(
    ("reply", "kept", "gone"),
    [
        # Copied up to where a search snippet breaks off ("… and has thousands of …").
        (
            "Disney bought Fox [1]. Disney now owns its libraries and has thousands of [3].",
            "Disney bought Fox [1].",
            "Disney now owns its libraries and has thousands of.",
        ),
        (
            "She spoke to ABC News and addresses the [2]. She leads the team [2].",
            "She leads the team [2].",
            "She spoke to ABC News and addresses the.",
        ),
    ],
)
def test_a_sentence_ending_on_an_article_or_conjunction_is_removed(
    reply: str, kept: str, gone: str
) -> None:
    text, removed = drop_unfinished(reply)
    assert text == kept
    assert [(r.text, r.reason) for r in removed] == [(gone, BREAKS_OFF)]


@pytest.mark.parametrize(
    "reply",
    [
        "Croatia lost 4-2 to France in the final at Luzhniki Stadium in Moscow [2].",
        "The Astros undermined everything the league stood for [1].",  # a preposition may end
        "The label lists Vitamin A [1].",  # a capital letter is no article
        "He said “we do not see any withdrawal yet.” [1]",
        "The White House disputed it [3]. Russia added troops",  # no stop, but not cut
    ],
)
def test_whole_sentences_stay_as_they_are(reply: str) -> None:
    assert drop_unfinished(reply) == (reply, ())


def test_a_stray_comma_before_the_stop_is_only_taken_out() -> None:
    text, removed = drop_unfinished("The draft was held at Barclays Center in Brooklyn, [2].")
    assert (text, removed) == ("The draft was held at Barclays Center in Brooklyn [2].", ())


def test_at_the_length_limit_a_last_sentence_without_its_stop_is_removed() -> None:
    reply = "The White House disputed it [3]. Russia has increased its troops by"
    text, removed = drop_unfinished(reply, cut=True)
    assert text == "The White House disputed it [3]."
    assert [(r.text, r.reason) for r in removed] == [
        ("Russia has increased its troops by", CUT_AT_LIMIT)
    ]
    finished = "The White House disputed it [3]. Russia has increased its troops. [2]"
    assert drop_unfinished(finished, cut=True) == (finished, ())


@pytest.fixture()
def bot(sample_store: Path, make_assistant):  # type: ignore[no-untyped-def]
    return make_assistant(data_dir=sample_store)


def test_the_chain_lists_a_broken_off_sentence_under_the_answer(bot) -> None:  # type: ignore[no-untyped-def]
    question = "Who disputed the withdrawal?"
    probe = whole_passage_chain(bot, FakeListChatModel(responses=[""]))
    passages = probe.retrieve(question, NO_FILTERS, None)
    n = next(i for i, p in enumerate(passages, 1) if "we now know it was false" in p.text)
    whole = "The White House called the claims of a withdrawal false"
    reply = f"{whole} [{n}]. The White House accused Russia of increasing its [{n}]."
    chain = whole_passage_chain(bot, FakeListChatModel(responses=[reply, "The White House"]))
    answer = chain.invoke(question)
    assert f"{whole} [{n}]." in answer.text
    assert "increasing its" not in answer.text
    assert [(r.text, r.reason) for r in answer.removed] == [
        ("The White House accused Russia of increasing its.", BREAKS_OFF)
    ]


def test_a_server_reply_cut_at_its_length_limit_loses_its_last_sentence(
    sample_store: Path,
) -> None:
    # A real OpenAI-compatible server on loopback that ends its stream with
    # finish_reason "length", as one does when max_tokens runs out mid-sentence.
    whole = "Zelensky said they do not see any withdrawal yet"

    def answer(prompt: str) -> str:
        passages = prompt.rsplit("Passages:\n", 1)[-1]  # after the system prompt's example
        parts = re.split(r"(?m)^\[(\d+)\] ", passages)
        blocks = zip(parts[1::2], parts[2::2], strict=True)
        n = next(int(n) for n, block in blocks if "withdrawal yet" in block)
        return f"{whole} [{n}]. Zelensky told the BBC that they react to"

    script = ScriptedServer(answer, lambda claim, evidence: "Yes", finish="length")
    with script.running() as url:
        bot = Assistant(data_dir=sample_store, backend="openai:scripted", llm={"base_url": url})
        result = bot.ask("What did Zelensky say about the withdrawal?")
    assert whole in result.text, result.text
    assert "react to" not in result.text
    assert [(r.text, r.reason) for r in result.removed] == [
        ("Zelensky told the BBC that they react to", CUT_AT_LIMIT)
    ]
