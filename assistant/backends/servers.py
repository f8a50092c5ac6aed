"""Model servers: OpenAI-compatible (vLLM, llama.cpp's server, LM Studio, OpenAI) and
Ollama, as LangChain chat models whose every failure to reach or use the server is one
:class:`~assistant.errors.BackendError` line, from ``invoke``, ``stream``, ``batch`` and
their async forms alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from langchain_core.outputs import ChatGenerationChunk, ChatResult

from assistant.errors import BackendError, NewsdeskError

if TYPE_CHECKING:
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


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
# classes are made on first use, keeping `import assistant.backends` fast for the page and CLI.


@cache
def openai_class() -> type[ChatOpenAI]:
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
def ollama_class() -> type[ChatOllama]:
    """``ChatOllama`` whose server failures are :class:`BackendError` lines."""
    from langchain_ollama import ChatOllama

    class OllamaChat(_ServerErrors, ChatOllama):
        def _backend(self) -> tuple[str, str]:
            return f"ollama:{self.model}", self.base_url or OLLAMA_DEFAULT_URL

    return OllamaChat
