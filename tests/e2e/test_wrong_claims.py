"""Wrong claims a model writes about the sample article never reach the answer.

A real OpenAI-compatible HTTP server on loopback (tests/scripted_server.py) and the real
client path (``openai:`` backend, streaming answers, one-word judge calls), over the real
sample article in a real store with the real embedder. The model is scripted: for the
answer prompt it writes four kinds of wrong sentence, each beside a true sentence with a
correct citation: (1) a flipped meaning, (2) a changed number, (3) an invented act, (4) a
sentence with no marker; and (5) an opposite word ("reduced" for "increased"), which only
the judge can tell; and a true sentence in other words than the article's, which only
the judge can keep. For judge prompts it answers as a careful judge would: "No" for the
claims the article does not make (the five below), "Yes" for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Answer, Assistant
from tests.conftest import SAMPLE_DIR
from tests.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow

QUESTION = "Who disputed the withdrawal?"

# (true sentence, the wrong one beside it, a phrase of the passage both cite)
TRUE_CALLED = "The White House called the Kremlin’s claims of a withdrawal false"
FLIPPED = "The White House confirmed that Russia had withdrawn its troops"
TRUE_NUMBER = (
    "A senior Biden administration official said Russia had increased its troop presence "
    "by as many as 7,000 troops"
)
NUMBER = "Russia increased its troop presence by about 70,000 troops"
TRUE_NATO = "Stoltenberg said the alliance had not seen any de-escalation"
INVENTED = "Stoltenberg resigned as NATO secretary-general in protest"
UNMARKED = "Russia has already pulled all of its forces back to their bases."
OPPOSITE = "Russia reduced its troop presence along the Ukrainian border by as many as 7,000 troops"
WRONG = (FLIPPED, NUMBER, INVENTED, UNMARKED.rstrip("."), OPPOSITE)
# "Kamala Harris, US vice-president, will lead the American delegation to the conference
# in Munich": true, in other words.
REWORDED = "Harris will head the US team travelling to Munich"


def _number_of(prompt: str, phrase: str) -> int:
    """The number the prompt gives the passage holding the phrase (the passages follow
    the last "Passages:" line; the system prompt's example has its own)."""
    passages = prompt.rsplit("Passages:\n", 1)[-1]
    parts = re.split(r"(?m)^\[(\d+)\] ", passages)
    for number, block in zip(parts[1::2], parts[2::2], strict=True):
        if phrase in block:
            return int(number)
    raise AssertionError(f"no passage holds {phrase!r}")


def scripted_answer(prompt: str) -> str:
    claims = _number_of(prompt, "we now know it was false")
    nato = _number_of(prompt, "not seen any de-escalation")
    munich = _number_of(prompt, "American delegation")
    return (
        f"{TRUE_CALLED} [{claims}]. {FLIPPED} [{claims}]. {TRUE_NUMBER} [{claims}]. "
        f"{NUMBER} [{claims}]. {TRUE_NATO} [{nato}]. {INVENTED} [{nato}]. {UNMARKED} "
        f"{OPPOSITE} [{claims}]. {REWORDED} [{munich}]."
    )


def careful_judge(claim: str, evidence: str) -> str:
    return "No" if claim.rstrip(".") in WRONG else "Yes"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ScriptedServer, str]]:
    script = ScriptedServer(scripted_answer, careful_judge)
    with script.running() as url:
        yield script, url


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("scripted-store")
    Assistant(data_dir=data_dir, backend="extractive").ingest([SAMPLE_DIR])
    return data_dir


def _ask(store: Path, url: str, *, judge: bool, reworded: bool = True) -> Answer:
    bot = Assistant(
        data_dir=store,
        backend="openai:scripted",
        # The script cites the Munich passage: a budget that keeps its sentence in, every
        # sentence given however far from the question.
        llm={"base_url": url, "passage_tokens": 800, "sentence_floor": 0.0},
        verify={"judge": judge, "reworded": reworded},
    )
    events = list(bot.stream(QUESTION))
    answer = events[-1]
    assert isinstance(answer, Answer)
    return answer


