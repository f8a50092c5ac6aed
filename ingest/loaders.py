"""Files to Articles: one loader per format, chosen by the file's suffix from a plain dict.

Reading and charset detection live in :mod:`ingest.reading`, each format in its module of
:mod:`ingest.formats`. A file that cannot be read raises :class:`LoadError`, whose message
names the file and says how to fix it. In an export (JSON Lines, JSON, CSV) a bad row does
not stop the file: it comes back as a :class:`Skipped` next to the good rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.formats.fields import parse_date
from ingest.formats.html import load_html
from ingest.formats.markdown import load_markdown
from ingest.formats.pdf import load_pdf
from ingest.formats.records import load_csv, load_json, load_jsonl
from ingest.formats.text import load_text
from ingest.reading import MB, LoadError, LoadResult, check_file, os_error_reason

__all__ = [
    "LOADERS",
    "MB",
    "LoadError",
    "LoadResult",
    "Loader",
    "load_file",
    "os_error_reason",
    "parse_date",
]

Loader = Callable[[Path], LoadResult]

LOADERS: dict[str, Loader] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".jsonl": load_jsonl,
    ".json": load_json,
    ".csv": load_csv,
}


def load_file(path: Path, *, max_file_mb: float | None) -> LoadResult:
    """The articles in one file, and the rows of it that were skipped.

    Args:
        path: a file whose suffix is one of ``LOADERS``.
        max_file_mb: a larger file is refused before it is read; None for no limit.
            Required: the one default is ``Settings.max_file_mb``.

    Returns:
        ``(articles, skipped)``; ``skipped`` can only be non-empty for exports.

    Raises:
        LoadError: the file cannot be ingested; the message says why and what to do.

    Example:
        >>> path = Path("data/sample/white-house-russia-withdrawal.txt")
        >>> articles, skipped = load_file(path, max_file_mb=20)
        >>> articles[0].title
        'White House says Russian troop withdrawal claims are ‘false’'
    """
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = " ".join(sorted(LOADERS))
        kind = f"{path.suffix!r} files are" if path.suffix else "files without a suffix are"
        raise LoadError(path, f"{kind} not supported; convert it to one of: {supported}")
    check_file(path, max_file_mb=max_file_mb)
    return loader(path)
