"""The short answer: asked of the model after its cited sentences, kept only when the
checked sentences hold it, and shown first in the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models import FakeListChatModel

from assistant.answering.chain import AnswerChain
from assistant.answering.citations import CANNOT_ANSWER
from assistant.answering.short import (
    answers_plainly,
    as_written,
    by_last_name,
    check_short,
    clean_short,
    first_part,
    holds_short,
    is_yes_no,
    join_short,
    said_first,
)
from assistant.answering.verify import DECLINED_SUPPORT_LABEL, ModelJudge, support_label
from assistant.types import NO_FILTERS
from tests.conftest import whole_passage_chain
from tests.fake_models import CountingModel


@pytest.mark.parametrize(
    ("reply", "short"),
    [
        ("The White House.", "The White House."),
        ("Answer: the White House", "The White House."),
        ("**Short answer:** 7,000 troops [2]\nMore text.", "7,000 troops."),
        ("Stoltenberg", "Stoltenberg."),
    ],
)
def test_the_reply_is_tidied_into_a_headline(reply: str, short: str) -> None:
    assert clean_short(reply, "Who disputed the withdrawal?") == short


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "The articles don't say.",
        "Yes.",  # to a question that asks who
        "A senior official of the Biden administration said on Wednesday in Washington that "
        "it was false",  # a sentence, not a headline
    ],
)
def test_no_short_answer_when_the_reply_is_not_one(reply: str) -> None:
    assert clean_short(reply, "Who disputed the withdrawal?") == ""


@pytest.mark.parametrize(
    ("reply", "question", "short"),
    [
        (
            "Simona Halep, 2019, Wimbledon.",
            "Who won the women's Wimbledon in 2019?",
            "Simona Halep.",
        ),
        ("Daniil Medvedev, 2021, US Open", "Who won the men's U.S. Open 2021?", "Daniil Medvedev."),
        ("James Cameron,", "Who is the director of the Avatar movie?", "James Cameron."),
        # What the question does not say stays: it may be the answer's own detail.
        (
            "Beijing, China, 2008.",
            "Which city hosted the Olympic Games in 2008?",
            "Beijing, China.",
        ),
        ("September 14, 2018.", "When was the game released in 2018?", "September 14, 2018."),
        # The first part stays even when the question names it: a choice was asked.
        ("Google, Apple.", "Which paid more, Google or Apple?", "Google."),
    ],
)
def test_parts_repeating_the_question_are_dropped(reply: str, question: str, short: str) -> None:
    assert clean_short(reply, question) == short


@pytest.mark.parametrize(
    ("reply", "question", "short"),
    [
        ("Colonia Agrippina.", "What was the Colonia Agrippina's original name?", ""),
        ("The U.S. Open", "Who won the men's US Open in 2021?", ""),
        ("2021.", "Who won the men's US Open in 2021?", ""),
        ("Oppidum Ubiorum.", "What was the Colonia Agrippina's original name?", "Oppidum Ubiorum."),
        # A question naming what it asks between is answered by one of its own words.
        ("Venus.", "Which planet is hotter, Mars or Venus?", "Venus."),
        (
            "Polygon.",
            "Between the Polygon article and the Wired one, which came first?",
            "Polygon.",
        ),
    ],
)
def test_a_short_answer_repeating_the_question_answers_nothing(
    reply: str, question: str, short: str
) -> None:
    assert clean_short(reply, question) == short


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Did Russia withdraw its troops?", True),
        ("Between the two reports, is there a change in tone?", True),
        ("After the vote on Monday, June 3, did the mayor resign?", True),
        ("Who disputed the withdrawal?", False),
        ("After the vote, who resigned?", False),
        ("In 2021, which team won the title?", False),
        ("After the vote, which party, having won most seats, was asked to govern?", False),
        (
            "Considering the summit in Brussels, which official, speaking for NATO, "
            "was prepared for the worst?",
            False,
        ),
        ("Considering both reports, what city, named in each, is the company's home?", False),
        ("Between the May 3 report, which was brief, and the next, was there a change?", True),
        ("Was the coverage of the two reports consistent or inconsistent?", False),
        ("Between the two reports, did the outlets agree or disagree?", False),
        ("Did the council approve the plan or not?", True),
    ],
)
def test_a_yes_no_question_may_open_with_a_phrase(question: str, yes_no: bool) -> None:
    assert is_yes_no(question) is yes_no


def test_a_yes_no_question_gets_a_plain_yes_or_no() -> None:
    assert is_yes_no("Did Russia withdraw its troops?")
    assert not is_yes_no("Who disputed the withdrawal?")
    assert clean_short("No, it did not.", "Did Russia withdraw its troops?") == "No."
    assert clean_short("yes", "Is NATO prepared for the worst?") == "Yes."
    # Not a yes/no question: the line stays as written.
    assert clean_short("No one", "Who disputed it?") == "No one."


RATES = "The central bank kept its rate at 4.25%, but its chair said a cut was likely [1]."


@pytest.mark.parametrize(
    ("question", "short", "body", "kept"),
    [
        (
            "Did NATO see any de-escalation?",
            "No.",
            "NATO has not seen any de-escalation [1].",
            True,
        ),
        (
            "Did NATO see any de-escalation?",
            "Yes.",
            "NATO has not seen any de-escalation [1].",
            False,
        ),
        ("Did Russia add troops?", "Yes.", "Russia added as many as 7,000 troops [1].", True),
        ("Did Russia add troops?", "No.", "Russia added as many as 7,000 troops [1].", False),
        ("Didn't Russia add troops?", "Yes.", "Russia added as many as 7,000 troops [1].", False),
        # The sentence must say what the question asks, in one of its parts.
        ("Did the central bank cut rates?", "Yes.", RATES, False),
        ("Did the central bank keep its rate at 4.25%?", "Yes.", RATES, True),
        ("Did the central bank keep its rate at 5%?", "Yes.", RATES, False),
        ("Did inflation fall in June?", "Yes.", "Inflation fell to 2.6% in May [1].", False),
        ("Did inflation fall in May?", "Yes.", "Inflation fell to 2.6% in May [1].", True),
        ("Did inflation rise in May?", "Yes.", "Inflation fell to 2.6% in May [1].", False),
        ("Will the park fully reopen?", "Yes.", "The park will partly reopen in May [1].", False),
        ("Did Phoenix break its heat record?", "Yes.", "Phoenix broke its heat record [1].", True),
        ("Will Ann Lee lead the team?", "Yes.", "Ann Lee, an MP, will lead the team [1].", True),
    ],
)
def test_a_yes_or_no_is_kept_only_when_the_sentences_agree(
    question: str, short: str, body: str, kept: bool
) -> None:
    assert check_short(short, body, (), question).supported is kept


def _chain(bot, reply: str, short: str = "", again: str | None = None) -> AnswerChain:  # type: ignore[no-untyped-def]
    """A chain whose model writes ``reply``, then ``again`` when asked to answer after
    declining (if given), then ``short`` when asked for the short answer."""
    responses = [reply, short] if again is None else [reply, again, short]
    return whole_passage_chain(bot, FakeListChatModel(responses=responses))


@pytest.fixture()
def bot(sample_store: Path, make_assistant):  # type: ignore[no-untyped-def]
    return make_assistant(data_dir=sample_store)


def _cite(bot, question: str, needle: str) -> int:  # type: ignore[no-untyped-def]
    passages = _chain(bot, "").retrieve(question, NO_FILTERS, None)
    return next(n for n, p in enumerate(passages, start=1) if needle in p.text)


_WHO = "Who disputed the withdrawal?"


def _citing_false(bot, claim: str) -> str:  # type: ignore[no-untyped-def]
    """The model's reply to the sample question: ``claim`` citing the passage holding "we
    now know it was false"."""
    return f"{claim} [{_cite(bot, _WHO, 'we now know it was false')}]."


