"""Chat-model backends, chosen by a spec string.

    local               Qwen2.5-Coder-1.5B-Instruct, packaged, on llama.cpp (joined on first use)
    gguf:PATH           any GGUF file on llama.cpp
    openai:MODEL        OpenAI, or any OpenAI-compatible server (vLLM, llama.cpp's server,
                        LM Studio) given a base URL
    ollama:MODEL        a model served by Ollama

``extractive`` is the no-LLM backend; it is not a chat model and lives in
:mod:`assistant.extractive`. Every backend is a LangChain ``BaseChatModel``, and every
failure to reach a server surfaces as one :class:`~assistant.errors.BackendError` line
from ``invoke``, ``stream``, ``batch`` and their async forms alike.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import SecretStr

from assistant.errors import BackendError, ConfigError, ModelError, NewsdeskError
from assistant.models import qwen_gguf_path, qwen_part_paths

if TYPE_CHECKING:
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI
    from llama_cpp import Llama

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


# ---------------------------------------------------------------------------------------
# llama.cpp, in process


@dataclass
class _Loaded:
    llama: Llama
    lock: threading.Lock  # llama.cpp is not thread-safe: one generation at a time


# One loaded model per (file, context size) per process: every LlamaCppChat made for the
# same file shares its weights (mmap'd, so the page cache holds them once) and its KV cache.
_LOADED: dict[tuple[str, int], _Loaded] = {}
_LOADING = threading.Lock()


def _load_llama(path: Path, *, n_ctx: int, n_threads: int | None) -> _Loaded:
    """The process's ``Llama`` for ``path`` and ``n_ctx``, loaded on first call."""
    key = (str(path.resolve()), n_ctx)
    with _LOADING:
        if key in _LOADED:
            return _LOADED[key]
        if not path.is_file():
            raise ModelError(f"model file not found: {path}; check the path after 'gguf:'")
        from llama_cpp import Llama

        try:
            llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads or os.cpu_count(),
                n_batch=512,
                use_mmap=True,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"llama.cpp could not load {path} ({exc}); check that it is a GGUF model file"
            ) from exc
        _LOADED[key] = loaded = _Loaded(llama, threading.Lock())
        # Free it before interpreter teardown: llama.cpp's own __del__ runs too late
        # then and prints a traceback on exit.
        atexit.register(llama.close)
        return loaded


_ROLES: dict[type[BaseMessage], str] = {
    SystemMessage: "system",
    HumanMessage: "user",
    AIMessage: "assistant",
    ToolMessage: "tool",
}


