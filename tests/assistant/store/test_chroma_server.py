"""Server mode: the same code against a real `chroma run` server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, StoreError
from tests.conftest import SAMPLE_DIR
from tests.servers import free_port, stop_process


def _chroma_binary() -> str:
    found = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(found).exists():
        pytest.fail("the `chroma` command of the chromadb package is not installed")
    return found


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            _chroma_binary(),
            "run",
            "--path",
            str(path / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start listening within 60 s")
    yield f"127.0.0.1:{port}"
    stop_process(proc, timeout=20)
    log.close()


def test_ingest_and_search_through_a_chroma_server(
    chroma_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMA_HOST", chroma_server)
    bot = Assistant(data_dir=tmp_path / "unused")
    report = bot.ingest([SAMPLE_DIR])
    assert len(report.added) == 1
    assert bot.stats()["store"] == f"chroma://{chroma_server}"
    text = " ".join(p.text for p in bot.search("Who disputed the withdrawal?", k=5))
    assert "we now know it was false" in text
    again = Assistant(data_dir=tmp_path / "unused").ingest([SAMPLE_DIR])
    assert again.unchanged == report.added
    assert not (tmp_path / "unused").exists()  # nothing was written locally


def test_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    bot = Assistant(data_dir=tmp_path, chroma_host=f"127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match=r"cannot reach the Chroma server.*chroma run"):
        bot.stats()
