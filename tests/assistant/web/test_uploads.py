"""Uploads: safe names, size limits, replacing an edited file, deleting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import Settings
from assistant.web import actions, uploads
from tests.assistant.web.conftest import FERRY

# -- uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "..",
        ".",
        "",
        ".bashrc",
        "a/../../b.txt",
        "nul\x00byte.txt",
        "x" * 300 + ".txt",
        "report (final).txt",
    ],
)
def test_upload_names_stay_inside_their_folder(tmp_path: Path, name: str) -> None:
    target = uploads.upload_destination(tmp_path, name)
    assert target.parent == tmp_path.resolve()
    assert not target.name.startswith(".") and len(target.name) <= 120


def test_upload_is_copied_ingested_and_deleted(desk: actions.PageActions, tmp_path: Path) -> None:
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")
    bad = tmp_path / "incoming" / "notes.docx"
    bad.write_bytes(b"PK\x03\x04")
    empty = tmp_path / "incoming" / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")

    report = desk.ingest_uploads([str(upload), str(bad), str(empty)])
    assert "ferry.txt</b>: 1 added (1 passage)" in report
    assert "notes.docx</b>: skipped, not one of" in report
    assert re.search(
        r"empty.txt</b>: nothing added<ul><li class=\"nd-skip\">skipped: .+</li>", report
    )
    (kept,) = desk.upload_root.iterdir()
    assert kept.name == "ferry.txt" and kept.read_text(encoding="utf-8") == FERRY
    assert "already in the library" in desk.ingest_uploads([str(upload)])

    rows, choices, _, stats = desk.library()
    assert rows[0][0] == "Harbour ferry returns to Northpoint" and stats.startswith("1 article ")
    assert "fast profile (all-MiniLM-L6-v2)" in stats  # how the collection was built
    assert "Deleted <b>Harbour ferry" in desk.delete(choices[0][1])
    assert desk.library()[0] == [] and not kept.exists()


def test_oversized_uploads_are_skipped(desk: actions.PageActions, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    limit = Settings().max_file_mb
    with big.open("wb") as handle:  # sparse: no 21 MB written to disk
        handle.truncate(int(limit + 1) * 1024 * 1024)
    assert f"big.txt</b>: skipped, larger than {limit:g} MB" in desk.ingest_uploads([str(big)])
    assert not desk.upload_root.exists()


def test_the_upload_limit_is_max_file_mb(
    desk: actions.PageActions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_FILE_MB", "1")
    big = tmp_path / "two.txt"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    assert "two.txt</b>: skipped, larger than 1 MB" in desk.ingest_uploads([str(big)])
    assert not desk.upload_root.exists()


def test_an_edited_upload_replaces_the_earlier_one(
    desk: actions.PageActions, tmp_path: Path
) -> None:
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")
    assert "ferry.txt</b>: 1 added" in desk.ingest_uploads([str(upload)])
    edited = FERRY.replace("twelve steel beams", "fourteen steel beams")
    upload.write_text(edited, encoding="utf-8")

    assert "ferry.txt</b>: 1 replaced" in desk.ingest_uploads([str(upload)])

    bot = desk.pool.get()
    (article,) = bot.articles()
    (passage,) = bot.search("How many steel beams were replaced?", 1)
    assert passage.article_id == article.id and "fourteen steel beams" in passage.text
    (kept,) = [p for p in desk.upload_root.rglob("*") if p.is_file()]
    assert kept.read_text(encoding="utf-8") == edited
    # Another name is another article, beside the first.
    other = tmp_path / "incoming" / "ferry-2.txt"
    other.write_text(FERRY.replace("Northpoint", "Southpoint"), encoding="utf-8")
    assert "ferry-2.txt</b>: 1 added" in desk.ingest_uploads([str(other)])
    assert len(bot.articles()) == 2
