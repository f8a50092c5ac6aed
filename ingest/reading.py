"""Reading a file for a loader: checks before reading, bytes, and text in its charset.

A file that cannot be read raises :class:`LoadError`, whose message names the file and
says how to fix it.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

from charset_normalizer import from_bytes

from ingest.documents import Article, Skipped

MB = 1024 * 1024


class LoadError(Exception):
    """A file that cannot be ingested; the message names it and says what to do."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class LoadResult(NamedTuple):
    """The articles a file holds, and its rows that were skipped (exports only)."""

    articles: list[Article]
    skipped: list[Skipped]


def os_error_reason(path: Path | str, exc: OSError) -> str:
    """Why the OS would not open a file, and what to do, for a Skipped or a LoadError."""
    what = f"cannot be read ({exc.strerror or exc})"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"{what}; check its permissions (and its folder's): "
            "the user running newsdesk must be able to read it"
        )
    if exc.errno == errno.ELOOP:
        return f"{what}: a symbolic link that leads back to itself; fix the link or remove it"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"{what}: a broken link to {os.readlink(path)}; fix the link or remove it"
    return f"{what}; check it exists and is readable"


def megabytes(size: int) -> str:
    """Bytes as MB for a message; small sizes keep two digits.

    Example:
        >>> megabytes(52428800), megabytes(3307)
        ('50.0', '0.0032')
    """
    return f"{size / MB:,.1f}" if size >= MB / 10 else f"{size / MB:.2g}"


def check_file(path: Path, *, max_file_mb: float | None) -> None:
    """A LoadError, before anything is read, for what is not a regular file or is too big."""
    try:
        info = path.stat()
    except OSError as exc:
        raise LoadError(path, os_error_reason(path, exc)) from exc
    if not stat.S_ISREG(info.st_mode):
        reason = "not a regular file (a folder, pipe or device); name files or folders of articles"
        raise LoadError(path, reason)
    if max_file_mb is not None and info.st_size > max_file_mb * MB:
        raise LoadError(
            path,
            f"the file is {megabytes(info.st_size)} MB, over the {max_file_mb:g} MB limit for "
            "one file; split it into smaller files, or raise the limit "
            "(NEWSDESK_MAX_FILE_MB, or newsdesk ingest --max-file-mb)",
        )


def read_bytes(path: Path) -> bytes:
    """The file's bytes; an unreadable or empty file is a LoadError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, os_error_reason(path, exc)) from exc
    if not data:
        raise LoadError(path, "the file is empty; remove it or add the article's text")
    if data.isspace():  # unlike data.strip(), no copy of a big file
        raise LoadError(
            path, "the file holds only blank lines and spaces; remove it or add the article's text"
        )
    return data


def _looks_like_cp1252(data: bytes) -> bool:
    """True when charset-normalizer finds Windows-1252 among its best guesses."""
    matches = list(from_bytes(data))
    if not matches:
        return False
    least_chaos = min(m.percent_chaos for m in matches)
    return any(
        "cp1252" in m.could_be_from_charset for m in matches if m.percent_chaos == least_chaos
    )


def _utf8_damage(data: bytes, error: UnicodeDecodeError) -> str | None:
    """Where UTF-8 text went bad, when the bytes are UTF-8 with a few broken; else None.

    Text saved as Latin-1 or cp1252 fails UTF-8 at every accented letter and almost never
    holds a valid UTF-8 sequence ("é" is one byte, E9). When the file's well-formed
    sequences outnumber its broken ones, it was written as UTF-8 and then damaged (cut
    mid-character, or bytes spliced in); decoding it as cp1252 would turn every "é" into
    "Ã©", so it is refused with the place of the first bad byte instead.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    well_formed = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    if well_formed <= broken:
        return None
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
    byte = data[error.start]
    many = f"{broken} bytes that are" if broken > 1 else "a byte that is"
    return f"{many} not valid UTF-8, the first (0x{byte:02X}) at line {line}, column {column}"


def read_text(path: Path) -> str:
    """The file decoded: UTF-8 (BOM or not), UTF-16 with a BOM, or text that is clearly cp1252.

    Latin-1 (ISO-8859-1) text reads as cp1252, which agrees with it on every printable
    character.
    """
    data = read_bytes(path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise LoadError(path, "binary data, not text; export it as UTF-8 text and ingest that")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if damage := _utf8_damage(data, exc):
            raise LoadError(
                path, f"damaged UTF-8 text: {damage}; fix or re-export the file as UTF-8"
            ) from exc
    if _looks_like_cp1252(data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise LoadError(path, "not UTF-8 text; save it as UTF-8 and ingest again")