def _white_house(bot, short: str):  # type: ignore[no-untyped-def]
    """The answer to the sample question whose supported sentence cites the passage
    holding "we now know it was false" (its number), when the model's short answer is
    ``short``."""
    n = _cite(bot, _WHO, "we now know it was false")
    reply = f"A senior Biden administration official at the White House said it was false [{n}]."
    return _chain(bot, reply, short).invoke(_WHO), n


def test_a_supported_short_answer_opens_the_answer(bot) -> None:  # type: ignore[no-untyped-def]
    answer, n = _white_house(bot, "The White House")
    assert answer.short == "The White House."
    assert answer.text.startswith("The White House.\n\n")
    assert [c.n for c in answer.citations] == [n]
    assert answer.as_dict()["short"] == "The White House."


def test_a_short_answer_the_first_sentence_opens_with_is_not_shown_twice(bot) -> None:  # type: ignore[no-untyped-def]
    reply = _citing_false(
        bot, "A senior Biden administration official, at the White House, said it was false"
    )
    answer = _chain(bot, reply, "A senior Biden administration official").invoke(_WHO)
    assert answer.short == "A senior Biden administration official."
    assert answer.text == reply
    assert answer.as_dict()["short"] == "A senior Biden administration official."


@pytest.mark.parametrize(
    ("short", "body", "said"),
    [
        ("Zelensky expressed skepticism.", "Zelensky expressed skepticism, telling them [1].", 29),
        ("Saturday.", "Saturday [1]. The ferry sails again [1].", 8),
        ("Yes.", "Yes — the council approved it [1].", 3),
        # The sentence goes on from the short answer: it says more than the headline.
        ("The White House.", "The White House has called it false [1].", 0),
        ("Saturday.", "On Saturday the ferry sails again [1].", 0),
        ("Saturday.", "Saturdays are busy [1].", 0),
    ],
)
def test_a_short_answer_said_as_the_first_clause(short: str, body: str, said: int) -> None:
    assert said_first(short, body) == said


