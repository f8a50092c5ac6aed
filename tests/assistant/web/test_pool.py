"""Which backends readers may choose, and the one keyword index they share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from assistant import Assistant, ConfigError, Settings
from assistant.web import actions, layout
from assistant.web import views as page
from assistant.web.pool import AssistantPool
from tests.assistant.web.conftest import FERRY, QUESTION, run_chat

# -- which backends readers may choose -------------------------------------------------------


def recording_pool(
    make_assistant: Any, default: str, allow: list[str]
) -> tuple[AssistantPool, list[str]]:
    """A pool whose every Assistant is extractive, and the specs it was asked to make."""
    made: list[str] = []

    def factory(spec: str) -> Assistant:
        made.append(spec)
        return make_assistant(backend="extractive")

    return AssistantPool(factory, default, allow), made


def test_readers_get_the_default_and_extractive_only(make_assistant: Any) -> None:
    pool, made = recording_pool(make_assistant, "local", [])
    assert pool.allowed == ("local", "extractive")
    assert pool.get(" ") is pool.get("local") is pool.get(None)
    pool.get("extractive")
    for spec in ("gguf:/etc/passwd", "openai:gpt-4o", "Extractive", "local:x", "ollama:llama3"):
        with pytest.raises(ConfigError) as caught:
            pool.get(spec)
        assert str(caught.value) == (
            f"backend {spec!r} is not offered here; choose one of: local, extractive "
            "(the server's operator can offer more with --allow-backend)"
        )
    assert made == ["local", "extractive"]  # a refused spec never reaches the factory


def test_backends_share_one_keyword_index_ready_after_an_upload(
    make_assistant: Any, tmp_path: Path
) -> None:
    pool, _ = recording_pool(make_assistant, "local", [])
    index = pool.get().searcher.bm25
    assert pool.get("extractive").searcher.bm25 is index  # one copy of every chunk's text
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")

    actions.PageActions(pool, tmp_path / "uploads").ingest_uploads([str(upload)])

    # Built by the upload, not left to the next reader's question.
    built = index._snapshot
    assert built.revision == pool.get().store.revision and len(built.ids) == 1


def test_the_operator_can_offer_more_backends(make_assistant: Any) -> None:
    pool, made = recording_pool(
        make_assistant, "extractive", [" gguf:/srv/models/x.gguf ", "", "extractive", "local"]
    )
    assert pool.allowed == ("extractive", "gguf:/srv/models/x.gguf", "local")
    pool.get("gguf:/srv/models/x.gguf")
    with pytest.raises(ConfigError, match=r"one of: extractive, gguf:/srv/models/x\.gguf, local "):
        pool.get("gguf:/srv/models/y.gguf")
    assert made == ["gguf:/srv/models/x.gguf"]


def test_chat_refuses_a_backend_not_offered_in_one_line(make_assistant: Any) -> None:
    pool, made = recording_pool(make_assistant, "extractive", ["local"])
    desk = actions.PageActions(pool, Path("unused"))
    *_, (_, messages, _, turns) = run_chat(desk, QUESTION, "gguf:/home/me/.ssh/id_rsa")
    reply = messages[-1]["content"]
    assert turns == [] and "\n" not in reply and made == []
    assert reply == page.error_html(
        "backend 'gguf:/home/me/.ssh/id_rsa' is not offered here; choose one of: extractive, "
        "local (the server's operator can offer more with --allow-backend)"
    )


def test_the_page_offers_only_the_allowed_backends(make_assistant: Any, tmp_path: Path) -> None:
    made: list[str] = []

    def factory(spec: str) -> Assistant:
        made.append(spec)
        return make_assistant(backend="extractive")

    demo = layout.build_app(
        Settings(data_dir=tmp_path / "store", backend="extractive"),
        assistant_factory=factory,
        sample_dir=None,
        allow_backends=["ollama:llama3"],
    )
    (dropdown,) = [
        b for b in demo.blocks.values() if isinstance(b, gr.Dropdown) and b.elem_id == "nd-backend"
    ]
    assert [value for _, value in dropdown.choices] == ["extractive", "ollama:llama3"]
    assert dropdown.value == "extractive" and not dropdown.allow_custom_value
    assert sorted(made) == ["extractive", "ollama:llama3"]  # each checked once, at start
