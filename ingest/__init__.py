"""Newsdesk ingest: files, folders, urls and feeds -> clean Articles -> token-aware Chunks.

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
from ingest.feeds import FeedEntry, WebResult, load_feed, load_url, parse_feed
from ingest.fetch import USER_AGENT, Fetcher, check_public, is_loopback_host, is_url
from ingest.loaders import LOADERS, LoadError, LoadResult, load_file, parse_date
from ingest.pipeline import chunk_articles, iter_files, load_paths, load_sources
from ingest.tokenizer import count_tokens, get_encoding

__all__ = [
    "LOADERS",
    "USER_AGENT",
    "Article",
    "Chunk",
    "FeedEntry",
    "Fetcher",
    "IngestReport",
    "LoadError",
    "LoadResult",
    "Skipped",
    "WebResult",
    "article_id_for_content",
    "article_id_for_file",
    "check_public",
    "chunk_article",
    "chunk_articles",
    "clean_text",
    "clean_title",
    "count_tokens",
    "get_encoding",
    "is_loopback_host",
    "is_url",
    "iter_files",
    "load_feed",
    "load_file",
    "load_paths",
    "load_sources",
    "load_url",
    "parse_date",
    "parse_feed",
    "slugify",
    "stable_hash",
]
