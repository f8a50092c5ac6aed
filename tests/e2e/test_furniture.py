"""Page furniture never becomes article text: through the public API, from files to quotes.

Four pages of one site (tests/data/furniture/herald/) and a JSON Lines export of four
records of one outlet (tests/data/furniture/wire.jsonl) carry what pages carry around an
article: a quiz teaser, a byline, a photo credit, "Advertisement", a newsletter box, a
cookie notice, "Leave a Comment", a "CNN —" dateline, and a line the site repeats on
every page. They go in with the real embedder and store; no passage searched, no chunk
stored and no quote answered holds any of it, and the articles' own sentences are there,
cited at offsets that open them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Assistant
from ingest import load_paths
from tests.ingest.test_furniture import FURNITURE_WORDS as LOADER_FURNITURE_WORDS

pytestmark = pytest.mark.slow

FURNITURE = Path(__file__).resolve().parents[1] / "data" / "furniture"

# Lower-cased pieces of the furniture the sample pages and records carry: the loaders'
# list, and what only the pages and the search show.
FURNITURE_WORDS = (*LOADER_FURNITURE_WORDS, "wildly popular", "cookies", "home | news")


def _furniture_in(text: str) -> list[str]:
    lowered = text.lower()
    return [w for w in FURNITURE_WORDS if w in lowered]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    # Small chunks, so that most start inside their article and the offsets are tested.
    assistant = Assistant(
        data_dir=tmp_path_factory.mktemp("furniture"),
        backend="extractive",
        chunking={"chunk_tokens": 40, "overlap_tokens": 8},
    )
    report = assistant.ingest([FURNITURE / "herald", FURNITURE / "wire.jsonl"], progress=False)
    assert report.skipped == [] and len(report.added) == 8, report.summary()
    return assistant


def _stored_chunks(bot: Assistant) -> list[tuple[str, dict[str, object]]]:
    _, texts, metas = bot.store.all_chunks()
    return list(zip(texts, metas, strict=True))


def test_no_stored_chunk_holds_furniture(bot: Assistant) -> None:
    chunks = _stored_chunks(bot)
    assert len(chunks) >= 8
    for text, _ in chunks:
        assert _furniture_in(text) == [], text


def test_every_chunk_is_the_article_text_at_its_offsets(bot: Assistant) -> None:
    # The same files through the same loading steps give the text each article was cut from.
    articles, skipped = load_paths([FURNITURE / "herald", FURNITURE / "wire.jsonl"], max_file_mb=20)
    assert skipped == []
    texts = {a.id: a.text for a in articles}
    chunks = _stored_chunks(bot)
    assert sum(int(str(meta["start"])) > 0 for _, meta in chunks) >= 5
    for text, meta in chunks:
        article = texts[str(meta["article_id"])]
        assert article[int(str(meta["start"])) : int(str(meta["end"]))] == text


def test_searched_passages_hold_no_furniture(bot: Assistant) -> None:
    for query in (
        "Which show was green lit?",
        "wildly popular quiz",
        "newsletter sign up cookies",
        "CNN Russian court",
    ):
        passages = bot.search(query, k=10)
        assert passages
        for passage in passages:
            assert _furniture_in(passage.text) == [], (query, passage.text)
    (top, *_) = bot.search("Which show was green lit?", k=3)
    assert "green lit a second season of the show Harbour Lights" in top.text


def _assert_cited_at_offsets(bot: Assistant, answer: Answer) -> None:
    """Every quote is the cited passage's text at the quote's offsets in the article."""
    assert answer.citations
    for citation in answer.citations:
        passage = citation.passage
        assert _furniture_in(citation.quote) == []
        assert passage.start <= citation.quote_start < citation.quote_end <= passage.end
        at = citation.quote_start - passage.start
        assert passage.text[at : at + len(citation.quote)] == citation.quote


def test_the_answer_quotes_the_article_not_the_quiz(bot: Assistant) -> None:
    answer = bot.ask("Which show was green lit?")
    assert not answer.refused, answer.text
    assert _furniture_in(answer.text) == [], answer.text
    assert "Harbour Lights" in answer.text
    _assert_cited_at_offsets(bot, answer)
    assert any("Harbour Lights" in c.quote for c in answer.citations)


def test_a_dateline_is_cut_and_its_sentence_answers(bot: Assistant) -> None:
    answer = bot.ask("What did a Russian court fine the video platform?")
    assert not answer.refused, answer.text
    assert _furniture_in(answer.text) == [], answer.text
    assert "three million roubles" in answer.text
    _assert_cited_at_offsets(bot, answer)
    quote = next(c.quote for c in answer.citations if "roubles" in c.quote)
    assert quote.startswith("A Russian court on Monday")


def test_a_line_two_articles_share_is_kept(bot: Assistant) -> None:
    quote = "“We will keep going,” a spokeswoman"
    holding = {str(meta["article_id"]) for text, meta in _stored_chunks(bot) if quote in text}
    assert holding == {"wire-court", "wire-grain"}


def test_a_line_a_site_repeats_is_dropped_when_its_pages_come_one_at_a_time(
    tmp_path: Path,
) -> None:
    # As a watched folder or the page's upload brings them: one page per ingest run.
    slogan = "independent local news since 1881"
    pages = sorted((FURNITURE / "herald").glob("*.html"))
    bot = Assistant(data_dir=tmp_path, backend="extractive")

    def holding() -> set[str]:
        _, texts, metas = bot.store.all_chunks()
        return {
            str(m["article_id"]) for t, m in zip(texts, metas, strict=True) if slogan in t.lower()
        }

    ids = []
    for page in pages:
        report = bot.ingest([page], progress=False)
        assert report.skipped == [] and len(report.added) == 1, report.summary()
        ids += report.added
    # From the third page of the site on, the line is the site's, not the article's;
    # the two stored before keep it until they are ingested again.
    assert holding() == set(ids[:2])
    report = bot.ingest(pages[:2], progress=False)
    assert sorted(report.replaced) == sorted(ids[:2])
    assert holding() == set()
    assert "Librarians asked for the change" in " ".join(bot.store.all_chunks()[1])
    # A rebuild counts its own run alone: two pages of the site are not enough.
    bot.ingest(pages[:2], rebuild=True, progress=False)
    assert holding() == set(ids[:2])
