"""Files to Articles: one loader per format, chosen by the file's suffix from a plain dict.

A file that cannot be read raises :class:`LoadError`, whose message names the file and
says how to fix it. In an export (JSON Lines, JSON, CSV) a bad row does not stop the
file: it comes back as a :class:`Skipped` next to the good rows.
"""

from __future__ import annotations

import codecs
import csv
import email.utils
import errno
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import pypdf
import trafilatura
import yaml
from charset_normalizer import from_bytes
from dateutil import parser as date_parser
from trafilatura.settings import Document

from ingest.cleaning import clean_text, clean_title
from ingest.documents import Article, Skipped, article_id_for_content, article_id_for_file

# A first line longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 200
# Largest file read, in MB; the chat page takes uploads up to 20 MB too. A 20 MB text is
# some 5 million tokens, about 27,000 chunks of 180: a book, not an article.
MAX_FILE_MB = 20.0
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


# --- reading bytes as text ---------------------------------------------------------------


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


def _megabytes(size: int) -> str:
    """``52428800`` -> ``"50.0"``; small sizes keep two digits: ``3307`` -> ``"0.0032"``."""
    return f"{size / MB:,.1f}" if size >= MB / 10 else f"{size / MB:.2g}"


def _check_file(path: Path, *, max_file_mb: float | None) -> None:
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
            f"the file is {_megabytes(info.st_size)} MB, over the {max_file_mb:g} MB limit for "
            "one file; split it into smaller files, or raise the limit "
            "(NEWSDESK_MAX_FILE_MB, or newsdesk ingest --max-file-mb)",
        )


def _read_bytes(path: Path) -> bytes:
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


def _read_text(path: Path) -> str:
    """The file decoded: UTF-8 (BOM or not), UTF-16 with a BOM, or text that is clearly cp1252.

    Latin-1 (ISO-8859-1) text reads as cp1252, which agrees with it on every printable
    character.
    """
    data = _read_bytes(path)
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


# --- one article per file ------------------------------------------------------------------


def _title_from_path(path: Path) -> str:
    """A readable title from a file name: ``us-troops_2022`` -> ``us troops 2022``."""
    return " ".join(re.split(r"[-_\s]+", path.stem)).strip() or path.name


def _split_title(text: str, path: Path) -> tuple[str, str]:
    """The first line as title and the rest as body, when the first line looks like a title."""
    first, _, rest = text.partition("\n")
    if rest.strip() and len(first) <= MAX_TITLE_CHARS:
        return first, rest
    return _title_from_path(path), text


def _drop_title_line(title: str, text: str) -> str:
    """The text without its first line when that line repeats the title."""
    first, _, rest = text.partition("\n")
    if title and clean_title(first).casefold() == title.casefold():
        return rest.strip()
    return text


def _one_article(path: Path, title: str, text: str, **meta: str) -> LoadResult:
    """A LoadResult of the single article a file holds, its id taken from the file's path."""
    title = clean_title(title)
    text = _drop_title_line(title, clean_text(text))
    if not text:
        raise LoadError(path, "no article text after cleaning (only a title, or nothing)")
    article = Article(
        id=article_id_for_file(path),
        title=title or _title_from_path(path),
        text=text,
        url=meta.get("url", ""),
        published=parse_date(meta.get("published", "")),
        source=clean_title(meta.get("source", "")),
        author=clean_title(meta.get("author", "")),
        path=str(path),
    )
    return LoadResult([article], [])


def load_text(path: Path) -> LoadResult:
    """A plain-text article: the first line is the title when one stands above the body."""
    title, body = _split_title(clean_text(_read_text(path)), path)
    return _one_article(path, title, body)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def load_markdown(path: Path) -> LoadResult:
    """A Markdown article: title from front matter, else the first ``# `` heading, else line 1."""
    text = _read_text(path).replace("\r\n", "\n")
    meta: dict[str, str] = {}
    if match := _FRONT_MATTER.match(text):
        try:
            front = yaml.safe_load(match[1])
        except yaml.YAMLError:
            front = None
        if isinstance(front, dict):
            text = text[match.end() :]
            meta = {key: _field(front, key) for key in ("title", "url", "source", "author")}
            meta["published"] = _field(front, "published") or _field(front, "date")
    title = meta.pop("title", "")
    if not title and (heading := _HEADING.search(text)):
        title = heading[1]
        text = text[: heading.start()] + text[heading.end() :]
    if not title:
        title, text = _split_title(clean_text(text), path)
    return _one_article(path, title, text, **meta)


