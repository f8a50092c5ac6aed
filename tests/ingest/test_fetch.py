"""Fetching pages from a real HTTP server on loopback: limits, failures and the address guard."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from ingest import USER_AGENT, Fetcher, LoadError, check_public, fetch, is_loopback_host, is_url
from ingest.reading import MB
from tests.newsroom import Route, Site, serve_site


@pytest.fixture()
def site() -> Iterator[Site]:
    routes = {
        "/story.html": Route(b"<html><body><p>The story.</p></body></html>"),
        "/moved": Route(status=301, headers={"Location": "/story.html"}),
        "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
        "/loop-b": Route(status=302, headers={"Location": "/loop-a"}),
        "/slow": Route(b"<p>late</p>", delay=3),
        "/big": Route(b"x" * (MB + 1)),
        "/big-unannounced": Route(b"x" * (MB + 1), declare_length=False),
        "/broken": Route(b"oops", status=500),
    }
    with serve_site(routes) as running:
        yield running


def fetcher(**overrides: object) -> Fetcher:
    options: dict[str, object] = {
        "timeout": 1.0,
        "max_bytes": MB,
        "max_redirects": 3,
        "allow_private": True,
    }
    options.update(overrides)
    return Fetcher(**options)  # type: ignore[arg-type]


def test_a_page_comes_back_with_the_user_agent_and_its_type(site: Site) -> None:
    with fetcher() as f:
        page = f.get(site.url("/story.html#comments"))
    assert page.content.startswith(b"<html>")
    assert page.content_type.startswith("text/html")
    assert page.url == site.url("/story.html")
    assert site.requests == [("/story.html", USER_AGENT)]


def test_a_redirect_is_followed_to_the_final_url(site: Site) -> None:
    with fetcher() as f:
        page = f.get(site.url("/moved"))
    assert page.url == site.url("/story.html")
    assert b"The story." in page.content


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/loop-a", "more than 3 redirects (a redirect loop?)"),
        ("/slow", "timed out after 1 s"),
        ("/missing", "the server answered HTTP 404 Not Found"),
        ("/broken", "the server answered HTTP 500"),
        ("/big", "the page is 1.0 MB, over the 1 MB limit"),
        ("/big-unannounced", "the page is more than 1.0 MB, over the 1 MB limit"),
    ],
)
def test_a_failure_names_the_url_and_the_reason(site: Site, path: str, reason: str) -> None:
    with fetcher() as f, pytest.raises(LoadError) as caught:
        f.get(site.url(path))
    assert caught.value.path == site.url(path)
    assert reason in caught.value.reason


def test_a_server_that_is_not_there_is_a_reason_too() -> None:
    with serve_site() as gone:
        url = gone.url("/story.html")
    with fetcher() as f, pytest.raises(LoadError) as caught:
        f.get(url)
    assert caught.value.path == url
    assert "could not be fetched" in caught.value.reason


def test_the_guard_refuses_loopback_before_connecting(site: Site) -> None:
    with fetcher(allow_private=False) as f, pytest.raises(LoadError) as caught:
        f.get(site.url("/story.html"))
    assert "refused: 127.0.0.1 is not a public address (127.0.0.1, loopback)" in caught.value.reason
    assert site.requests == []


def _resolving(monkeypatch: pytest.MonkeyPatch, host: str, *answers: str) -> list[str]:
    """``host`` resolves to each answer in turn (the last one from then on); other names
    as before. Returns the answers given, one per lookup."""
    real, given = socket.getaddrinfo, []

    def getaddrinfo(name: str, *args: Any, **kwargs: Any) -> Any:
        if name != host:
            return real(name, *args, **kwargs)
        given.append(answers[min(len(given), len(answers) - 1)])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (given[-1], 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def test_the_guard_checks_the_address_it_connects_to(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: public when the url is checked, loopback a moment later.
    given = _resolving(monkeypatch, "rebind.test", "93.184.215.14", "127.0.0.1")
    url = site.url("/story.html").replace("127.0.0.1", "rebind.test")
    with fetcher(allow_private=False) as f, pytest.raises(LoadError) as caught:
        f.get(url)
    assert caught.value.path == url
    assert "refused: rebind.test is not a public address (127.0.0.1, loopback)" in (
        caught.value.reason
    )
    assert given == ["93.184.215.14", "127.0.0.1"]
    assert site.requests == []


def test_the_guarded_fetcher_connects_to_the_address_it_checked(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No public server can be reached here: loopback stands in for a public address.
    monkeypatch.setattr(fetch, "_not_public", lambda address: None)
    given = _resolving(monkeypatch, "news.test", "127.0.0.1")
    with fetcher(allow_private=False) as f:
        page = f.get(site.url("/story.html").replace("127.0.0.1", "news.test"))
    assert b"The story." in page.content
    assert site.requests == [("/story.html", USER_AGENT)]
    assert given == ["127.0.0.1", "127.0.0.1"]  # the url's check, the connection's check


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://localhost:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.10/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
    ],
)
def test_check_public_refuses_non_public_addresses(url: str, kind: str) -> None:
    with pytest.raises(LoadError, match=rf"is not a public address \(.*, {kind}\)"):
        check_public(url)


def test_check_public_lets_a_public_address_through() -> None:
    check_public("http://93.184.215.14/story.html")  # an address, so no lookup is made


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("x.org", False)],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("text", "url"),
    [("https://a.org/x", True), ("HTTP://a.org", True), ("ftp://a.org", False), ("a/b", False)],
)
def test_is_url(text: str, url: bool) -> None:
    assert is_url(text) is url
