"""iter_files, load_paths and chunk_articles: folders walked, bad files reported, none fatal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest import loaders
from ingest.documents import Skipped
from ingest.pipeline import chunk_articles, iter_files, load_paths

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
BAD = ROOT / "tests" / "data" / "bad"


def test_iter_files_walks_folders_in_order_and_skips_hidden(tmp_path: Path) -> None:
    for name in ["b/2.txt", "b/1.txt", "a.txt", ".git/config", "c/.hidden.txt", ".env"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    files, skipped = iter_files([tmp_path, tmp_path / ".env", tmp_path / "missing"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a.txt",
        "b/1.txt",
        "b/2.txt",
        ".env",  # hidden, but named explicitly
    ]
    assert skipped == [Skipped(str(tmp_path / "missing"), "no such file or folder")]


def test_iter_files_survives_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("x", "utf-8")
    (tmp_path / "news" / "loop").symlink_to(tmp_path / "news", target_is_directory=True)
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    files, skipped = iter_files([tmp_path / "news", tmp_path / "broken.txt"])
    assert files == [tmp_path / "news" / "a.txt"]
    assert [s.path for s in skipped] == [str(tmp_path / "broken.txt")]


def test_load_paths_loads_every_format() -> None:
    articles, skipped = load_paths([ARTICLES], max_file_mb=None)
    assert skipped == []
    suffixes = {Path(a.path).suffix for a in articles}
    assert suffixes == {".txt", ".md", ".html", ".pdf", ".jsonl", ".json", ".csv"}
    assert len(articles) == 11
    assert len({a.id for a in articles}) == 11


def test_bad_files_are_skipped_by_name_and_good_ones_still_load(tmp_path: Path) -> None:
    articles, skipped = load_paths([BAD, ARTICLES, tmp_path / "nothing-here"], max_file_mb=None)
    # the good rows of bad/rows.jsonl, and bad/latin1.txt (bad only in name), come in too
    assert len(articles) == 11 + 2 + 1
    reasons = {s.path: s.reason for s in skipped}
    bad_files = ["empty.txt", "whitespace.txt", "junk.txt", "invalid-utf8.txt", "no-body.html"]
    bad_files += ["truncated.pdf", "locked.pdf", "report.docx", "press-release"]
    bad_rows = ["rows.jsonl:2", "rows.jsonl:3", "no-text.json[0]", "no-text.json[1]"]
    assert reasons == {
        str(tmp_path / "nothing-here"): "no such file or folder",
        **{str(BAD / name): reasons[str(BAD / name)] for name in bad_files + bad_rows},
    }
    assert reasons[str(BAD / "empty.txt")].startswith("the file is empty")
    assert reasons[str(BAD / "junk.txt")].startswith("binary data")
    assert reasons[str(BAD / "truncated.pdf")].startswith("not a readable PDF")
    assert all(";" in reason for reason in reasons.values() if "no such" not in reason)


def test_an_unexpected_loader_failure_becomes_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(path: Path) -> loaders.LoadResult:
        raise RuntimeError("parser crashed")

    monkeypatch.setitem(loaders.LOADERS, ".pdf", explode)
    shutil.copy(ARTICLES / "solar-farm.pdf", tmp_path)
    shutil.copy(ARTICLES / "harbour-ferry.txt", tmp_path)
    articles, skipped = load_paths([tmp_path], max_file_mb=None)
    assert [a.title for a in articles] == ["Harbour ferry service to resume after six-month pause"]
    assert skipped == [
        Skipped(
            str(tmp_path / "solar-farm.pdf"),
            "could not be read (RuntimeError: parser crashed); check the file is not damaged",
        )
    ]


def test_duplicate_ids_the_later_wins_and_the_earlier_is_reported(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "x", "text": "Old text."}) + "\n", "utf-8")
    second.write_text(json.dumps({"id": "x", "text": "New text."}) + "\n", "utf-8")
    articles, skipped = load_paths([first, second], max_file_mb=None)
    assert [a.text for a in articles] == ["New text."]
    assert skipped == [
        Skipped(str(first), f"article id 'x' appears again in {second}; the later one was kept")
    ]


def test_the_same_file_twice_is_loaded_once_without_a_skip() -> None:
    path = ARTICLES / "harbour-ferry.txt"
    articles, skipped = load_paths([path, ARTICLES, str(path)], max_file_mb=None)
    assert skipped == []
    assert len(articles) == 11


def test_chunk_articles() -> None:
    articles, _ = load_paths([ARTICLES], max_file_mb=None)
    chunks = chunk_articles(articles, chunk_tokens=40, overlap_tokens=8)
    assert {c.article_id for c in chunks} == {a.id for a in articles}
    by_id = {a.id: a for a in articles}
    for chunk in chunks:
        assert by_id[chunk.article_id].text[chunk.start : chunk.end] == chunk.text
    assert len({c.id for c in chunks}) == len(chunks)
