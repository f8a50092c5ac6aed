"""Finding passages: BM25 and dense search, fused, the query rules, de-duplication, and
the LangChain retriever. Each part is a module of its own; this package names them."""

from assistant.retrieval.bm25 import BM25Index
from assistant.retrieval.dedupe import collapse_duplicates, containment, shingles
from assistant.retrieval.fusion import Fusion, fuse, fuse_convex, fuse_rrf
from assistant.retrieval.retriever import HybridRetriever
from assistant.retrieval.search import HybridSearcher, Mode

__all__ = [
    "BM25Index",
    "Fusion",
    "HybridRetriever",
    "HybridSearcher",
    "Mode",
    "collapse_duplicates",
    "containment",
    "fuse",
    "fuse_convex",
    "fuse_rrf",
    "shingles",
]
