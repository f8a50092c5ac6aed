"""Articles from the web: a page's url, or an RSS/Atom feed (a url or a saved file).

An article fetched from a url takes the url as its id (as an export's row with a url
and no id does), so fetching it again replaces it rather than adding a copy, and an
unchanged page is left as it is. A feed's entries are fetched by their links, a few at a
time (asked to, only those not stored yet or marked updated by the feed since they were
last read: see ``Known``); when an entry's page cannot be fetched or holds no article,
the entry's own text (its content, else its summary) goes in instead, and only an entry
with neither is skipped, with the reason the page failed.

Example:
    >>> data = b'<rss version="2.0"><channel><title>Desk</title><item><title>Hi</title>'
    >>> data += b'<link>https://example.org/hi.html</link><description>Body.</description>'
    >>> feed_title, entries = parse_feed(data + b'</item></channel></rss>', where="feed.xml")
    >>> feed_title, entries[0].link, entries[0].text
    ('Desk', 'https://example.org/hi.html', 'Body.')
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import feedparser
import lxml.html

from ingest.documents import Article, Skipped, article_id_for_content
from ingest.fetch import Fetcher, Page, normalize_url
from ingest.formats.fields import build_article, parse_date
from ingest.formats.html import NO_BODY, extract_page
from ingest.reading import LoadError, check_file, read_bytes

logger = logging.getLogger(__name__)

FEED_SUFFIXES = (".xml", ".rss", ".atom")

# Given the ids of a feed's entries (or of a url), each with the time the feed says it was
# last updated ("" when it says none, as RSS mostly does), those to leave unfetched: stored
# already and not updated since they were last read.
Known = Callable[[Mapping[str, str]], set[str]]


class WebResult(NamedTuple):
    """What a url or feed gave: articles, what was skipped, and stored ids left alone."""

    articles: list[Article]
    skipped: list[Skipped]
    kept: list[str]


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: its link, and what the feed itself says about it."""

    link: str
    title: str
    text: str
    published: str
    author: str
    guid: str = ""
    updated: str = ""  # the feed's own <updated> (Atom), verbatim; "" when it has none

    @property
    def article_id(self) -> str:
        """The url when there is a link, else the feed's id for it, else one from content."""
        return self.link or self.guid or article_id_for_content(self.title, self.text)


_BLOCK_END = re.compile(r"(?i)<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/blockquote)\s*>")


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed's summary), one paragraph per block.

    Example:
        >>> html_to_text("<p>One &amp; two.</p><p>Three.</p>")
        'One & two.\\n\\nThree.'
    """
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", fragment)
    try:
        text = lxml.html.fragment_fromstring(marked, create_parent="div").text_content()
    except Exception:  # lxml refuses some fragments (only a comment, say); keep the raw text
        text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\n\s*\n\s*", "\n\n", str(text)).strip()


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    """True when fetched bytes are an RSS or Atom feed rather than a page.

    Example:
        >>> looks_like_feed(b'<?xml version="1.0"?><rss/>'), looks_like_feed(b"<html></html>")
        (True, False)
    """
    kind = content_type.split(";")[0].strip().lower()
    if "rss" in kind or "atom" in kind:
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<rss", b"<feed", b"<rdf:rdf")):
        return True
    return head.startswith(b"<?xml") and re.search(rb"<(rss|feed|rdf:rdf)[\s/>]", head) is not None


def parse_feed(data: bytes, *, where: str, base_url: str = "") -> tuple[str, list[FeedEntry]]:
    """The feed's title and its entries (in the feed's order, each link once).

    Raises:
        LoadError: the bytes are not an RSS or Atom feed.
    """
    headers = {"content-location": base_url} if base_url else {}
    # Bytes, never a string: feedparser fetches a string that looks like a url.
    parsed: Any = feedparser.parse(data, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        raise LoadError(where, f"not an RSS or Atom feed{detail}; give a feed or an article")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        link = normalize_url(str(item.get("link") or ""))
        if link and link in seen:
            continue
        seen.add(link)
        content = item.get("content") or []
        body = content[0].get("value", "") if content else item.get("summary", "")
        entries.append(
            FeedEntry(
                link=link,
                title=html_to_text(str(item.get("title") or "")),
                text=html_to_text(str(body or "")),
                published=str(item.get("published") or item.get("updated") or ""),
                author=str(item.get("author") or ""),
                guid=str(item.get("id") or ""),
                # Asked only when present: feedparser answers "updated" with "published".
                updated=str(item["updated"] or "") if "updated" in item else "",
            )
        )
    return html_to_text(str(parsed.feed.get("title") or "")), entries


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def article_from_page(page: Page, *, url: str) -> Article:
    """The article in a fetched page, its id the url asked for.

    Raises:
        LoadError: the page holds no article body.
    """
    meta = extract_page(page.content, url=page.url)
    if meta is None:
        raise LoadError(url, NO_BODY)
    return build_article(
        url,
        url,
        meta["title"],
        meta["text"],
        url=page.url,
        published=meta["published"],
        source=meta["source"] or _host(page.url),
        author=meta["author"],
    )


def article_from_entry(entry: FeedEntry, *, feed_title: str, where: str) -> Article:
    """An article from the feed's own text for an entry (when its page is out of reach)."""
    return build_article(
        entry.article_id,
        entry.link or where,
        entry.title,
        entry.text,
        url=entry.link,
        published=entry.published,
        source=feed_title or _host(entry.link),
        author=entry.author,
    )


