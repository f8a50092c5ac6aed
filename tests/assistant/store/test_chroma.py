"""Ingest into a real embedded Chroma store: idempotent, replacing, recording its build."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import CollectionMismatch, StoreError
from tests.conftest import SAMPLE_DIR


def _article(path: Path, title: str, body: str) -> Path:
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def test_ingesting_the_same_folder_twice_changes_nothing(make_assistant, tmp_path: Path) -> None:
    bot = make_assistant()
    first = bot.ingest([SAMPLE_DIR])
    assert len(first.added) == 1 and first.chunks_written > 1
    counts = bot.stats()
    second = bot.ingest([SAMPLE_DIR])
    assert second.added == [] and second.replaced == []
    assert second.unchanged == first.added
    assert second.chunks_written == 0
    assert bot.stats() == counts


def test_a_changed_file_replaces_its_old_chunks(make_assistant, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    story = _article(
        folder / "story.txt",
        "Bridge reopens",
        " ".join(f"Sentence {i} about the bridge repairs in Duluth." for i in range(200)),
    )
    bot = make_assistant()
    bot.ingest([folder])
    long_chunks = bot.stats()["chunks"]
    assert long_chunks > 3

    _article(story, "Bridge reopens", "The bridge in Duluth reopened on Monday.")
    report = bot.ingest([folder])
    assert len(report.replaced) == 1 and report.added == []
    assert bot.stats() == {**bot.stats(), "articles": 1, "chunks": 1}
    passages = bot.search("bridge Duluth", k=5)
    assert [p.text for p in passages] == ["The bridge in Duluth reopened on Monday."]


def test_opening_with_other_chunking_says_how_to_rebuild(make_assistant) -> None:
    make_assistant().ingest([SAMPLE_DIR])
    from assistant import Settings

    other = Settings(chunking={"chunk_tokens": 100})
    bot = make_assistant(chunking=other.chunking)
    with pytest.raises(CollectionMismatch, match=r"chunk_tokens=180.*--rebuild"):
        bot.stats()
    report = bot.ingest([SAMPLE_DIR], rebuild=True)
    assert len(report.added) == 1
    assert bot.stats()["chunk_tokens"] == 100


def test_delete_removes_every_chunk(make_assistant, tmp_path: Path) -> None:
    bot = make_assistant()
    bot.ingest([SAMPLE_DIR])
    (article,) = bot.articles()
    assert article.chunks == bot.stats()["chunks"]
    bot.delete(article.id)
    assert bot.stats()["chunks"] == 0
    assert bot.search("withdrawal") == []


def test_bad_files_are_skipped_and_the_good_ones_go_in(make_assistant, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(SAMPLE_DIR, folder)
    (folder / "junk.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    bot = make_assistant()
    report = bot.ingest([folder])
    assert len(report.added) == 1
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {"junk.txt", "notes.docx"}
    assert all(reason for reason in skipped.values())
    json.dumps(report.as_dict())  # the report serialises for --json


def test_chunks_keep_their_article_metadata_and_offsets(make_assistant) -> None:
    from ingest import load_paths

    bot = make_assistant()
    bot.ingest([SAMPLE_DIR])
    (article,), _ = load_paths([SAMPLE_DIR], max_file_mb=None)
    passages = bot.search("Stoltenberg NATO de-escalation", k=3)
    assert passages
    for passage in passages:
        assert passage.article_id == article.id
        assert passage.title == "White House says Russian troop withdrawal claims are ‘false’"
        assert article.text[passage.start : passage.end] == passage.text


def test_a_collection_remembers_its_profile(make_assistant) -> None:
    make_assistant().ingest([SAMPLE_DIR])
    with pytest.raises(CollectionMismatch, match=r"profile='fast'.*--profile fast.*--rebuild"):
        make_assistant(profile="accurate").stats()


def test_a_reader_keeps_working_after_a_rebuild_by_another_process(
    make_assistant, tmp_path: Path
) -> None:
    """The page holds one Assistant; an editor runs `newsdesk ingest --rebuild` meanwhile.
    The rebuild deletes the collection the page has open and makes a new one."""
    page = make_assistant()
    page.ingest([SAMPLE_DIR])
    assert page.search("Who disputed the withdrawal?")
    extra = _article(
        tmp_path / "ferry.txt",
        "Harbour ferry returns",
        "The harbour ferry resumed service on Monday after three weeks of engine repairs.",
    )
    env = {**os.environ, "NEWSDESK_BACKEND": "extractive"}
    data_dir = str(page.store.data_dir)
    command = ["ingest", "--rebuild", "--data-dir", data_dir, str(SAMPLE_DIR), str(extra)]
    rebuild = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *command],
        env=env,
        capture_output=True,
        text=True,
    )
    assert rebuild.returncode == 0, rebuild.stderr

    found = page.search("When did the harbour ferry resume service?")
    assert found and "harbour ferry resumed service" in found[0].text
    assert page.stats()["articles"] == 2
    answer = page.ask("Who disputed the withdrawal?")
    assert any("we now know it was false" in c.passage.text for c in answer.citations)


def test_a_writer_keeps_working_after_a_rebuild_by_another_store(
    make_assistant, tmp_path: Path
) -> None:
    """The page's library uploads and deletes go to the rebuilt collection, not the old one."""
    page = make_assistant()
    page.ingest([SAMPLE_DIR])
    make_assistant().ingest([SAMPLE_DIR], rebuild=True)
    ferry = _article(tmp_path / "ferry.txt", "Harbour ferry returns", "The ferry resumed.")
    page.ingest([ferry])
    assert make_assistant().stats()["articles"] == 2
    make_assistant().ingest([SAMPLE_DIR], rebuild=True)
    page.delete(make_assistant().articles()[0].id)
    assert make_assistant().stats()["articles"] == 0


