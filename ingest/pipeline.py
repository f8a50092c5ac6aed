"""Paths to articles to chunks. A bad file becomes a Skipped with a reason; nothing stops."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from ingest.chunking import chunk_article
from ingest.documents import Article, Chunk, Skipped
from ingest.loaders import LoadError, LoadResult, load_file

logger = logging.getLogger(__name__)


def _hidden(name: str) -> bool:
    """True for names like ``.git`` or ``.DS_Store``."""
    return name.startswith(".")


def iter_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """The files named, and those in the folders named (recursively), in a stable order.

    Hidden files and folders inside a folder are left out; a hidden file named
    explicitly is kept. Folder symlinks are followed, each real folder once, so a link
    loop ends. A path that does not exist comes back as a Skipped.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            seen: set[tuple[int, int]] = set()
            for folder, dirs, names in os.walk(path, followlinks=True):
                info = os.stat(folder)
                if (info.st_dev, info.st_ino) in seen:
                    dirs[:] = []  # a symlink back to a folder already walked
                    continue
                seen.add((info.st_dev, info.st_ino))
                dirs[:] = sorted(d for d in dirs if not _hidden(d))
                files.extend(Path(folder, n) for n in sorted(names) if not _hidden(n))
        elif path.exists() or path.is_symlink():
            skipped.append(Skipped(str(path), "not a regular file or folder (a broken link?)"))
        else:
            skipped.append(Skipped(str(path), "no such file or folder"))
    return files, skipped


def _load_one(path: Path) -> LoadResult:
    """``load_file``, with every failure turned into a Skipped for the file."""
    try:
        return load_file(path)
    except LoadError as exc:
        return LoadResult([], [Skipped(str(path), exc.reason)])
    except Exception as exc:  # a loader's library can fail in ways of its own (corrupt PDFs)
        logger.debug("loading %s failed", path, exc_info=True)
        reason = f"could not be read ({type(exc).__name__}: {exc}); check the file is not damaged"
        return LoadResult([], [Skipped(str(path), reason)])


def load_paths(paths: Iterable[str | Path]) -> LoadResult:
    """Every article in the files and folders given, and every file or row skipped.

    Articles are keyed by id: when two differ under the same id, the later one wins and
    the earlier one is reported as skipped; exact repeats (the same file named twice)
    are dropped silently.

    Args:
        paths: files and folders; folders are walked recursively.

    Returns:
        ``(articles, skipped)``; a bad file never stops the others from loading.

    Example:
        >>> articles, skipped = load_paths(["data/sample", "missing.txt"])
        >>> len(articles), [str(s) for s in skipped]
        (1, ['missing.txt: no such file or folder'])
    """
    files, skipped = iter_files(paths)
    by_id: dict[str, Article] = {}
    for path in files:
        articles, skips = _load_one(path)
        skipped.extend(skips)
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
    return LoadResult(list(by_id.values()), skipped)


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
