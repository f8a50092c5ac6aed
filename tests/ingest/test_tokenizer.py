"""The tiktoken encodings come from the packaged files: no download, ever."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.tokenizer import ENCODING_URLS, count_tokens, get_encoding, install_encoding_file

ROOT = Path(__file__).resolve().parents[2]

# The sha256 tiktoken checks each file against (tiktoken_ext/openai_public.py).
OFFICIAL_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


@pytest.mark.parametrize("name", sorted(ENCODING_URLS))
def test_file_is_placed_under_the_name_tiktoken_expects(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    target = install_encoding_file(name)
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    assert target == tmp_path / hashlib.sha1(url.encode()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == OFFICIAL_SHA256[name]
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left


def test_a_damaged_cache_file_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    target = install_encoding_file("cl100k_base")
    target.write_bytes(b"half a file")
    install_encoding_file("cl100k_base")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == OFFICIAL_SHA256["cl100k_base"]


def test_an_unwritable_cache_dir_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(blocker / "tiktoken"))
    with pytest.raises(OSError, match="set TIKTOKEN_CACHE_DIR to a writable folder"):
        install_encoding_file("cl100k_base")


def test_cache_dir_defaults_under_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    target = install_encoding_file("cl100k_base")
    assert target.parent == tmp_path / "newsdesk" / "tiktoken"
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(target.parent)


def test_unknown_encoding_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="cl100k_base, o200k_base"):
        install_encoding_file("gpt2")


def test_count_tokens() -> None:
    assert get_encoding().encode("hello world") == [15339, 1917]
    assert count_tokens("hello world") == 2
    assert count_tokens("hello world", encoding="o200k_base") == 2
    assert count_tokens("") == 0
    # Article text may contain a special token's spelling; it is counted as plain text.
    assert count_tokens("<|endoftext|>") > 1


def test_works_with_sockets_blocked_and_an_empty_cache(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from ingest.tokenizer import get_encoding
        print(get_encoding("cl100k_base").encode("hello world"))
        print(get_encoding("o200k_base").encode("hello world"))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["[15339, 1917]", "[24912, 2375]"]
    assert len(list((tmp_path / "newsdesk" / "tiktoken").iterdir())) == 2
