"""What every loader shares: titles, dates, fields, and the one-article result."""

from __future__ import annotations

import email.utils
import re
from datetime import datetime
from pathlib import Path

from dateutil import parser as date_parser

from ingest.cleaning import clean_text, clean_title
from ingest.documents import Article, article_id_for_file
from ingest.furniture import strip_furniture
from ingest.reading import LoadError, LoadResult

# A first line longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 200


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


def field(record: dict[str, object], key: str) -> str:
    """A field as a string: lists are joined with commas, missing values are ``""``.

    Example:
        >>> field({"author": ["Ann", None, "Bo"], "id": 7}, "author"), field({}, "url")
        ('Ann, Bo', '')
    """
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value if item is not None)
    return str(value).strip()


def title_from_path(path: Path) -> str:
    """A readable title from a file name.

    Example:
        >>> title_from_path(Path("news/us-troops_2022.txt"))
        'us troops 2022'
    """
    return " ".join(re.split(r"[-_\s]+", path.stem)).strip() or path.name


def split_title(text: str, path: Path) -> tuple[str, str]:
    """The first line as title and the rest as body, when the first line looks like a title."""
    first, _, rest = text.partition("\n")
    if rest.strip() and len(first) <= MAX_TITLE_CHARS:
        return first, rest
    return title_from_path(path), text


def _drop_title_line(title: str, text: str) -> str:
    """The text without its first line when that line repeats the title."""
    first, _, rest = text.partition("\n")
    if title and clean_title(first).casefold() == title.casefold():
        return rest.strip()
    return text


def build_article(article_id: str, where: str, title: str, text: str, **meta: str) -> Article:
    """An Article from raw fields, cleaned and without page furniture
    (:func:`ingest.furniture.strip_furniture`); ``where`` (a file or url) names it in messages.

    Raises:
        LoadError: no text is left after cleaning.
    """
    title = clean_title(title)
    text = _drop_title_line(title, strip_furniture(clean_text(text)))
    if not text:
        raise LoadError(
            where, "no article text after cleaning (only a title, page furniture, or nothing)"
        )
    return Article(
        id=article_id,
        title=title or title_from_path(Path(where)),
        text=text,
        url=meta.get("url", ""),
        published=parse_date(meta.get("published", "")),
        source=clean_title(meta.get("source", "")),
        author=clean_title(meta.get("author", "")),
        path=where,
    )


def one_article(path: Path, title: str, text: str, **meta: str) -> LoadResult:
    """A LoadResult of the single article a file holds, its id taken from the file's path."""
    return LoadResult(
        [build_article(article_id_for_file(path), str(path), title, text, **meta)], []
    )
