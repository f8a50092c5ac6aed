"""The embedder and the Chroma store it fills (embedded, or a ``chroma run`` server)."""

from assistant.store.chroma import ChunkStore, chunk_metadata, with_context
from assistant.store.embedder import SentenceEmbedder, chroma_function

__all__ = ["ChunkStore", "SentenceEmbedder", "chroma_function", "chunk_metadata", "with_context"]
