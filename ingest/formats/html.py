"""Web pages: trafilatura finds the article's main text and its metadata, offline."""

from __future__ import annotations

from pathlib import Path

import trafilatura
from trafilatura.settings import Document

from ingest.cleaning import clean_text
from ingest.formats.fields import one_article
from ingest.reading import LoadError, LoadResult, read_bytes

# Menus are not the article. Left in, trafilatura's fallback takes a page of nothing but
# a menu ("Home | About") for its text, and prepends a menu to a short article's body.
_NAVIGATION = '//nav | //*[@role="navigation"]'


def load_html(path: Path) -> LoadResult:
    """A web page: trafilatura finds the article's main text and its metadata, offline."""
    found = trafilatura.bare_extraction(
        read_bytes(path),
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        prune_xpath=_NAVIGATION,
    )
    meta = found.as_dict() if isinstance(found, Document) else {}
    text = meta.get("text") or ""
    if not clean_text(text):
        raise LoadError(
            path,
            "no article body found in the HTML; "
            "save the article's own page, not an index or a login page",
        )
    # trafilatura writes one block (paragraph, heading, list item) per line: keep them apart.
    text = text.replace("\n", "\n\n")
    return one_article(
        path,
        meta.get("title") or "",
        text,
        url=meta.get("url") or "",
        published=meta.get("date") or "",
        source=meta.get("sitename") or meta.get("hostname") or "",
        author=meta.get("author") or "",
    )