def load_html(path: Path) -> LoadResult:
    """A web page: trafilatura finds the article's main text and its metadata, offline."""
    found = trafilatura.bare_extraction(
        _read_bytes(path), with_metadata=True, include_comments=False, include_tables=True
    )
    meta = found.as_dict() if isinstance(found, Document) else {}
    text = meta.get("text") or ""
    if not clean_text(text):
        raise LoadError(
            path,
            "no article body found in the HTML; "
            "save the article's own page, not an index or a login page",
        )
    # trafilatura writes one block (paragraph, heading, list item) per line: keep them apart.
    text = text.replace("\n", "\n\n")
    return _one_article(
        path,
        meta.get("title") or "",
        text,
        url=meta.get("url") or "",
        published=meta.get("date") or "",
        source=meta.get("sitename") or meta.get("hostname") or "",
        author=meta.get("author") or "",
    )


_PLACEHOLDER_TITLE = re.compile(r"^untitled|\.(docx?|odt|rtf|pdf|txt|indd|pages)$", re.I)


def load_pdf(path: Path) -> LoadResult:
    """A PDF: the text of every page; the title from its metadata, else its first line."""
    encrypted = "the PDF is encrypted; save an unprotected copy and ingest that"
    reader = None
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(path, encrypted)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except LoadError:
        raise
    except pypdf.errors.DependencyError as exc:
        if reader is not None and reader.is_encrypted:  # AES needs the cryptography package
            reason = f"{encrypted}, or install the cryptography package to read it ({exc})"
            raise LoadError(path, reason) from exc
        raise LoadError(path, f"not a readable PDF ({exc}); re-export it") from exc
    except (pypdf.errors.PyPdfError, ValueError) as exc:
        reason = f"not a readable PDF ({exc}); check the file is complete, or re-export it"
        raise LoadError(path, reason) from exc
    text = clean_text("\n\n".join(pages))
    if not text:
        raise LoadError(path, "the PDF has no text layer (a scan?); run OCR on it first")
    title = (info.title or "").strip() if info else ""
    if _PLACEHOLDER_TITLE.search(title):
        title = ""  # "Microsoft Word - draft.docx" names a file, not the article
    if not title:
        title, text = _split_title(text, path)
    return _one_article(path, title, text, author=(info.author or "") if info else "")


# --- exports: many articles per file -------------------------------------------------------


