"""Shared fixtures of the page's tests: a served page and the page's actions over a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.web import actions
from assistant.web.pool import AssistantPool
from tests.servers import served_page

QUESTION = "Who disputed the withdrawal?"
FERRY = (
    "Harbour ferry returns to Northpoint\n\n"
    "The Northpoint harbour ferry will carry passengers again from Monday, the port "
    "authority said, after engineers replaced twelve steel beams in the landing stage.\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The page on a free loopback port over a fresh store (the sample goes in on start)."""
    data_dir = tmp_path_factory.mktemp("app-store")
    with served_page(data_dir, "extractive") as url:
        yield url, data_dir


@pytest.fixture()
def desk(make_assistant: Any, tmp_path: Path) -> actions.PageActions:
    """The page's behaviour over its own empty store, without a server."""
    pool = AssistantPool(lambda spec: make_assistant(backend=spec), "extractive")
    return actions.PageActions(pool, tmp_path / "store" / "uploads")


def run_chat(
    desk: actions.PageActions, question: str, backend: str = "extractive", **kw: Any
) -> list[Any]:
    """Every update the chat handler yields: (input box, messages, sources panel, turns)."""
    args = {"k": 5, "date_from": "", "date_to": "", "sources": [], **kw}
    return list(desk.chat(question, [], [], backend, **args))
