"""Uploaded files: safe names, and a folder per content so readers never overwrite each
other."""

from __future__ import annotations

import hashlib
import re
import unicodedata
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


def upload_destination(upload_root: Path, name: str, digest: str) -> Path:
    """Where an upload is kept: ``upload_root/<content digest>/<safe name>``.

    The folder comes from the file's content, so uploading the same file again finds the
    same path and ingest leaves it unchanged, while two different files with one name
    (from two readers) never overwrite each other.
    """
    folder = (upload_root / re.sub(r"[^0-9a-f]", "", digest.lower())[:32]).resolve()
    target = (folder / safe_upload_name(name)).resolve()
    if not target.is_relative_to(folder) or target == folder:
        raise ValueError(f"refusing upload name {name!r}")
    return target


def file_digest(path: Path) -> str:
    """sha256 hex of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
