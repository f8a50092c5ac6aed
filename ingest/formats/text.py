"""Plain-text articles."""

from __future__ import annotations

from pathlib import Path

from ingest.cleaning import clean_text
from ingest.formats.fields import one_article, split_title
from ingest.furniture import strip_furniture
from ingest.reading import LoadResult, read_text


def load_text(path: Path) -> LoadResult:
    """A plain-text article: the first line is the title when one stands above the body."""
    title, body = split_title(strip_furniture(clean_text(read_text(path))), path)
    return one_article(path, title, body)
