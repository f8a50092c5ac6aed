"""Question sets: JSON Lines or CSV rows with ``question`` and optionally ``id``,
``answers``, ``gold_ids``, ``answerable`` and ``asked_on`` (or ``question_date``: the day
the question was asked, which its time words count from); bad rows are reported, not
fatal."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError


@dataclass(frozen=True)
class Question:
    """One row of a question set."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    gold_ids: tuple[str, ...] = ()
    answerable: bool | None = None
    asked_on: date | None = None  # "this week" counts from this day; None: the run's


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _as_list(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):  # CSV: a JSON list, or "a|b" / a single value
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            return tuple(v.strip() for v in text.split("|") if v.strip())
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return tuple(str(v) for v in value)


def _as_bool(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"answerable must be true or false, got {value!r}")


def _as_date(value: Any) -> date | None:
    """An ISO day ("2023-10-05", or a timestamp that starts with one); None when empty."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"asked_on must be a date like 2023-10-05, got {value!r}") from None


def parse_row(row: dict[str, Any], line: int) -> Question:
    """A Question from a row's canonical fields; ValueError says what is wrong."""
    text = row.get("question")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no 'question' text")
    return Question(
        id=str(row.get("id") or f"line-{line}"),
        question=text.strip(),
        answers=_as_list(row.get("answers")),
        gold_ids=_as_list(row.get("gold_ids")),
        answerable=_as_bool(row.get("answerable")),
        asked_on=_as_date(row.get("asked_on") or row.get("question_date")),
    )


def load_questions(path: Path) -> tuple[list[Question], list[BadRow]]:
    """Questions from a JSON Lines or CSV file; bad rows are reported with line numbers."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no question file at {path}")
    rows: list[tuple[int, Any]] = []
    bad: list[BadRow] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [(reader.line_num, row) for row in reader]
    elif path.suffix.lower() in (".jsonl", ".json"):
        for line, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not text.strip():
                continue
            try:
                rows.append((line, json.loads(text)))
            except json.JSONDecodeError as exc:
                bad.append(BadRow(line, f"not JSON ({exc.msg})"))
    else:
        raise ConfigError(f"{path}: question sets are .jsonl or .csv files")
    questions: list[Question] = []
    seen: set[str] = set()
    for line, row in rows:
        try:
            if not isinstance(row, dict):
                raise ValueError("not an object")
            question = parse_row(row, line)
        except (ValueError, json.JSONDecodeError) as exc:
            bad.append(BadRow(line, str(exc)))
            continue
        if question.id in seen:
            bad.append(BadRow(line, f"duplicate id {question.id!r}"))
            continue
        seen.add(question.id)
        questions.append(question)
    return questions, bad
