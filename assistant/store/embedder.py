"""The sentence-transformers embedder, as a LangChain ``Embeddings`` and a Chroma function.

:class:`TextEmbedder` is what every embedder gives the store, the searcher and the
answerer; :class:`SentenceEmbedder` runs a packaged model in process, and
:class:`~assistant.store.remote.RemoteEmbedder` asks a server.

The model loads on first use, so that the CLI and the chat page start fast; vectors are
L2-normalised, so cosine similarity is a dot product.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.models.offline import EMBEDDING_MODELS, ensure_offline

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer


class TextEmbedder(Embeddings):
    """What the store, the searcher and the answerer use of an embedder: normalised
    float32 vectors from :meth:`encode`, a cached :meth:`encode_query`, the ``model_name``
    the collection records, and the vectors' ``dimensions``."""

    model_name: str

    @property
    @abstractmethod
    def dimensions(self) -> int:
        """Length of each vector."""

    @property
    def location(self) -> str:
        """Where the vectors are made, for stats and messages."""
        return "in process"

    @abstractmethod
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""

    def encode_query(self, text: str) -> np.ndarray:
        """The vector of a question, cached: search and answer ask for it in turn."""
        return _cached_query(self.model_name, text, self)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()


class SentenceEmbedder(TextEmbedder):
    """A packaged sentence-transformers model, loaded lazily and shared between threads."""

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        *,
        batch_size: int = 64,
        model_dir: Path | None = None,
    ) -> None:
        if model not in EMBEDDING_MODELS:
            known = ", ".join(sorted(EMBEDDING_MODELS))
            raise ConfigError(f"unknown embedding model {model!r}; known: {known}")
        self.model_name = model
        self.batch_size = batch_size
        self.model_dir = model_dir  # where joined model files are kept; None: the default

    @property
    def dimensions(self) -> int:
        return EMBEDDING_MODELS[self.model_name][1]

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model; the first call loads it (about a second for MiniLM)."""
        return _load(self.model_name, self.model_dir)

    @property
    def max_tokens(self) -> int:
        """The model's input limit in its own word pieces (256 for MiniLM)."""
        return int(self.model.max_seq_length or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised float32 vectors, one row per text.

        One encode runs at a time in the process. Torch's thread count is process-wide,
        and a small batch lowers it to one for its duration: two encodes at once would
        run a big batch on that one thread, or restore the count in the wrong order and
        leave it at one for good. On two cores, encodes side by side gain nothing anyway.
        """
        model = self.model
        with _encode_lock:
            if len(texts) > _SMALL_BATCH:
                return self._encode(model, texts)
            # A question or a few sentences: one thread. Measured here on 2 busy cores, a
            # 10-word query took 19 ms p50 on one thread and 400 ms on two, whose threads
            # wait on each other whenever another process takes a core.
            import torch

            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self._encode(model, texts)
            finally:
                torch.set_num_threads(threads)

    def _encode(self, model: SentenceTransformer, texts: Sequence[str]) -> np.ndarray:
        return model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


_SMALL_BATCH = 8
# Held for every encode: the thread count a small batch sets is the whole process's.
_encode_lock = threading.Lock()


@lru_cache(maxsize=2048)
def _cached_query(model_name: str, text: str, embedder: TextEmbedder) -> np.ndarray:
    vector = embedder.encode([text])[0]
    vector.setflags(write=False)  # shared between callers
    return vector


_load_lock = threading.Lock()


@cache
def _load_unlocked(name: str, model_dir: Path | None) -> SentenceTransformer:
    ensure_offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars on every start
    return SentenceTransformer(str(EMBEDDING_MODELS[name][0](model_dir)), device="cpu")


def _load(name: str, model_dir: Path | None = None) -> SentenceTransformer:
    """One copy of each model per process, however many embedders share it."""
    with _load_lock:
        return _load_unlocked(name, model_dir)


def chroma_function(embedder: TextEmbedder) -> Any:
    """Our embedder as a Chroma ``EmbeddingFunction``, so Chroma never uses its own default.

    Chroma's default function downloads an ONNX model on first use; passing this one on
    every collection open keeps the store offline.
    """
    return _chroma_class()(embedder)


@cache
def _chroma_class() -> type:
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.api.types import Embeddings as ChromaEmbeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class NewsdeskEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, embedder: TextEmbedder) -> None:
            self.embedder = embedder

        def __call__(self, input: Documents) -> ChromaEmbeddings:
            return list(self.embedder.encode(list(input)))

        @staticmethod
        def name() -> str:
            return "newsdesk-sentence-transformers"

        def get_config(self) -> dict[str, Any]:
            return {"model": self.embedder.model_name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> NewsdeskEmbeddingFunction:
            model = str(config["model"])
            if model.startswith("openai:"):  # a server's: its URL comes from the settings
                from assistant.store.remote import RemoteEmbedder

                return NewsdeskEmbeddingFunction(
                    RemoteEmbedder(model, base_url="", batch_size=64, timeout=60.0)
                )
            return NewsdeskEmbeddingFunction(SentenceEmbedder(model))

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

    return NewsdeskEmbeddingFunction
