"""A question about one thing, passages only about another of its kind."""

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant import CANNOT_ANSWER
from assistant.answering.other_names import other_name
from assistant.types import Passage
from tests.conftest import whole_passage_chain

RACE = (
    "Kenya's Faith Wanjiru won the Lakeshore Marathon on Sunday in 2 hours 14 minutes. "
    "Ethiopia's Tigist Alemu was second. Joshua Kerr, the race director, said the "
    "president of the city council had started the race. Definitive results come Monday."
)


def _passage(text: str = RACE, *, title: str = "", source: str = "") -> Passage:
    return Passage("a#0", "a", 0, text, 0, len(text), title=title, source=source)


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("Who won the Chicago Marathon?", ("Chicago Marathon", "Lakeshore Marathon")),
        ("Who won the Chicago Marathon in 2026?", ("Chicago Marathon", "Lakeshore Marathon")),
        # the passages' own name for it, however the question spells it
        ("Who won the Lakeshore Marathon?", None),
        ("Who won the LAKESHORE Marathon?", None),
        ("What did Josh Kerr say?", None),  # Josh for Joshua
        ("When are the Definite results due?", None),  # a spelling a little off
        ("Who won the Lakeshre Marathon?", None),  # a letter dropped
        # a title the passages write in lower case is theirs too
        ("What did President Wanjiru say?", None),
        # a name no passage has another of is left to the model and the checks
        ("Who won the Boston Half?", None),
        ("Who is Tigist Alemu?", None),
    ],
)
def test_other_name(question: str, other: tuple[str, str] | None) -> None:
    assert other_name(question, [_passage()]) == other


def test_a_name_of_several_words_with_one_of_them_put_in_another() -> None:
    text = "The Golden Gull went to The Last Lighthouse at the Northbay Film Festival."
    assert other_name("Who won best actor at the Cannes Film Festival?", [_passage(text)]) == (
        "Cannes Film Festival",
        "Northbay Film Festival",
    )
    # its last word is not swapped: "Academy Awards Oscars" runs two names together
    oscars = _passage("Chloe Zhao won at the 93rd Academy Awards Oscars on Sunday.")
    assert other_name("Who won at the Academy Awards Ceremony?", [oscars]) is None
    assert other_name("Who won the Golden Bear?", [_passage(text)]) is None


def test_a_capital_that_opens_a_sentence_names_nothing() -> None:
    text = "The race ended at noon. Before Marathon Day the roads were shut."
    assert other_name("When was Chicago Marathon Day?", [_passage(text)]) is None


def test_the_headline_and_the_outlet_hold_names_too() -> None:
    headed = _passage(title="Chicago Marathon: Wanjiru wins in record time")
    assert other_name("Who won the Chicago Marathon?", [headed]) is None
    text = "Its readers ranked the Lakeshore News first and the Valley News second."
    from_outlet = _passage(text, source="Herald News")
    assert other_name("What did the Herald News report?", [from_outlet]) is None
    assert other_name("What did the Herald News report?", [_passage(text)]) == (
        "Herald News",
        "Lakeshore News",
    )


def test_accents_do_not_make_another_name() -> None:
    text = "Möngke Khan was the fourth Great Khan of the Mongol Empire."
    assert other_name("When did Mongke Khan rule?", [_passage(text)]) is None


def test_the_chain_refuses_without_asking_the_model_or_quoting(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_assistant
) -> None:
    article = tmp_path / "race.txt"
    article.write_text(f"Wanjiru breaks course record\n\n{RACE}\n", encoding="utf-8")
    bot = make_assistant()
    bot.ingest([article])
    # The reply a small model gives: true of the Lakeshore race, word for word.
    reply = "Kenya's Faith Wanjiru won the Lakeshore Marathon on Sunday [1]."
    model = FakeListChatModel(responses=[reply, "Faith Wanjiru"])
    chain = whole_passage_chain(bot, model, backend="fake")
    answer = chain.invoke("Who won the Chicago Marathon?")
    assert answer.refused and answer.text == CANNOT_ANSWER and not answer.quoted
    assert answer.passages  # what was searched is still shown
    assert model.i == 0  # the model was not asked
    asked = chain.invoke("Who won the Lakeshore Marathon?")
    assert not asked.refused and "Wanjiru" in asked.text
