"""The embedders (in process, or a server's) and the Chroma store they fill (embedded, or a
``chroma run`` server)."""

from assistant.store.chroma import ChunkStore, chunk_metadata, with_context
from assistant.store.embedder import SentenceEmbedder, TextEmbedder, chroma_function
from assistant.store.remote import RemoteEmbedder

__all__ = [
    "ChunkStore",
    "RemoteEmbedder",
    "SentenceEmbedder",
    "TextEmbedder",
    "chroma_function",
    "chunk_metadata",
    "with_context",
]
