"""What the model is given: the sentences that bear on the question, within the budget,
from passages that stay whole; and follow-ups rewritten only when they lean on the
conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.context import format_passages, select_sentences, stands_alone
from assistant.types import NO_FILTERS, Passage
from ingest.tokenizer import count_tokens


@pytest.fixture()
def bot(sample_store: Path, make_assistant):  # type: ignore[no-untyped-def]
    return make_assistant(data_dir=sample_store)


def test_the_model_is_shown_the_relevant_sentences_within_the_budget(bot) -> None:  # type: ignore[no-untyped-def]
    question = "How many troops did Russia add at the border?"
    found = bot.searcher.search(question, 5, NO_FILTERS)
    picked = select_sentences(question, found, bot.embedder, 150)
    shown = format_passages([p for p, _ in picked], [x for _, x in picked])
    whole = format_passages(found)
    assert count_tokens(shown) <= 150 + 10 < count_tokens(whole)
    assert any("7,000" in excerpt for _, excerpt in picked)
    for passage, excerpt in picked:
        # Every sentence shown is the passage's own text; the passage stays whole.
        assert passage in found
        for piece in excerpt.split(" … "):
            assert piece in passage.text


def test_a_sentence_two_overlapping_passages_share_is_shown_once(bot) -> None:  # type: ignore[no-untyped-def]
    question = "What did Zelensky say about the withdrawal?"
    found = bot.searcher.search(question, 8, NO_FILTERS)
    picked = select_sentences(question, found, bot.embedder, 2000)
    sentences = [s for _, x in picked for s in x.split(" … ")]
    assert sum("we do not see any withdrawal yet" in s for s in sentences) == 1


def test_past_the_first_tokens_only_sentences_near_the_best_are_shown(bot) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The council voted on Monday to close the Elm Street bridge for repairs. "
        "The closure will last three months, the council said. "
        "The city's football team lost its third match in a row on Saturday. "
        "A bakery on Main Street won a regional prize for its rye bread. "
        "Forecasters expect a wet and windy weekend across the region."
    )
    passage = Passage("a#0", "a", 0, text, 0, len(text), title="Council closes bridge")
    question = "When did the council vote to close the Elm Street bridge?"

    def shown(**kwargs: float) -> str:
        picked = select_sentences(question, [passage], bot.embedder, 400, any_tokens=20, **kwargs)
        return picked[0][1]

    lean = shown(floor=0.6)
    assert "on Monday" in lean
    assert "football" not in lean and "bakery" not in lean and "Forecasters" not in lean
    # With no floor the budget is filled, every sentence given.
    assert "football" in shown(floor=0.0) and "Forecasters" in shown(floor=0.0)


def _passage(**where: str) -> Passage:
    text = "Shop owners said the closure would hurt business."
    return Passage(
        "a#0", "a", 0, text, 0, len(text), title="Residents split over bridge plan", **where
    )


def test_a_passage_is_headed_by_its_outlet_and_day_not_its_headline() -> None:
    shown = format_passages([_passage(source="Riverside Gazette", published="2024-03-04")])
    assert shown == (
        "[1] Riverside Gazette · 2024-03-04\nShop owners said the closure would hurt business."
    )


def test_an_article_with_neither_outlet_nor_day_is_headed_by_its_title() -> None:
    shown = format_passages([_passage()])
    assert shown.startswith("[1] Residents split over bridge plan\nShop owners")


def test_the_model_is_not_shown_an_articles_own_bracketed_numbers() -> None:
    # A copied reference page's footnotes would read as the numbers of other passages.
    text = "The treaty was signed in Rome on 25 March 1957.[2] It took effect in 1958.[3]"
    page = Passage("t#0", "t", 0, text, 0, len(text), title="Treaty of Rome")
    shown = format_passages([page, _passage()])
    assert "[2]" not in shown.split("\n\n")[0] and "[3]" not in shown
    assert "signed in Rome on 25 March 1957. It took effect in 1958." in shown


@pytest.mark.parametrize(
    "question",
    ["Who disputed the withdrawal?", "How many troops did Russia send to the border?"],
)
def test_a_question_with_its_own_subject_stands_alone(question: str) -> None:
    assert stands_alone(question)


@pytest.mark.parametrize(
    "question", ["And Zelensky?", "What did he say?", "When did that happen?", "Why?"]
)
def test_a_follow_up_that_points_back_does_not(question: str) -> None:
    assert not stands_alone(question)