def _entry_article(entry: FeedEntry, *, feed_title: str, where: str, fetcher: Fetcher) -> Article:
    """An entry's article: its page when it can be fetched, else the feed's text for it."""
    if not entry.link:
        return article_from_entry(entry, feed_title=feed_title, where=where)
    try:
        article = article_from_page(fetcher.get(entry.link), url=entry.link)
    except LoadError as exc:
        if not entry.text:
            raise
        logger.info("%s: %s; using the feed's text for it", entry.link, exc.reason)
        return article_from_entry(entry, feed_title=feed_title, where=where)
    # The feed's date and source name are the publisher's own; a page's may be guessed.
    published = parse_date(entry.published) if entry.published else ""
    return Article(
        id=article.id,
        title=article.title or entry.title,
        text=article.text,
        url=article.url,
        published=published or article.published,
        source=article.source or feed_title,
        author=article.author or entry.author,
        path=article.path,
    )


def load_feed(
    data: bytes,
    *,
    where: str,
    fetcher: Fetcher,
    base_url: str = "",
    known: Known | None = None,
    workers: int = 4,
) -> WebResult:
    """Every entry's article of a feed; see the module's docstring.

    Args:
        data: the feed's bytes.
        where: the feed's url or file, for messages.
        fetcher: fetches the entries' pages.
        base_url: resolves relative links (the feed's own url).
        known: given the entries' ids and update times, those to leave unfetched (see
            ``Known``); they come back in ``kept``. None: fetch every entry (changed ones
            replace).
        workers: pages fetched at once.

    Raises:
        LoadError: the bytes are not a feed.
    """
    feed_title, entries = parse_feed(data, where=where, base_url=base_url)
    updated = {e.article_id: e.updated for e in entries}
    kept = known(updated) if known and entries else set()
    todo = [e for e in entries if e.article_id not in kept]

    def one(entry: FeedEntry) -> Article | Skipped:
        try:
            return _entry_article(entry, feed_title=feed_title, where=where, fetcher=fetcher)
        except LoadError as exc:
            return Skipped(entry.link or where, exc.reason)
        except Exception as exc:  # extraction libraries fail in ways of their own
            logger.debug("entry %s failed", entry.link, exc_info=True)
            return Skipped(entry.link or where, f"could not be read ({type(exc).__name__}: {exc})")

    result = WebResult([], [], sorted(kept))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for item in pool.map(one, todo):
            if isinstance(item, Skipped):
                result.skipped.append(item)
            else:
                result.articles.append(item)
    return result


def load_url(
    url: str, *, fetcher: Fetcher, known: Known | None = None, workers: int = 4
) -> WebResult:
    """The article at a url, or every entry's article when the url is a feed.

    Raises:
        LoadError: the url cannot be fetched, or is neither a feed nor an article.
    """
    url = normalize_url(url)
    page = fetcher.get(url)
    if looks_like_feed(page.content, page.content_type):
        return load_feed(
            page.content,
            where=url,
            fetcher=fetcher,
            base_url=page.url,
            known=known,
            workers=workers,
        )
    if known is not None and known({url: ""}):
        return WebResult([], [], [url])
    return WebResult([article_from_page(page, url=url)], [], [])


def load_feed_file(
    path: Path,
    *,
    fetcher: Fetcher,
    max_file_mb: float | None,
    known: Known | None = None,
    workers: int = 4,
) -> WebResult:
    """A saved feed file's entries, their pages fetched as for a feed's url.

    Raises:
        LoadError: the file cannot be read or is not a feed.
    """
    check_file(path, max_file_mb=max_file_mb)
    return load_feed(
        read_bytes(path), where=str(path), fetcher=fetcher, known=known, workers=workers
    )


def is_feed_file(path: Path | str) -> bool:
    """True for the suffixes a saved feed has: ``.xml``, ``.rss``, ``.atom``."""
    return Path(path).suffix.lower() in FEED_SUFFIXES
