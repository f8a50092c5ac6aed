"""Near-duplicate collapse: the better-ranked copy of a story stays."""

from assistant.retrieval.dedupe import collapse_duplicates, first_distinct
from assistant.types import Passage

STORY = "Engineers restored power to 40,000 homes in Halifax after the storm on Sunday."


def _passage(cid: str, text: str) -> Passage:
    return Passage(chunk_id=cid, article_id=cid, index=0, text=text, start=0, end=len(text))


def test_a_repeated_story_collapses_to_the_better_ranked_copy() -> None:
    ranked = [
        _passage("a", STORY),
        _passage("b", "The council met on Tuesday to debate the budget for road repairs."),
        _passage("c", STORY + " More updates to follow."),
        _passage("d", "Schools open later next year after a vote by parents and teachers."),
    ]
    assert [p.chunk_id for p in collapse_duplicates(ranked, 3, threshold=0.8)] == ["a", "b", "d"]
    assert [p.chunk_id for p in collapse_duplicates(ranked, 2, threshold=0.8)] == ["a", "b"]


def test_first_distinct_takes_any_notion_of_the_same() -> None:
    ranked = [_passage(cid, cid) for cid in ("a", "b", "c", "d")]
    pairs = {("c", "a"), ("a", "c")}
    kept = first_distinct(ranked, 10, lambda x, y: (x.chunk_id, y.chunk_id) in pairs)
    assert [p.chunk_id for p in kept] == ["a", "b", "d"]
