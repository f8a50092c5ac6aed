"""Articles and feeds from a real HTTP server on loopback, into a real store.

The feed's entries include every way a page can fail (a redirect loop, a slow answer, a
404, a page over the size limit): each is reported with its url and reason while the
good ones go in, and reading the feed again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from ingest import Fetcher, LoadError, load_sources, parse_feed
from ingest.feeds import html_to_text, looks_like_feed
from ingest.reading import MB
from tests.newsroom import Route, Site, article_page, atom, rss, serve_site

STORIES = {
    "/news/ferry.html": (
        "Harbour ferry returns after winter repairs",
        "2024-03-04",
        "Mara Quinn",
        [
            "The harbour ferry returned to service on Monday after eleven weeks of winter "
            "repairs to its hull and engines, the port authority said.",
            "Commuters had crowded onto replacement buses since December. The authority "
            "said the repairs cost 2.4 million dollars, paid from the maintenance fund.",
            "The first crossing left the north pier at 6:15 in the morning, carrying 212 "
            "passengers, and the timetable is back to a ferry every twenty minutes.",
        ],
    ),
    "/news/library.html": (
        "City library ends late fees for children's books",
        "2024-03-06",
        "Theo Baptiste",
        [
            "The city library will no longer charge late fees on children's books, its "
            "board decided on Wednesday by a vote of seven to two.",
            "Librarians said the fees kept poorer families away: one in five young readers "
            "had a card blocked by unpaid fines of less than ten dollars.",
            "The change starts on April 1, and fines already owed on children's books will "
            "be cleared, the board said, at a cost of about 40,000 dollars a year.",
        ],
    ),
}
FAILING = {
    "/news/loop": ("Loop story", "more than 5 redirects (a redirect loop?)"),
    "/news/slow.html": ("Slow story", "timed out after 1 s"),
    "/news/gone.html": ("Gone story", "the server answered HTTP 404 Not Found"),
    "/news/huge.html": ("Huge story", "over the 0.05 MB limit"),
}
SUMMARY_ONLY = "/news/summary-only.html"  # a 404 whose feed entry carries the text


def routes() -> dict[str, Route]:
    pages = {
        path: Route(article_page(title, paras, published=day, author=author))
        for path, (title, day, author, paras) in STORIES.items()
    }
    big = article_page("Huge story", ["word " * 20_000], published="2024-03-01", author="A")
    return {
        **pages,
        "/news/loop": Route(status=302, headers={"Location": "/news/loop"}),
        "/news/slow.html": Route(pages["/news/ferry.html"].body, delay=3),
        "/news/huge.html": Route(big),
    }


def feed_items(site: Site) -> list[dict[str, str]]:
    items = [
        {"title": title, "link": site.url(path), "published": day, "description": paras[0]}
        for path, (title, day, _author, paras) in STORIES.items()
    ]
    items += [
        {"title": title, "link": site.url(path), "published": "2024-03-01"}
        for path, (title, _reason) in FAILING.items()
    ]
    items.append(
        {
            "title": "Night market opens on the quay",
            "link": site.url(SUMMARY_ONLY),
            "published": "2024-03-08",
            "description": "<p>A night market opened on the quay on Friday with forty "
            "stalls.</p><p>It runs every weekend until October.</p>",
        }
    )
    return items


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve_site(routes()) as running:
        running.routes["/feed.xml"] = Route(
            rss("Harbour Herald", feed_items(running)), content_type="application/rss+xml"
        )
        running.routes["/atom.xml"] = Route(
            atom("Harbour Herald (Atom)", feed_items(running)),
            content_type="application/atom+xml",
        )
        yield running


def make_bot(tmp_path: Path) -> Assistant:
    # 0.05 MB: the huge page (about 100 kB) is over it, the stories are well under.
    return Assistant(
        data_dir=tmp_path / "store",
        backend="extractive",
        max_file_mb=0.05,
        fetch={"timeout": 1.0, "max_redirects": 5, "workers": 4},
    )


# -- without the store -------------------------------------------------------------------


def test_parse_feed_resolves_relative_links_and_prefers_content() -> None:
    data = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><title>One</title><link href="/a.html"/><id>urn:1</id>
    <summary>short</summary><content type="html">&lt;p&gt;The full text.&lt;/p&gt;</content>
    </entry><entry><title>Again</title><link href="/a.html#top"/><id>urn:2</id></entry></feed>"""
    title, entries = parse_feed(data, where="t.xml", base_url="https://news.example/feeds/x")
    assert title == "T"
    assert [e.link for e in entries] == ["https://news.example/a.html"]
    assert entries[0].text == "The full text."


def test_parse_feed_reads_when_an_entry_was_updated_only_where_the_feed_says() -> None:
    items = [{"title": "One", "link": "https://news.example/a", "published": "2024-03-04"}]
    _, (atom_entry,) = parse_feed(atom("A", items), where="a.xml")
    _, (rss_entry,) = parse_feed(rss("R", items), where="r.xml")
    assert atom_entry.updated == "2024-03-04T09:00:00Z"
    # RSS gives only pubDate, which feedparser would also answer for "updated".
    assert rss_entry.updated == ""
    assert rss_entry.published


