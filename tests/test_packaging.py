"""The built wheel carries everything Newsdesk needs at run time, the prompts included."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_prompts_and_an_install_uses_its_own(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp_path, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("newsdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = {f"prompts/{p.name}" for p in (ROOT / "prompts").glob("*.txt")}
    assert prompts and prompts <= names
    assert {"app.py", "assistant/answering/chain.py", "ingest/loaders.py"} <= names
    assert {"assistant/web/static/page.css", "assistant/web/static/sources.js"} <= names
    assert "assistant/answering/opposites.json" in names  # the claim checks' opposite words

    site = tmp_path / "site"
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    code = (
        "from assistant.answering import prompts; "
        "print(prompts.PROMPTS_DIR); print(prompts.load('answer_system')[:20]); "
        "from assistant.answering.opposites import opposites_of; print(*opposites_of('won'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # not the source tree
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    where, start, opposites = run.stdout.splitlines()
    assert "lose" in opposites.split()
    assert Path(where) == site / "prompts"
    assert start == (ROOT / "prompts" / "answer_system.txt").read_text("utf-8")[:20]
