"""The newsdesk command as a user runs it."""

import itertools
import json
from pathlib import Path

import pytest

from assistant.cli import EXIT_SKIPPED, main
from tests.conftest import SAMPLE_DIR


def test_ask_json_cites_the_false_claim_passage(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--json", "--backend", "extractive", "--data-dir", str(sample_store)]
    code = main(["ask", "Who disputed the withdrawal?", *args])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"question", "answer", "citations", "passages", "backend", "timings"}
    assert out["backend"] == "extractive"
    assert any("we now know it was false" in c["text"] for c in out["citations"])
    for c in out["citations"]:
        assert set(c) >= {
            "n",
            "article_id",
            "title",
            "url",
            "published",
            "text",
            "start",
            "end",
            "quote",
        }
    assert all("score" in p for p in out["passages"])
    # Each passage says which chunk of its article it is: later chunks start later.
    by_index = sorted(out["passages"], key=lambda p: (p["article_id"], p["index"]))
    assert len({(p["article_id"], p["index"]) for p in by_index}) == len(by_index)
    for a, b in itertools.pairwise(by_index):
        if a["article_id"] == b["article_id"]:
            assert a["start"] < b["start"]


def test_ingest_twice_and_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(tmp_path / "store")]
    assert main(["ingest", str(SAMPLE_DIR), *args]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["ingest", str(SAMPLE_DIR), *args]) == 0
    assert "0 added, 1 unchanged" in capsys.readouterr().out
    assert main(["stats", "--json", *args]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == 1 and stats["chunks"] > 1
    assert stats["embedding_model"] == "all-MiniLM-L6-v2" and stats["profile"] == "fast"


def test_data_dir_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "env-store"))
    assert main(["ingest", str(SAMPLE_DIR)]) == 0
    assert (tmp_path / "env-store").is_dir()


def test_skipped_files_set_the_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    code = main(["ingest", str(SAMPLE_DIR), str(bad), "--data-dir", str(tmp_path / "s")])
    assert code == EXIT_SKIPPED
    captured = capsys.readouterr()
    assert "1 added" in captured.out
    assert "broken.json" in captured.err


def test_errors_are_one_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--backend", "nope", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsdesk: unknown backend 'nope'")
    assert "Traceback" not in err and err.count("\n") == 1
