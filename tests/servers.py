"""Processes the tests start on loopback: free ports, stopping, the page, llama.cpp's server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant import Settings
from assistant.models import smollm2_gguf_path
from assistant.web import layout


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def served_page(data_dir: Path, backend: str) -> Iterator[str]:
    """The page in this process on a free loopback port, over ``data_dir`` (the sample goes
    in on start), with no NEWSDESK_* setting from the environment; yields its URL."""
    with pytest.MonkeyPatch.context() as env:
        for key in [k for k in os.environ if k.startswith("NEWSDESK_")]:
            env.delenv(key)
        settings = Settings(data_dir=data_dir, backend=backend)
        demo = layout.build_app(settings, warm_up=True)  # as `newsdesk serve` starts
        _, url, _ = layout.launch(
            demo,
            host="127.0.0.1",
            port=free_port(),
            max_file_mb=settings.max_file_mb,
            prevent_thread_lock=True,
            quiet=True,
        )
        try:
            yield url
        finally:
            demo.close()


class LlamaServer:
    """``python -m llama_cpp.server`` on SmolLM2 at a fixed loopback port: start, kill, restart."""

    def __init__(self, log: Path, n_threads: int | None = None, *, embedding: bool = False) -> None:
        self.port = free_port()
        self.n_threads = n_threads
        self.embedding = embedding  # serve /v1/embeddings (one vector per token: no pooling)
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(smollm2_gguf_path()),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", "2048",
        ]  # fmt: skip
        if self.n_threads is not None:
            command += ["--n_threads", str(self.n_threads)]
        if self.embedding:
            command += ["--embedding", "true"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server not up after 120 s: {self.log.read_text()[-2000:]}")
            time.sleep(0.3)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as when the server crashes or the machine's OOM killer picks it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def freeze(self) -> None:
        """SIGSTOP: the server keeps its connections open and sends nothing more."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def stop(self) -> None:
        if self.process is None or not self.running:
            return
        os.kill(self.process.pid, signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        stop_process(self.process, timeout=15)
