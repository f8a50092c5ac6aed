"""The short lines of articles ingested before, so furniture is found across runs.

:func:`ingest.furniture.drop_repeated_lines` drops a short line that many articles of one
source carry. Within one run it sees only that run's articles: a watched folder, or a
page that adds one upload at a time, would never hold three articles of a source at
once. :class:`SeenLines` keeps, per source, a key of each article's text and of each of
its short lines (12 hex digits of a hash of the normalised line, never the text) in a
JSON file beside the store, so a later run counts them with its own.

What it cannot do: an article stored before its source's furniture was recognised keeps
those lines until it is ingested again (the run that learns them drops them from its own
articles). The record is kept beside an embedded store only: with a Chroma server, which
several clients share, each run counts its own articles.
Two ingests at once each add their own articles to the file as it is when they save;
two processes saving in the same instant can still lose one's record (it only counts).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "seen-lines.json"
_SAVING = threading.Lock()  # one save at a time in this process
_VERSION = 1


def line_key(normalised: str) -> str:
    """The key a normalised line (or an article's text) is recorded and compared by."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=6).hexdigest()


#: What is kept of one article: the key of its text, and the keys of its short lines.
Seen = tuple[str, tuple[str, ...]]


class SeenLines:
    """Per source, what was seen of each article ingested (by article id): :data:`Seen`.

    Example:
        >>> seen = SeenLines()
        >>> seen.record("site:example.com", {"a": ("9d0c", ("1f2e",))})
        >>> seen.earlier("site:example.com", exclude={"b"})
        {'a': ('9d0c', ('1f2e',))}
    """

    def __init__(
        self,
        path: Path | None = None,
        sources: Mapping[str, Mapping[str, Seen]] | None = None,
    ) -> None:
        self.path = path
        self._sources: dict[str, dict[str, Seen]] = {
            key: dict(articles) for key, articles in (sources or {}).items()
        }
        # What this instance changed, applied to the file as it is when saved, so two
        # ingests at once (two uploads on the page) do not lose each other's articles.
        self._recorded: dict[str, dict[str, Seen]] = {}
        self._forgotten: set[str] = set()
        self._cleared = False

    @classmethod
    def load(cls, path: Path) -> SeenLines:
        """The record at ``path``; an empty one when there is none yet, or it cannot be
        read (it is rebuilt from the runs that follow, and a warning says so)."""
        if not path.is_file():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            sources = {
                str(key): {
                    str(a): (str(seen["text"]), tuple(str(k) for k in seen["lines"]))
                    for a, seen in articles.items()
                }
                for key, articles in data["sources"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning(
                "%s could not be read (%s); lines repeated across earlier runs are "
                "counted again from this run on",
                path,
                exc,
            )
            return cls(path)
        return cls(path, sources)

    def earlier(self, source: str, *, exclude: Iterable[str] = ()) -> dict[str, Seen]:
        """The recorded articles of a source, but those in ``exclude`` (this run's)."""
        skip = set(exclude)
        recorded = self._sources.get(source, {})
        return {a: keys for a, keys in recorded.items() if a not in skip}

    def record(self, source: str, articles: Mapping[str, Seen]) -> None:
        """Record (or replace) what was seen of articles of a source."""
        if source and articles:
            self._sources.setdefault(source, {}).update(articles)
            self._recorded.setdefault(source, {}).update(articles)

    def forget(self, article_ids: Iterable[str]) -> None:
        """Drop articles from the record (they were deleted from the store)."""
        ids = set(article_ids)
        self._forgotten |= ids
        for changed in (self._sources, self._recorded):
            for articles in changed.values():
                for article_id in ids & articles.keys():
                    del articles[article_id]

    def clear(self) -> None:
        """Forget every article (the store is rebuilt)."""
        self._sources.clear()
        self._recorded.clear()
        self._cleared = True

    def save(self) -> None:
        """Apply this record's changes to the file at its path (as it is now: another
        ingest may have saved since this one loaded), written whole or not at all."""
        if self.path is None:
            return
        with _SAVING:
            merged = {} if self._cleared else SeenLines.load(self.path)._sources
            for articles in merged.values():
                for article_id in self._forgotten & articles.keys():
                    del articles[article_id]
            for key, articles in self._recorded.items():
                merged.setdefault(key, {}).update(articles)
            self._write(merged)
            self._sources = merged
            self._recorded, self._forgotten, self._cleared = {}, set(), False

    def _write(self, sources: Mapping[str, Mapping[str, Seen]]) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": _VERSION,
            "sources": {
                key: {a: {"text": t, "lines": list(lines)} for a, (t, lines) in articles.items()}
                for key, articles in sources.items()
                if articles
            },
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".seen-lines-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
