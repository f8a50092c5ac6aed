"""Fetching a page over HTTP for ingest: timeouts, a size limit, a redirect limit.

A failure raises :class:`~ingest.reading.LoadError` naming the url and the reason, so the
pipeline reports it as a Skipped while the other urls go in. When the fetcher is told to
refuse private addresses (the chat page, served beyond loopback, must not let a reader
make the server read its own network), every host, redirects included, is resolved and
each of its addresses checked before a request is made; and the connection itself goes
to an address checked as it is made (:class:`PublicOnlyBackend`), so a name that
resolves to a public address for the check and to a private one a moment later
("DNS rebinding") is refused too. Proxies from the environment are not used then: the
connection is the one checked.

Example:
    >>> is_url("https://example.org/story.html"), is_url("data/sample")
    (True, False)
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urldefrag, urljoin, urlsplit

import httpcore
import httpx

from ingest.reading import MB, LoadError, megabytes

USER_AGENT = "Newsdesk/0.1 (+news question answering)"
REDIRECT_CODES = (301, 302, 303, 307, 308)


def is_url(text: str) -> bool:
    """True for an ``http://`` or ``https://`` address (what ingest fetches, not opens)."""
    return urlsplit(str(text)).scheme.lower() in ("http", "https")


def normalize_url(url: str) -> str:
    """The url without its ``#fragment``, which names a place in the page, not a page.

    Example:
        >>> normalize_url(" https://example.org/a.html#comments ")
        'https://example.org/a.html'
    """
    return urldefrag(url.strip())[0]


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses: the page then serves only this machine.

    Example:
        >>> is_loopback_host("127.0.0.1"), is_loopback_host("::1"), is_loopback_host("0.0.0.0")
        (True, True, False)
    """
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return kind
    return None


def check_public(url: str) -> None:
    """Refuse a url whose host is, or resolves to, a private, loopback or link-local address.

    Every address the name resolves to is checked, so a name with one public and one
    private address is refused too.

    Raises:
        LoadError: the host does not resolve, or one of its addresses is not public.
    """
    parts = urlsplit(url)
    public_addresses(url, parts.hostname or "", parts.port or 0)


def public_addresses(url: str, host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, when all are public; LoadError otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise LoadError(url, f"the host {host!r} could not be resolved ({exc})") from exc
    addresses: list[str] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        kind = _not_public(address)
        if kind is not None:
            raise LoadError(
                url,
                f"refused: {host} is not a public address ({address}, {kind}); this server "
                "fetches only public addresses (add the article from the command line instead)",
            )
        addresses.append(str(address))
    return list(dict.fromkeys(addresses))


class PublicOnlyBackend(httpcore.NetworkBackend):
    """httpcore's connections, each made to an address checked as it is made.

    The host is resolved once, here; every address must be public
    (:func:`public_addresses`), and the connection goes to one of those addresses, not
    to a second lookup of the name. TLS still checks the certificate against the host
    name (httpcore passes it as the server name).
    """

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = public_addresses(f"{host}:{port}", host, port)
        for i, address in enumerate(addresses):
            try:
                return self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                if i == len(addresses) - 1:
                    raise
        raise httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("a public-only fetcher does not use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's transport over :class:`PublicOnlyBackend`, with httpx's default TLS."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=PublicOnlyBackend(),
        )


@dataclass(frozen=True)
class Page:
    """What a fetch brought back: the final url (after redirects), its bytes and type."""

    url: str
    content: bytes
    content_type: str


class Fetcher:
    """Fetches pages with one HTTP client: a clear User-Agent, timeouts and limits.

    Thread-safe: the feed loader fetches entries' pages from a few threads at once.

    Args:
        timeout: seconds a page may take, connecting and reading included.
        max_bytes: a larger page is refused (checked as it arrives); None for no limit.
        max_redirects: redirects followed before giving up.
        allow_private: False to refuse private, loopback and link-local addresses.
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int | None,
        max_redirects: int,
        allow_private: bool,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, made on first use (an ingest of files never needs one)."""
        with self._lock:
            if self._client is None:
                # Redirects are followed here, not by httpx, so each hop passes the check.
                self._client = httpx.Client(
                    headers={"User-Agent": USER_AGENT},
                    timeout=httpx.Timeout(self.timeout),
                    follow_redirects=False,
                    transport=None if self.allow_private else _PublicOnlyTransport(),
                )
            return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def get(self, url: str) -> Page:
        """The page at ``url``, following up to ``max_redirects`` redirects.

        Raises:
            LoadError: names the url asked for and why it failed (status, timeout, size,
                too many redirects, a refused address), and what to do.
        """
        asked = normalize_url(url)
        current = asked
        deadline = time.monotonic() + self.timeout
        for _ in range(self.max_redirects + 1):
            if not is_url(current):
                raise LoadError(asked, f"not an http(s) address ({current}); give a web address")
            try:
                if not self.allow_private:
                    check_public(current)
                page = self._get_one(current, deadline)
            except LoadError as exc:  # also from the connection's own check: host:port
                where = "" if current == asked else f" (redirected to {current})"
                if exc.path == asked and not where:
                    raise
                raise LoadError(asked, f"{exc.reason}{where}") from exc
            except httpx.TimeoutException as exc:
                reason = f"timed out after {self.timeout:g} s; try again later or raise the limit"
                raise LoadError(asked, f"{reason} (NEWSDESK_FETCH__TIMEOUT)") from exc
            except httpx.HTTPError as exc:
                reason = f"could not be fetched ({type(exc).__name__}: {exc})"
                raise LoadError(asked, f"{reason}; check the address and the network") from exc
            if isinstance(page, str):
                current = normalize_url(urljoin(current, page))
                continue
            return page
        raise LoadError(
            asked,
            f"more than {self.max_redirects} redirects (a redirect loop?); "
            "open the address in a browser to find the article's own address",
        )

    def _get_one(self, url: str, deadline: float) -> Page | str:
        """One request: the Page, or the Location of a redirect."""
        with self.client.stream("GET", url) as response:
            if response.status_code in REDIRECT_CODES and "location" in response.headers:
                return response.headers["location"]
            if response.status_code >= 400:
                raise LoadError(
                    url,
                    f"the server answered HTTP {response.status_code} "
                    f"{response.reason_phrase}; check the address",
                )
            limit = self.max_bytes
            declared = response.headers.get("content-length", "")
            if limit is not None and declared.isdigit() and int(declared) > limit:
                raise LoadError(url, _too_big(int(declared), limit))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if limit is not None and size > limit:
                    raise LoadError(url, _too_big(size, limit, at_least=True))
                if time.monotonic() > deadline:  # a server that trickles bytes
                    raise httpx.ReadTimeout("the page kept arriving", request=response.request)
                chunks.append(chunk)
            return Page(
                url=str(response.url),
                content=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
            )


def _too_big(size: int, limit: int, *, at_least: bool = False) -> str:
    more = "more than " if at_least else ""
    return (
        f"the page is {more}{megabytes(size)} MB, over the {limit / MB:.3g} MB limit for one "
        "file; raise the limit (NEWSDESK_MAX_FILE_MB, or newsdesk ingest --max-file-mb)"
    )
