"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# import-linter's CLI has no `python -m` entry; call the function behind `lint-imports`.
# No cache: it would write .import_linter_cache into the tree, and the graph takes 0.1 s.
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command as main; main()",
    "--no-cache",
    "--no-logo",
]
LAYERS = "assistant is layered: edges, Assistant, Settings, components, models, types"
INGEST = "ingest never imports assistant"
SETTINGS = "only the Assistant and the edges read Settings"


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LINT_IMPORTS, "pyproject.toml"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_contracts_are_kept() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout, run.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        pytest.param("assistant/types.py", "import assistant.desk", LAYERS, id="types-desk"),
        pytest.param(
            "assistant/evaluation/runner.py",
            "from assistant.cli import main",
            LAYERS,
            id="eval-cli",
        ),
        pytest.param(
            "ingest/documents.py", "from assistant.errors import NewsdeskError", INGEST, id="ingest"
        ),
        pytest.param(
            "assistant/store/chroma.py",
            "from assistant.settings import Settings",
            SETTINGS,
            id="store-settings",
        ),
    ],
)
def test_an_upward_import_breaks_a_contract(
    module: str, line: str, contract: str, tmp_path: Path
) -> None:
    for package in ("assistant", "ingest"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("app.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    with (tmp_path / module).open("a", encoding="utf-8") as file:
        file.write(f"\n{line}\n")
    # The copy first on the path, ahead of the editable install of the real tree.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }

    run = lint_imports(tmp_path, env)

    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "Broken contracts" in output, output
    broken = output.split("Broken contracts", 1)[1]
    assert contract in broken, output
    importer = module.removesuffix(".py").replace("/", ".")
    assert importer in broken, output  # the report names the copy's new import
