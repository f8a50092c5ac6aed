"""Chat-model backends: real llama.cpp on SmolLM2, a real OpenAI-compatible server, specs."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.backends import LlamaCppChat, make_chat_model
from assistant.backends import llamacpp as llms
from assistant.errors import BackendError, ConfigError, ModelError
from assistant.models import smollm2_gguf_path
from assistant.settings import LLMSettings
from tests.servers import LlamaServer, free_port

_LLM = LLMSettings()


def chat_model(spec: str, **changed: Any) -> BaseChatModel:
    """make_chat_model with the settings' options, as the Assistant calls it, and changes."""
    options = {
        "temperature": _LLM.temperature,
        "max_tokens": _LLM.max_tokens,
        "n_ctx": _LLM.n_ctx,
        "timeout": _LLM.timeout,
        **changed,
    }
    return make_chat_model(spec, **options)


# SmolLM2 answers "1, 2, 3, 4, 5, 6, 7, 8, 9, 10" and stops (without "terse" it goes on).
COUNT = [SystemMessage("You are terse."), HumanMessage("Count from 1 to 10, separated by commas.")]


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Specs resolve URLs and keys from the environment: start from none."""
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "OLLAMA_HOST"):
        monkeypatch.delenv(key, raising=False)


# ---------------------------------------------------------------------------------------
# llama.cpp in process, on the real SmolLM2 model


@pytest.fixture(scope="module")
def chat() -> BaseChatModel:
    # One thread: steadier than two when the suite shares the 2 cores with other work.
    return chat_model(f"gguf:{smollm2_gguf_path()}", n_ctx=2048, max_tokens=40, n_threads=1)


@pytest.fixture(scope="module")
def counted(chat: BaseChatModel) -> AIMessage:
    """The model's answer to COUNT, asked once (temperature 0: the same answer every time)."""
    answer = chat.invoke(COUNT)
    assert isinstance(answer, AIMessage)
    return answer


def test_gguf_invoke_answers(counted: AIMessage) -> None:
    assert counted.text.strip()
    assert "1, 2, 3" in counted.text
    assert counted.usage_metadata and counted.usage_metadata["output_tokens"] > 0
    assert counted.response_metadata["finish_reason"] == "stop"


def test_gguf_honours_max_tokens(chat: BaseChatModel) -> None:
    answer = chat.invoke(COUNT, max_tokens=4)

    assert answer.usage_metadata and answer.usage_metadata["output_tokens"] == 4
    assert answer.response_metadata["finish_reason"] == "length"


def test_gguf_prompt_follows_the_messages(chat: BaseChatModel) -> None:
    def prompt_tokens(system: str) -> int:
        answer = chat.invoke([SystemMessage(system), HumanMessage("Hi")], max_tokens=1)
        assert answer.usage_metadata
        return answer.usage_metadata["input_tokens"]

    short, long = prompt_tokens("Be brief."), prompt_tokens("Be brief. " * 10)

    assert long - short == pytest.approx(len(chat.get_token_ids(" Be brief." * 9)), abs=2)


def test_gguf_stream_yields_the_answer_in_pieces(chat: BaseChatModel, counted: AIMessage) -> None:
    pieces = [chunk.text for chunk in chat.stream(COUNT)]

    assert len([p for p in pieces if p]) > 5
    assert "".join(pieces) == counted.text


def test_gguf_async_stream(chat: BaseChatModel, counted: AIMessage) -> None:
    async def collect() -> list[str]:
        return [chunk.text async for chunk in chat.astream(COUNT)]

    assert "".join(asyncio.run(collect())) == counted.text


def test_gguf_honours_stop_sequences(chat: BaseChatModel) -> None:
    stopped = chat.invoke(COUNT, stop=["5"]).text
    streamed = "".join(chunk.text for chunk in chat.stream(COUNT, stop=["5"]))

    assert "4" in stopped
    assert "5" not in stopped
    assert streamed == stopped


def test_gguf_models_share_one_loaded_llama(chat: BaseChatModel) -> None:
    other = chat_model(f"gguf:{smollm2_gguf_path()}", n_ctx=2048, max_tokens=5)

    assert isinstance(chat, LlamaCppChat) and isinstance(other, LlamaCppChat)
    assert other._loaded() is chat._loaded()


