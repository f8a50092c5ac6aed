"""chunk_article: token limits, natural breaks, and offsets that point at the chunk's text."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_article, locate_chunks
from ingest.documents import Article, Chunk
from ingest.loaders import load_file
from ingest.tokenizer import count_tokens

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "white-house-russia-withdrawal.txt"


@pytest.fixture(scope="module")
def sample() -> Article:
    return load_file(SAMPLE, max_file_mb=None).articles[0]


def assert_well_formed(article: Article, chunks: list[Chunk], chunk_tokens: int) -> None:
    """Offsets exact, indexes in order, spans moving forward, the whole text covered."""
    text = article.text
    assert [c.index for c in chunks] == list(range(len(chunks)))
    covered = [False] * len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert count_tokens(chunk.text) <= chunk_tokens
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    for before, after in pairwise(chunks):
        assert before.start <= after.start and before.end < after.end
    assert all(covered[i] for i, char in enumerate(text) if not char.isspace())


@pytest.mark.parametrize(("chunk_tokens", "overlap_tokens"), [(180, 30), (60, 15), (25, 5), (8, 0)])
def test_sample_chunks(sample: Article, chunk_tokens: int, overlap_tokens: int) -> None:
    chunks = chunk_article(sample, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens)
    assert_well_formed(sample, chunks, chunk_tokens)
    assert len(chunks) >= count_tokens(sample.text) // chunk_tokens


def test_chunks_carry_the_article(sample: Article) -> None:
    chunks = chunk_article(sample)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.article_id == sample.id
        assert chunk.title == sample.title
        assert chunk.article_hash == sample.content_hash
        assert (chunk.url, chunk.published, chunk.source, chunk.author) == (
            sample.url,
            sample.published,
            sample.source,
            sample.author,
        )
    assert chunks[0].id == f"{sample.id}#0"


def test_chunking_is_deterministic(sample: Article) -> None:
    assert chunk_article(sample) == chunk_article(sample)


def test_paragraphs_are_kept_whole_when_they_fit(sample: Article) -> None:
    paragraphs = set(sample.text.split("\n\n"))
    for chunk in chunk_article(sample, chunk_tokens=180, overlap_tokens=0):
        assert set(chunk.text.split("\n\n")) <= paragraphs


SENTENCES = [
    "The council met on Monday.",
    "“We will not raise taxes,” the mayor said.",
    "Is that a promise?",
    "Critics said the budget did not add up!",
    "The vote is next week.",
    "“It was a long night.”",
    "Nobody expected a result before midnight.",
] * 4


def test_long_paragraphs_break_at_sentence_ends() -> None:
    article = Article(id="a", title="T", text=" ".join(SENTENCES))
    chunks = chunk_article(article, chunk_tokens=40, overlap_tokens=12)
    assert_well_formed(article, chunks, 40)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.endswith((".", "?", "!", ".”"))
        assert re.match(r"[“A-Z]", chunk.text)
    # With room to spare, neighbours share at least one sentence.
    assert any(b.start < a.end for a, b in pairwise(chunks))


def test_a_sentence_longer_than_a_chunk_breaks_between_words() -> None:
    text = "word " * 200 + "end."
    article = Article(id="a", title="T", text=text.strip())
    chunks = chunk_article(article, chunk_tokens=20, overlap_tokens=5)
    assert_well_formed(article, chunks, 20)
    assert all(re.fullmatch(r"(word )*(word|end\.)", c.text) for c in chunks)


def test_a_word_longer_than_a_chunk_is_cut_inside() -> None:
    article = Article(id="a", title="T", text="x" * 500 + " 漢字😀" * 20)
    chunks = chunk_article(article, chunk_tokens=10, overlap_tokens=2)
    assert_well_formed(article, chunks, 10)


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_article(Article(id="a", title="T", text="")) == []


def test_o200k_encoding(sample: Article) -> None:
    chunks = chunk_article(sample, chunk_tokens=50, overlap_tokens=10, encoding="o200k_base")
    for chunk in chunks:
        assert count_tokens(chunk.text, encoding="o200k_base") <= 50


@pytest.mark.parametrize(
    ("chunk_tokens", "overlap_tokens", "message"),
    [
        (0, 0, "chunk_tokens must be at least 4"),
        (-5, 0, "chunk_tokens must be at least 4"),
        (100, 100, "overlap_tokens must be at least 0 and below chunk_tokens"),
        (100, 150, "overlap_tokens must be at least 0 and below chunk_tokens"),
        (100, -1, "overlap_tokens must be at least 0 and below chunk_tokens"),
    ],
)
def test_bad_sizes(chunk_tokens: int, overlap_tokens: int, message: str) -> None:
    article = Article(id="a", title="T", text="Some text.")
    with pytest.raises(ValueError, match=message):
        chunk_article(article, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens)


def test_locate_chunks_is_not_fooled_by_repeats() -> None:
    # Searching for the first "ab" after chunk 0's start would find offset 3 and leave
    # the "ab" at 6 uncovered; the chunks can only tile the text from 6.
    text = "ab ab ab cd"
    assert locate_chunks(text, ["ab ab", "ab cd"]) == [0, 6]
    assert locate_chunks(text, ["ab ab ab", "ab cd"]) == [0, 6]
    # The latest "b" after "b babba" (offset 7) leaves no room for "abb": back up to 5.
    assert locate_chunks("b babbabba", ["b babba", "b", "abb", "a"]) == [0, 5, 6, 9]
    with pytest.raises(ValueError):
        locate_chunks(text, ["ab", "cd"])


PIECES = ["a", "b", "ab", "word", " ", " ", "\n", "\n\n", ". ", "! ", "? ", ".” ", "é", "漢", "😀"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.lists(st.sampled_from(PIECES), max_size=120).map("".join), st.text()),
    chunk_tokens=st.integers(min_value=4, max_value=40),
    overlap_ratio=st.floats(min_value=0, max_value=0.9),
)
def test_offsets_property(text: str, chunk_tokens: int, overlap_ratio: float) -> None:
    overlap_tokens = int(chunk_tokens * overlap_ratio)
    article = Article(id="a", title="T", text=text)
    chunks = chunk_article(article, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens)
    assert_well_formed(article, chunks, chunk_tokens)