def test_a_short_answer_over_a_quote_stands_apart_for_its_label() -> None:
    body = "Saturday [1]. The ferry sails again [1]."
    assert join_short("Saturday.", body) == body
    assert join_short("Saturday.", body, quote_support=True) == f"Saturday.\n\n{body}"
    assert join_short("The White House.", "The White House said so [1].").startswith(
        "The White House.\n\n"
    )


def test_a_reply_too_long_for_a_short_answer_is_not_read_to_its_end(bot) -> None:  # type: ignore[no-untyped-def]
    reply = _citing_false(
        bot, "A senior Biden administration official at the White House said it was false"
    )
    sentence = (
        "A senior Biden administration official at the White House said on Wednesday that "
        "the Kremlin's claims of a withdrawal were false, citing 7,000 more troops."
    )
    model = CountingModel(responses=[reply, sentence])
    answer = whole_passage_chain(bot, model).invoke(_WHO)
    assert answer.short == "" and answer.text.startswith("A senior Biden")
    assert model.read[0] == len(reply)
    # At its fourteenth word it can no longer be a short answer: the model stops there.
    assert model.read[1] <= len(" ".join(sentence.split()[:14])) < len(sentence)


def test_a_short_answer_the_passages_do_not_hold_is_removed_and_listed(bot) -> None:  # type: ignore[no-untyped-def]
    reply = _citing_false(bot, "A senior Biden administration official said it was false")
    answer = _chain(bot, reply, "The Pentagon.").invoke(_WHO)
    assert answer.short == ""
    assert "Pentagon" not in answer.text and answer.citations
    assert [r.text for r in answer.removed] == ["The Pentagon."]


def test_no_short_answer_survives_a_refusal(bot) -> None:  # type: ignore[no-untyped-def]
    chain = _chain(bot, CANNOT_ANSWER, "France.")
    answer = chain.invoke("Who won the 2018 World Cup?")
    assert answer.refused and answer.short == "" and answer.text == CANNOT_ANSWER
    # No passage sentence answers it plainly, so the model is not asked again.
    assert answer.declined and not answer.removed
    assert chain.chat_model.i == 1  # type: ignore[union-attr]


def test_a_short_answer_asked_for_after_a_decline_that_nothing_holds_is_not_shown(bot) -> None:  # type: ignore[no-untyped-def]
    # Its answer was the decline (twice: asked to answer after all, it declined again):
    # the short answer asked for then is neither shown nor listed as removed, and the
    # closest sentences are quoted as before.
    answer = _chain(bot, CANNOT_ANSWER, "About 70,000 troops", again=CANNOT_ANSWER).invoke(_TROOPS)
    assert answer.declined and answer.quoted and answer.short == "" and not answer.removed
    assert "70,000" not in answer.text


def test_after_a_decline_a_short_answer_a_passage_sentence_holds_stands_over_it(bot) -> None:  # type: ignore[no-untyped-def]
    chain = _chain(bot, CANNOT_ANSWER, "About 7,000 troops", again=CANNOT_ANSWER)
    answer = chain.invoke(_TROOPS)
    assert answer.declined and answer.quote_support and not answer.refused
    assert answer.short == "About 7,000 troops." and not answer.removed
    [citation] = answer.citations
    assert "7,000 troops" in citation.quote
    assert citation.passage.text[citation.quote_start : citation.quote_end] == citation.quote
    assert answer.text.startswith("About 7,000 troops.\n\n")
    assert support_label(answer) == DECLINED_SUPPORT_LABEL
    assert answer.as_dict()["declined"] is True


