"""Shared fixtures, and a guard that fails any network connection off this machine.

The suite must pass with the network cut (CI also runs it in a namespace with only
loopback); the guard makes a test that reaches out fail here too, on any machine.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
DATA = Path(__file__).resolve().parent / "data"
# A passage budget that holds the sample article's four chunks whole, so a scripted reply
# cites them by the numbers it expects whatever the default budget is.
WHOLE_SAMPLE_TOKENS = 800

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name to resolve: that is a lookup we do not allow


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise OSError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise OSError(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _clean_newsdesk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from the defaults, whatever the developer's shell has set."""
    for key in list(os.environ):
        if key.startswith("NEWSDESK_"):
            monkeypatch.delenv(key)


@pytest.fixture()
def make_assistant(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory of Assistants over a fresh embedded store in a temp folder."""
    from assistant import Assistant

    def make(**overrides: object) -> Assistant:
        overrides.setdefault("data_dir", tmp_path / "store")
        overrides.setdefault("backend", "extractive")
        return Assistant(**overrides)

    return make


def whole_passage_chain(bot, model, backend: str = "scripted"):  # type: ignore[no-untyped-def]
    """An AnswerChain over ``bot``'s store whose ``model`` (a scripted chat model) is shown
    whole passages, k=5, the sample's four chunks all within the budget: replies cite
    them by their numbers."""
    from assistant.answering.chain import AnswerChain

    return AnswerChain(
        bot.searcher,
        bot.embedder,
        backend=backend,
        chat_model=model,
        k=5,
        passage_tokens=WHOLE_SAMPLE_TOKENS,
        any_passage_tokens=WHOLE_SAMPLE_TOKENS,
        sentence_floor=0.0,
        history_tokens=bot.settings.llm.history_tokens,
        per_article=bot.settings.retrieval.per_article,
        select=False,
    )


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the sample article, built once per session."""
    from assistant import Assistant

    data_dir = tmp_path_factory.mktemp("sample-store")
    Assistant(data_dir=data_dir, backend="extractive").ingest([SAMPLE_DIR])
    return data_dir
