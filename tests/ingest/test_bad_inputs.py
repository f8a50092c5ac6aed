"""Bad input files: each is skipped with a message naming it and saying what to do.

The small ones live in ``tests/data/bad``; the 50 MB file, the links, the pipe and the
unreadable file are made here. The good files of the same run still load, and the
``newsdesk ingest`` command exits 3, naming every bad file, without losing what the
store already held.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.chunking import chunk_article
from ingest.documents import Skipped
from ingest.loaders import MB, load_file
from ingest.pipeline import load_paths
from tests.conftest import SAMPLE_DIR

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "articles"
BAD = ROOT / "tests" / "data" / "bad"
PARAGRAPH = (
    "The council met on Tuesday to vote on the harbour budget, and the mayor said "
    "residents would pay more for water next year. "
) * 4

# What each committed bad file is skipped for: a part of the reason that says what is
# wrong, and a part that says what to do.
BAD_FILES = {
    "empty.txt": ("the file is empty", "remove it or add the article's text"),
    "whitespace.txt": ("only blank lines and spaces", "remove it or add the article's text"),
    "junk.txt": ("binary data, not text", "export it as UTF-8 text"),
    "invalid-utf8.txt": (
        "damaged UTF-8 text: 2 bytes that are not valid UTF-8, the first (0xFF) at line 3, "
        "column 111",
        "fix or re-export the file as UTF-8",
    ),
    "no-body.html": ("no article body found in the HTML", "save the article's own page"),
    "truncated.pdf": ("not a readable PDF", "check the file is complete, or re-export it"),
    "locked.pdf": ("the PDF is encrypted", "save an unprotected copy and ingest that"),
    "report.docx": ("'.docx' files are not supported", "convert it to one of: .csv"),
    "press-release": ("files without a suffix are not supported", "convert it to one of"),
}
# Rows of exports that are skipped while their good rows load.
BAD_ROWS = {
    "rows.jsonl:2": ("not valid JSON", "fix or remove the line"),
    "rows.jsonl:3": ("no 'text' field (fields: id, title, url)", "name the field"),
    "no-text.json[0]": ("no 'text' field (fields: id, headline, body, url)", "name the field"),
    "no-text.json[1]": ("no 'text' field (fields: id, headline, summary)", "name the field"),
}


def _write_big(path: Path, mb: float) -> Path:
    """A plain-text article of about ``mb`` megabytes, written a paragraph at a time."""
    with path.open("w", encoding="utf-8") as out:
        out.write("A very long article\n\n")
        for _ in range(int(mb * MB) // (len(PARAGRAPH) + 2) + 1):
            out.write(PARAGRAPH + "\n\n")
    return path


def _without_file_privileges(command: list[str]) -> list[str]:
    """The command, run so that file permissions hold for it.

    root reads a file whatever its mode, so for root the command runs without the two
    capabilities that allow that (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): still root, still
    the owner of its own files, but a file with mode 000 is as unreadable to it as to any
    user. ``setpriv`` is util-linux's, on every Debian and Ubuntu.
    """
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]


def _unreadable(tmp_path: Path) -> tuple[Path, Path]:
    """A text file and a folder (holding a good article) that nobody may read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret\n\nNobody may read this article.\n", "utf-8")
    secret.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(ARTICLES / "harbour-ferry.txt", closed)
    closed.chmod(0)
    return secret, closed


def _reason(skipped: list[Skipped], path: Path | str) -> str:
    reasons = [s.reason for s in skipped if s.path == str(path)]
    assert len(reasons) == 1, (path, skipped)
    return reasons[0]


# --- the committed bad files --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_skipped_with_what_is_wrong_and_what_to_do(name: str) -> None:
    articles, skipped = load_paths([BAD / name], max_file_mb=None)
    assert articles == []
    assert len(skipped) == 1
    assert skipped[0].path == str(BAD / name)
    wrong, todo = BAD_FILES[name]
    assert wrong in skipped[0].reason
    assert todo in skipped[0].reason
    assert str(skipped[0]) == f"{BAD / name}: {skipped[0].reason}"


@pytest.mark.parametrize("row", sorted(BAD_ROWS))
def test_a_bad_row_of_an_export_is_skipped_by_its_place(row: str) -> None:
    file = row.partition(":")[0].partition("[")[0]
    _, skipped = load_paths([BAD / file], max_file_mb=None)
    wrong, todo = BAD_ROWS[row]
    reason = _reason(skipped, BAD / row)
    assert wrong in reason and todo in reason


def test_the_bad_folder_skips_every_bad_file_and_loads_the_good_rows() -> None:
    articles, skipped = load_paths([BAD], max_file_mb=None)
    assert sorted(s.path for s in skipped) == sorted(
        str(BAD / name) for name in [*BAD_FILES, *BAD_ROWS]
    )
    assert sorted(a.title for a in articles) == [
        "Another good row",
        "Fête de la musique à Québec",
        "Good row",
    ]


