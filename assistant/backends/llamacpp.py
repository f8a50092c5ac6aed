"""llama.cpp in process: a GGUF chat model as a LangChain ``BaseChatModel``."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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

from assistant.errors import ModelError
from assistant.models.files import qwen_gguf_path

if TYPE_CHECKING:
    from llama_cpp import Llama


@dataclass
class _Loaded:
    llama: Llama
    lock: threading.Lock  # llama.cpp is not thread-safe: one generation at a time
    prefix: list[int] | None = None
    """The tokens of the context's fixed prompt prefix (:meth:`LlamaCppChat.read_prefix`)."""
    last: list[dict[str, str]] | None = None
    """The messages of the context's last call."""


# One loaded model per (file, context size, context name) per process: every LlamaCppChat
# made for the same file and context shares its KV cache. A second context on a file
# already loaded runs on the same llama.cpp model (_lent_model), so the weights llama.cpp
# repacks for the CPU (about 600 MB for the packaged model) are held once; each context
# has its own KV cache (docs/architecture.md).
_LOADED: dict[tuple[str, int, str], _Loaded] = {}
_LOADING = threading.Lock()


class _LentModel:
    """A loaded llama.cpp model (``llama_cpp._internals.LlamaModel``) lent to a second
    ``Llama``: everything is the owner's, except that closing it does nothing, so the
    borrower's close leaves the weights to their owner."""

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._owner, name)

    def close(self) -> None:
        pass


@contextmanager
def _lent_model(owner: Llama | None) -> Iterator[None]:
    """While it is open, a ``Llama`` made for the same file runs on ``owner``'s model
    instead of loading the file again. llama-cpp-python's ``Llama`` takes no loaded
    model, but it makes its model through ``llama_cpp._internals.LlamaModel``, which is
    swapped here (callers hold ``_LOADING``; the version is pinned in pyproject.toml)."""
    if owner is None:
        yield
        return
    from llama_cpp import _internals

    real = _internals.LlamaModel
    _internals.LlamaModel = lambda **_: _LentModel(owner._model)  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        _internals.LlamaModel = real  # type: ignore[misc]


def _load_llama(path: Path, *, n_ctx: int, n_threads: int | None, context: str) -> _Loaded:
    """The process's ``Llama`` for ``path``, ``n_ctx`` and ``context``, loaded on first
    call."""
    key = (str(path.resolve()), n_ctx, context)
    with _LOADING:
        if key in _LOADED:
            return _LOADED[key]
        if not path.is_file():
            raise ModelError(f"model file not found: {path}; check the path after 'gguf:'")
        from llama_cpp import Llama

        # Another context on this file already loaded: its model is lent, not loaded again
        # (it was registered for closing first, so atexit closes it last).
        owner = next((v.llama for k, v in _LOADED.items() if k[0] == key[0]), None)
        try:
            with _lent_model(owner):
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


def _hold_to_prefix(loaded: _Loaded, messages: list[dict[str, str]]) -> None:
    """Before a call (under the lock): unless ``messages`` continue the context's last
    call (the same messages and more, as a short-answer request follows the answer it is
    about), cut the cache back to what it shares with the fixed prefix, so llama.cpp
    reads the rest of the prompt in one go, as it did the first time.

    llama.cpp's sums come out a little differently when a prompt's tokens are read in
    other batches: read in one batch, or all but its last token taken from the cache of
    an earlier call, the same prompt gave the 1.5B model "The White House." one time and
    "Moscow." the next. Held to the prefix, the answer to a question on the same passages
    no longer turns on what was asked before; a prompt repeated word for word is read
    again (the fixed prefix is still read once)."""
    last, loaded.last = loaded.last, messages
    continues = last is not None and len(messages) > len(last) and messages[: len(last)] == last
    if loaded.prefix is None or continues:
        return
    llama = loaded.llama
    cached = llama.input_ids[: llama.n_tokens].tolist()
    llama.n_tokens = llama.longest_token_prefix(cached, loaded.prefix)


class LlamaCppChat(BaseChatModel):
    """A GGUF chat model run in process by llama.cpp, with the model's own chat template.

    The ``Llama`` loads on first use and is shared by every instance for the same file
    and context size. Calls are serialised by a lock, and the KV cache is never reset
    between them: llama-cpp-python re-evaluates only the tokens after the longest prefix
    the new prompt shares with the previous one, so a fixed system prompt is paid once.

    Once a context's fixed prefix is read (:meth:`read_prefix`), a prompt that does not
    continue the context's last conversation reuses the cache only up to that prefix and
    reads the rest afresh, so the same prompt gets the same reply whatever came before it
    (:func:`_hold_to_prefix`).

    Example:
        >>> chat = LlamaCppChat(
        ...     model_path=Path("model.gguf"), n_ctx=4096, temperature=0.0, max_tokens=64
        ... )
        >>> chat.invoke("Say hi").content  # doctest: +SKIP
    """

    model_path: Path | None = None
    """The GGUF file; ``None`` means the packaged Qwen model (:func:`qwen_gguf_path`)."""
    model_dir: Path | None = None
    """Where the packaged Qwen model is joined; ``None`` means :func:`default_model_dir`."""
    n_ctx: int
    """Context window in tokens: prompt plus answer."""
    n_threads: int | None = None
    """CPU threads; ``None`` means ``os.cpu_count()``."""
    temperature: float
    max_tokens: int
    """Most tokens in an answer (the Assistant passes ``LLMSettings.max_tokens``)."""
    stop: list[str] | None = None
    """Stop sequences added to those of every call."""
    context: str = "answer"
    """Which of the model's contexts (KV caches) the calls use. Each keeps the prompt
    prefix of its own calls: the claim judge (:meth:`for_context`) reads its fixed
    instructions once, where in the answer's context every answer prompt evicted them."""

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
        path = self.model_path if self.model_path is not None else qwen_gguf_path(self.model_dir)
        return _load_llama(path, n_ctx=self.n_ctx, n_threads=self.n_threads, context=self.context)

    def for_context(self, context: str, *, n_ctx: int | None = None) -> LlamaCppChat:
        """The same model on a context (KV cache) of its own, made on first use; the
        loaded weights are shared. ``n_ctx``: its size, when it needs less than the
        answers'."""
        return self.model_copy(update={"context": context, "n_ctx": n_ctx or self.n_ctx})

    def read_prefix(self, messages: list[BaseMessage]) -> None:
        """Read ``messages``, the start every prompt of this context shares, into the KV
        cache (one token written) and hold later prompts' cache reuse to it."""
        loaded = self._loaded()
        with loaded.lock:  # no other call between the read and what it left in the cache
            self._complete(loaded, messages, None, {"max_tokens": 1})
            llama = loaded.llama
            loaded.prefix = [int(t) for t in llama.input_ids[: llama.n_tokens]]

    def _complete(
        self,
        loaded: _Loaded,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        *,
        stream: bool = False,
    ) -> Any:
        """llama.cpp's chat completion of ``messages`` (the caller holds the lock), the
        cache first held to the prefix (:func:`_hold_to_prefix`)."""
        llama_messages = _to_llama_messages(messages)
        _hold_to_prefix(loaded, llama_messages)
        return loaded.llama.create_chat_completion(
            messages=llama_messages,  # type: ignore[arg-type]
            stream=stream,
            **self._params(stop, kwargs),
        )

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
            response = cast(dict[str, Any], self._complete(loaded, messages, stop, kwargs))
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
            parts = self._complete(loaded, messages, stop, kwargs, stream=True)
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
