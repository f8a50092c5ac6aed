"""The groundedness benchmark's perturbations, claim building and scoring, without a model."""

from __future__ import annotations

import random

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answering.verify import (
    FactsCheck,
    ModelJudge,
    PolarityCheck,
    Reworded,
    WordsCheck,
)
from assistant.types import Passage
from benchmarks.groundedness import (
    Claim,
    build_claims,
    chain_seconds,
    change_number,
    invent_act,
    names_in,
    negate,
    report,
    rescore,
    run_checks,
    summarise,
    swap_name,
)
from ingest.documents import Article


@pytest.mark.parametrize(
    ("sentence", "changed"),
    [
        ("Russia added 7,000 troops.", "Russia added 70,000 troops."),
        ("About 12 people came.", "About 15 people came."),
        ("It cost 4.2 million euros.", "It cost 7.2 million euros."),
        ("Talks began in 2021 in Geneva.", "Talks began in 2024 in Geneva."),
        ("Only two ferries run.", "Only five ferries run."),
        ("Nothing was counted.", None),
    ],
)
def test_a_number_changes_to_another(sentence: str, changed: str | None) -> None:
    assert change_number(sentence) == changed


@pytest.mark.parametrize(
    ("sentence", "flipped"),
    [
        ("The minister said the plan would work.", "The minister denied the plan would work."),
        ("Prices rose in March.", "Prices fell in March."),
        ("The ferry is running again.", "The ferry is not running again."),
        ("The ferry was not running.", "The ferry was running."),
        ("The ferry isn't running.", "The ferry is running."),
        # An auxiliary is a whole word: not the "is" of "issues", the "can" of "Canada".
        ("Canada signed a deal that was drafted.", "Canada signed a deal that was not drafted."),
        ("Its issues are discussed.", "Its issues are not discussed."),
        ("Ferries run every hour.", None),
    ],
)
def test_negation_flips_the_meaning(sentence: str, flipped: str | None) -> None:
    assert negate(sentence) == flipped


def test_names_are_swapped_for_one_the_sentence_does_not_hold() -> None:
    sentence = "The vice-president will meet Stoltenberg in Munich."
    assert names_in(sentence) == ["Stoltenberg", "Munich"]
    assert swap_name(sentence, ["Munich", "Olaf Scholz"]) == (
        "The vice-president will meet Olaf Scholz in Munich."
    )
    assert swap_name("no names here at all.", ["Olaf Scholz"]) is None


def test_an_invented_act_goes_to_the_subject() -> None:
    sentence = "Jens Stoltenberg said the alliance was ready."
    assert invent_act(sentence, "resigned in protest") == "Jens Stoltenberg resigned in protest."


def test_claims_of_a_passage_cover_every_kind_and_are_labelled() -> None:
    from assistant.types import Passage

    text = (
        "The harbour ferry resumed service on Monday after three weeks of repairs, "
        "the Lisbon port authority said. Tickets cost 4 euros, and boats run every 30 minutes."
    )
    other = "Kamala Harris will lead the American delegation to the conference in Munich."
    articles = [Article("a", "", text), Article("b", "", other)]
    passage = Passage("a#0", "a", 0, text, 0, len(text))
    claims = build_claims("set", [passage], articles, random.Random(0), lambda s: s.upper())
    kinds = {c.kind: c for c in claims}
    assert set(kinds) == {
        "verbatim",
        "paraphrase",
        "number",
        "negation",
        "name",
        "invented",
        "wrong passage",
    }
    assert kinds["verbatim"].supported and kinds["paraphrase"].supported
    assert not any(c.supported for c in claims if c.kind not in ("verbatim", "paraphrase"))
    assert kinds["wrong passage"].text == other
    assert "Lisbon" not in kinds["name"].text
    assert any(name in kinds["name"].text for name in ("Kamala Harris", "American", "Munich"))


def test_scores_count_the_first_failing_check_and_rescore_uses_the_margins() -> None:
    true = Claim("s", 0, "verbatim", "t", True, {"facts": True, "words": True, "judge": True})
    flipped = Claim("s", 0, "negation", "f", False, {"facts": True, "words": True, "judge": True})
    number = Claim("s", 0, "number", "n", False, {"facts": False, "words": True})
    for c in (true, flipped, number):
        c.seconds = {"facts": 0.001, "words": 0.001, "judge_in_chain": 0.5, "judge": 0.5}
        c.seconds |= {"judge_tokens": 100, "judge_tokens_in_chain": 100}
    true.margin, flipped.margin = -3.0, -0.5
    true.seconds["judge_cold"] = 1.0
    number.seconds |= {"judge_in_chain": 0.0, "judge_tokens_in_chain": 0}
    keys = ["facts", "words", "judge"]
    assert chain_seconds(number, keys) == pytest.approx(0.001)
    row = summarise([true, flipped, number], [[true, flipped], [number]], keys)
    assert row["caught"] == (1, 2) and row["kept"] == (1, 1)
    rescore([true, flipped, number], bias=-1.0)  # No from a margin of -1 up
    row = summarise([true, flipped, number], [[true, flipped], [number]], keys)
    assert row["caught"] == (2, 2) and row["kept"] == (1, 1)
    assert row["s_answer"] == pytest.approx(1.004)  # first call + second call
    assert row["tokens_answer"] == 200


def test_the_reworded_check_asks_the_judge_only_what_facts_and_polarity_pass() -> None:
    text = "Kamala Harris, US vice-president, will lead the American delegation in Munich."
    passage = Passage("a#0", "a", 0, text, 0, len(text))
    reworded = Claim("a", 0, "paraphrase", "Harris will head the US team to Munich.", True)
    number = Claim("a", 0, "number", "Harris will host 70 reporters in Munich.", False)
    fake = FakeListChatModel(responses=["Yes", "Yes"])  # i counts calls, back to 0 at the end
    verifiers = {
        "facts": FactsCheck(),
        "words": WordsCheck(),
        "polarity": PolarityCheck(),
        "reworded": Reworded(ModelJudge(fake)),
    }
    claims = [reworded, number]
    run_checks(claims, {"a": [passage]}, verifiers, None, None, random.Random(0))
    assert fake.i == 1  # the number failed the facts check first: never asked
    assert not reworded.verdicts["words"] and reworded.verdicts["reworded"]
    assert number.verdicts["reworded"] == number.verdicts["words"]  # as the words check read it
    results = report(claims, [claims], list(verifiers), None)
    row = results["all sets"]["facts + polarity + reworded"]
    assert row["kept"] == (1, 1) and row["caught"] == (1, 1)
    assert results["all sets"]["facts + words + polarity"]["kept"] == (0, 1)
