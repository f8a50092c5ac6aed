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


def test_page_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    assert (defaults.host, defaults.port, defaults.auth, defaults.page_backends) == (
        "127.0.0.1",
        7860,
        None,
        [],
    )
    assert defaults.model_dir is None
    monkeypatch.setenv("NEWSDESK_HOST", "0.0.0.0")
    monkeypatch.setenv("NEWSDESK_PORT", "8123")
    monkeypatch.setenv("NEWSDESK_AUTH", "reader:s3cret:x")
    monkeypatch.setenv("NEWSDESK_PAGE_BACKENDS", " openai:gpt-4o-mini, ,local ")
    monkeypatch.setenv("NEWSDESK_MODEL_DIR", "/srv/models")
    settings = Settings()
    assert (settings.host, settings.port) == ("0.0.0.0", 8123)
    assert settings.auth is not None and settings.auth.get_secret_value() == "reader:s3cret:x"
    assert settings.page_backends == ["openai:gpt-4o-mini", "local"]
    assert settings.model_dir == Path("/srv/models")


@pytest.mark.parametrize(("key", "value"), [("AUTH", "nopassword"), ("PORT", "70000")])
def test_page_settings_are_checked(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(f"NEWSDESK_{key}", value)
    with pytest.raises(ValidationError, match=key.lower()):
        Settings()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"profile": "accurat"}, r"^setting profile='accurat': .*'fast' or 'accurate'"),
        ({"backend": 3}, r"^setting backend=3: .*known backends: local, gguf:PATH"),
        ({"max_file_mb": -1}, r"^setting max_file_mb=-1: .*greater than 0"),
        ({"profle": "fast"}, r"^unknown setting 'profle'; known settings: .*profile"),
    ],
)
def test_overrides_are_validated(tmp_path: Path, overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        Assistant(**{"data_dir": tmp_path, "backend": "extractive", **overrides})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("k", [0, -1, 51, 10**6])
def test_k_is_bounded(make_assistant: Any, k: int) -> None:
    bot = make_assistant()
    for call in (
        lambda: bot.search("ferry", k),
        lambda: bot.ask("Where does the ferry go?", k=k),
        lambda: list(bot.stream("Where does the ferry go?", k=k)),
        lambda: bot.retriever(k),
    ):
        with pytest.raises(ConfigError, match=r"^k must be a whole number from 1 to 50"):
            call()


def test_constructors_take_their_settings_without_defaults_of_their_own() -> None:
    """Settings is the one place with defaults: the parts it configures have none to drift."""
    import inspect

    from assistant.answering.chain import AnswerChain
    from assistant.backends import LlamaCppChat, make_chat_model
    from assistant.retrieval import HybridSearcher

    def defaulted(function: Any) -> set[str]:
        params = inspect.signature(function).parameters.values()
        return {p.name for p in params if p.default is not inspect.Parameter.empty}

    assert (
        defaulted(AnswerChain)
        & {
            "k",
            "passage_tokens",
            "any_passage_tokens",
            "sentence_floor",
            "history_tokens",
            "per_article",
        }
        == set()
    )
    assert defaulted(HybridSearcher) & {"candidates", "dedupe_threshold", "mode"} == set()
    assert defaulted(make_chat_model) & {"temperature", "max_tokens", "n_ctx", "timeout"} == set()
    fields = LlamaCppChat.model_fields
    assert {
        n for n in ("temperature", "max_tokens", "n_ctx") if not fields[n].is_required()
    } == set()


def test_the_model_folder_reaches_the_chat_model(tmp_path: Path) -> None:
    bot = Assistant(data_dir=tmp_path / "store", backend="local", model_dir=tmp_path / "models")
    assert bot.chain.chat_model.model_dir == tmp_path / "models"  # type: ignore[union-attr]
    assert bot.embedder.model_dir == tmp_path / "models"


def test_the_model_folder_is_where_the_accurate_embedder_is_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.models import offline

    asked: list[Path | None] = []

    def fake_mpnet(model_dir: Path | None = None) -> Path:
        asked.append(model_dir)
        raise ConfigError("stop here")

    _, dims = offline.EMBEDDING_MODELS["all-mpnet-base-v2"]
    monkeypatch.setitem(offline.EMBEDDING_MODELS, "all-mpnet-base-v2", (fake_mpnet, dims))
    bot = Assistant(data_dir=tmp_path / "store", profile="accurate", model_dir=tmp_path / "m")
    with pytest.raises(ConfigError, match="stop here"):
        bot.embedder.encode(["x"])
    assert asked == [tmp_path / "m"]


def test_the_sentence_floor_is_the_profiles_unless_set() -> None:
    # Chosen on the fast embedder's scores; the accurate one's would drop the sample
    # answer's sentence, so it fills the budget as before.
    assert Settings(profile="fast").sentence_floor() == 0.6
    assert Settings(profile="accurate").sentence_floor() == 0.0
    assert Settings(profile="accurate", llm={"sentence_floor": 0.5}).sentence_floor() == 0.5
    assert Settings(profile="fast", llm={"sentence_floor": 0.0}).sentence_floor() == 0.0
