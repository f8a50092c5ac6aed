"""Batch evaluation: question files, per-question scores, summaries, resume, comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Answer, Citation, Passage
from assistant.cli import main
from assistant.evaluation.questions import Question, load_questions
from assistant.evaluation.reports import compare_runs, hit_curve, html_report, markdown_report
from assistant.evaluation.runner import read_results, run_evaluation, score_question
from assistant.evaluation.summary import summarize
from tests.conftest import SAMPLE_DIR


def _p(article_id: str, text: str = "text", url: str = "") -> Passage:
    return Passage(
        chunk_id=f"{article_id}#0",
        article_id=article_id,
        index=0,
        text=text,
        start=0,
        end=len(text),
        url=url,
    )


def test_bad_rows_are_reported_by_line_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "Who?", "answers": ["Ann"], "gold_ids": ["x"]}\n'
        "{not json\n"
        '{"id": "b", "answers": ["no question"]}\n'
        '{"id": "c", "question": "When?", "answerable": "maybe"}\n'
        '{"id": "a", "question": "Again?"}\n'
        "\n"
        '{"question": "Where?", "answerable": false}\n',
        encoding="utf-8",
    )
    questions, bad = load_questions(path)
    assert [q.id for q in questions] == ["a", "line-7"]
    assert questions[1].answerable is False
    assert [b.line for b in bad] == [2, 3, 4, 5]
    assert "not JSON" in bad[0].reason and "question" in bad[1].reason
    assert "answerable" in bad[2].reason and "duplicate" in bad[3].reason


def test_csv_question_sets(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "id,question,answers,gold_ids,answerable\n"
        '1,Who won?,"[""Norway"", ""NOR""]",a|b,true\n'
        "2,,x,,\n",
        encoding="utf-8",
    )
    questions, bad = load_questions(path)
    assert questions == [Question("1", "Who won?", ("Norway", "NOR"), ("a", "b"), True)]
    assert [b.line for b in bad] == [3]


def test_scores_of_one_question_by_hand() -> None:
    q = Question(
        "q", "Who won?", answers=("Norway",), gold_ids=("g1", "https://x/g2"), answerable=True
    )
    ranked = [_p("o1"), _p("g1"), _p("o1"), _p("o2"), _p("z", url="https://x/g2")]
    good = Citation(1, _p("o9", "Norway won the most medals."), "Norway won", 0, 10)
    bad = Citation(2, _p("o8", "Snow fell."), "Snow fell.", 0, 10)
    answer = Answer("Who won?", "Norway won [1]. Snow fell [2].", (good, bad), (), "x")
    m = score_question(q, ranked, answer)
    # articles ranked: o1, g1, o2, https://x/g2 -> first gold at rank 2
    assert (m["hit@1"], m["hit@5"], m["hit@10"]) == (0.0, 1.0, 1.0)
    assert m["mrr@10"] == pytest.approx(0.5)
    assert m["recall@10"] == 1.0
    assert m["exact_match"] == 0.0
    # "norway won snow fell" vs "norway": p = 1/4, r = 1 -> 0.4
    assert m["f1"] == pytest.approx(0.4)
    assert m["contains_answer"] == 1.0
    assert m["citation_precision"] == 0.5  # one of two cited passages holds the answer
    assert m["supported"] == 1.0
    assert m["refused_answerable"] == 0.0 and "refused_unanswerable" not in m


def test_a_refusal_on_an_unanswerable_question() -> None:
    q = Question("q", "Who?", answerable=False)
    m = score_question(q, [], Answer("Who?", "The articles don't say.", (), (), "x", True))
    assert m == {"refused_unanswerable": 1.0}


def test_summary_means_and_percentiles_by_hand() -> None:
    records = [
        {"metrics": {"hit@1": 1.0, "f1": 0.5}, "timings": {"total_s": 1.0, "retrieve_s": 0.1}},
        {"metrics": {"hit@1": 0.0}, "timings": {"total_s": 3.0, "retrieve_s": 0.3}},
        {"metrics": {"hit@1": 0.0, "f1": 1.0}, "timings": {"total_s": 2.0, "retrieve_s": 0.2}},
    ]
    s = summarize(records)
    assert s["questions"] == 3
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["f1"] == pytest.approx(0.75)  # only where the set has answers
    assert s["latency_p50_s"] == 2.0
    assert s["latency_p95_s"] == pytest.approx(2.9)  # 2 + 0.9 * (3 - 2)
    assert s["retrieve_p50_s"] == pytest.approx(0.2)


QUESTIONS = [
    Question("nato", "What did NATO say?", ("not seen any de-escalation",), answerable=True),
    Question("zel", "What did Zelensky say?", ("withdrawal",), answerable=True),
    Question("cup", "Who won the 2018 World Cup?", answerable=False),
]


def test_an_interrupted_run_resumes_where_it_stopped(
    sample_store: Path, make_assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = make_assistant(data_dir=sample_store)
    for q in QUESTIONS:  # the gold article is the sample's, whatever its id
        object.__setattr__(q, "gold_ids", (bot.articles()[0].id,))
    first = run_evaluation(bot, QUESTIONS[:1], tmp_path / "run")
    assert len(first.records) == 1
    with (tmp_path / "run" / "results.jsonl").open("a") as out:
        out.write('{"id": "zel", "quest')  # a crash mid-line
    asked: list[str] = []
    real_ask = bot.ask
    monkeypatch.setattr(bot, "ask", lambda q, *a, **k: asked.append(q) or real_ask(q, *a, **k))
    second = run_evaluation(bot, QUESTIONS, tmp_path / "run")
    assert asked == ["What did Zelensky say?", "Who won the 2018 World Cup?"]
    assert second.resumed == 1
    assert [r["id"] for r in read_results(tmp_path / "run")] == ["nato", "zel", "cup"]
    assert second.records[0] == first.records[0]
    summary = second.summary
    assert summary["hit@1"] == 1.0
    assert summary["refused_unanswerable"] == 1.0


def _records(values: list[float], refused: list[bool] | None = None) -> list[dict]:
    refused = refused or [False] * len(values)
    return [
        {
            "id": str(i),
            "question": f"q{i}",
            "answer": "a",
            "refused": r,
            "citations": [],
            "retrieved": [],
            "timings": {"total_s": 1.0},
            "metrics": {"contains_answer": v},
            "gold": {"gold_ids": []},
        }
        for i, (v, r) in enumerate(zip(values, refused, strict=True))
    ]


def _write_run(folder: Path, records: list[dict]) -> Path:
    folder.mkdir()
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def test_compare_tells_a_real_difference_from_noise(tmp_path: Path) -> None:
    a = _write_run(tmp_path / "a", _records([0.0] * 40))
    b = _write_run(tmp_path / "b", _records([1.0] * 30 + [0.0] * 10))
    same = _write_run(tmp_path / "same", _records([0.0] * 40))
    noisy = _write_run(tmp_path / "noisy", _records([1.0] + [0.0] * 39))
    result = compare_runs(a, b)
    m = result["metrics"]["contains_answer"]
    assert (m["a"], m["b"], m["diff"]) == (0.0, 0.75, 0.75)
    assert m["beyond_noise"] and len(result["changed"]) == 30
    assert not compare_runs(a, same)["metrics"]["contains_answer"]["beyond_noise"]
    assert not compare_runs(a, noisy)["metrics"]["contains_answer"]["beyond_noise"]


def test_reports_are_self_contained(tmp_path: Path) -> None:
    records = _records([1.0, 0.0])
    records[0]["citations"] = [
        {
            "n": 1,
            "article_id": "a",
            "title": "T",
            "url": "https://x.org/a",
            "quote": "the quote <b>here</b>",
            "start": 0,
            "end": 5,
        }
    ]
    records[0]["gold"]["gold_ids"] = ["a"]
    records[0]["retrieved"] = [
        {"rank": 1, "article_id": "b", "url": ""},
        {"rank": 2, "article_id": "a", "url": ""},
    ]
    assert hit_curve(records)[:2] == [0.0, 1.0]
    page = html_report(records, "run")
    assert "data:image/png;base64," in page
    assert "<b>here</b>" not in page and "&lt;b&gt;here" in page
    assert 'href="https://x.org/a#:~:text=the%20quote' in page
    assert 'src="http' not in page
    assert "[[1]](https://x.org/a#:~:text=" in markdown_report(records, "run")


def test_eval_command_prints_the_summary_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "1", "question": "What did NATO say?", "answers": ["not seen any de-escalation"]}\n'
        '{"id": "2", "question": "Who won the 2018 World Cup?", "answerable": false}\n'
        "oops\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    code = main(
        [
            "eval",
            str(questions),
            "--corpus",
            str(SAMPLE_DIR),
            "--backend",
            "extractive",
            "--data-dir",
            str(tmp_path / "store"),
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 3  # a bad row was skipped
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["questions"] == 2
    assert {"exact_match", "f1", "refused_unanswerable", "latency_p50_s"} <= set(summary)
    assert "hit@1" not in summary  # the set has no gold_ids
    assert ":3" in captured.err
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
