"""The answers benchmark's naive baseline, decline detection and figures, without a model
(LangChain's fake chat model stands in where a reply is streamed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import HumanMessage

from assistant import Answer, Citation, Passage
from assistant.evaluation.questions import Question
from benchmarks.answers import (
    NAIVE_INSTRUCTION,
    NAIVE_K,
    PromptRecorder,
    budget_table,
    chain_row,
    declines,
    naive_prompt,
    naive_row,
    naive_short,
    naive_timed,
    prime,
    prompt_tokens,
    set_table,
    settings_overrides,
    summarize_rows,
    token_counter,
    versus,
)


def _p(n: int, text: str, title: str = "") -> Passage:
    return Passage(
        chunk_id=f"a{n}#0",
        article_id=f"a{n}",
        index=0,
        text=text,
        start=0,
        end=len(text),
        title=title,
    )


WHITE_HOUSE = _p(1, "The White House disputed the withdrawal.", "Troops stay")
OTHER = _p(2, "Markets rose on Tuesday.")
WHO = Question("who", "Who disputed the withdrawal?", ("White House",), answerable=True)
CUP = Question("cup", "Who won the 2018 World Cup?", answerable=False)


def test_the_naive_prompt_is_the_instruction_the_numbered_passages_and_the_question() -> None:
    prompt = naive_prompt(WHO.question, [WHITE_HOUSE, OTHER])
    assert prompt == (
        "Answer the question using the passages. Reply with only the answer.\n\n"
        "Passages:\n"
        "[1] Troops stay\nThe White House disputed the withdrawal.\n\n"
        "[2] Markets rose on Tuesday.\n\n"
        "Question: Who disputed the withdrawal?\nAnswer:"
    )
    assert prompt.startswith(NAIVE_INSTRUCTION)


@pytest.mark.parametrize(
    ("reply", "short"),
    [
        (" The White House.\n", "The White House."),
        ("Answer: Yes.", "Yes."),
        ("answer:September 2022", "September 2022"),
        ("The White House.\nIt disputed the claims.", "The White House.\nIt disputed the claims."),
        ("", ""),
    ],
)
def test_the_naive_reply_is_its_own_short_answer(reply: str, short: str) -> None:
    assert naive_short(reply) == short


@pytest.mark.parametrize(
    "reply",
    [
        "The articles don't say.",
        "The passages do not mention who won.",
        "The provided text does not specify the date.",
        "I cannot answer this question from the passages.",
        "The answer cannot be determined from the passages.",
        "I couldn't find the answer in the passages.",
        "There is no information about the 2018 World Cup.",
        "Not enough information.",
        "The winner is not mentioned in the passages.",
        "I don't know.",
        "Unknown.",
        "N/A",
    ],
)
def test_declines_are_recognised(reply: str) -> None:
    assert declines(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "The White House.",
        "Yes.",
        "No.",
        "September 2022.",
        "France won the 2018 World Cup.",
        "The company said it does not expect losses.",
        "Unknown Pleasures, the 1979 album.",
    ],
)
def test_answers_are_not_declines(reply: str) -> None:
    assert not declines(reply)


def _chain_run(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "quoted": answer.quoted,
        "first_token_s": 2.0,
        "total_s": 3.0,
        "_answer": answer,
    }


def _answer(text: str, short: str = "", refused: bool = False, quoted: bool = False) -> Answer:
    cite = Citation(1, WHITE_HOUSE, WHITE_HOUSE.text, 0, len(WHITE_HOUSE.text))
    return Answer(
        WHO.question,
        text,
        () if refused else (cite,),
        (WHITE_HOUSE,),
        "x",
        refused=refused,
        quoted=quoted,
        short=short,
    )


def test_a_chain_row_scores_the_short_answer_and_the_whole_text() -> None:
    answer = _answer("The White House [1]. It disputed the withdrawal [1].", "The White House.")
    sent = [[HumanMessage("one two three")]]
    row = chain_row(WHO, _chain_run(answer), lambda text: len(text.split()), sent)
    assert (row["exact_match"], row["f1"], row["contains_answer"]) == (1.0, 1.0, 1.0)
    assert row["citations_hold_answer"] == 1.0
    assert row["declined"] is False and row["answerable"] is True
    assert row["prompt_tokens"] == 3
    assert "_answer" not in row


def test_a_chain_row_without_a_short_answer_scores_its_text_and_a_refusal_declines() -> None:
    row = chain_row(WHO, _chain_run(_answer("The White House disputed it [1].")), len, [])
    assert row["exact_match"] == 0.0 and row["contains_answer"] == 1.0
    assert row["prompt_tokens"] is None
    refused = _answer("The articles don't say.", refused=True)
    row = chain_row(WHO, _chain_run(refused), len, [])
    assert row["declined"] is True and row["contains_answer"] == 0.0


def test_a_naive_row_counts_its_prompt_and_a_decline() -> None:
    run = {
        "answer": "The passages do not say.",
        "short": "The passages do not say.",
        "first_token_s": 1.0,
        "total_s": 1.5,
        "_messages": [HumanMessage("a b")],
    }
    row = naive_row(CUP, run, lambda text: len(text.split()))
    assert row["declined"] is True and row["answerable"] is False
    assert row["exact_match"] is None  # nothing to match on an unanswerable question
    assert row["prompt_tokens"] == 2 and "_messages" not in row


class _Bot:
    """The one method of the Assistant the naive pipeline calls."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int | None, date | None]] = []

    def search(self, query: str, k: int | None = None, *, as_of: date | None = None):
        self.asked.append((query, k, as_of))
        return [WHITE_HOUSE, OTHER]


