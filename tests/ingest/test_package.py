"""The public names of ``ingest``, its doctests, and its one-way dependency on nothing."""

from __future__ import annotations

import ast
import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import ingest

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "ingest",
    "ingest.formats",
    *(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in sorted((ROOT / "ingest").rglob("[!_]*.py"))
    ),
]


def test_all_names_are_exported() -> None:
    assert sorted(ingest.__all__) == sorted(set(ingest.__all__))
    for name in ingest.__all__:
        assert getattr(ingest, name) is not None
    submodules = {m.split(".")[1] for m in MODULES if "." in m}
    public = {n for n in vars(ingest) if not n.startswith("_")} - submodules
    assert public == set(ingest.__all__)


def test_ingest_never_imports_assistant() -> None:
    for path in (ROOT / "ingest").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "assistant" for n in names), path
    code = "import ingest, sys; print(sorted(m for m in sys.modules if m.startswith('assistant')))"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the examples read data/sample
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