def test_a_new_store_searches_to_nothing_in_every_mode(make_assistant) -> None:
    bot = make_assistant()
    for mode in ("bm25", "dense", "hybrid"):
        assert bot.search("Who disputed the withdrawal?", mode=mode) == []


def test_a_reader_mid_rebuild_gets_a_clear_message(make_assistant) -> None:
    page = make_assistant()
    page.ingest([SAMPLE_DIR])
    page.search("Who disputed the withdrawal?")
    make_assistant().store.reset()  # another store's rebuild, before it writes again
    with pytest.raises(StoreError, match="being rebuilt by another process"):
        page.search("Who disputed the withdrawal?")
    make_assistant().ingest([SAMPLE_DIR])  # the rebuild finishes
    assert page.search("Who disputed the withdrawal?")


# --- replacing an article's chunks -------------------------------------------------------


def _bridge(text: str):  # type: ignore[no-untyped-def]
    """The chunks of one version of the article "bridge", 40 tokens each."""
    from ingest import Article, chunk_article

    article = Article(id="bridge", title="Bridge reopens", text=text, path="bridge.txt")
    return article, chunk_article(article, chunk_tokens=40, overlap_tokens=0)


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from assistant.store import ChunkStore, SentenceEmbedder

    return ChunkStore(
        embedder=SentenceEmbedder(), data_dir=tmp_path / "store", build_params={"test": 1}
    )


def _stored_texts(store) -> list[str]:  # type: ignore[no-untyped-def]
    """Every stored chunk's text, in its article's order."""
    _, texts, metas = store.all_chunks()
    return [text for _, text in sorted(zip((m["index"] for m in metas), texts, strict=True))]


def test_a_crash_while_replacing_an_article_keeps_the_old_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, old_chunks = _bridge(" ".join(f"Old sentence {i} on the bridge." for i in range(60)))
    _, new_chunks = _bridge(" ".join(f"New sentence {i} on the repairs." for i in range(90)))
    assert 4 < len(old_chunks) < len(new_chunks)
    store = _store(tmp_path)
    store.write(old_chunks, batch_size=4)
    real_encode = store.embedder.encode
    calls: list[int] = []

    def crash_after_the_first_batch(texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        if len(calls) > 1:
            raise RuntimeError("killed mid-write")
        return real_encode(texts)

    monkeypatch.setattr(store.embedder, "encode", crash_after_the_first_batch)
    with pytest.raises(RuntimeError, match="killed mid-write"):
        store.write(new_chunks, batch_size=4)

    assert _stored_texts(store) == [c.text for c in old_chunks]
    assert store.stored_hashes(["bridge"]) == {"bridge": old.content_hash}
    (stored,) = store.articles()
    assert stored.chunks == len(old_chunks)


def test_an_article_that_shrank_keeps_no_stale_tail(tmp_path: Path) -> None:
    _, long_chunks = _bridge(" ".join(f"Old sentence {i} on the bridge." for i in range(90)))
    short, short_chunks = _bridge(" ".join(f"New sentence {i} on the repairs." for i in range(20)))
    assert len(short_chunks) < len(long_chunks)
    store = _store(tmp_path)
    store.write(long_chunks, batch_size=4)
    revision = store.revision

    assert store.write(short_chunks, batch_size=4) == len(short_chunks)

    assert _stored_texts(store) == [c.text for c in short_chunks]
    assert store.count() == len(short_chunks)
    assert store.stored_hashes(["bridge"]) == {"bridge": short.content_hash}
    assert store.revision > revision
