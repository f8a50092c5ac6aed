"""Exports that hold many articles: JSON Lines, JSON and CSV.

A bad row does not stop the file: it comes back as a :class:`Skipped` next to the good
rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from ingest.cleaning import clean_text, clean_title
from ingest.documents import Article, Skipped, article_id_for_content
from ingest.formats.fields import field, parse_date
from ingest.furniture import strip_furniture
from ingest.reading import LoadError, LoadResult, read_text


def _record_article(record: object, path: Path, where: str) -> Article | Skipped:
    """An Article from one exported record, or a Skipped saying what is wrong with it."""
    if not isinstance(record, dict):
        kind = type(record).__name__
        return Skipped(where, f"expected an object with a 'text' field, got {kind}")
    record = {str(key).strip().lower(): value for key, value in record.items() if key is not None}
    text = strip_furniture(clean_text(field(record, "text")))
    if not text and "text" not in record:
        fields = ", ".join(record) or "none"
        reason = f"no 'text' field (fields: {fields}); every article needs its text"
        return Skipped(where, f"{reason}, so name the field that holds it 'text'")
    if not text:
        return Skipped(where, "empty 'text' after cleaning; every article needs its text")
    title = clean_title(field(record, "title"))
    url = field(record, "url")
    return Article(
        id=field(record, "id") or url or article_id_for_content(title, text),
        title=title,
        text=text,
        url=url,
        published=parse_date(field(record, "published")),
        source=clean_title(field(record, "source")),
        author=clean_title(field(record, "author")),
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
    """The lines of ``text`` split at "\\n" one at a time, not as one list of them all."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def load_jsonl(path: Path) -> LoadResult:
    """JSON Lines: one article object per line; a malformed line is skipped, not fatal."""

    def rows() -> Iterable[tuple[str, object]]:
        # "\n" only, not splitlines(): U+2028 may stand unescaped inside a JSON string.
        for lineno, line in enumerate(_lines(read_text(path)), start=1):
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
        data = json.loads(read_text(path))
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
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
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
