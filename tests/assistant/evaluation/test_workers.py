"""Evaluation with several workers: the same records in the same order as one worker, and
an interrupted run resumes to the same results."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.errors import ConfigError
from assistant.evaluation.questions import Question
from assistant.evaluation.runner import read_results, run_evaluation
from assistant.evaluation.workers import in_order
from tests.conftest import SAMPLE_DIR

QUESTIONS = [
    Question("nato", "What did NATO say?", ("not seen any de-escalation",), answerable=True),
    Question("zel", "What did Zelensky say?", ("withdrawal",), answerable=True),
    Question("cup", "Who won the 2018 World Cup?", answerable=False),
    Question("troops", "Were troops withdrawn?", answerable=True),
    Question("where", "Where were the troops?", answerable=True),
    Question("who", "Who disputed the withdrawal?", answerable=True),
    Question("moon", "When did people land on the moon?", answerable=False),
]


def _without_timings(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "timings"} for r in records]


def _lines(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "results.jsonl").read_text(encoding="utf-8")
    return _without_timings([json.loads(line) for line in text.splitlines()])


def test_three_workers_write_what_one_writes(
    sample_store: Path, make_assistant, tmp_path: Path
) -> None:
    bot = make_assistant(data_dir=sample_store)
    one = run_evaluation(bot, QUESTIONS, tmp_path / "one", workers=1)
    three = run_evaluation(bot, QUESTIONS, tmp_path / "three", workers=3)
    assert [r["id"] for r in three.records] == [q.id for q in QUESTIONS]
    assert _without_timings(three.records) == _without_timings(one.records)
    assert _lines(tmp_path / "three") == _lines(tmp_path / "one")
    assert three.summary.keys() == one.summary.keys()


def test_an_interrupted_parallel_run_resumes_to_the_same_results(
    sample_store: Path, make_assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_assistant(data_dir=sample_store)
    whole = run_evaluation(bot, QUESTIONS, tmp_path / "whole")

    real_ask = bot.ask
    failing = QUESTIONS[3].question

    def stops_at_the_fourth(question: str, *args: Any, **kwargs: Any) -> Any:
        if question == failing:
            raise RuntimeError("the server went away")
        return real_ask(question, *args, **kwargs)

    monkeypatch.setattr(bot, "ask", stops_at_the_fourth)
    with pytest.raises(RuntimeError, match="went away"):
        run_evaluation(bot, QUESTIONS, tmp_path / "run", workers=3)
    kept = [r["id"] for r in read_results(tmp_path / "run")]
    assert kept[:3] == ["nato", "zel", "cup"] and "troops" not in kept

    asked: list[str] = []
    monkeypatch.setattr(bot, "ask", lambda q, *a, **k: asked.append(q) or real_ask(q, *a, **k))
    resumed = run_evaluation(bot, QUESTIONS, tmp_path / "run", workers=3)
    assert resumed.resumed == len(kept)
    assert sorted(asked) == sorted(q.question for q in QUESTIONS if q.id not in kept)
    assert _without_timings(resumed.records) == _without_timings(whole.records)
    assert _lines(tmp_path / "run") == _lines(tmp_path / "whole")


def test_records_come_in_question_order_whatever_order_they_finish() -> None:
    questions = [Question(str(i), f"q{i}") for i in range(6)]
    finished: list[str] = []
    lock = threading.Lock()

    def answer(q: Question) -> dict[str, Any]:
        time.sleep(0.05 * (6 - int(q.id)))  # the last question finishes first
        with lock:
            finished.append(q.id)
        return {"id": q.id}

    records = list(in_order(answer, questions, workers=6))
    assert [r["id"] for r in records] == ["0", "1", "2", "3", "4", "5"]
    assert finished[0] == "5"  # they did run side by side


def test_after_a_failure_the_records_that_came_back_are_handed_on_first() -> None:
    questions = [Question(str(i), f"q{i}") for i in range(5)]

    def answer(q: Question) -> dict[str, Any]:
        if q.id == "1":
            time.sleep(0.1)  # 2 finishes meanwhile
            raise ValueError("broken")
        return {"id": q.id}

    got: list[str] = []
    with pytest.raises(ValueError, match="broken"):
        for record in in_order(answer, questions, workers=2):
            got.append(record["id"])
    assert got[:2] == ["0", "2"] and "1" not in got


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_must_be_a_whole_number_of_at_least_one(workers: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="workers"):
        run_evaluation(None, QUESTIONS, tmp_path / "run", workers=workers)  # type: ignore[arg-type]


def test_eval_command_takes_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "".join(
            json.dumps({"id": q.id, "question": q.question, "answers": list(q.answers)}) + "\n"
            for q in QUESTIONS[:4]
        ),
        encoding="utf-8",
    )
    args = ["eval", str(questions), "--corpus", str(SAMPLE_DIR), "--backend", "extractive"]
    args += ["--data-dir", str(tmp_path / "store"), "--json"]
    assert main([*args, "--out", str(tmp_path / "a"), "--workers", "3"]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert _lines(tmp_path / "a") == _lines(tmp_path / "b")
