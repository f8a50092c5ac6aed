"""A model server that goes away mid-answer: one clear error, and the page keeps working.

The server is llama.cpp's own OpenAI-compatible one (``python -m llama_cpp.server``) on the
small SmolLM2 model, on loopback; the tests kill it (SIGKILL) or freeze it (SIGSTOP) after
the first tokens of an answer have arrived.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Answer, Assistant, BackendError, Settings, Token
from assistant.settings import LLMSettings
from assistant.web import actions
from assistant.web import views as page
from assistant.web.pool import AssistantPool
from tests.conftest import SAMPLE_DIR
from tests.servers import LlamaServer

pytestmark = pytest.mark.slow

SPEC = "openai:smollm2"
QUESTION = "What did NATO's secretary-general say about the Russian troops?"
MIDWAY = "stopped responding in the middle of the answer"


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[LlamaServer]:
    running = LlamaServer(tmp_path / "server.log", n_threads=1)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the sample article, ingested through an ``openai:`` Assistant."""
    data_dir = tmp_path_factory.mktemp("faults-store")
    bot = Assistant(
        data_dir=data_dir, backend=SPEC, llm=LLMSettings(base_url="http://127.0.0.1:9/v1")
    )
    report = bot.ingest([SAMPLE_DIR], progress=False)
    assert report.added
    return data_dir


def settings(store: Path, url: str, timeout: float = 30.0) -> Settings:
    # Enough tokens that the answer is still being written when the server goes away; few
    # passage tokens, so that the 2 shared cores read the prompt in seconds.
    llm = LLMSettings(base_url=url, max_tokens=200, timeout=timeout, passage_tokens=300)
    return Settings(data_dir=store, backend=SPEC, llm=llm)


def assert_one_clear_line(message: str, url: str) -> None:
    assert "\n" not in message
    assert f"the OpenAI-compatible server at {url} {MIDWAY}" in message
    assert "restart it if not, and ask again" in message
    for raw in ("Traceback", "httpx.", "openai.", "APIConnectionError"):
        assert raw not in message


# -- the Assistant ---------------------------------------------------------------------------


def test_server_killed_mid_answer_is_one_clear_error(store: Path, server: LlamaServer) -> None:
    bot = Assistant(settings(store, server.url))
    tokens: list[str] = []
    events: list[Any] = []

    with pytest.raises(BackendError) as caught:
        for event in bot.stream(QUESTION):
            events.append(event)
            if isinstance(event, Token) and event.text.strip():
                tokens.append(event.text)
                if len(tokens) == 1:
                    server.kill()

    assert tokens, "the answer should have started before the server was killed"
    assert not any(isinstance(e, Answer) for e in events)
    assert_one_clear_line(str(caught.value), server.url)
    assert "peer closed connection" in str(caught.value)  # what the client saw, in brief


def test_server_that_hangs_mid_answer_times_out_with_one_clear_error(
    store: Path, server: LlamaServer
) -> None:
    # One whole answer first: the server keeps the prompt's state, so the same question
    # again starts answering in well under the short timeout.
    Assistant(settings(store, server.url)).ask(QUESTION)
    # Long enough for the first token on a loaded 2-core machine (the claim checks'
    # prompts come last, so the answer's prompt is read again), short of the retries.
    timeout = 15.0
    bot = Assistant(settings(store, server.url, timeout=timeout))
    tokens: list[str] = []

    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        for event in bot.stream(QUESTION):
            if isinstance(event, Token) and event.text.strip():
                tokens.append(event.text)
                if len(tokens) == 1:
                    frozen = time.monotonic()
                    server.freeze()
    assert tokens
    assert timeout <= time.monotonic() - frozen < 40  # the timeout setting, not minutes of retries
    assert time.monotonic() - started < 120
    assert_one_clear_line(str(caught.value), server.url)
    assert "(no more output in time)" in str(caught.value)


# -- the page --------------------------------------------------------------------------------


def chat(
    desk: actions.PageActions, question: str, backend: str, state: tuple[Any, Any]
) -> Iterator[Any]:
    """The chat handler's updates for one question, carrying on the page's conversation."""
    messages, turns = state
    return desk.chat(question, messages, turns, backend, 5, "", "", [])


def test_the_page_shows_the_error_and_keeps_answering(store: Path, server: LlamaServer) -> None:
    pool = AssistantPool(lambda spec: Assistant(settings(store, server.url), backend=spec), SPEC)
    desk = actions.PageActions(pool, store / "uploads")

    # 1. The server dies while the answer is being written.
    updates, written = [], re.compile(r'nd-writing">[^<]*\w')
    for update in chat(desk, QUESTION, SPEC, ([], [])):
        updates.append(update)
        if written.search(update[1][-1]["content"]) and server.running:
            server.kill()  # the first words of the answer are on the page
    assert any(written.search(u[1][-1]["content"]) for u in updates), "no text before the kill"
    box, messages, _, turns = updates[-1]
    reply = messages[-1]["content"]
    assert box == "" and turns == []  # the failed turn is not part of the conversation
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert 'class="nd-error"' in reply and MIDWAY in reply
    assert page.text_html(server.url) in reply and "ask again" in reply
    assert "Traceback" not in reply and actions.GENERIC_ERROR not in reply

    # 2. The same page answers the next question with another backend...
    *_, (_, messages, panel, turns) = chat(
        desk, "What did Zelensky tell the BBC?", "extractive", (messages, turns)
    )
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert MIDWAY in messages[1]["content"]  # the error stays where it was
    assert 'class="nd-cite"' in messages[-1]["content"]
    assert len(turns) == 1 and "<mark>" in panel

    # 3. ...and with the same one once its server is back on the same port.
    server.start()
    *_, (_, messages, _, turns) = chat(desk, QUESTION, SPEC, (messages, turns))
    reply = messages[-1]["content"]
    assert "nd-error" not in reply and 'class="nd-answer' in reply, reply
    assert len(turns) == 2
