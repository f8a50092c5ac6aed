"""Markdown articles, with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ingest.cleaning import clean_text
from ingest.formats.fields import field, one_article, split_title
from ingest.furniture import strip_furniture
from ingest.reading import LoadResult, read_text

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def load_markdown(path: Path) -> LoadResult:
    """A Markdown article: title from front matter, else the first ``# `` heading, else line 1."""
    text = read_text(path).replace("\r\n", "\n")
    meta: dict[str, str] = {}
    if match := _FRONT_MATTER.match(text):
        try:
            front = yaml.safe_load(match[1])
        except yaml.YAMLError:
            front = None
        if isinstance(front, dict):
            text = text[match.end() :]
            meta = {key: field(front, key) for key in ("title", "url", "source", "author")}
            meta["published"] = field(front, "published") or field(front, "date")
    title = meta.pop("title", "")
    if not title and (heading := _HEADING.search(text)):
        title = heading[1]
        text = text[: heading.start()] + text[heading.end() :]
    if not title:
        title, text = split_title(strip_furniture(clean_text(text)), path)
    return one_article(path, title, text, **meta)