def _to_llama_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages → the OpenAI-style dicts llama-cpp-python takes."""
    out = []
    for message in messages:
        if isinstance(message, ChatMessage):
            role = message.role
        else:
            role = next((r for cls, r in _ROLES.items() if isinstance(message, cls)), "user")
        out.append({"role": role, "content": message.text})
    return out


class LlamaCppChat(BaseChatModel):
    """A GGUF chat model run in process by llama.cpp, with the model's own chat template.

    The ``Llama`` loads on first use and is shared by every instance for the same file
    and context size. Calls are serialised by a lock, and the KV cache is never reset
    between them: llama-cpp-python re-evaluates only the tokens after the longest prefix
    the new prompt shares with the previous one, so a fixed system prompt is paid once.

    Example:
        >>> chat = LlamaCppChat(model_path=Path("model.gguf"), max_tokens=64)
        >>> chat.invoke("Say hi").content  # doctest: +SKIP
    """

    model_path: Path | None = None
    """The GGUF file; ``None`` means the packaged Qwen model (:func:`qwen_gguf_path`)."""
    n_ctx: int = 4096
    """Context window in tokens: prompt plus answer."""
    n_threads: int | None = None
    """CPU threads; ``None`` means ``os.cpu_count()``."""
    temperature: float = 0.0
    max_tokens: int = 384
    stop: list[str] | None = None
    """Stop sequences added to those of every call."""

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": str(self.model_path or "local"),
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    @property
    def model_name(self) -> str:
        return self.model_path.name if self.model_path else "qwen2.5-coder-1.5b-instruct"

    def _loaded(self) -> _Loaded:
        path = self.model_path if self.model_path is not None else qwen_gguf_path()
        return _load_llama(path, n_ctx=self.n_ctx, n_threads=self.n_threads)

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        stops = [*(self.stop or []), *(stop or [])]
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": stops,
        }
        params.update(kwargs)
        return params

    def get_token_ids(self, text: str) -> list[int]:
        """Tokens of ``text`` by the model's own tokenizer (LangChain's default is GPT-2's,
        fetched from the Hugging Face hub)."""
        return self._loaded().llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        loaded = self._loaded()
        with loaded.lock:
            response = cast(
                dict[str, Any],
                loaded.llama.create_chat_completion(
                    messages=_to_llama_messages(messages),  # type: ignore[arg-type]
                    **self._params(stop, kwargs),
                ),
            )
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={
                "model_name": self.model_name,
                "finish_reason": choice.get("finish_reason"),
            },
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = self._loaded()
        # The lock is held until the stream ends or is closed: a second caller waits
        # rather than interleaving with this generation's KV cache.
        with loaded.lock:
            parts = loaded.llama.create_chat_completion(
                messages=_to_llama_messages(messages),  # type: ignore[arg-type]
                stream=True,
                **self._params(stop, kwargs),
            )
            for part in cast(Iterator[dict[str, Any]], parts):
                choice = part["choices"][0]
                text = choice["delta"].get("content") or ""
                finish = choice.get("finish_reason")
                if not text and not finish:
                    continue
                metadata = (
                    {"model_name": self.model_name, "finish_reason": finish} if finish else {}
                )
                chunk = ChatGenerationChunk(
                    message=AIMessageChunk(content=text, response_metadata=metadata)
                )
                if run_manager and text:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk


# ---------------------------------------------------------------------------------------
# servers: OpenAI-compatible and Ollama


@contextmanager
def backend_errors(spec: str, url: str) -> Iterator[None]:
    """Turn a failure to reach or use a model server into one :class:`BackendError` line.

    The ``openai:`` and ``ollama:`` models made here already apply it to every call; it is
    public for code that drives a client of its own.

    Example:
        >>> with backend_errors("openai:gpt-4o-mini", "http://127.0.0.1:8000/v1"):
        ...     model.invoke("hi")  # doctest: +SKIP
    """
    try:
        yield
    except NewsdeskError:
        raise
    except Exception as exc:
        error = _as_backend_error(exc, spec, url)
        if error is None:
            raise
        raise error from exc


def _as_backend_error(
    exc: Exception, spec: str, url: str, *, midway: bool = False
) -> BackendError | None:
    """The one-line BackendError for ``exc``, or None if it is not a server failure.

    ``midway``: the server had begun streaming the answer, so it was reachable and then
    stopped (it crashed, was killed, or hangs), which calls for another fix than a server
    never reached.
    """
    import httpx

    ollama = spec.startswith("ollama:")
    if ollama:
        where = f"Ollama at {url}"
        fix = "start it with `ollama serve` or check --backend / OLLAMA_HOST"
    else:
        where = f"the OpenAI-compatible server at {url}"
        fix = "start the server or check --backend / NEWSDESK_OPENAI_BASE_URL"
    if midway and (
        isinstance(exc, httpx.TransportError | ConnectionError)
        or _is_openai_connection_error(exc, ollama)
    ):
        timed_out = isinstance(exc, httpx.TimeoutException) or (
            not ollama and _is_openai_timeout(exc)
        )
        reason = "no more output in time" if timed_out else _reason(exc, low_level=True)
        return BackendError(
            f"{where} stopped responding in the middle of the answer ({reason}); check that "
            "it is still running (its log says why it stopped), restart it if not, and ask again"
        )
    if isinstance(exc, httpx.TimeoutException):
        return BackendError(f"{where} did not answer in time ({spec}); {fix}, or raise the timeout")
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return BackendError(f"cannot reach {where} ({_reason(exc, low_level=True)}); {fix}")
    if not ollama:
        return _openai_error(exc, spec, where, fix)
    from ollama import ResponseError

    if isinstance(exc, ResponseError):
        name = spec.partition(":")[2]
        fix = f"run `ollama pull {name}`" if exc.status_code == 404 else "check Ollama's log"
        return BackendError(f"{where} answered {exc.status_code} ({_reason(exc)}); {fix}")
    return None


def _is_openai_connection_error(exc: Exception, ollama: bool) -> bool:
    """An openai connection error (timeouts included); False for Ollama, whose client
    raises httpx's own."""
    if ollama:
        return False
    import openai

    return isinstance(exc, openai.APIConnectionError)


def _is_openai_timeout(exc: Exception) -> bool:
    import openai

    return isinstance(exc, openai.APITimeoutError)


def _openai_error(exc: Exception, spec: str, where: str, fix: str) -> BackendError | None:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return BackendError(f"{where} did not answer in time ({spec}); {fix}, or raise the timeout")
    if isinstance(exc, openai.APIConnectionError):
        return BackendError(f"cannot reach {where} ({_reason(exc, low_level=True)}); {fix}")
    reason = _reason(exc)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return BackendError(
            f"{where} refused the API key ({exc.status_code}: {reason}); set OPENAI_API_KEY"
        )
    if isinstance(exc, openai.NotFoundError):
        return BackendError(
            f"{where} answered 404 for model {spec.partition(':')[2]!r} ({reason}); check the "
            "model name in --backend and that the base URL ends in /v1"
        )
    if isinstance(exc, openai.APIStatusError):
        return BackendError(
            f"{where} answered {exc.status_code} ({reason}); check the server's log"
        )
    return None


