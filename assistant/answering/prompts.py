"""Prompt templates, loaded by name from the top-level ``prompts/`` package folder."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from assistant.errors import ConfigError

# The top-level prompts/ folder: in the source tree, or installed beside the code.
PROMPTS_DIR = Path(str(files("prompts")))


@cache
def load(name: str) -> str:
    """The text of ``prompts/NAME.txt``."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROMPTS_DIR.glob("*.txt")))
        raise ConfigError(f"no prompt named {name!r} in {PROMPTS_DIR}; known: {known}")
    return path.read_text(encoding="utf-8").strip()