def test_a_yes_no_question_declined_is_not_asked_again(bot) -> None:  # type: ignore[no-untyped-def]
    # A Yes or No stands only on a checked sentence, and a decline has none.
    chain = _chain(bot, CANNOT_ANSWER, "Yes")
    answer = chain.invoke("Did Russia add troops near the Ukrainian border?")
    assert answer.declined and answer.short == "" and not answer.removed
    assert chain.chat_model.i == 1  # type: ignore[union-attr]


# The model's sentence adds a day the passage never gives, so verification removes it; its
# short answer is what the passage says.
_TROOPS = "How many troops has Russia added near the Ukrainian border?"


def test_a_yes_or_no_is_asked_for_only_when_a_sentence_of_the_reply_stands(bot) -> None:  # type: ignore[no-untyped-def]
    # A Yes or No stands only on a checked sentence: when the checks remove every one,
    # the model is not asked for it (a call of a second or two on the local model).
    question = "Did Russia increase its troop presence along the Ukrainian border?"
    claim = "Russia increased its troop presence along the Ukrainian border"
    removed = _adding_a_day(bot, question, "has increased its troop presence", claim)
    chain = _chain(bot, removed, "Yes")
    answer = chain.invoke(question)
    assert chain.chat_model.i == 1  # type: ignore[union-attr]
    assert answer.short == "" and not answer.text.startswith("Yes")
    assert [r.text for r in answer.removed] == [f"{claim} on Monday, February 14."]
    kept = f"{claim} [{_cite(bot, question, 'has increased its troop presence')}]."
    answer = _chain(bot, kept, "Yes").invoke(question)
    assert answer.short == "Yes." and answer.text.startswith("Yes.")


def test_a_sentence_that_only_repeats_the_question_is_removed(bot) -> None:  # type: ignore[no-untyped-def]
    # Every word of it is in its passage, so the claim checks pass it; it names nothing
    # the question did not, so it answers nothing and is listed as removed.
    question = "Who said the claims about withdrawing troops were false?"
    n = _cite(bot, question, "Russian claims about withdrawing troops were false")
    reply = f"The claims about withdrawing troops were false [{n}]."
    answer = _chain(bot, reply, "Nobody").invoke(question)
    assert "The claims about withdrawing troops were false [" not in answer.text
    assert [(r.text, r.reason) for r in answer.removed][:1] == [
        ("The claims about withdrawing troops were false.", "it only repeats the question")
    ]
    # To a yes/no question the same sentence is the answer, and stands.
    yes_no = "Were the claims about withdrawing troops false?"
    n = _cite(bot, yes_no, "Russian claims about withdrawing troops were false")
    reply = f"The claims about withdrawing troops were false [{n}]."
    answer = _chain(bot, reply, "Yes").invoke(yes_no)
    assert answer.short == "Yes." and not answer.removed
    assert f"The claims about withdrawing troops were false [{n}]." in answer.text
    # To a question offering a choice, the answer is one of its own words, and stands.
    choice = "Who called the withdrawal claims false, the White House or Moscow?"
    n = _cite(bot, choice, "we now know it was false")
    reply = f"The White House called the withdrawal claims false [{n}]."
    answer = _chain(bot, reply, "The White House").invoke(choice)
    assert reply in answer.text and not answer.removed


@pytest.mark.parametrize(
    ("short", "sentence", "shown"),
    [
        ("14.", "The Board has fourteen Vice Presidents.", "Fourteen."),
        ("250.", "About two hundred and fifty people came.", "Two hundred and fifty."),
        ("21.", "Twenty-one days later it reopened.", "Twenty-one."),
        # Written in digits, or another number in words: as it is.
        ("7,000.", "It added about 7,000 troops.", "7,000."),
        ("8.", "The State has seven electorates and 8 seats.", "8."),
        # Not only a number: as it is.
        ("14 Vice Presidents.", "The Board has fourteen Vice Presidents.", "14 Vice Presidents."),
    ],
)
def test_a_number_is_shown_as_its_sentence_writes_it(short: str, sentence: str, shown: str) -> None:
    assert as_written(short, [sentence]) == shown


