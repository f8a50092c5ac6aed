"""Paths and urls to articles to chunks. A bad file or url becomes a Skipped with a reason."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ingest.chunking import chunk_article
from ingest.documents import Article, Chunk, Skipped
from ingest.feeds import Known, WebResult, is_feed_file, load_feed_file, load_url
from ingest.fetch import Fetcher, is_url
from ingest.furniture import drop_repeated_lines
from ingest.loaders import LoadError, LoadResult, load_file, os_error_reason
from ingest.seen_lines import SeenLines

logger = logging.getLogger(__name__)


def _hidden(name: str) -> bool:
    """True for names like ``.git`` or ``.DS_Store``."""
    return name.startswith(".")


def _stat(path: Path) -> os.stat_result | Skipped:
    """The path's stat (following links), or a Skipped saying why there is none."""
    try:
        return path.stat()
    except OSError as exc:  # a broken link, a link loop, a folder we may not enter
        if isinstance(exc, FileNotFoundError) and not path.is_symlink():
            return Skipped(str(path), "no such file or folder")
        return Skipped(str(path), os_error_reason(path, exc))


def _not_regular(path: Path) -> Skipped:
    reason = "not a regular file or folder (a pipe, socket or device); name files or folders"
    return Skipped(str(path), reason)


def iter_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """The files named, and those in the folders named (recursively), in a stable order.

    Hidden files and folders inside a folder are left out; a hidden file named
    explicitly is kept. Folder symlinks are followed, each real folder once, so a link
    loop ends. A path that does not exist, a broken or looping link, a folder that
    cannot be listed, a pipe or a device comes back as a Skipped, saying what to do.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []

    def unlisted(exc: OSError) -> None:
        where = exc.filename or "?"
        skipped.append(Skipped(str(where), f"folder {os_error_reason(where, exc)}"))

    for raw in paths:
        path = Path(raw)
        info = _stat(path)
        if isinstance(info, Skipped):
            skipped.append(info)
        elif stat.S_ISREG(info.st_mode):
            files.append(path)
        elif not stat.S_ISDIR(info.st_mode):
            skipped.append(_not_regular(path))
        else:
            seen: set[tuple[int, int]] = set()
            for folder, dirs, names in os.walk(path, onerror=unlisted, followlinks=True):
                here = os.stat(folder)
                if (here.st_dev, here.st_ino) in seen:
                    dirs[:] = []  # a symlink back to a folder already walked
                    continue
                seen.add((here.st_dev, here.st_ino))
                dirs[:] = sorted(d for d in dirs if not _hidden(d))
                for name in sorted(n for n in names if not _hidden(n)):
                    # os.walk lists a broken or looping link, a pipe, with the files.
                    file = Path(folder, name)
                    found = _stat(file)
                    if isinstance(found, Skipped):
                        skipped.append(found)
                    elif stat.S_ISREG(found.st_mode):
                        files.append(file)
                    else:
                        skipped.append(_not_regular(file))
    return files, skipped


def _load_one(path: Path, max_file_mb: float | None) -> LoadResult:
    """``load_file``, with every failure turned into a Skipped for the file."""
    try:
        return load_file(path, max_file_mb=max_file_mb)
    except LoadError as exc:
        return LoadResult([], [Skipped(str(path), exc.reason)])
    except Exception as exc:  # a loader's library can fail in ways of its own (corrupt PDFs)
        logger.debug("loading %s failed", path, exc_info=True)
        reason = f"could not be read ({type(exc).__name__}: {exc}); check the file is not damaged"
        return LoadResult([], [Skipped(str(path), reason)])


def load_paths(
    paths: Iterable[str | Path], *, max_file_mb: float | None, seen: SeenLines | None = None
) -> LoadResult:
    """Every article in the files and folders given, and every file or row skipped.

    Articles are keyed by id: when two differ under the same id, the later one wins and
    the earlier one is reported as skipped; exact repeats (the same file named twice)
    are dropped silently.

    Each article's page furniture is dropped as it loads, and then the short lines that
    many articles of one source share (:func:`ingest.furniture.drop_repeated_lines`),
    counted over this run's articles and, given ``seen``, earlier runs' too.

    Args:
        paths: files and folders; folders are walked recursively.
        max_file_mb: a larger file is skipped unread, with a message; None for no limit.
            Required: the one default is ``Settings.max_file_mb``.
        seen: the short lines of earlier runs' articles, counted with this run's and
            then updated (:mod:`ingest.seen_lines`); None: this run's alone.

    Returns:
        ``(articles, skipped)``; a bad file never stops the others from loading.

    Example:
        >>> articles, skipped = load_paths(["data/sample", "missing.txt"], max_file_mb=20)
        >>> len(articles), [str(s) for s in skipped]
        (1, ['missing.txt: no such file or folder'])
    """
    files, skipped = iter_files(paths)
    by_id: dict[str, Article] = {}
    for path in files:
        articles, skips = _load_one(path, max_file_mb)
        skipped.extend(skips)
        _keep_last(by_id, articles, skipped)
    return LoadResult(drop_repeated_lines(list(by_id.values()), seen=seen), skipped)


def _keep_last(
    by_id: dict[str, Article], articles: Iterable[Article], skipped: list[Skipped]
) -> None:
    """Add articles by id; a different one under an id already seen replaces it, reported."""
    for article in articles:
        earlier = by_id.get(article.id)
        if earlier is not None and earlier.content_hash != article.content_hash:
            skipped.append(
                Skipped(
                    earlier.path,
                    f"article id {article.id!r} appears again in {article.path}; "
                    "the later one was kept",
                )
            )
        by_id[article.id] = article


def load_sources(
    sources: Iterable[str | Path],
    *,
    max_file_mb: float | None,
    fetcher: Fetcher,
    known: Known | None = None,
    workers: int = 4,
    seen: SeenLines | None = None,
) -> WebResult:
    """Every article in the files, folders, urls and feeds given, and everything skipped.

    Files and folders load as :func:`load_paths` loads them, except saved feeds
    (``.xml``, ``.rss``, ``.atom``), whose entries' pages are fetched. A url is fetched:
    a feed gives its entries' articles, a page its article. A url that fails is a
    Skipped with the reason; the rest still load.

    As in :func:`load_paths`, lines repeated across many articles of one source in
    this run (from files, pages and feeds alike), and with ``seen`` in earlier runs,
    are dropped.

    Args:
        sources: files, folders, ``http(s)://`` urls of articles or feeds.
        max_file_mb: a larger file is skipped unread; None for no limit. (Pages are
            limited by the fetcher.)
        fetcher: fetches urls and feed entries' pages.
        known: given ids of feed entries and urls with their update times, those to
            leave unfetched (:data:`ingest.feeds.Known`), returned in ``kept``. None:
            fetch them all (a changed page replaces).
        workers: pages fetched at once for a feed.
        seen: as for :func:`load_paths`.

    Returns:
        ``(articles, skipped, kept)``.
    """
    sources = list(sources)
    urls = [str(s) for s in sources if is_url(str(s))]
    paths = [s for s in sources if not is_url(str(s))]
    files, skipped = iter_files(paths)
    by_id: dict[str, Article] = {}
    kept: list[str] = []
    for path in files:
        if is_feed_file(path):
            try:
                found = load_feed_file(
                    path, fetcher=fetcher, max_file_mb=max_file_mb, known=known, workers=workers
                )
            except LoadError as exc:
                found = WebResult([], [Skipped(str(path), exc.reason)], [])
        else:
            found = WebResult(*_load_one(path, max_file_mb), [])
        skipped.extend(found.skipped)
        kept.extend(found.kept)
        _keep_last(by_id, found.articles, skipped)
    for url in urls:
        try:
            found = load_url(url, fetcher=fetcher, known=known, workers=workers)
        except LoadError as exc:
            found = WebResult([], [Skipped(exc.path, exc.reason)], [])
        except Exception as exc:  # extraction libraries fail in ways of their own
            logger.debug("loading %s failed", url, exc_info=True)
            found = WebResult(
                [], [Skipped(url, f"could not be read ({type(exc).__name__}: {exc})")], []
            )
        skipped.extend(found.skipped)
        kept.extend(found.kept)
        _keep_last(by_id, found.articles, skipped)
    return WebResult(drop_repeated_lines(list(by_id.values()), seen=seen), skipped, kept)


def chunk_articles(
    articles: Iterable[Article],
    *,
    chunk_tokens: int = 180,
    overlap_tokens: int = 30,
    encoding: str = "cl100k_base",
) -> list[Chunk]:
    """The chunks of every article, in order; see :func:`ingest.chunking.chunk_article`."""
    return [
        chunk
        for article in articles
        for chunk in chunk_article(
            article, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens, encoding=encoding
        )
    ]