def _reason(exc: BaseException, *, low_level: bool = False) -> str:
    """A short, one-line account of ``exc``; with ``low_level``, of the deepest error beneath
    it (clients wrap "[Errno 111] Connection refused" in a bare "Connection error.")."""
    chain = [exc]
    while low_level and len(chain) < 10 and (below := chain[-1].__cause__ or chain[-1].__context__):
        chain.append(below)
    for error in reversed(chain):
        if text := " ".join(str(error).split()):
            return text[:200]
    return type(exc).__name__


class _ServerErrors:
    """Mixin for LangChain chat models: every call runs inside :func:`backend_errors`."""

    def _backend(self) -> tuple[str, str]:
        """The spec and server URL named in error messages."""
        raise NotImplementedError

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        with backend_errors(*self._backend()):
            return super()._generate(*args, **kwargs)  # type: ignore[misc]

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        spec, url = self._backend()
        started = False  # once a chunk is in, a lost connection is a server that stopped
        try:
            for chunk in super()._stream(*args, **kwargs):  # type: ignore[misc]
                started = True
                yield chunk
        except NewsdeskError:
            raise
        except Exception as exc:
            error = _as_backend_error(exc, spec, url, midway=started)
            if error is None:
                raise
            raise error from exc

    async def _agenerate(self, *args: Any, **kwargs: Any) -> ChatResult:
        with backend_errors(*self._backend()):
            return await super()._agenerate(*args, **kwargs)  # type: ignore[misc]

    async def _astream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        spec, url = self._backend()
        started = False
        try:
            async for chunk in super()._astream(*args, **kwargs):  # type: ignore[misc]
                started = True
                yield chunk
        except NewsdeskError:
            raise
        except Exception as exc:
            error = _as_backend_error(exc, spec, url, midway=started)
            if error is None:
                raise
            raise error from exc


# The LangChain server clients cost a second of imports (openai alone ~0.8 s), so their
# classes are made on first use, keeping `import assistant.llms` fast for the page and CLI.


@cache
def _openai_class() -> type[ChatOpenAI]:
    """``ChatOpenAI`` whose server failures are :class:`BackendError` lines."""
    from langchain_openai import ChatOpenAI

    class OpenAIChat(_ServerErrors, ChatOpenAI):
        def _backend(self) -> tuple[str, str]:
            return f"openai:{self.model_name}", self.openai_api_base or OPENAI_DEFAULT_URL

        def _get_request_payload(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            payload: dict[str, Any] = super()._get_request_payload(*args, **kwargs)
            # ChatOpenAI sends OpenAI's newer `max_completion_tokens`; servers that copy
            # the older API (llama.cpp's, LM Studio) ignore it and answer up to n_ctx.
            if self.openai_api_base and "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return OpenAIChat


@cache
def _ollama_class() -> type[ChatOllama]:
    """``ChatOllama`` whose server failures are :class:`BackendError` lines."""
    from langchain_ollama import ChatOllama

    class OllamaChat(_ServerErrors, ChatOllama):
        def _backend(self) -> tuple[str, str]:
            return f"ollama:{self.model}", self.base_url or OLLAMA_DEFAULT_URL

    return OllamaChat


# ---------------------------------------------------------------------------------------
# specs


@dataclass(frozen=True)
class _Options:
    temperature: float
    max_tokens: int
    n_ctx: int
    n_threads: int | None
    base_url: str | None
    api_key: str | None
    timeout: float


def _make_local(arg: str, o: _Options) -> BaseChatModel:
    qwen_part_paths()  # fail now, not on the first question, if a part package is missing
    return LlamaCppChat(
        model_path=None,
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
    return _openai_class()(
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
    return _ollama_class()(
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
    temperature: float = 0.0,
    max_tokens: int = 384,
    n_ctx: int = 4096,
    n_threads: int | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 120.0,
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

    Returns:
        A LangChain ``BaseChatModel``; server failures come out of its calls as
        :class:`BackendError`.

    Raises:
        ConfigError: the spec is unknown, lacks its argument, or is ``extractive``; or
            ``openai:`` has neither an API key nor a base URL.
        ModelError: the ``gguf:`` file or a ``local`` model package is missing.

    Example:
        >>> chat = make_chat_model("openai:qwen", base_url="http://127.0.0.1:8000/v1")
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
    )
    return backend.make(arg.strip(), options)
