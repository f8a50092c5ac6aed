"""The Library tab's url box: articles and feeds fetched from a loopback site."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from assistant import Settings
from assistant.web import actions, layout
from assistant.web.pool import AssistantPool
from tests.newsroom import Route, Site, article_page, rss, serve_site

PARAGRAPHS = [
    "The council approved a new cycle lane along the river on Thursday, linking the old "
    "town to the university campus in a single protected route.",
    "Work starts in June and should take five months, the council said, at a cost of 3.1 "
    "million dollars shared with the regional transport fund.",
]


@pytest.fixture()
def site() -> Iterator[Site]:
    page = article_page("River cycle lane approved", PARAGRAPHS, published="2024-04-11", author="B")
    with serve_site({"/lane.html": Route(page)}) as running:
        items = [
            {"title": "River cycle lane approved", "link": running.url("/lane.html")},
            {"title": "Gone", "link": running.url("/gone.html")},
        ]
        for item in items:
            item["published"] = "2024-04-11"
        running.routes["/feed.xml"] = Route(rss("Herald", items), content_type="text/xml")
        yield running


def page_actions(make_assistant: Any, tmp_path: Path, *, fetch_private: bool) -> Any:
    pool = AssistantPool(lambda spec: make_assistant(backend=spec), "extractive")
    return actions.PageActions(pool, tmp_path / "uploads", fetch_private=fetch_private)


@pytest.mark.slow
def test_a_feed_url_goes_in_and_each_failed_page_is_named(
    make_assistant: Any, tmp_path: Path, site: Site
) -> None:
    desk = page_actions(make_assistant, tmp_path, fetch_private=True)
    html = unescape(desk.ingest_urls(f"{site.url('/feed.xml')}\n\nnot-a-url\n"))
    assert "1 added" in html
    assert f"skipped: {site.url('/gone.html')}: the server answered HTTP 404" in html
    assert "not-a-url</b>: skipped, not a web address" in html
    assert [a.title for a in desk.pool.get().articles()] == ["River cycle lane approved"]
    # Built by the fetch, not left to the next reader's question.
    assert len(desk.pool.get().searcher.bm25._snapshot.ids) == 1

    again = desk.ingest_urls(site.url("/lane.html"))
    assert "1 already in the library" in again


@pytest.mark.slow
def test_a_page_served_beyond_loopback_refuses_loopback_urls(
    make_assistant: Any, tmp_path: Path, site: Site
) -> None:
    desk = page_actions(make_assistant, tmp_path, fetch_private=False)
    html = unescape(desk.ingest_urls(site.url("/lane.html")))
    assert "refused: 127.0.0.1 is not a public address" in html
    assert site.requests == [] and desk.pool.get().articles() == []


def test_an_empty_box_asks_for_an_address(make_assistant: Any, tmp_path: Path) -> None:
    desk = page_actions(make_assistant, tmp_path, fetch_private=True)
    assert "Paste the web address" in desk.ingest_urls("  ")


@pytest.mark.slow
@pytest.mark.parametrize(("host", "private"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_the_page_fetches_private_urls_only_on_loopback(
    make_assistant: Any, tmp_path: Path, host: str, private: bool, monkeypatch: Any
) -> None:
    made: list[actions.PageActions] = []
    real = actions.PageActions.__init__

    def record(self: actions.PageActions, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(actions.PageActions, "__init__", record)
    settings = Settings(data_dir=tmp_path / "store", backend="extractive", host=host)
    layout.build_app(
        settings, assistant_factory=lambda spec: make_assistant(backend=spec), sample_dir=None
    )
    assert made[0].fetch_private is private
