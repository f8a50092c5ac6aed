"""Hybrid retrieval over a real store with the real embedding model."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.retrieval.dedupe import jaccard, shingles
from assistant.retrieval.rules import asks_when, names_source, numbers, states_a_date
from assistant.types import Passage
from tests.conftest import SAMPLE_DIR


def test_top_five_hold_every_side_of_the_dispute(sample_store: Path, make_assistant) -> None:
    bot = make_assistant(data_dir=sample_store)
    text = " ".join(p.text for p in bot.search("Who disputed the withdrawal?", k=5))
    assert "we now know it was false" in text
    assert "not seen any de-escalation" in text
    assert "we do not see any withdrawal yet" in text


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    import json

    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


FILLER = [
    {
        "id": f"filler-{i}",
        "title": f"Council meeting {i}",
        "text": text,
        "source": "Gazette",
        "published": f"2024-03-{i + 10:02d}",
    }
    for i, text in enumerate(
        [
            "The city council debated the new budget for road repairs on Tuesday evening.",
            "Local schools will open later next year after a vote by parents and teachers.",
            "Heavy rain flooded several streets near the river, and residents were evacuated.",
            "The mayor announced a plan to plant trees along the main avenue this spring.",
            "A new library branch will open in the northern district, officials said.",
        ]
    )
]


def test_bm25_finds_the_rare_name_and_number(make_assistant, tmp_path: Path) -> None:
    rows = [
        *FILLER,
        {
            "id": "needle",
            "title": "Permit",
            "source": "Herald",
            "published": "2024-01-02",
            "text": "Permit 48213-B was granted to Okonkwo-Villeneuve Ltd on Friday.",
        },
    ]
    bot = make_assistant()
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", rows)])
    for query in ("48213-B", "Okonkwo-Villeneuve"):
        assert bot.search(query, k=1, mode="bm25")[0].article_id == "needle"
        assert bot.search(query, k=1)[0].article_id == "needle"


def test_filters_by_source_and_date(make_assistant, tmp_path: Path) -> None:
    rows = [
        *FILLER,
        {
            "id": "herald",
            "title": "Budget",
            "source": "Herald",
            "published": "2024-01-02",
            "text": "The council budget for roads grew.",
        },
    ]
    bot = make_assistant()
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", rows)])
    assert {p.source for p in bot.search("council budget", k=10, sources=["Herald"])} == {"Herald"}
    for mode in ("hybrid", "dense", "bm25"):
        # "open" is in the 2024-03-11 and 2024-03-14 fillers; only the first is in range
        hits = bot.search(
            "schools library open",
            k=10,
            mode=mode,
            date_from=date(2024, 3, 11),
            date_to=date(2024, 3, 13),
        )
        assert hits[0].article_id == "filler-1"
        assert {p.published for p in hits} <= {"2024-03-11", "2024-03-12", "2024-03-13"}


def test_the_same_wire_story_from_two_outlets_collapses(make_assistant, tmp_path: Path) -> None:
    story = (
        "Engineers restored power to 40,000 homes in Halifax after the storm knocked down "
        "lines across the province, the utility said on Sunday."
    )
    rows = [
        *FILLER,
        {"id": "wire-a", "title": "Power back", "source": "Herald", "text": story},
        {
            "id": "wire-b",
            "title": "Power restored",
            "source": "Gazette",
            "text": story + " More updates to follow.",
        },
    ]
    bot = make_assistant()
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", rows)])
    ids = [p.article_id for p in bot.search("power restored Halifax storm", k=3)]
    assert len({"wire-a", "wire-b"} & set(ids)) == 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        ("the cat sat on the mat", "a dog ran in the park", 0.0),
    ],
)
def test_jaccard_of_shingles(a: str, b: str, expected: float) -> None:
    assert jaccard(shingles(a), shingles(b)) == expected


def test_empty_store_and_empty_query_return_nothing(make_assistant) -> None:
    bot = make_assistant()
    assert bot.search("anything") == []
    assert bot.search("   ") == []


def test_langchain_retriever_returns_documents(sample_store: Path, make_assistant) -> None:
    bot = make_assistant(data_dir=sample_store)
    docs = bot.retriever(k=3).invoke("What did NATO say?")
    assert len(docs) == 3
    assert all(d.metadata["article_id"] and d.page_content for d in docs)
    assert SAMPLE_DIR.exists()


def _candidate(cid: str, score: float, **ranks: int) -> Passage:
    return Passage(
        chunk_id=cid, article_id=cid, index=0, text=cid, start=0, end=1, score=score, **ranks
    )


def test_convex_fusion_mixes_normalised_scores_by_alpha(make_assistant) -> None:
    searcher = make_assistant().searcher
    searcher.fusion = replace(searcher.fusion, method="convex", alpha=0.6)
    dense = [_candidate("a", 0.9, dense_rank=1), _candidate("b", 0.7, dense_rank=2)]
    dense.append(_candidate("c", 0.5, dense_rank=3))
    lexical = [_candidate("c", 12.0, bm25_rank=1), _candidate("d", 2.0, bm25_rank=2)]

    fused = searcher.fuse(dense, lexical)

    # a: 0.6 * 1; b: 0.6 * 0.5; c: 0.6 * 0 + 0.4 * 1; d: 0.4 * 0
    assert [p.chunk_id for p in fused] == ["a", "c", "b", "d"]
    assert [round(p.score, 3) for p in fused] == [0.6, 0.4, 0.3, 0.0]
    both = fused[1]
    assert (both.dense_rank, both.bm25_rank) == (3, 1)  # ranks from both lists kept
    searcher.fusion = replace(searcher.fusion, alpha=0.3)  # BM25 now weighs more: its top hit leads
    assert searcher.fuse(dense, lexical)[0].chunk_id == "c"
    # One candidate, or one list empty: nothing divides by zero.
    assert [p.score for p in searcher.fuse(dense[:1], [])] == [0.3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Who won Wimbledon in 2019?", {"2019"}),
        ("Tesla's revenue in Q1 2021", {"q1", "2021"}),
        ("the 93rd Academy Awards, season 11", {"93", "11"}),
        # Spelled out, an ordinal or a quarter is the same number as in digits.
        ("The eleventh and final season", {"11"}),
        ("third-quarter earnings for 2019", {"3", "q3", "2019"}),
        ("results for the 2nd quarter", {"2", "q2"}),
        # "first" and "second" mostly count nothing.
        ("for the first time in a second", set()),
        ("No numbers here.", set()),
    ],
)
def test_numbers_are_those_the_text_names(text: str, expected: set[str]) -> None:
    assert numbers(text) == expected


WIMBLEDON = [
    *FILLER,
    {
        "id": "final-2018",
        "title": "Kerber wins the women's singles title at Wimbledon",
        "source": "Herald",
        "text": "Angelique Kerber won the women's singles title at Wimbledon, beating Serena "
        "Williams in the final of the women's singles on Centre Court in 2018.",
    },
    {
        "id": "final-2019",
        "title": "Halep takes the title",
        "source": "Herald",
        "text": "Simona Halep beat Serena Williams on Centre Court to win in 2019.",
    },
]


def with_rule(make_assistant, **weights: float):
    """An assistant with query rules turned on (the profiles ship with them off)."""
    from assistant import Settings

    return make_assistant(retrieval=Settings().retrieval.model_copy(update=weights))


def test_the_year_the_question_names_decides_between_two_finals(
    make_assistant, tmp_path: Path
) -> None:
    question = "Who won the women's singles at Wimbledon in 2019?"
    bot = with_rule(make_assistant, number_weight=0.6)
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", WIMBLEDON)])
    assert bot.search(question, k=1)[0].article_id == "final-2019"
    # Both inputs prefer the 2018 final, which repeats more of the question's words;
    # without the bonus the fusion does too.
    assert bot.search(question, k=1, mode="dense")[0].article_id == "final-2018"
    assert bot.search(question, k=1, mode="bm25")[0].article_id == "final-2018"
    bot.searcher.fusion = replace(bot.searcher.fusion, number_weight=0.0)
    assert bot.search(question, k=1)[0].article_id == "final-2018"


def test_a_question_without_numbers_is_ranked_as_fused(make_assistant, tmp_path: Path) -> None:
    bot = with_rule(make_assistant, number_weight=0.6)
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", WIMBLEDON)])
    question = "Who won the women's singles at Wimbledon?"
    with_bonus = [(p.chunk_id, p.score) for p in bot.search(question, k=7)]
    bot.searcher.fusion = replace(bot.searcher.fusion, number_weight=0.0)
    assert [(p.chunk_id, p.score) for p in bot.search(question, k=7)] == with_bonus


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        ("What did TechCrunch report about the deal?", "TechCrunch", True),
        ("What did the Independent say about the match?", "The Independent - Sports", True),
        ("What did The Independent - Sports say?", "The Independent - Sports", True),
        ("Was the inquiry independent?", "The Independent - Sports", False),  # not a name
        ("What did the Verge say?", "The Verge", True),
        ("What did Vergeworld say?", "The Verge", False),  # whole words only
        ("Who won the AP poll?", "AP", False),  # too short to tell from an abbreviation
        ("What did TechCrunch say?", "", False),
        ("Age of the victims in the Age report?", "The Age", True),
        ("Age of the victims?", "The Age", False),  # a sentence's first word, not a name
        ("Fire crews came. Age of the victims?", "The Age", False),
        ("TechCrunch said what?", "TechCrunch", True),  # never had a 'The' to lose
        ("The Age said what?", "The Age", True),
    ],
)
def test_a_question_names_an_outlet_as_written(question: str, source: str, expected: bool) -> None:
    assert names_source(question, source) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When was Diablo 3 released?", True),
        ("when did the strike start", True),
        ("What is the release date of Cyberpunk 2077?", True),
        ("What is the premiere date of The Walking Dead Season 11?", True),
        ("On what day did the ferry return?", True),
        ("Who spoke when the rain stopped?", False),  # a clause, not the question
        ("Whenever the council meets, who chairs it?", False),
        ("Who won the 2019 Maxwell Award?", False),
    ],
)
def test_a_question_asks_when(question: str, expected: bool) -> None:
    assert asks_when(question) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The game was launched on May 15, 2012.", True),
        ("Released for Switch on 10 December 2020, it sold well.", True),
        ("Release date. Dec. 1, 2017 ; No. of players.", True),
        ("Apr 20, 2022 ... Tesla's revenue rose in the first quarter.", False),  # dateline
        ("Apr 20, 2022 ... It was released on 10 December 2020.", True),
        ("WASHINGTON, May 3 (Reuters) - The Senate voted on Tuesday.", False),  # wire dateline
        ("NEW YORK, March 3, 2022 /PRNewswire/ -- Acme reported results.", False),
        ("KYIV, Ukraine, Feb. 16 (AP) — Troops stayed.", False),
        ("LONDON, Dec 1 (Reuters) - The bank opens on Jan. 5.", True),  # a day after it
        ("May 15 — Blizzard released Diablo 3.", True),  # no year and no place: reported
        ("Diablo 3 was released in May 2012.", False),  # a month, no day
        ("You may 15 times ask.", False),  # a verb, not the month
    ],
)
def test_a_text_states_a_date(text: str, expected: bool) -> None:
    assert states_a_date(text) is expected


RELEASES = [
    *FILLER,
    {
        "id": "patch",
        "title": "Diablo 3 season released",
        "source": "Herald",
        "text": "The new Diablo 3 season was released this week, and players say the "
        "release went smoothly.",
    },
    {
        "id": "launch",
        "title": "Blizzard's game",
        "source": "Herald",
        "text": "Diablo 3 was launched on May 15, 2012; console versions came a year later.",
    },
]


def test_a_question_asking_when_prefers_the_passage_with_the_date(
    make_assistant, tmp_path: Path
) -> None:
    question = "When was Diablo 3 released?"
    bot = with_rule(make_assistant, date_weight=0.25)
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", RELEASES)])
    ranked = [p.article_id for p in bot.search(question, k=3)]
    # BM25 puts the season's release first (it repeats "released"), and so does the
    # fusion without the bonus, which weighs BM25 the more.
    assert bot.search(question, k=1, mode="bm25")[0].article_id == "patch"
    bot.searcher.fusion = replace(bot.searcher.fusion, date_weight=0.0)
    without = [p.article_id for p in bot.search(question, k=3)]
    assert without.index("launch") > without.index("patch")
    assert ranked.index("launch") < ranked.index("patch")


BRIDGE = [
    *FILLER,
    {
        "id": "gazette-bridge",
        "title": "Main Street bridge closed for repairs",
        "source": "Gazette",
        "text": "The Main Street bridge closed on Monday for repairs to the bridge deck; the "
        "closure of the Main Street bridge will last three weeks, the council said.",
    },
    {
        "id": "herald-bridge",
        "title": "Detours downtown",
        "source": "Herald",
        "text": "Drivers face detours downtown while crews fix the span, officials said.",
    },
]


def test_the_outlet_the_question_names_comes_first(make_assistant, tmp_path: Path) -> None:
    question = "What did the Herald say about the Main Street bridge closure?"
    bot = with_rule(make_assistant, source_weight=0.5)
    bot.ingest([_write_jsonl(tmp_path / "a.jsonl", BRIDGE)])
    assert bot.search(question, k=1)[0].article_id == "herald-bridge"
    bot.searcher.fusion = replace(bot.searcher.fusion, source_weight=0.0)
    assert bot.search(question, k=1)[0].article_id == "gazette-bridge"
