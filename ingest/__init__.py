"""Newsdesk ingest: files and folders -> clean Articles -> token-aware Chunks.

This package never imports ``assistant``: the store and the chain build on it.

Example:
    >>> from ingest import chunk_articles, load_paths
    >>> articles, skipped = load_paths(["data/sample"], max_file_mb=20)
    >>> chunks = chunk_articles(articles, chunk_tokens=180, overlap_tokens=30)
"""

from ingest.chunking import chunk_article
from ingest.cleaning import clean_text, clean_title
from ingest.documents import (
    Article,
    Chunk,
    IngestReport,
    Skipped,
    article_id_for_content,
    article_id_for_file,
    slugify,
    stable_hash,
)
from ingest.loaders import LOADERS, LoadError, LoadResult, load_file, parse_date
from ingest.pipeline import chunk_articles, iter_files, load_paths
from ingest.tokenizer import count_tokens, get_encoding

__all__ = [
    "LOADERS",
    "Article",
    "Chunk",
    "IngestReport",
    "LoadError",
    "LoadResult",
    "Skipped",
    "article_id_for_content",
    "article_id_for_file",
    "chunk_article",
    "chunk_articles",
    "clean_text",
    "clean_title",
    "count_tokens",
    "get_encoding",
    "iter_files",
    "load_file",
    "load_paths",
    "parse_date",
    "slugify",
    "stable_hash",
]
