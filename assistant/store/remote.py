"""Embeddings from a server: any OpenAI-compatible ``/v1/embeddings`` endpoint.

vLLM, Text Embeddings Inference, llama.cpp's server started with ``--embedding`` and
Ollama's OpenAI endpoint all answer ``POST {base_url}/embeddings`` with
``{"model": MODEL, "input": [texts]}``. A collection too big to embed on one machine's
CPU is built and searched with the same server's vectors: the spec ``openai:MODEL`` is
what the collection records as its ``embedding_model``, so opening it with another
embedder is a :class:`~assistant.errors.CollectionMismatch`.

A dropped connection, a timeout or a 5xx reply is tried again, after 0.5 s, then 1 s;
after the last try it is one :class:`~assistant.errors.EmbeddingError` line naming the
server and the fix. A 4xx reply (an unknown model, an input too long) is not retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ConfigError, EmbeddingError
from assistant.store.embedder import TextEmbedder

if TYPE_CHECKING:
    import httpx

SPEC_PREFIX = "openai:"
TRIES = 3  # a restart or a load balancer's hiccup passes within the 1.5 s of backoff
BACKOFF_S = 0.5  # doubled after each failed try
_FIX = (
    "start it (an OpenAI-compatible /v1/embeddings: vLLM, Text Embeddings Inference, "
    "llama.cpp's server with --embedding, Ollama) or point NEWSDESK_EMBEDDINGS_BASE_URL at it"
)


class RemoteEmbedder(TextEmbedder):
    """Vectors from an OpenAI-compatible embedding server, normalised here.

    Example:
        >>> embedder = RemoteEmbedder(
        ...     "openai:bge-small-en-v1.5", base_url="http://127.0.0.1:8080/v1",
        ...     batch_size=64, timeout=60.0,
        ... )
        >>> embedder.encode(["Who won?"]).shape  # doctest: +SKIP
        (1, 384)

    Args:
        spec: ``openai:MODEL``; MODEL is sent as the request's ``model``.
        base_url: the server's API root, e.g. ``http://127.0.0.1:8080/v1``.
        batch_size: most texts per request.
        timeout: seconds to wait for one reply.
        api_key: sent as a Bearer token when given (OpenAI itself wants one).

    Raises:
        ConfigError: the spec is not ``openai:MODEL``.
    """

    def __init__(
        self,
        spec: str,
        *,
        base_url: str,
        batch_size: int,
        timeout: float,
        api_key: str | None = None,
        tries: int = TRIES,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        self.model = parse_spec(spec)
        self.model_name = SPEC_PREFIX + self.model
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size
        self.timeout = timeout
        self.tries = max(1, tries)
        self.backoff_s = backoff_s
        self._api_key = api_key
        self._dimensions: int | None = None
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.base_url

    @property
    def dimensions(self) -> int:
        """Learned from the server's first reply; asks it for one vector if none came yet."""
        if self._dimensions is None:
            self.encode(["dimensions"])
        assert self._dimensions is not None
        return self._dimensions

    @property
    def client(self) -> httpx.Client:
        """One connection pool, shared by the threads of an evaluation or the page."""
        with self._client_lock:
            if self._client is None:
                import httpx

                headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
                self._client = httpx.Client(timeout=self.timeout, headers=headers)
            return self._client

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised float32 vectors, one row per text, ``batch_size`` texts a request.

        Raises:
            EmbeddingError: the server cannot be reached or keeps failing, or its reply
                is not the embeddings asked for.
        """
        if not texts:
            return np.zeros((0, self._dimensions or 0), dtype=np.float32)
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self._embed(list(texts[start : start + self.batch_size])))
        vectors = np.vstack(rows).astype(np.float32, copy=False)
        if self._dimensions is None:
            self._dimensions = int(vectors.shape[1])
        elif vectors.shape[1] != self._dimensions:
            raise EmbeddingError(
                f"the embedding server at {self.base_url} sent {vectors.shape[1]}-number "
                f"vectors after {self._dimensions}-number ones; check that it still serves "
                f"{self.model!r}"
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def _embed(self, batch: list[str]) -> list[np.ndarray]:
        """One request's vectors, in the order of ``batch``."""
        if not self.base_url:
            raise EmbeddingError(
                f"no URL for the embedding server of {self.model_name}; set "
                "NEWSDESK_EMBEDDINGS_BASE_URL, e.g. http://127.0.0.1:8080/v1"
            )
        response = self._post({"model": self.model, "input": batch})
        try:
            data = sorted(response.json()["data"], key=lambda item: int(item["index"]))
            vectors = [_pooled(item["embedding"]) for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(
                f"the embedding server at {self.base_url} sent a reply that is not "
                f"embeddings ({type(exc).__name__}: {exc}); check that the URL is its "
                "OpenAI-compatible API root (it usually ends in /v1)"
            ) from exc
        if len(vectors) != len(batch):
            raise EmbeddingError(
                f"the embedding server at {self.base_url} sent {len(vectors)} vectors for "
                f"{len(batch)} texts; check its batch limits or lower NEWSDESK_EMBED_BATCH_SIZE"
            )
        return vectors

    def _post(self, payload: dict[str, Any]) -> httpx.Response:
        """POST to ``/embeddings``, tried again on a dropped connection or a 5xx reply."""
        import httpx

        url = f"{self.base_url}/embeddings"
        reason = ""
        for attempt in range(1, self.tries + 1):
            if attempt > 1:
                time.sleep(self.backoff_s * 2 ** (attempt - 2))
            try:
                response = self.client.post(url, json=payload)
            except httpx.TimeoutException:
                reason = f"no reply within {self.timeout:g} s"
                continue
            except httpx.TransportError as exc:
                reason = _reason(exc)
                continue
            if response.status_code >= 500:
                reason = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise EmbeddingError(
                    f"the embedding server at {self.base_url} refused the request (HTTP "
                    f"{response.status_code}: {_said(response)}); check the model in "
                    f"NEWSDESK_EMBEDDINGS={self.model_name} and, for a long input, the "
                    "server's batch or context size"
                )
            return response
        raise EmbeddingError(
            f"the embedding server at {self.base_url} failed {self.tries} tries ({reason}); {_FIX}"
        )


def parse_spec(spec: str) -> str:
    """The model of an ``openai:MODEL`` embeddings spec.

    Raises:
        ConfigError: anything else.
    """
    prefix, sep, model = spec.partition(":")
    if prefix.strip().lower() != SPEC_PREFIX[:-1] or not sep or not model.strip():
        raise ConfigError(
            f"embeddings {spec!r}: expected openai:MODEL (a model of an OpenAI-compatible "
            "embedding server), or leave it unset for the profile's packaged model"
        )
    return model.strip()


def _pooled(embedding: Any) -> np.ndarray:
    """One vector. llama-cpp-python's server sends one per token for a model without
    pooling (SmolLM2 and other chat models); their mean stands for the text."""
    vector = np.asarray(embedding, dtype=np.float32)
    if vector.ndim == 2 and len(vector):
        return vector.mean(axis=0)
    if vector.ndim != 1 or not len(vector):
        raise ValueError(f"an embedding of shape {vector.shape}")
    return vector


def _reason(exc: Exception) -> str:
    """The innermost cause of a transport failure, e.g. 'Connection refused'."""
    while exc.__cause__ is not None and isinstance(exc.__cause__, Exception):
        exc = exc.__cause__
    text = str(exc).strip() or type(exc).__name__
    return text.rsplit("] ", 1)[-1]  # "[Errno 111] Connection refused" -> the words


def _said(response: httpx.Response) -> str:
    """The server's own words about a refused request, shortened to one line."""
    try:
        body = response.json()
        error = body.get("error", body) if isinstance(body, dict) else body
        text = str(error.get("message", error) if isinstance(error, dict) else error)
    except ValueError:
        text = response.text
    return " ".join(text.split())[:200] or response.reason_phrase