def test_latin1_text_loads_as_written() -> None:
    (article,) = load_paths([BAD / "latin1.txt"], max_file_mb=None).articles
    assert article.title == "Fête de la musique à Québec"
    assert article.text.startswith("La fête de la musique aura lieu samedi")
    assert "Les élèves de l'école secondaire joueront à côté" in article.text
    assert "« C'est un été très chargé »" in article.text


def test_utf8_with_a_damaged_character_is_not_read_as_latin1(tmp_path: Path) -> None:
    # "café" cut after its first byte: read as cp1252, every other "é" would be "Ã©".
    path = tmp_path / "cut.txt"
    text = "Le café rouvre\n\nLe café de la gare rouvre lundi, a dit le maire. Été."
    path.write_bytes(text.encode("utf-8").replace(b"gare", b"g\xc3re", 1))
    _, skipped = load_paths([path], max_file_mb=None)
    assert _reason(skipped, path) == (
        "damaged UTF-8 text: a byte that is not valid UTF-8, the first (0xC3) at line 3, "
        "column 16; fix or re-export the file as UTF-8"
    )


def test_an_export_without_articles_is_reported(tmp_path: Path) -> None:
    (tmp_path / "none.json").write_text("[]\n", "utf-8")
    (tmp_path / "header-only.csv").write_text("title,text\n", "utf-8")
    articles, skipped = load_paths([tmp_path], max_file_mb=None)
    assert articles == []
    assert {s.path: s.reason for s in skipped} == {
        str(tmp_path / name): "the export holds no articles; add some, or remove the file"
        for name in ("none.json", "header-only.csv")
    }


# --- size ------------------------------------------------------------------------------------


def test_a_50_mb_file_is_skipped_unread_with_the_limit_and_what_to_do(tmp_path: Path) -> None:
    big = _write_big(tmp_path / "big.txt", 50)
    tracemalloc.start()
    try:
        articles, skipped = load_paths([big], max_file_mb=20)  # the settings' default
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert articles == []
    assert _reason(skipped, big) == (
        "the file is 50.0 MB, over the 20 MB limit for one file; split it into smaller files, "
        "or raise the limit (NEWSDESK_MAX_FILE_MB, or newsdesk ingest --max-file-mb)"
    )
    assert peak < MB  # refused from its size, not read


def test_the_size_limit_is_a_parameter(tmp_path: Path) -> None:
    path = _write_big(tmp_path / "story.txt", 0.1)
    (skip,) = load_paths([path], max_file_mb=0.05).skipped
    assert skip.reason.startswith("the file is 0.1 MB, over the 0.05 MB limit for one file;")
    assert len(load_paths([path], max_file_mb=0.2).articles) == 1
    assert len(load_paths([path], max_file_mb=None).articles) == 1