def test_the_naive_pipeline_searches_top_4_and_streams_one_plain_prompt() -> None:
    bot = _Bot()
    model = FakeListChatModel(responses=["Answer: The White House."])
    recorder = PromptRecorder()
    model.callbacks = [recorder]
    run = naive_timed(bot, model, WHO.question, date(2022, 2, 16))  # type: ignore[arg-type]
    assert bot.asked == [(WHO.question, NAIVE_K, date(2022, 2, 16))]
    assert run["short"] == "The White House."
    assert run["first_token_s"] is not None and run["total_s"] >= run["first_token_s"]
    assert [m.text for m in recorder.prompts[0]] == [
        naive_prompt(WHO.question, [WHITE_HOUSE, OTHER])
    ]
    assert run["_messages"][0].text == recorder.prompts[0][0].text
    prime(model, [HumanMessage(NAIVE_INSTRUCTION)])  # only llama.cpp is primed
    assert len(recorder.prompts) == 1


def test_prompts_are_counted_with_tiktoken_unless_the_model_is_llama_cpp() -> None:
    name, count = token_counter(FakeListChatModel(responses=["x"]))
    assert name == "cl100k_base"
    assert prompt_tokens([HumanMessage("Hello world"), HumanMessage("again")], count) == 3


def _rows(pipeline: str) -> list[dict[str, Any]]:
    chain = pipeline == "chain"
    base = {"exact_match": None, "f1": None, "contains_answer": None, "prompt_tokens": 100}
    rows = [
        {
            **base,
            "answerable": True,
            "exact_match": 1.0,
            "f1": 1.0,
            "contains_answer": 1.0,
            "declined": False,
            "first_token_s": 1.0,
            "total_s": 2.0,
        },
        {
            **base,
            "answerable": True,
            "exact_match": 0.0,
            "f1": 0.5,
            "contains_answer": 0.0,
            "declined": not chain,
            "first_token_s": 3.0,
            "total_s": 4.0,
        },
        {**base, "answerable": False, "declined": chain, "first_token_s": 2.0, "total_s": 3.0},
    ]
    if chain:
        for r, quoted in zip(rows, (False, True, False), strict=True):
            r["quoted"] = quoted
            r["claims_removed"] = quoted  # a quote stands in when every claim was removed
            r["citations_hold_answer"] = 1.0 if r["answerable"] else None
    return rows


def test_a_pipelines_figures_by_hand() -> None:
    chain, naive = summarize_rows(_rows("chain")), summarize_rows(_rows("naive"))
    assert chain["questions"] == 3
    assert chain["contains_answer"] == 0.5 and chain["exact_match"] == 0.5
    assert chain["f1"] == 0.75
    assert chain["declines_answerable"] == 0.0 and naive["declines_answerable"] == 0.5
    assert chain["refused_unanswerable"] == 1.0 and naive["refused_unanswerable"] == 0.0
    assert chain["quoted"] == pytest.approx(1 / 3) and naive["quoted"] is None
    assert chain["first_token_p50_s"] == 2.0
    assert chain["first_token_p95_s"] == pytest.approx(2.9)
    assert chain["total_p50_s"] == 3.0 and chain["prompt_tokens_p50"] == 100
    result = {"chains": [{"label": "800", "summary": chain}], "naive": naive}
    table = set_table(result)
    assert table[0] == "| measure | chain 800 | vs naive | naive (top 4) |"
    assert "| declines (answerable) | 0.000 | -0.500 | 0.500 |" in table
    assert "| quoted passage | 0.333 | – | – |" in table
    assert "| answers with a claim removed | 0.333 | – | – |" in table
    assert "| first token p50 s | 2.00 | x1.00 | 2.00 |" in table
    assert budget_table(result)[-1] == "| naive (top 4) | 0.500 | 0.750 | 2.00 | 100 |"


def test_versus_is_a_difference_for_rates_and_a_ratio_for_times() -> None:
    assert versus(0.7, 0.5, "diff") == "+0.200"
    assert versus(3.0, 2.0, "ratio") == "x1.50"
    assert versus(None, 2.0, "ratio") == versus(1.0, 0.0, "ratio") == "–"


def test_settings_overrides_change_one_field_of_a_section() -> None:
    o = settings_overrides(
        ["retrieval.k=4", "profile=accurate", "llm.max_tokens=128"],
        backend="extractive",
        passage_tokens=300,
    )
    assert o["backend"] == "extractive" and o["profile"] == "accurate"
    assert o["retrieval"]["k"] == 4 and "candidates" in o["retrieval"]
    assert o["llm"]["max_tokens"] == 128 and o["llm"]["passage_tokens"] == 300
    with pytest.raises(SystemExit, match="no such setting"):
        settings_overrides(["llm.passage_token=3"])
    with pytest.raises(SystemExit, match="KEY=VALUE"):
        settings_overrides(["retrieval.k"])