def test_a_context_of_its_own_keeps_its_prompt_cached_between_other_calls(
    chat: BaseChatModel,
) -> None:
    # The claim judge's fixed instructions stay read while answers use the other context.
    assert isinstance(chat, LlamaCppChat)
    judge = chat.for_context("judge", n_ctx=1024)
    assert judge._loaded() is not chat._loaded()
    assert judge.for_context("judge", n_ctx=1024)._loaded() is judge._loaded()
    assert judge._loaded().llama.n_ctx() == 1024
    instructions = "You check claims against sentences. Reply Yes or No. " * 6
    judge.invoke([HumanMessage(instructions + "Claim one.")], max_tokens=1)
    chat.invoke([HumanMessage("Something else entirely.")], max_tokens=1)
    before = list(judge._loaded().llama._input_ids)
    judge.invoke([HumanMessage(instructions + "Claim two.")], max_tokens=1)
    after = list(judge._loaded().llama._input_ids)
    # The tokens reused from the cache: the whole of the instructions, not re-read.
    reused = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before)
    )
    assert reused >= len(judge.get_token_ids(instructions))


def test_a_context_of_its_own_runs_on_the_weights_already_loaded(chat: BaseChatModel) -> None:
    # A second context does not load the file again: the repacked weights are held once.
    assert isinstance(chat, LlamaCppChat)
    judge = chat.for_context("weights", n_ctx=512)
    question = [HumanMessage("Count from 1 to 5, separated by spaces.")]
    assert judge.invoke(question, max_tokens=8).text == chat.invoke(question, max_tokens=8).text
    owner, borrower = chat._loaded().llama, judge._loaded().llama
    assert borrower is not owner
    assert borrower._model.model == owner._model.model  # one llama.cpp model
    assert borrower.n_ctx() == 512


def _read_tokens(monkeypatch: pytest.MonkeyPatch, chat: LlamaCppChat) -> list[int]:
    """The number of tokens llama.cpp reads per call from now on (each call appends)."""
    llama = chat._loaded().llama
    counts: list[int] = []
    real = llama.eval

    def counting(tokens: Any) -> None:
        counts.append(len(tokens))
        real(tokens)

    monkeypatch.setattr(llama, "eval", counting)
    return counts


SYSTEM = SystemMessage("You are terse. " * 8)
ASKED = [SYSTEM, HumanMessage("Name three colours, then stop.")]


@pytest.fixture
def prefixed(chat: BaseChatModel) -> LlamaCppChat:
    """The model on a context of its own whose fixed prefix (SYSTEM) is read."""
    assert isinstance(chat, LlamaCppChat)
    model = chat.for_context("prefix", n_ctx=512)
    model.read_prefix([SYSTEM, HumanMessage("OK")])
    return model


