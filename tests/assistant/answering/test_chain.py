"""The answer chain's plumbing, pinned down with LangChain's fake chat models.

These fix what the chain does with a model's output (streaming order, citations,
refusals, follow-ups); what a real model answers is tested in test_local_answers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from assistant import CANNOT_ANSWER, Answer, Passages, Token, Turn
from assistant.answering.chain import MIN_RELEVANCE, AnswerChain
from assistant.answering.context import bounded_history, within_budget
from assistant.answering.extractive import relevance
from tests.conftest import whole_passage_chain
from tests.fake_models import CountingModel


@pytest.fixture()
def bot(sample_store: Path, make_assistant):  # type: ignore[no-untyped-def]
    return make_assistant(data_dir=sample_store)


def _chain(bot, model) -> AnswerChain:  # type: ignore[no-untyped-def]
    return whole_passage_chain(bot, model, backend="fake")


def test_stream_gives_passages_then_tokens_then_the_answer(bot) -> None:  # type: ignore[no-untyped-def]
    reply = "The White House called the Kremlin's claims false [3]."
    # The cited reply, streamed; then the short answer, asked for after it.
    model = GenericFakeChatModel(
        messages=iter([AIMessage(content=reply), AIMessage(content="The White House")])
    )
    events = list(_chain(bot, model).stream("Who disputed the withdrawal?"))
    assert isinstance(events[0], Passages) and events[0].passages
    tokens = [e for e in events if isinstance(e, Token)]
    assert len(tokens) > 1 and "".join(t.text for t in tokens) == reply
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert answer.short == "The White House." and answer.text.startswith(answer.short)
    assert len(answer.citations) == 1
    assert "we now know it was false" in " ".join(c.passage.text for c in answer.citations)


def test_the_model_saying_the_articles_dont_say_is_a_refusal(bot) -> None:  # type: ignore[no-untyped-def]
    model = FakeListChatModel(responses=["I'm sorry, the articles do not say who won."])
    answer = _chain(bot, model).invoke("Who won the 2018 World Cup?")
    assert answer.refused and answer.text == CANNOT_ANSWER and answer.passages


def test_an_answer_nothing_supports_is_a_refusal(bot) -> None:  # type: ignore[no-untyped-def]
    model = FakeListChatModel(responses=["France won the 2018 World Cup in Moscow [1]."])
    answer = _chain(bot, model).invoke("Who won the 2018 World Cup?")
    assert answer.refused and answer.citations == ()


def test_a_follow_up_is_condensed_with_the_history(bot) -> None:  # type: ignore[no-untyped-def]
    model = FakeListChatModel(
        responses=[
            "What did Zelensky say about the Russian troop withdrawal?",
            "Zelensky said they do not see any withdrawal yet [1].",
        ]
    )
    history = [Turn("What did NATO say?", "NATO had not seen any de-escalation [1].")]
    events = list(_chain(bot, model).stream("And Zelensky?", history))
    assert events[0].question == "What did Zelensky say about the Russian troop withdrawal?"
    answer = events[-1]
    assert "Zelensky" in answer.text and answer.citations
    assert "we do not see any withdrawal yet" in answer.citations[0].passage.text


@pytest.mark.parametrize(
    ("first", "rewritten", "asked"),
    [
        # The rewrite prompt's example is about a bridge: a rewrite that brings the bridge
        # into a conversation that never had one is not used.
        (
            "What did NATO say?",
            "What did Zelensky say about the bridge?",
            "What did NATO say? And Zelensky?",
        ),
        (
            "Who disputed the bridge plan?",
            "Who else disputed the bridge plan?",
            "Who else disputed the bridge plan?",
        ),
    ],
)
def test_a_rewrite_that_borrows_the_prompts_example_is_not_used(  # type: ignore[no-untyped-def]
    bot, first: str, rewritten: str, asked: str
) -> None:
    model = FakeListChatModel(responses=[rewritten])
    history = [Turn(first, "It had not seen any de-escalation [1].")]
    assert _chain(bot, model).condense("And Zelensky?", history) == asked


def test_passages_are_cut_to_the_token_budget(bot) -> None:  # type: ignore[no-untyped-def]
    passages = bot.search("withdrawal", k=4)
    assert len(within_budget(passages, 10)) == 1  # always at least one
    assert len(within_budget(passages, 100_000)) == len(passages)


def test_the_budget_cuts_whole_passages_for_a_model_but_not_for_the_extractive_answerer(
    sample_store: Path, make_assistant
) -> None:
    # The budget is the prompt's: the extractive answerer, with no prompt, reads all k.
    question = "Who disputed the withdrawal?"
    extractive = make_assistant(data_dir=sample_store, llm={"passage_tokens": 50})
    assert len(extractive.ask(question, k=4).passages) == 4
    chain = _chain(extractive, FakeListChatModel(responses=[CANNOT_ANSWER]))
    chain.passage_tokens = 50
    assert len(chain.invoke(question).passages) == 1


def test_history_keeps_the_latest_turns_that_fit() -> None:
    turns = [Turn(f"question {i}", "answer " * 50) for i in range(10)]
    kept = bounded_history(turns, 120)
    assert kept and kept == turns[-len(kept) :] and len(kept) < 10


def _p(article: str, i: int):  # type: ignore[no-untyped-def]
    from assistant import Passage

    return Passage(chunk_id=f"{article}#{i}", article_id=article, index=i, text="t", start=0, end=1)


def test_diversify_caps_passages_per_article_but_fills_k() -> None:
    from assistant.answering.context import diversify

    ranked = [_p("a", 0), _p("a", 1), _p("a", 2), _p("b", 0), _p("a", 3), _p("c", 0)]
    assert [p.chunk_id for p in diversify(ranked, 4, 2)] == ["a#0", "a#1", "b#0", "c#0"]
    # one article only: its passages still fill the answer
    single = [_p("a", i) for i in range(5)]
    assert [p.chunk_id for p in diversify(single, 4, 2)] == ["a#0", "a#1", "a#2", "a#3"]


def test_a_declining_model_gives_way_to_a_plainly_answering_sentence(bot) -> None:  # type: ignore[no-untyped-def]
    model = FakeListChatModel(responses=["The articles don't say."] * 2)
    chain = _chain(bot, model)
    answer = chain.invoke("Who disputed the withdrawal?")
    assert not answer.refused and answer.quoted
    assert all(c.quote in c.passage.text for c in answer.citations)
    unrelated = chain.invoke("Who won the 2018 World Cup?")
    assert unrelated.refused and not unrelated.quoted


def test_a_declining_model_is_asked_again_when_a_sentence_answers_plainly(bot) -> None:  # type: ignore[no-untyped-def]
    reply = "The White House called the Kremlin's claims false [3]."
    # The decline, the reply to the request to answer after all, the short answer.
    model = GenericFakeChatModel(
        messages=iter(
            [AIMessage(CANNOT_ANSWER), AIMessage(content=reply), AIMessage("The White House")]
        )
    )
    events = list(_chain(bot, model).stream("Who disputed the withdrawal?"))
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert not answer.quoted and not answer.refused
    assert answer.short == "The White House." and "called the Kremlin" in answer.text
    # The decline was held back: only the reply that replaced it streamed.
    assert "".join(e.text for e in events if isinstance(e, Token)) == reply


def test_a_declining_model_is_not_asked_again_when_no_sentence_answers(bot) -> None:  # type: ignore[no-untyped-def]
    model = FakeListChatModel(responses=[CANNOT_ANSWER, "Germany [1].", "Germany"])
    events = list(_chain(bot, model).stream("Who won the 2018 World Cup?"))
    assert model.i == 1  # asked once
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.refused
    # Nothing else to show: the decline streams once the model has written it.
    assert "".join(e.text for e in events if isinstance(e, Token)) == CANNOT_ANSWER


def test_a_model_is_stopped_once_its_reply_says_the_articles_dont_say(bot) -> None:  # type: ignore[no-untyped-def]
    # Whatever follows, the reply is a decline: the model need not write it.
    model = CountingModel(responses=["The articles don't say who won the 2018 World Cup."])
    events = list(_chain(bot, model).stream("Who won the 2018 World Cup?"))
    assert model.read == [len("The articles don't say")]
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.refused and answer.text == CANNOT_ANSWER
    assert "".join(e.text for e in events if isinstance(e, Token)) == CANNOT_ANSWER


def test_a_cited_but_unrelated_answer_is_refused(bot) -> None:  # type: ignore[no-untyped-def]
    # True, cited, and beside the point: what a small model sometimes says when the
    # articles do not hold the answer.
    reply = "The White House says Russian troop withdrawal claims are false [3]."
    answer = _chain(bot, FakeListChatModel(responses=[reply])).invoke("Who won the 2018 World Cup?")
    assert answer.refused and answer.text == CANNOT_ANSWER


def test_an_answer_about_the_question_in_other_forms_of_its_words_stands(  # type: ignore[no-untyped-def]
    tmp_path: Path, make_assistant
) -> None:
    # "proposal" for "proposed": the cited sentence is about the question, though as
    # whole words it shares none of the question's and scored under the refusal floor.
    article = tmp_path / "library.md"
    article.write_text(
        "# Council keeps branch libraries open\n\nThe city council voted 9-4 on Tuesday "
        "night to reject a plan that would have closed three branch libraries. The "
        "proposal, put forward by finance chair Dana Whitfield, would have saved an "
        "estimated 1.8 million dollars a year.\n",
        encoding="utf-8",
    )
    bot = make_assistant()
    bot.ingest([article])
    question = "Who proposed closing the libraries?"
    sentence = "The proposal, put forward by finance chair Dana Whitfield, would have saved"
    quote = f"{sentence} an estimated 1.8 million dollars a year."
    assert relevance(question, [quote], bot.embedder)[0] < MIN_RELEVANCE
    reply = f"{sentence} an estimated 1.8 million dollars a year [1]."
    answer = _chain(bot, FakeListChatModel(responses=[reply, "Dana Whitfield"])).invoke(question)
    assert not (answer.refused or answer.quoted), answer.text
    assert answer.short == "Dana Whitfield." and reply in answer.text


@pytest.mark.parametrize(
    "question",
    [
        # The year it asks about is nowhere in the article.
        "Who disputed the withdrawal in 2019?",
        # Yes or no, and no sentence says all of it.
        "Did the White House and Zelensky both confirm the Russian troop withdrawal?",
    ],
)
def test_a_declining_model_is_not_quoted_over_sentences_that_do_not_answer(  # type: ignore[no-untyped-def]
    bot, question: str
) -> None:
    chain = _chain(bot, FakeListChatModel(responses=["The articles don't say."] * 2))
    assert chain.plain_answers(question, bot.search(question, k=5)) == []
    answer = chain.invoke(question)
    assert answer.refused and not answer.quoted and answer.text == CANNOT_ANSWER


def test_a_declining_model_is_quoted_over_a_sentence_saying_yes_or_no(bot) -> None:  # type: ignore[no-untyped-def]
    chain = _chain(bot, FakeListChatModel(responses=["The articles don't say."] * 2))
    answer = chain.invoke("Did US officials provide more details?")
    assert answer.quoted and not answer.refused
    assert "declined to provide more details" in answer.text
