"""Chat-model backends by spec string: the registry and :func:`make_chat_model`.

    local               Qwen2.5-Coder-1.5B-Instruct, packaged, on llama.cpp (joined on first use)
    gguf:PATH           any GGUF file on llama.cpp
    openai:MODEL        OpenAI, or any OpenAI-compatible server (vLLM, llama.cpp's server,
                        LM Studio) given a base URL
    ollama:MODEL        a model served by Ollama

``extractive`` is the no-LLM backend; it is not a chat model and lives in
:mod:`assistant.answering.extractive`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.backends.llamacpp import LlamaCppChat
from assistant.backends.servers import OLLAMA_DEFAULT_URL, ollama_class, openai_class
from assistant.errors import ConfigError, ModelError
from assistant.models.files import qwen_part_paths

# Every answer backend a user can name, as they write it.
BACKENDS = ("local", "gguf:PATH", "openai:MODEL", "ollama:MODEL", "extractive")


@dataclass(frozen=True)
class _Options:
    temperature: float
    max_tokens: int
    n_ctx: int
    n_threads: int | None
    base_url: str | None
    api_key: str | None
    timeout: float
    model_dir: Path | None


def _make_local(arg: str, o: _Options) -> BaseChatModel:
    qwen_part_paths()  # fail now, not on the first question, if a part package is missing
    return LlamaCppChat(
        model_path=None,
        model_dir=o.model_dir,
        n_ctx=o.n_ctx,
        n_threads=o.n_threads,
        temperature=o.temperature,
        max_tokens=o.max_tokens,
    )


def _make_gguf(arg: str, o: _Options) -> BaseChatModel:
    path = Path(arg).expanduser()
    if not path.is_file():
        raise ModelError(f"model file not found: {path}; check the path after 'gguf:'")
    return LlamaCppChat(
        model_path=path.resolve(),
        n_ctx=o.n_ctx,
        n_threads=o.n_threads,
        temperature=o.temperature,
        max_tokens=o.max_tokens,
    )


def _make_openai(arg: str, o: _Options) -> BaseChatModel:
    base_url = (
        o.base_url
        or os.environ.get("NEWSDESK_OPENAI_BASE_URL")
        or os.environ.get("OPENAI_BASE_URL")
        or None
    )
    api_key = o.api_key or os.environ.get("OPENAI_API_KEY")
    if not api_key:
        if not base_url:
            raise ConfigError(
                f"openai:{arg} needs an API key; set OPENAI_API_KEY, or point "
                "NEWSDESK_OPENAI_BASE_URL at a local OpenAI-compatible server"
            )
        api_key = "not-needed"  # local servers ignore it, but the client insists on one
    return openai_class()(
        model=arg,
        base_url=base_url,
        api_key=SecretStr(api_key),
        temperature=o.temperature,
        max_completion_tokens=o.max_tokens,
        timeout=o.timeout,
        max_retries=1,  # a dead server should fail in a second, not after minutes of backoff
    )


def _make_ollama(arg: str, o: _Options) -> BaseChatModel:
    base_url = o.base_url or os.environ.get("OLLAMA_HOST") or OLLAMA_DEFAULT_URL
    return ollama_class()(
        model=arg,
        base_url=base_url,
        temperature=o.temperature,
        num_predict=o.max_tokens,
        num_ctx=o.n_ctx,
        client_kwargs={"timeout": o.timeout},
    )


@dataclass(frozen=True)
class _Backend:
    usage: str
    make: Callable[[str, _Options], BaseChatModel]
    takes_arg: bool = True


CHAT_BACKENDS: dict[str, _Backend] = {
    "local": _Backend("local", _make_local, takes_arg=False),
    "gguf": _Backend("gguf:PATH", _make_gguf),
    "openai": _Backend("openai:MODEL", _make_openai),
    "ollama": _Backend("ollama:MODEL", _make_ollama),
}
"""Spec prefix → backend; the spec's text after the first ``:`` is the backend's argument."""


def make_chat_model(
    spec: str,
    *,
    temperature: float,
    max_tokens: int,
    n_ctx: int,
    timeout: float,
    n_threads: int | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model_dir: Path | None = None,
) -> BaseChatModel:
    """The chat model a spec string names; nothing heavy loads until its first call.

    Args:
        spec: ``local``, ``gguf:PATH``, ``openai:MODEL`` or ``ollama:MODEL``.
        temperature: sampling temperature; 0 answers greedily, the same way every time.
        max_tokens: most tokens in an answer.
        n_ctx: context window of llama.cpp models (and of Ollama's), in tokens.
        n_threads: CPU threads of llama.cpp models; ``None`` means all cores.
        base_url: server URL for ``openai:`` (else ``NEWSDESK_OPENAI_BASE_URL``, else
            ``OPENAI_BASE_URL``, else OpenAI's) and ``ollama:`` (else ``OLLAMA_HOST``,
            else http://127.0.0.1:11434).
        api_key: key for ``openai:`` (else ``OPENAI_API_KEY``; a local server needs none).
        timeout: seconds to wait for a server's answer.
        model_dir: where ``local`` joins its model file; ``None`` means
            :func:`~assistant.models.files.default_model_dir`.

    The Assistant passes every option from ``Settings.llm``, the one place with defaults.

    Returns:
        A LangChain ``BaseChatModel``; server failures come out of its calls as
        :class:`BackendError`.

    Raises:
        ConfigError: the spec is unknown, lacks its argument, or is ``extractive``; or
            ``openai:`` has neither an API key nor a base URL.
        ModelError: the ``gguf:`` file or a ``local`` model package is missing.

    Example:
        >>> chat = make_chat_model(
        ...     "openai:qwen", temperature=0.0, max_tokens=256, n_ctx=4096, timeout=120.0,
        ...     base_url="http://127.0.0.1:8000/v1",
        ... )
        >>> chat.invoke("Who won?").content  # doctest: +SKIP
    """
    spec = spec.strip()
    prefix, colon, arg = spec.partition(":")
    prefix = prefix.lower()
    known = ", ".join(backend.usage for backend in CHAT_BACKENDS.values())
    if prefix == "extractive":
        raise ConfigError(
            "'extractive' answers by quoting passages and is not a chat model; choose it "
            f"as the backend setting, or give make_chat_model one of: {known}"
        )
    backend = CHAT_BACKENDS.get(prefix)
    if backend is None:
        raise ConfigError(f"unknown chat model spec {spec!r}; known specs: {known}, extractive")
    if backend.takes_arg and not arg.strip():
        raise ConfigError(
            f"chat model spec {spec!r} is missing its argument; write {backend.usage}"
        )
    if not backend.takes_arg and colon:
        raise ConfigError(f"chat model spec {spec!r} takes no argument; write {backend.usage}")
    options = _Options(
        temperature=temperature,
        max_tokens=max_tokens,
        n_ctx=n_ctx,
        n_threads=n_threads,
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        model_dir=model_dir,
    )
    return backend.make(arg.strip(), options)
