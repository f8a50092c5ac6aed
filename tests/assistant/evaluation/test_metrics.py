"""Metrics against values computed by hand."""

import pytest

from assistant.evaluation.metrics import (
    contains_answer,
    exact_match,
    hit_at,
    normalize_answer,
    reciprocal_rank,
    token_f1,
)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("The  Eiffel Tower!", "eiffel tower"),
        ("“Tampa, Florida.”", "tampa florida"),
        ("an apple a day", "apple day"),
    ],
)
def test_normalize_answer(text: str, normal: str) -> None:
    assert normalize_answer(text) == normal


def test_exact_match() -> None:
    assert exact_match("the Norway.", ["Norway"]) == 1.0
    assert exact_match("Norway won", ["Norway"]) == 0.0


def test_token_f1_by_hand() -> None:
    # prediction "norway won most medals" (4), gold "norway" (1): common 1,
    # precision 1/4, recall 1 -> F1 = 2 * 0.25 * 1 / 1.25 = 0.4
    assert token_f1("Norway won the most medals", ["Norway"]) == pytest.approx(0.4)
    # best over golds: "tampa florida" vs pred "tampa" -> p 1, r 0.5 -> 2/3
    assert token_f1("Tampa", ["Miami", "Tampa, Florida"]) == pytest.approx(2 / 3)
    assert token_f1("nothing", ["Norway"]) == 0.0


def test_contains_answer_matches_whole_words() -> None:
    assert contains_answer("It was held in Tampa, Florida [1].", ["Tampa, Florida"]) == 1.0
    assert contains_answer("Norwayland", ["Norway"]) == 0.0
    assert contains_answer("anything", [""]) == 0.0


def test_retrieval_metrics_by_hand() -> None:
    ranked = ["a", "b", "c", "d"]
    assert hit_at(ranked, {"c"}, 1) == 0.0
    assert hit_at(ranked, {"c"}, 3) == 1.0
    assert reciprocal_rank(ranked, {"c", "d"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"z"}) == 0.0
