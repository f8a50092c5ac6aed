from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from assistant import Assistant, ConfigError, Settings
from assistant.retrieval import Fusion
from assistant.settings import FUSION_KEYS, PROFILE_FUSION


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__K", "8")
    monkeypatch.setenv("NEWSDESK_CHUNKING__CHUNK_TOKENS", "120")
    settings = Settings()
    assert settings.data_dir == Path("/tmp/elsewhere")
    assert settings.retrieval.k == 8
    assert settings.chunking.chunk_tokens == 120


def test_overrides_beat_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", "/tmp/elsewhere")
    bot = Assistant(data_dir=tmp_path)
    assert bot.settings.data_dir == tmp_path


@pytest.mark.parametrize("value", ["localhost", "host:port", ":8000"])
def test_chroma_host_must_be_host_port(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMA_HOST", value)
    with pytest.raises(ValidationError, match="host:port"):
        Settings()


def test_unknown_backend_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"known backends: local, gguf:PATH, openai:MODEL, .*extractive"
    ):
        Assistant(data_dir=tmp_path, backend="gpt-9")


def test_every_field_is_described() -> None:
    def walk(model: type) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            if not field.description and not hasattr(field.annotation, "model_fields"):
                missing.append(name)
            if hasattr(field.annotation, "model_fields"):
                missing += walk(field.annotation)
        return missing

    assert walk(Settings) == []


def test_fusion_follows_the_profile_unless_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fast, accurate = PROFILE_FUSION["fast"], PROFILE_FUSION["accurate"]

    def tuned(profile: dict[str, Any], method: str, **changed: float) -> Fusion:
        return Fusion(method=method, **{**{k: profile[k] for k in FUSION_KEYS}, **changed})

    assert Settings().fusion() == tuned(fast, "rrf")
    assert Settings(profile="accurate").fusion() == tuned(accurate, "convex")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__ALPHA", "0.9")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__NUMBER_WEIGHT", "0")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__DATE_WEIGHT", "0")
    assert Settings(profile="accurate").fusion() == tuned(
        accurate, "convex", alpha=0.9, number_weight=0.0, date_weight=0.0
    )
    monkeypatch.delenv("NEWSDESK_RETRIEVAL__NUMBER_WEIGHT")
    monkeypatch.delenv("NEWSDESK_RETRIEVAL__DATE_WEIGHT")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__FUSION", "convex")  # fast's tuned convex alpha
    monkeypatch.delenv("NEWSDESK_RETRIEVAL__ALPHA")
    assert Settings().fusion() == tuned(fast, "convex")
    monkeypatch.delenv("NEWSDESK_RETRIEVAL__FUSION")
    # Setting an RRF constant asks for RRF, with the profile's other constants.
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__BM25_WEIGHT", "0.5")
    assert Settings(profile="accurate").fusion() == tuned(accurate, "rrf", bm25_weight=0.5)
    monkeypatch.delenv("NEWSDESK_RETRIEVAL__BM25_WEIGHT")

    searcher = Assistant(data_dir=tmp_path, profile="accurate").searcher
    assert searcher.fusion == tuned(accurate, "convex")
    searcher = Assistant(data_dir=tmp_path / "fast").searcher
    assert searcher.fusion == tuned(fast, "rrf")
