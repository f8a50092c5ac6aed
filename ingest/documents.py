"""The units that cross the layers: an Article as loaded, a Chunk of it as stored.

Both are frozen: a chunk never changes once cut, and its id says where it came from, so
writing the same chunk twice is an upsert that changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path


def stable_hash(*parts: str, length: int = 16) -> str:
    """A short hex digest of the parts, the same on every machine and run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def slugify(text: str, max_len: int = 40) -> str:
    """Lower-case ASCII words joined by hyphens: ``"Hello, World!" -> "hello-world"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "article"


@dataclass(frozen=True)
class Article:
    """One news article, cleaned, with what is known about it.

    ``id`` is the article's own id where the source gives one; otherwise it is derived
    (see :func:`article_id_for_file` and :func:`article_id_for_content`). ``path`` is the
    file it came from, for messages; it is not part of the article's identity.
    """

    id: str
    title: str
    text: str
    url: str = ""
    published: str = ""  # ISO date, "YYYY-MM-DD", or "" when unknown
    source: str = ""
    author: str = ""
    path: str = ""

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the article changes."""
        return stable_hash(
            self.title, self.text, self.url, self.published, self.source, self.author
        )


def article_id_for_file(path: Path) -> str:
    """Id of the one article a file holds: readable, and stable while the file stays put.

    It comes from the file's location, not its content, so that an edited file replaces
    its old chunks instead of adding a second copy beside them.
    """
    return f"{slugify(path.stem)}-{stable_hash(str(path.resolve()), length=10)}"


def article_id_for_content(title: str, text: str) -> str:
    """Id of an article from an export that gives none: derived from its content."""
    return f"{slugify(title or text[:60])}-{stable_hash(title, text, length=10)}"


@dataclass(frozen=True)
class Chunk:
    """A span of an article's text: ``article.text[start:end] == text``, always."""

    article_id: str
    index: int
    text: str
    start: int
    end: int
    title: str = ""
    url: str = ""
    published: str = ""
    source: str = ""
    author: str = ""
    article_hash: str = ""

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


@dataclass(frozen=True)
class Skipped:
    """A file (or a row of one) that was not ingested, and what to do about it."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest run did. Filled by the pipeline (skips) and the store (the rest)."""

    added: list[str] = field(default_factory=list)  # article ids new to the store
    unchanged: list[str] = field(default_factory=list)  # already stored, same content
    replaced: list[str] = field(default_factory=list)  # stored before, content changed
    skipped: list[Skipped] = field(default_factory=list)
    chunks_written: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was skipped."""
        return not self.skipped

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, "
            f"{len(self.replaced)} replaced, {len(self.skipped)} skipped "
            f"({self.chunks_written} chunks written)"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "chunks_written": self.chunks_written,
        }
