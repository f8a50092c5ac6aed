"""The short-request comparison asks every request after the same reply and scores each.

A real OpenAI-compatible server on loopback (tests/scripted_server.py) whose model is
scripted: the answer prompt gets one cited sentence about the sample article; a short
request gets the short answer that request's wording leads to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant import Assistant
from benchmarks.short_requests import compare, summary
from tests.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow

LISTING = 'Write the answer to "{question}": the name, date or place.'
ONE_THING = 'Write the one thing "{question}" asks for.'


def _scripted(prompt: str) -> str:
    if prompt.rstrip().endswith("asks for."):
        return "The White House"
    if prompt.rstrip().endswith("date or place."):
        return "The White House, Wednesday"
    passages = prompt.rsplit("Passages:\n", 1)[-1]
    n = re.search(r"(?m)^\[(\d+)\] [^\n]*\n(?:(?!^\[\d+\] ).*\n)*?.*we now know", passages)
    assert n, passages
    return f"The White House said the withdrawal claims were false [{n.group(1)}]."


def test_each_request_is_asked_after_the_same_reply_and_scored(
    sample_store: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "set"
    questions.mkdir()
    rows = [
        {"id": "who", "question": "Who disputed the withdrawal?", "answers": ["White House"]},
        {"id": "yes-no", "question": "Did Russia withdraw?", "answers": ["No"]},
        {"id": "cup", "question": "Who won the 2018 World Cup?", "answerable": False},
    ]
    (questions / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    script = ScriptedServer(_scripted, lambda claim, evidence: "Yes")
    with script.running() as url:
        bot = Assistant(data_dir=sample_store, backend="openai:scripted", llm={"base_url": url})
        found = compare(bot, questions, [LISTING, ONE_THING], offset=0, limit=10)
        # The chain goes on with the first request's short answer.
        assert bot.ask("Who disputed the withdrawal?").short == "The White House, Wednesday."

    # Yes/no and unanswerable questions are not compared.
    assert [r["id"] for r in found] == ["who"]
    assert found[0]["shorts"] == ["The White House, Wednesday.", "The White House."]
    # One answer, then each request after that same reply.
    answer, *asked = [p for p in script.prompts if "Who disputed" in p][:3]
    assert answer.rstrip().endswith("Answer:")
    reply = _scripted(answer)
    assert [p.rstrip().endswith(("date or place.", "asks for.")) for p in asked] == [True, True]
    assert all(reply in p for p in asked)
    listing, one = summary(found, 2)
    assert (listing["exact_match"], listing["listing"]) == (0.0, 1.0)
    assert (one["exact_match"], one["listing"]) == (1.0, 0.0)