def test_a_short_number_reads_as_the_cited_sentence_writes_it(bot) -> None:  # type: ignore[no-untyped-def]
    question = "How many days did the NATO defense ministers' summit last?"
    n = _cite(bot, question, "two-day summit")
    reply = f"He was speaking at the start of a 2-day summit of NATO defense ministers [{n}]."
    answer = _chain(bot, reply, "2").invoke(question)
    assert answer.short == "Two." and answer.text.startswith("Two.\n\n")
    [citation] = answer.citations
    assert "two-day summit" in citation.quote


def _adding_a_day(bot, question: str, needle: str, claim: str) -> str:  # type: ignore[no-untyped-def]
    """The model's reply: ``claim`` with a day no passage gives, citing the passage
    holding ``needle``."""
    n = _cite(bot, question, needle)
    return f"{claim} on Monday, February 14 [{n}]."


def _troops_reply(bot) -> str:  # type: ignore[no-untyped-def]
    return _adding_a_day(bot, _TROOPS, "by about 7,000 troops", "Russia added about 7,000 troops")


def test_a_short_answer_stands_over_the_passage_sentence_that_holds_it(bot) -> None:  # type: ignore[no-untyped-def]
    answer = _chain(bot, _troops_reply(bot), "About 7,000 troops").invoke(_TROOPS)
    assert answer.quote_support and not answer.quoted and not answer.refused
    assert answer.short == "About 7,000 troops."
    # The removed sentence is listed, and the text under the short answer is the
    # passage's own sentence, cited to the exact span that holds the number.
    assert [r.text for r in answer.removed] == [
        "Russia added about 7,000 troops on Monday, February 14."
    ]
    [citation] = answer.citations
    assert "7,000 troops" in citation.quote
    assert citation.passage.text[citation.quote_start : citation.quote_end] == citation.quote
    assert answer.text.startswith("About 7,000 troops.\n\n")
    assert citation.quote in answer.text and "February" not in answer.text
    assert answer.as_dict()["quote_support"] is True


def test_a_short_answer_no_passage_sentence_holds_is_removed_with_its_sentences(bot) -> None:  # type: ignore[no-untyped-def]
    answer = _chain(bot, _troops_reply(bot), "About 70,000 troops").invoke(_TROOPS)
    assert answer.short == "" and not answer.quote_support
    assert "70,000" not in answer.text
    assert "About 70,000 troops." in [r.text for r in answer.removed]


def test_the_judge_reads_a_short_answer_before_it_stands_over_a_quote(bot) -> None:  # type: ignore[no-untyped-def]
    chain = _chain(bot, _troops_reply(bot), "About 7,000 troops")
    judge = FakeListChatModel(responses=["No"])
    chain.verifiers = (*chain.verifiers, ModelJudge(judge))
    answer = chain.invoke(_TROOPS)
    assert answer.short == "" and not answer.quote_support
    assert "About 7,000 troops." in [r.text for r in answer.removed]


def test_a_short_answer_about_another_year_than_the_question_does_not_stand(bot) -> None:  # type: ignore[no-untyped-def]
    # The passage's 7,000 troops are not an answer about 2019, which it never mentions.
    question = "How many troops has Russia added near the Ukrainian border in 2019?"
    answer = _chain(bot, _troops_reply(bot), "About 7,000 troops").invoke(question)
    assert answer.short == "" and not answer.quote_support
    assert "About 7,000 troops." in [r.text for r in answer.removed]


@pytest.mark.parametrize(
    ("short", "part"),
    [
        ("Meta Platforms, April 9, 2012.", "Meta Platforms."),
        ("Google, TechCrunch, The Verge.", "Google."),
        ("7,000 troops.", ""),  # a thousands comma is no list
        ("April 29, 2015.", ""),  # nor a date's
        ("Meta Platforms, 2012, April 9, 2012.", "Meta Platforms."),
        ("The White House.", ""),
    ],
)
def test_the_first_part_of_a_listed_short_answer(short: str, part: str) -> None:
    assert first_part(short) == part