def test_a_prompt_is_read_from_the_prefix_on_whatever_came_before(
    prefixed: LlamaCppChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same prompt is read the same way every time (after the fixed prefix, in one
    # go), not from the cache of an earlier call, whose sums differ a little and can turn
    # a near-tie into another answer.
    model = prefixed
    counts = _read_tokens(monkeypatch, model)
    first = model.invoke(ASKED, max_tokens=1)
    again = model.invoke(ASKED, max_tokens=1)
    model.invoke([SYSTEM, HumanMessage("Name a fish.")])
    after_other = model.invoke(ASKED, max_tokens=1)
    read = counts[0]
    assert read > 5  # the question, not the prefix: "You are terse." is read once
    assert read < len(model.get_token_ids(str(ASKED[0].content)))
    assert counts[1] == read  # not 1 token, as a prompt all in the cache would be
    assert counts[-1] == read
    assert first.text == again.text == after_other.text


def test_a_prompt_continuing_the_last_call_reuses_its_conversation(
    prefixed: LlamaCppChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A request that follows up the last call (the short answer after the cited reply)
    # reads only its own new turn.
    model = prefixed
    listed = "red, green, blue, yellow, purple, orange, pink, brown, grey, black and white"
    asked = [SYSTEM, HumanMessage(f"Of {listed}, name three colours, then stop.")]
    reply = model.invoke(asked, max_tokens=12)
    counts = _read_tokens(monkeypatch, model)
    model.invoke([*asked, AIMessage(reply.text), HumanMessage("Only the first.")], max_tokens=4)
    assert counts[0] < len(model.get_token_ids(listed))  # the question is not read again


def test_gguf_serialises_concurrent_calls(chat: BaseChatModel, counted: AIMessage) -> None:
    streamed: list[str] = []
    thread = threading.Thread(
        target=lambda: streamed.append("".join(chunk.text for chunk in chat.stream(COUNT)))
    )
    thread.start()
    invoked = chat.invoke(COUNT).text
    thread.join()

    assert [*streamed, invoked] == [counted.text, counted.text]


def test_gguf_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"model file not found: .*nope\.gguf"):
        chat_model(f"gguf:{tmp_path / 'nope.gguf'}")


def test_gguf_not_a_model(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file")
    chat = chat_model(f"gguf:{bogus}")

    with pytest.raises(ModelError, match="could not load"):
        chat.invoke("hi")


def test_local_spec_loads_nothing_until_used() -> None:
    loaded_before = dict(llms._LOADED)

    chat = chat_model("local", n_ctx=1024)

    assert isinstance(chat, LlamaCppChat)
    assert chat.model_path is None  # the Qwen parts are joined on first use
    assert loaded_before == llms._LOADED


# ---------------------------------------------------------------------------------------
# llama-cpp-python's OpenAI-compatible server, on loopback


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = LlamaServer(tmp_path_factory.mktemp("llama-server") / "server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.slow
def test_openai_compatible_server_invoke_and_stream(server_url: str) -> None:
    chat = chat_model("openai:smollm2", base_url=server_url, max_tokens=40)

    answer = chat.invoke(COUNT)
    pieces = [chunk.text for chunk in chat.stream(COUNT)]

    assert "1, 2, 3" in answer.text
    assert len([p for p in pieces if p]) > 5
    assert "".join(pieces).strip() == answer.text.strip()


@pytest.mark.slow
def test_openai_compatible_server_honours_max_tokens(server_url: str) -> None:
    chat = chat_model("openai:smollm2", base_url=server_url, max_tokens=3)

    answer = chat.invoke(COUNT)

    assert answer.usage_metadata and answer.usage_metadata["output_tokens"] == 3


def test_openai_dead_server_is_a_backend_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    chat = chat_model("openai:smollm2", base_url=url, timeout=5)

    with pytest.raises(BackendError) as invoked:
        chat.invoke("hi")
    with pytest.raises(BackendError) as streamed:
        list(chat.stream("hi"))

    for error in (invoked.value, streamed.value):
        message = str(error)
        assert "\n" not in message
        assert f"cannot reach the OpenAI-compatible server at {url}" in message
        assert "Connection refused" in message
        assert "start the server or check --backend / NEWSDESK_OPENAI_BASE_URL" in message


def test_ollama_dead_server_is_a_backend_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    chat = chat_model("ollama:qwen2.5:1.5b", base_url=url, timeout=5)

    with pytest.raises(
        BackendError, match=rf"cannot reach Ollama at {re.escape(url)} .*OLLAMA_HOST"
    ):
        chat.invoke("hi")
    with pytest.raises(BackendError, match=f"cannot reach Ollama at {re.escape(url)} "):
        list(chat.stream("hi"))


# ---------------------------------------------------------------------------------------
# specs and their settings


@pytest.mark.parametrize("spec", ["gpt-4o", "llama:x", ""])
def test_unknown_spec_lists_the_known_ones(spec: str) -> None:
    with pytest.raises(ConfigError) as caught:
        chat_model(spec)

    message = str(caught.value)
    assert "unknown chat model spec" in message
    for known in ("local", "gguf:PATH", "openai:MODEL", "ollama:MODEL", "extractive"):
        assert known in message


@pytest.mark.parametrize("spec", ["openai", "openai:", "gguf:", "ollama: ", "local:qwen"])
def test_malformed_spec(spec: str) -> None:
    with pytest.raises(ConfigError, match=r"write (openai:MODEL|gguf:PATH|ollama:MODEL|local)"):
        chat_model(spec)


def test_extractive_is_not_a_chat_model() -> None:
    with pytest.raises(ConfigError, match=r"'extractive' .* not a chat model"):
        chat_model("extractive")


def test_openai_without_key_or_server_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        chat_model("openai:gpt-4o-mini")


def test_openai_settings_come_from_arguments_then_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("NEWSDESK_OPENAI_BASE_URL", "http://127.0.0.1:2/v1")

    from_env = chat_model("openai:m")
    from_args = chat_model("openai:m", base_url="http://127.0.0.1:3/v1", api_key="sk-x")

    assert from_env.openai_api_base == "http://127.0.0.1:2/v1"  # type: ignore[attr-defined]
    assert from_env.openai_api_key.get_secret_value() == "not-needed"  # type: ignore[attr-defined]
    assert from_env.max_retries == 1  # type: ignore[attr-defined]
    assert from_args.openai_api_base == "http://127.0.0.1:3/v1"  # type: ignore[attr-defined]
    assert from_args.openai_api_key.get_secret_value() == "sk-x"  # type: ignore[attr-defined]


def test_ollama_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert chat_model("ollama:m").base_url == "http://127.0.0.1:11434"  # type: ignore[attr-defined]
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9999")
    assert chat_model("ollama:m").base_url == "http://127.0.0.1:9999"  # type: ignore[attr-defined]
