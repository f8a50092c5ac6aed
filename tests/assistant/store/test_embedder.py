"""SentenceEmbedder: encodes from many threads at once leave torch's thread count alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from assistant.store import embedder as embedder_module
from assistant.store.embedder import _SMALL_BATCH, SentenceEmbedder


class _SlowModel:
    """A stand-in model that records torch's thread count while it 'encodes'."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []  # (texts, torch threads during the encode)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], **_: object) -> np.ndarray:
        time.sleep(0.002)
        threads = torch.get_num_threads()
        time.sleep(0.02)  # long enough for the other threads to start theirs meanwhile
        with self._lock:
            self.seen.append((len(texts), threads))
        return np.zeros((len(texts), 4), dtype=np.float32)


@pytest.fixture()
def two_threads() -> Iterator[None]:
    """Torch on two threads for the test (one would hide the bug), then as it was."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_concurrent_encodes_keep_the_process_thread_count(
    monkeypatch: pytest.MonkeyPatch, two_threads: None
) -> None:
    model = _SlowModel()
    monkeypatch.setattr(embedder_module, "_load", lambda name, model_dir=None: model)
    embedder = SentenceEmbedder()
    small = ["a question"]
    big = ["a chunk"] * (_SMALL_BATCH + 1)
    jobs = [small, big] * 8

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(embedder.encode, jobs))

    assert torch.get_num_threads() == 2
    assert len(model.seen) == len(jobs)
    assert {threads for n, threads in model.seen if n > _SMALL_BATCH} == {2}
    assert {threads for n, threads in model.seen if n <= _SMALL_BATCH} == {1}
