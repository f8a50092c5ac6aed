"""A news site on loopback for the fetch and feed tests: pages, feeds, and bad answers.

A real ``http.server.ThreadingHTTPServer`` in a thread on a free port. Its routes are a
dict the test may change while it runs (a new entry in a feed between two reads).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the site answers at one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow server)
    declare_length: bool = True  # False: no Content-Length, the size shows as it arrives


@dataclass
class Site:
    """The running site: its base url, its routes, and the requests it saw."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)

    def url(self, path: str) -> str:
        return self.base + path


def article_page(title: str, paragraphs: list[str], *, published: str, author: str) -> bytes:
    """A news article's page, with the metadata a real one carries."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{escape(title)} | Harbour Herald</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="Harbour Herald">
<meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="{published}">
</head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>{escape(title)}</h1>{body}</article>
<footer>Copyright Harbour Herald</footer>
</body></html>""".encode()


def rss(title: str, items: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed; each item: title, link, description, published (YYYY-MM-DD)."""
    parts = []
    for item in items:
        day = datetime.fromisoformat(item["published"]).replace(hour=9, tzinfo=UTC)
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<guid>{escape(item['link'])}</guid>"
            f"<pubDate>{format_datetime(day)}</pubDate>"
            f"<description>{escape(item.get('description', ''))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


def atom(title: str, items: list[dict[str, str]]) -> bytes:
    """An Atom feed; each item: title, link, description (the summary), published, and
    updated (a time; default 09:00 on the day published)."""
    parts = [
        f'<entry><title>{escape(i["title"])}</title><link href="{escape(i["link"])}"/>'
        f"<id>{escape(i['link'])}</id>"
        f"<updated>{i.get('updated') or i['published'] + 'T09:00:00Z'}</updated>"
        f"<summary>{escape(i.get('description', ''))}</summary></entry>"
        for i in items
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test</id><updated>2024-01-01T00:00:00Z</updated>"
        f"{''.join(parts)}</feed>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.site.requests.append((path, self.headers.get("User-Agent", "")))
        route = self.site.routes.get(path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route.delay:
            time.sleep(route.delay)
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.declare_length:
                self.send_header("Content-Length", str(len(route.body)))
            for key, value in route.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            pass

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@contextmanager
def serve_site(routes: dict[str, Route] | None = None) -> Iterator[Site]:
    """Serve ``routes`` on 127.0.0.1 at a free port until the block ends."""
    site = Site(base="", routes=dict(routes or {}))
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