@pytest.mark.parametrize("function", [load_file, load_paths])
def test_the_size_limit_has_no_default_of_its_own(function: Callable[..., object]) -> None:
    """The one default is the settings' ``max_file_mb``; ingest must be told the limit."""
    parameter = inspect.signature(function).parameters["max_file_mb"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is inspect.Parameter.empty


def test_a_big_file_under_the_limit_loads_in_a_few_times_its_size(tmp_path: Path) -> None:
    path = _write_big(tmp_path / "big.txt", 6)
    tracemalloc.start()
    try:
        (article,) = load_paths([path], max_file_mb=None).articles
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert len(article.text) > size * 0.99
    # bytes, the decoded text and a cleaning pass or two; it was 15x when every single
    # space was a regex match of its own.
    assert peak < 5 * size


def test_chunking_hashes_a_big_article_once_not_once_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (article,) = load_paths([_write_big(tmp_path / "big.txt", 0.5)], max_file_mb=None).articles
    import ingest.documents

    calls: list[int] = []
    real = ingest.documents.stable_hash

    def counted(*parts: str, length: int = 16) -> str:
        calls.append(sum(len(p) for p in parts))
        return real(*parts, length=length)

    monkeypatch.setattr(ingest.documents, "stable_hash", counted)
    chunks = chunk_article(article, chunk_tokens=180, overlap_tokens=30)
    assert len(chunks) > 500
    assert {c.article_hash for c in chunks} == {article.content_hash}
    # Hashing the whole text for each of 500+ chunks made a 20 MB file take hours.
    assert sum(calls) < 3 * len(article.text)


def test_the_limit_comes_from_the_environment_and_the_flag_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import EXIT_SKIPPED, main

    article = SAMPLE_DIR / "white-house-russia-withdrawal.txt"
    store = ["--data-dir", str(tmp_path / "store"), "--backend", "extractive"]
    monkeypatch.setenv("NEWSDESK_MAX_FILE_MB", "0.001")
    assert main(["ingest", str(article), *store]) == EXIT_SKIPPED
    assert f"skipped {article}: the file is 0.0032 MB, over the 0.001 MB limit for one file;" in (
        capsys.readouterr().err
    )
    assert main(["ingest", str(article), "--max-file-mb", "1", *store]) == 0
    assert capsys.readouterr().out.startswith("1 added")


# --- links, pipes, permissions ---------------------------------------------------------------


def test_link_loops_and_broken_links_are_named_and_the_rest_loads(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(ARTICLES / "harbour-ferry.txt", news)
    (news / "self.txt").symlink_to(news / "self.txt")  # a file link to itself
    (news / "loop").symlink_to(news, target_is_directory=True)  # a folder loop
    (news / "a").mkdir()
    (news / "a" / "b").symlink_to(news / "a", target_is_directory=True)
    (news / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    articles, skipped = load_paths([news, news / "self.txt"], max_file_mb=None)
    assert [a.title for a in articles] == ["Harbour ferry service to resume after six-month pause"]
    loop = (
        "cannot be read (Too many levels of symbolic links): a symbolic link that leads back "
        "to itself; fix the link or remove it"
    )
    broken = (
        f"cannot be read (No such file or directory): a broken link to {tmp_path}/deleted.txt; "
        "fix the link or remove it"
    )
    assert skipped == [
        Skipped(str(news / "gone.txt"), broken),
        Skipped(str(news / "self.txt"), loop),
        Skipped(str(news / "self.txt"), loop),  # named on its own too
    ]


def test_a_pipe_in_a_folder_is_skipped_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "feed.txt")
    shutil.copy(ARTICLES / "harbour-ferry.txt", tmp_path)
    articles, skipped = load_paths([tmp_path], max_file_mb=None)
    assert len(articles) == 1
    assert _reason(skipped, tmp_path / "feed.txt") == (
        "not a regular file or folder (a pipe, socket or device); name files or folders"
    )


def test_an_unreadable_file_and_folder_are_named_with_check_its_permissions(
    tmp_path: Path,
) -> None:
    secret, closed = _unreadable(tmp_path)
    shutil.copy(ARTICLES / "library-late-fees.md", tmp_path)
    script = (
        "import json, sys; from ingest.pipeline import load_paths; "
        "articles, skipped = load_paths([sys.argv[1]], max_file_mb=None); "
        "print(json.dumps([[a.title for a in articles], [[s.path, s.reason] for s in skipped]]))"
    )
    command = _without_file_privileges([sys.executable, "-c", script, str(tmp_path)])
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    titles, skipped = json.loads(done.stdout)
    assert titles == ["City libraries scrap late fees for good"]
    permissions = (
        "cannot be read (Permission denied); check its permissions (and its folder's): "
        "the user running newsdesk must be able to read it"
    )
    assert skipped == [[str(closed), f"folder {permissions}"], [str(secret), permissions]]


# --- the whole command ----------------------------------------------------------------------


def test_ingest_command_over_every_bad_file_exits_3_names_each_and_keeps_the_store(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(store), "NEWSDESK_BACKEND": "extractive"}
    newsdesk = [sys.executable, "-m", "assistant.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = _without_file_privileges([*newsdesk, *args])
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    first = run("ingest", str(SAMPLE_DIR))
    assert first.returncode == 0, first.stderr
    before = json.loads(run("stats", "--json").stdout)
    assert before["articles"] == 1

    inbox = tmp_path / "inbox"
    shutil.copytree(BAD, inbox)
    for name in ("harbour-ferry.txt", "solar-farm.pdf"):
        shutil.copy(ARTICLES / name, inbox)
    big = _write_big(inbox / "big.txt", 50)
    (inbox / "self.txt").symlink_to(inbox / "self.txt")
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)
    secret, closed = _unreadable(inbox)

    done = run("ingest", str(inbox))
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    expected = {
        **{str(inbox / name): parts for name, parts in BAD_FILES.items()},
        **{str(inbox / row): parts for row, parts in BAD_ROWS.items()},
        str(big): ("50.0 MB, over the 20 MB limit", "split it into smaller files"),
        str(inbox / "self.txt"): ("leads back to itself", "fix the link or remove it"),
        str(secret): ("Permission denied", "check its permissions"),
        str(closed): ("Permission denied", "check its permissions"),
    }
    for path, (wrong, todo) in expected.items():
        (line,) = [line for line in lines if line.startswith(f"skipped {path}: ")]
        assert wrong in line and todo in line
    assert sum(line.startswith("skipped ") for line in lines) == len(expected) == 17
    # Nothing but the command's own lines: no library's bare warning ("EOF marker not
    # found" from the PDF reader) beside the message that names the file.
    assert all(line.startswith(("skipped ", "newsdesk: ")) for line in lines), lines
    assert done.stdout.startswith("5 added, 0 unchanged, 0 replaced, 17 skipped")
    assert lines[-1] == (
        "newsdesk: 17 skipped (listed above); the rest are stored. "
        "Fix those files and run the same command again."
    )

    from assistant import Assistant

    bot = Assistant(data_dir=store, backend="extractive")
    stored = {a.title: a for a in bot.articles()}
    assert sorted(stored) == sorted(
        [
            "White House says Russian troop withdrawal claims are ‘false’",
            "Harbour ferry service to resume after six-month pause",
            "Solar farm approved on former airfield",
            "Fête de la musique à Québec",
            "Good row",
            "Another good row",
        ]
    )
    kept = stored["White House says Russian troop withdrawal claims are ‘false’"]
    assert kept.chunks == before["chunks"]  # the article stored before is untouched
    assert bot.store.count() == sum(a.chunks for a in stored.values())
