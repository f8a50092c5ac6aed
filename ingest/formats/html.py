"""Web pages: trafilatura finds the article's main text and its metadata, offline."""

from __future__ import annotations

from pathlib import Path

import trafilatura
from trafilatura.settings import Document

from ingest.cleaning import clean_text
from ingest.formats.fields import one_article
from ingest.furniture import strip_furniture
from ingest.reading import LoadError, LoadResult, read_bytes

# Menus are not the article. Left in, trafilatura's fallback takes a page of nothing but
# a menu ("Home | About") for its text, and prepends a menu to a short article's body.
_NAVIGATION = '//nav | //*[@role="navigation"]'

NO_BODY = (
    "no article body found in the HTML; save the article's own page, not an index or a login page"
)


def extract_page(data: bytes, *, url: str = "") -> dict[str, str] | None:
    """The article in a page's HTML: ``title``, ``text``, ``url``, ``published``,
    ``source`` (site name, else host), ``author``; None when there is no body.

    trafilatura leaves out what it takes for boilerplate (headers, footers, cookie
    banners, captions) and, asked to, the comments and menus; what it keeps of the rest
    (a quiz teaser, a newsletter box in the article) :mod:`ingest.furniture` drops.
    A page of nothing but such furniture has no body."""
    found = trafilatura.bare_extraction(
        data,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        prune_xpath=_NAVIGATION,
    )
    meta = found.as_dict() if isinstance(found, Document) else {}
    text = meta.get("text") or ""
    if not strip_furniture(clean_text(text)):  # a menu, a cookie notice: no article
        return None
    return {
        "title": meta.get("title") or "",
        # trafilatura writes one block (paragraph, heading, list item) per line: keep them apart.
        "text": text.replace("\n", "\n\n"),
        "url": meta.get("url") or "",
        "published": meta.get("date") or "",
        "source": meta.get("sitename") or meta.get("hostname") or "",
        "author": meta.get("author") or "",
    }


def load_html(path: Path) -> LoadResult:
    """A web page: trafilatura finds the article's main text and its metadata, offline."""
    meta = extract_page(read_bytes(path))
    if meta is None:
        raise LoadError(path, NO_BODY)
    title, text = meta.pop("title"), meta.pop("text")
    return one_article(path, title, text, **meta)
