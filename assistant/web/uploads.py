"""Uploaded files: safe names, one file per name, and replacing a file safely."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave its folder: the basename, tamed, never empty.

    ``../../etc/passwd`` -> ``passwd``; ``..\\x.txt`` -> ``x.txt``; ``..`` -> ``upload``.
    """
    base = unicodedata.normalize("NFKC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" ._-")  # no leading dot: no '..', no dotfile
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        base = f"{stem[:100].rstrip(' ._-')}.{suffix}" if stem.strip(" ._-") else f"upload.{suffix}"
    else:
        base = base[:110]
    return base or "upload"


def upload_destination(upload_root: Path, name: str) -> Path:
    """Where an upload is kept: ``upload_root/<safe name>``.

    An article's id comes from its file's path, so a file uploaded again under the same
    name, edited or not, lands on the same path and replaces its article (ingest leaves an
    unchanged one alone), while files with other names never share a path.
    """
    folder = upload_root.resolve()
    target = (folder / safe_upload_name(name)).resolve()
    if target.parent != folder:
        raise ValueError(f"refusing upload name {name!r}")
    return target


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Callable[[bool], None]]:
    """Write a new file at ``target`` inside the block, keeping any earlier one aside.

    The block calls the yielded ``keep(True)`` once the new file is in the library; else
    (nothing came of it, or an error) the earlier file comes back, or none stays.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.previous")  # safe names never start with "."
    had = target.exists()
    if had:
        target.replace(aside)
    kept = False

    def keep(value: bool) -> None:
        nonlocal kept
        kept = value

    try:
        yield keep
    finally:
        if kept:
            aside.unlink(missing_ok=True)
        else:
            target.unlink(missing_ok=True)
            if had:
                aside.replace(target)