def test_a_short_answer_is_cut_to_its_first_part_and_the_cut_is_listed(bot) -> None:  # type: ignore[no-untyped-def]
    answer, _ = _white_house(bot, "The White House, February 14")
    assert answer.short == "The White House."
    assert answer.text.startswith("The White House.\n\n")
    [cut] = answer.removed
    assert cut.text == "The White House, February 14."
    assert cut.reason.startswith("shortened to “The White House.”: ")


def test_a_first_part_that_only_repeats_the_question_is_not_the_short_answer(bot) -> None:  # type: ignore[no-untyped-def]
    # "Zelensky, 3/3/2021." fails on its date; its first part names whom the question asks
    # about, which answers nothing.
    question = "What did Zelensky tell the BBC about the withdrawal?"
    n = _cite(bot, question, "we do not see any withdrawal yet")
    reply = f"Zelensky told the BBC that he did not see any withdrawal yet [{n}]."
    answer = _chain(bot, reply, "Zelensky, 3/3/2021").invoke(question)
    assert answer.short == "" and not answer.refused
    assert answer.text.startswith("Zelensky told the BBC")
    [cut] = answer.removed
    assert cut.text == "Zelensky, 3/3/2021." and "3" in cut.reason


# The model's sentence adds a day the passage never gives; the sentence that answers names
# Jens Stoltenberg by his last name only, as the article does after his first mention.
_DENIED = "Whose assessment did Moscow deny?"


def _denied_reply(bot) -> str:  # type: ignore[no-untyped-def]
    claim = "Moscow denied the assessment of Jens Stoltenberg"
    return _adding_a_day(bot, _DENIED, "Moscow denied Stoltenberg", claim)


def test_a_full_name_stands_over_a_sentence_giving_its_last_name(bot) -> None:  # type: ignore[no-untyped-def]
    answer = _chain(bot, _denied_reply(bot), "Jens Stoltenberg").invoke(_DENIED)
    assert answer.quote_support and answer.short == "Jens Stoltenberg."
    [citation] = answer.citations
    assert citation.quote.startswith("Moscow denied Stoltenberg’s assessment")


def test_a_last_name_does_not_hold_a_full_name_the_article_never_gives(bot) -> None:  # type: ignore[no-untyped-def]
    answer = _chain(bot, _denied_reply(bot), "Erik Stoltenberg").invoke(_DENIED)
    assert answer.short == "" and not answer.quote_support
    assert "Erik Stoltenberg." in [r.text for r in answer.removed]


@pytest.mark.parametrize(
    ("short", "sentence", "held"),
    [
        ("Sam Bankman-Fried.", "Bankman-Fried was told about the money.", True),
        ("Sam Bankman-Fried.", "Altman was told about the money.", False),
        ("Stoltenberg.", "Altman was told about the money.", False),  # one word: no rule
        ("Flight 370.", "The plane, 370, was lost.", False),  # a number is never held so
    ],
)
def test_a_name_held_by_its_last_word(short: str, sentence: str, held: bool) -> None:
    article = "Sam Bankman-Fried on trial\nSam Bankman-Fried faces charges. Flight 370 was lost."
    assert by_last_name(short, sentence, article) is held


def test_a_short_answer_beside_the_opposite_of_what_the_sentence_says_is_not_held() -> None:
    # The sentence holds "low" and "wages", but what it calls the wages is "high".
    sentence = "Where few workers are able (low supply), the result is high wages."
    verdict = holds_short("Low wages.", sentence)
    assert not verdict.supported and verdict.reason == "the passage says “high”, not “low”"
    assert holds_short("High wages.", sentence).supported