def parse_date(value: str) -> str:
    """``YYYY-MM-DD`` for a date written any common way; ``""`` when it is not a full date.

    Example:
        >>> parse_date("Wed, 16 Feb 2022 10:00:00 GMT"), parse_date("16 February 2022")
        ('2022-02-16', '2022-02-16')
        >>> parse_date("2022-02-16T09:00Z"), parse_date("Feb 2022"), parse_date("soon")
        ('2022-02-16', '', '')
    """
    value = value.strip()
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    # Parse twice with different defaults: if the results differ, a part was missing
    # ("Feb 2022" has no day) and any day we put there would be made up.
    try:
        first = date_parser.parse(value, default=datetime(2000, 1, 1))
        second = date_parser.parse(value, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return ""
    return first.date().isoformat() if first.date() == second.date() else ""


def _field(record: dict[str, object], key: str) -> str:
    """A field as a string: lists are joined with commas, missing values are ``""``."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value if item is not None)
    return str(value).strip()


def _record_article(record: object, path: Path, where: str) -> Article | Skipped:
    """An Article from one exported record, or a Skipped saying what is wrong with it."""
    if not isinstance(record, dict):
        kind = type(record).__name__
        return Skipped(where, f"expected an object with a 'text' field, got {kind}")
    record = {str(key).strip().lower(): value for key, value in record.items() if key is not None}
    text = clean_text(_field(record, "text"))
    if not text and "text" not in record:
        fields = ", ".join(record) or "none"
        reason = f"no 'text' field (fields: {fields}); every article needs its text"
        return Skipped(where, f"{reason}, so name the field that holds it 'text'")
    if not text:
        return Skipped(where, "empty 'text' after cleaning; every article needs its text")
    title = clean_title(_field(record, "title"))
    url = _field(record, "url")
    return Article(
        id=_field(record, "id") or url or article_id_for_content(title, text),
        title=title,
        text=text,
        url=url,
        published=parse_date(_field(record, "published")),
        source=clean_title(_field(record, "source")),
        author=clean_title(_field(record, "author")),
        path=str(path),
    )


def _collect(path: Path, rows: Iterable[tuple[str, object]]) -> LoadResult:
    """Turn ``(location, record)`` pairs into a LoadResult, good rows and skipped ones."""
    result = LoadResult([], [])
    for where, record in rows:
        item = record if isinstance(record, Skipped) else _record_article(record, path, where)
        if isinstance(item, Skipped):
            result.skipped.append(item)
        else:
            result.articles.append(item)
    if not result.articles and not result.skipped:
        raise LoadError(path, "the export holds no articles; add some, or remove the file")
    return result


def _lines(text: str) -> Iterable[str]:
    """The lines of ``text`` split at "\n" one at a time, not as one list of them all."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def load_jsonl(path: Path) -> LoadResult:
    """JSON Lines: one article object per line; a malformed line is skipped, not fatal."""

    def rows() -> Iterable[tuple[str, object]]:
        # "\n" only, not splitlines(): U+2028 may stand unescaped inside a JSON string.
        for lineno, line in enumerate(_lines(_read_text(path)), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                reason = f"not valid JSON ({exc.msg} at column {exc.colno})"
                yield where, Skipped(where, f"{reason}; fix or remove the line")

    return _collect(path, rows())


def load_json(path: Path) -> LoadResult:
    """JSON: a list of article objects, one object, or ``{"articles": [...]}``."""
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        reason = f"not valid JSON ({exc.msg} at {where}); fix it and ingest again"
        raise LoadError(path, reason) from exc
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        expected = 'a list of articles, one article object, or {"articles": [...]}'
        raise LoadError(path, f"expected {expected}; got {type(data).__name__}")
    return _collect(path, ((f"{path}[{i}]", record) for i, record in enumerate(data)))


def load_csv(path: Path) -> LoadResult:
    """CSV with a header row naming the fields; ``text`` is required."""
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "text" not in columns:
        found = ", ".join(columns) or "none"
        reason = f"no 'text' column (columns: {found}); add a header row naming 'text'"
        raise LoadError(path, reason)

    def rows() -> Iterable[tuple[str, object]]:
        while True:
            where = f"{path}:{reader.line_num + 1}"  # the line the next row starts on
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield where, Skipped(where, f"bad CSV ({exc}); the rest of the file was not read")
                return
            yield where, row

    return _collect(path, rows())


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


def load_file(path: Path, *, max_file_mb: float | None = MAX_FILE_MB) -> LoadResult:
    """The articles in one file, and the rows of it that were skipped.

    Args:
        path: a file whose suffix is one of ``LOADERS``.
        max_file_mb: a larger file is refused before it is read; None for no limit.

    Returns:
        ``(articles, skipped)``; ``skipped`` can only be non-empty for exports.

    Raises:
        LoadError: the file cannot be ingested; the message says why and what to do.

    Example:
        >>> articles, skipped = load_file(Path("data/sample/white-house-russia-withdrawal.txt"))
        >>> articles[0].title
        'White House says Russian troop withdrawal claims are ‘false’'
    """
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = " ".join(sorted(LOADERS))
        kind = f"{path.suffix!r} files are" if path.suffix else "files without a suffix are"
        raise LoadError(path, f"{kind} not supported; convert it to one of: {supported}")
    _check_file(path, max_file_mb=max_file_mb)
    return loader(path)
