"""The newsdesk command as a user runs it."""

import itertools
import json
from pathlib import Path

import pytest

from assistant import Assistant
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


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ingest", str(SAMPLE_DIR), "--max-file-mb", "-1"], "setting max_file_mb=-1.0: "),
        (["search", "ferry", "-k", "1000000"], "k must be a whole number from 1 to 50"),
    ],
)
def test_bad_flags_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert main([*argv, "--data-dir", str(tmp_path / "store")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"newsdesk: {expected}") and err.count("\n") == 1


@pytest.fixture(scope="module")
def accurate_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built with the accurate profile (all-mpnet-base-v2, joined on first use)."""
    data_dir = tmp_path_factory.mktemp("accurate-store")
    Assistant(data_dir=data_dir, profile="accurate", backend="extractive").ingest(
        [SAMPLE_DIR], progress=False
    )
    return data_dir


@pytest.mark.slow
def test_a_collection_opens_with_the_profile_it_was_built_with(accurate_store: Path) -> None:
    bot = Assistant(data_dir=accurate_store, backend="extractive")
    assert bot.search("Who disputed the withdrawal?")
    assert bot.stats()["profile"] == "accurate"
    assert bot.embedder.model_name == "all-mpnet-base-v2"


@pytest.mark.slow
def test_ask_opens_an_accurate_collection_without_the_flag(
    accurate_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--backend", "extractive", "--data-dir", str(accurate_store)]
    assert main(["ask", "Who disputed the withdrawal?", "--json", *args]) == 0
    assert json.loads(capsys.readouterr().out)["citations"]
    # Asking for another profile still says how to open or rebuild it.
    assert main(["ask", "Who disputed the withdrawal?", "--profile", "fast", *args]) == 1
    assert "open it with --profile accurate" in capsys.readouterr().err
    monkeypatch.setenv("NEWSDESK_PROFILE", "fast")
    assert main(["ask", "Who disputed the withdrawal?", *args]) == 1
    assert "open it with --profile accurate" in capsys.readouterr().err