def _removed(answer: Answer) -> dict[str, str]:
    return {r.text.rstrip("."): r.reason for r in answer.removed}


def _assert_true_sentences_keep_their_citations(answer: Answer) -> None:
    assert not answer.refused, answer.text
    for sentence, phrase in (
        (TRUE_CALLED, "we now know it was false"),
        (TRUE_NUMBER, "7,000"),
        (TRUE_NATO, "not seen any de-escalation"),
    ):
        match = re.search(re.escape(sentence) + r" \[(\d+)\]", answer.text)
        assert match, (sentence, answer.text)
        cited = {c.n: c for c in answer.citations}[int(match.group(1))]
        assert phrase in cited.passage.text


def test_no_wrong_claim_reaches_the_answer_and_each_is_listed(
    server: tuple[ScriptedServer, str], store: Path
) -> None:
    script, url = server
    answer = _ask(store, url, judge=True)

    for wrong in WRONG:
        assert wrong not in answer.text, answer.text
    removed = _removed(answer)
    assert set(removed) == set(WRONG), answer.removed
    assert "70,000" in removed[NUMBER]  # the facts check: a number the passage lacks
    assert "resign" in removed[INVENTED] and "protest" in removed[INVENTED]  # content words
    # "confirmed ... withdrawn" cited to the sentence calling the withdrawal "false"
    assert removed[FLIPPED] == "the passage negates what the claim states"
    assert "model" in removed[OPPOSITE]  # only the judge tells an opposite word
    assert removed[UNMARKED.rstrip(".")] == "no passage supports it"
    unmarked = next(r for r in answer.removed if r.text.startswith("Russia has already"))
    assert unmarked.cited == ()
    _assert_true_sentences_keep_their_citations(answer)
    assert (OPPOSITE + ".", "No") in script.judged or (OPPOSITE, "No") in script.judged
    as_json = answer.as_dict()["removed"]
    assert {r["text"].rstrip(".") for r in as_json} == set(WRONG)
    assert all(r["reason"] for r in as_json)
    assert REWORDED in answer.text  # the judge reads it as stated


def _judged_claims(script: ScriptedServer, since: int) -> set[str]:
    return {claim.rstrip(".") for claim, _ in script.judged[since:]}


def test_a_claim_in_other_words_is_kept_when_the_judge_reads_it_as_stated(
    server: tuple[ScriptedServer, str], store: Path
) -> None:
    script, url = server
    judged = len(script.judged)
    answer = _ask(store, url, judge=False)

    # Asked only about what the words check fails and the facts and polarity checks pass:
    # never about the changed number or the flipped meaning.
    asked = _judged_claims(script, judged)
    assert REWORDED in asked and INVENTED in asked
    assert not asked & {NUMBER, FLIPPED, TRUE_CALLED, TRUE_NUMBER}
    match = re.search(re.escape(REWORDED) + r" \[(\d+)\]", answer.text)
    assert match, answer.text
    cited = {c.n: c for c in answer.citations}[int(match.group(1))]
    assert "American delegation" in cited.passage.text
    # What the judge rejects keeps the words check's reason.
    assert "protest" in _removed(answer)[INVENTED]


def test_the_deterministic_checks_alone_catch_all_but_the_opposite_word(
    server: tuple[ScriptedServer, str], store: Path
) -> None:
    script, url = server
    judged = len(script.judged)
    answer = _ask(store, url, judge=False, reworded=False)

    assert len(script.judged) == judged  # the judge was not asked
    removed = _removed(answer)
    assert "70,000" in removed[NUMBER]
    assert "protest" in removed[INVENTED]
    assert UNMARKED.rstrip(".") in removed
    assert removed[FLIPPED] == "the passage negates what the claim states"
    # The opposite word holds the passage's words, names and polarity: only the judge
    # catches it.
    assert OPPOSITE not in removed and OPPOSITE in answer.text
    assert REWORDED in removed  # other words than the passage's: only the judge keeps it
    _assert_true_sentences_keep_their_citations(answer)