def test_parse_feed_refuses_what_is_not_a_feed() -> None:
    with pytest.raises(LoadError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>hello</p></body></html>", where="page.xml")


def test_html_to_text_keeps_paragraphs() -> None:
    assert html_to_text("<p>One&nbsp;two</p><br/>three") == "One\xa0two\n\nthree"


@pytest.mark.parametrize(
    ("data", "content_type", "feed"),
    [
        (b"<rss version='2.0'></rss>", "text/xml", True),
        (b"\n  <feed xmlns='http://www.w3.org/2005/Atom'>", "", True),
        (b"<html><body>x</body></html>", "text/html", False),
        (b"<?xml version='1.0'?><html/>", "application/xml", False),
        (b"<p>x</p>", "application/atom+xml", True),
    ],
)
def test_looks_like_feed(data: bytes, content_type: str, feed: bool) -> None:
    assert looks_like_feed(data, content_type) is feed


def test_load_sources_reports_every_failed_entry_and_keeps_the_good(site: Site) -> None:
    limit = int(0.05 * MB)
    with Fetcher(timeout=1.0, max_bytes=limit, max_redirects=5, allow_private=True) as f:
        articles, skipped, kept = load_sources([site.url("/feed.xml")], max_file_mb=1, fetcher=f)
    assert sorted(a.id for a in articles) == sorted(
        [site.url(p) for p in STORIES] + [site.url(SUMMARY_ONLY)]
    )
    assert {s.path: s.reason for s in skipped}.keys() == {site.url(p) for p in FAILING}
    for s in skipped:
        assert FAILING[s.path.removeprefix(site.base)][1] in s.reason
    assert kept == []


# -- into the store ----------------------------------------------------------------------


@pytest.mark.slow
def test_an_article_url_goes_in_once_with_its_metadata(site: Site, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    url = site.url("/news/ferry.html")
    first = bot.ingest([url], progress=False)
    assert first.added == [url] and first.ok
    (stored,) = bot.articles()
    assert stored.id == url
    assert stored.title == "Harbour ferry returns after winter repairs"
    assert (stored.published, stored.source, stored.url) == ("2024-03-04", "Harbour Herald", url)
    passages = bot.search("How many passengers were on the first crossing?", 3)
    assert passages[0].article_id == url
    assert "212" in passages[0].text

    again = bot.ingest([url], progress=False)
    assert (again.added, again.unchanged) == ([], [url])

    title, day, author, paras = STORIES["/news/ferry.html"]
    edited = [*paras, "A second ferry joins the route in May, the authority added."]
    site.routes["/news/ferry.html"] = Route(
        article_page(title, edited, published=day, author=author)
    )
    changed = bot.ingest([url], progress=False)
    assert changed.replaced == [url]
    assert len(bot.articles()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("feed", ["/feed.xml", "/atom.xml"])
def test_a_feed_goes_in_with_each_failure_reported(site: Site, tmp_path: Path, feed: str) -> None:
    bot = make_bot(tmp_path)
    report = bot.ingest([site.url(feed)], progress=False)
    good = sorted([site.url(p) for p in STORIES] + [site.url(SUMMARY_ONLY)])
    assert sorted(report.added) == good
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {site.url(p) for p in FAILING}
    for path, (_title, reason) in FAILING.items():
        assert reason in reasons[site.url(path)]

    by_id = {a.id: a for a in bot.articles()}
    night = by_id[site.url(SUMMARY_ONLY)]  # its page is a 404: the feed's text went in
    assert night.title == "Night market opens on the quay"
    assert night.published == "2024-03-08"
    assert by_id[site.url("/news/library.html")].published == "2024-03-06"

    again = bot.ingest([site.url(feed)], progress=False)
    assert again.added == [] and again.replaced == []
    assert sorted(again.unchanged) == good
    assert len(bot.articles()) == len(good)


@pytest.mark.slow
def test_a_saved_feed_file_fetches_its_entries(site: Site, tmp_path: Path) -> None:
    saved = tmp_path / "herald.rss"
    saved.write_bytes(site.routes["/feed.xml"].body)
    not_a_feed = tmp_path / "sitemap.xml"
    not_a_feed.write_text("<html><body>no</body></html>", encoding="utf-8")
    bot = make_bot(tmp_path)
    report = bot.ingest([saved, not_a_feed], progress=False)
    assert len(report.added) == len(STORIES) + 1
    skipped = {s.path: s.reason for s in report.skipped}
    assert "not an RSS or Atom feed" in skipped[str(not_a_feed)]
    assert len(skipped) == len(FAILING) + 1


@pytest.mark.slow
def test_only_new_leaves_stored_entries_unfetched(site: Site, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    bot.ingest([site.url("/news/ferry.html")], progress=False)
    site.requests.clear()
    report = bot.ingest([site.url("/feed.xml")], progress=False, only_new=True)
    assert report.unchanged == [site.url("/news/ferry.html")]
    assert ("/news/ferry.html", site.requests[0][1]) not in site.requests
    assert len(report.added) == len(STORIES)  # the library story and the night market


@pytest.mark.slow
def test_the_guard_refuses_a_loopback_feed(site: Site, tmp_path: Path) -> None:
    bot = make_bot(tmp_path)
    report = bot.ingest([site.url("/feed.xml")], progress=False, allow_private=False)
    (skip,) = report.skipped
    assert skip.path == site.url("/feed.xml")
    assert "refused: 127.0.0.1 is not a public address" in skip.reason
    assert report.added == [] and site.requests == []