@pytest.mark.parametrize(
    ("question", "sentence", "frame", "plain"),
    [
        # A name to "who" and "where", one the question does not give.
        (
            "Who won the 2021 Tour de France?",
            "Tadej Pogacar won the 2021 Tour de France.",
            "",
            True,
        ),
        ("Who won the 2021 Tour de France?", "The 2021 Tour de France is in the books!", "", False),
        ("Who won the 2021 Tour de France?", "Major riders crashed in the 2021 Tour.", "", False),
        ("Where will the summit be held?", "The summit will be held in Brussels.", "", True),
        ("Where will the summit be held?", "The summit will be held next week.", "", False),
        # A date to "when"; a number to "how many".
        ("When did the park reopen?", "The park reopened on June 29.", "", True),
        ("When did the park reopen?", "The park reopened on Friday.", "", True),
        ("When did the park reopen?", "The park reopened to crowds of visitors.", "", False),
        ("What is the release date of the game?", "The game is out on 10 December.", "", True),
        ("What is the release date of the game?", "The game's release date is near.", "", False),
        ("When is episode 11 out?", "Episode 11 is out in 2023.", "", True),
        ("When is episode 11 out?", "Episode 11 is out after episode 10.", "", False),
        ("Which city hosted the games in 2004?", "The games of 2004 were a success.", "", False),
        ("Which city hosted the games in 2004?", "The 2004 games went to Athens.", "", True),
        ("How many troops arrived?", "As many as 7,000 troops arrived.", "", True),
        ("How many troops arrived?", "More troops arrived in recent days.", "", False),
        # The question's own numbers, in the sentence or around it.
        ("Who won the 2021 Tour de France?", "Egan Bernal won the 2019 Tour de France.", "", False),
        ("Who won the Tour in 2021?", "Tadej Pogacar won it again.", "Tour de France 2021", True),
        # Saying only what the question says is no answer, whatever it asks.
        ("What did the council approve?", "The council approved it.", "", False),
        ("What did the council approve?", "The council approved the bike lanes.", "", True),
        # Yes or no: a part of the sentence says all of it, either way.
        (
            "Did the council approve the bike lanes?",
            "The council approved the bike lanes.",
            "",
            True,
        ),
        (
            "Did the council approve the bike lanes?",
            "The council did not approve the lanes.",
            "",
            False,
        ),
        (
            "Did the council approve the bike lanes?",
            "The council rejected the bike lanes.",
            "",
            False,
        ),
        (
            "Did US officials provide more details?",
            "US officials declined to provide more details.",
            "",
            True,
        ),
    ],
)
def test_a_sentence_answers_plainly_when_it_gives_what_is_asked(
    question: str, sentence: str, frame: str, plain: bool
) -> None:
    assert answers_plainly(question, sentence, frame) is plain


@pytest.mark.parametrize(
    ("reply", "question", "short"),
    [
        # Asked what was said, a name alone answers nothing: who said it is not what.
        ("Pete Ward", "What did the Eastmoor manager say?", ""),
        ("Ursula von der Leyen", "What did the Commission president say about tariffs?", ""),
        ("The Kremlin", "How did Moscow respond to the claims?", ""),
        # What was said stays; so does a name asked for.
        ("They missed chances", "What did Pete Ward say?", "They missed chances."),
        ("Acme Steel", "What did Pete Ward say was sold?", "Acme Steel."),
        ("Pete Ward", "Who said the team paid for missing chances?", "Pete Ward."),
    ],
)
def test_a_name_alone_is_no_short_answer_to_what_someone_said(
    reply: str, question: str, short: str
) -> None:
    assert clean_short(reply, question) == short


_RESULTS = (
    "Brightline Foods profit falls as costs climb\n\n"
    "Brightline Foods reported a net profit of 212 million dollars for 2025, down 18 per cent "
    "from a year earlier. Sales rose 4 per cent to 3.1 billion dollars.\n\n"
    "Chief executive Nadia Park said the company would close its oldest bakery, in Sutton, "
    "next year, affecting about 300 jobs. Shares in Brightline fell 7 per cent on the news.\n\n"
    "Shares in other food makers were steady. Analysts at Crestview Bank said the results "
    "were weaker than expected.\n"
)


@pytest.mark.parametrize(
    ("question", "reply", "short", "shown"),
    [
        # The sentence holding "Sutton" is about Brightline, which the question names.
        (
            "Which bakery will Brightline close?",
            "Brightline Foods will close its Sutton bakery in 2027 [1].",
            "Sutton",
            "Sutton.",
        ),
        # The sentence holding "Nadia Park" is about Brightline, not Crestview Bank.
        (
            "Who is the CEO of Crestview Bank?",
            "The CEO of Crestview Bank is Nadia Park [1].",
            "Nadia Park",
            "",
        ),
    ],
)
def test_a_short_answer_over_a_quote_needs_a_sentence_about_what_the_question_names(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_assistant, question: str, reply: str, short: str, shown: str
) -> None:
    article = tmp_path / "results.txt"
    article.write_text(_RESULTS, encoding="utf-8")
    bot = make_assistant()
    bot.ingest([article])
    answer = _chain(bot, reply, short).invoke(question)
    assert reply not in answer.text  # the model's sentence is removed
    assert answer.short == shown, answer.text
    assert answer.quote_support == bool(shown)
