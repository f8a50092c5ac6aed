"""Batch evaluation: a question set through the assistant, scored, written as it goes.

Each question's result is one JSON line appended to ``RUN/results.jsonl`` as soon as it is
known, so an interrupted run resumes where it stopped (questions already in the file are
skipped). The summary aggregates whatever metrics the set allows: retrieval needs
``gold_ids``, answer metrics need ``answers``, refusal metrics need ``answerable``.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.citations import MARKER
from assistant.errors import ConfigError
from assistant.metrics import contains_answer, exact_match, hit_at, reciprocal_rank, token_f1

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.citations import Answer
    from assistant.retrieval import Passage

RETRIEVAL_DEPTH = 10  # articles ranked for hit@k and MRR
SEARCH_PASSAGES = 30  # passages searched to rank that many articles


@dataclass(frozen=True)
class Question:
    """One row of a question set."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    gold_ids: tuple[str, ...] = ()
    answerable: bool | None = None


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


def _is_gold(passage: Passage, gold: set[str]) -> bool:
    return passage.article_id in gold or (bool(passage.url) and passage.url in gold)


def score_question(q: Question, ranked: list[Passage], answer: Answer) -> dict[str, Any]:
    """Every metric this question allows, by name; None where it has no meaning."""
    metrics: dict[str, Any] = {}
    gold = set(q.gold_ids)
    if gold:
        articles: list[str] = []
        for p in ranked:
            key = p.url if p.url and p.url in gold else p.article_id
            if key not in articles:
                articles.append(key)
        articles = articles[:RETRIEVAL_DEPTH]
        for k in (1, 5, 10):
            metrics[f"hit@{k}"] = hit_at(articles, gold, k)
        metrics["mrr@10"] = reciprocal_rank(articles, gold, 10)
        metrics["recall@10"] = len(gold & set(articles)) / len(gold)
    answerable = q.answerable if q.answerable is not None else (bool(q.answers) or None)
    if q.answers and answerable is not False:
        text = "" if answer.refused else MARKER.sub("", answer.text)  # [n] is no word
        metrics["exact_match"] = exact_match(text, q.answers)
        metrics["f1"] = token_f1(text, q.answers)
        metrics["contains_answer"] = contains_answer(text, q.answers)
    if answer.citations and (gold or q.answers):
        good = [
            _is_gold(c.passage, gold) or bool(contains_answer(c.passage.text, q.answers))
            for c in answer.citations
        ]
        metrics["citation_precision"] = sum(good) / len(good)
    if not answer.refused and (gold or q.answers):
        metrics["supported"] = float(metrics.get("citation_precision", 0.0) > 0)
    if answerable is False:
        metrics["refused_unanswerable"] = float(answer.refused)
    elif answerable is True:
        metrics["refused_answerable"] = float(answer.refused)
    return metrics


def evaluate_question(bot: Assistant, q: Question) -> dict[str, Any]:
    """Run one question: search for the ranking, ask for the answer; the result record."""
    ranked = bot.search(q.question, SEARCH_PASSAGES)
    answer = bot.ask(q.question)
    seen: dict[str, str] = {}  # article id -> url, in rank order
    for p in ranked:
        seen.setdefault(p.article_id, p.url)
    return {
        "id": q.id,
        "question": q.question,
        "answer": answer.text,
        "refused": answer.refused,
        "citations": [
            {
                "n": c.n,
                "article_id": c.passage.article_id,
                "title": c.passage.title,
                "url": c.passage.url,
                "quote": c.quote,
                "start": c.quote_start,
                "end": c.quote_end,
            }
            for c in answer.citations
        ],
        "retrieved": [
            {"rank": i, "article_id": a, "url": url}
            for i, (a, url) in enumerate(list(seen.items())[:RETRIEVAL_DEPTH], 1)
        ],
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
        "metrics": score_question(q, ranked, answer),
        "gold": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(q).items()},
    }


def read_results(path: Path) -> list[dict[str, Any]]:
    """The records of a run (a results.jsonl or the run folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.jsonl"
    if not path.is_file():
        raise ConfigError(f"no run results at {path}")
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash; that question runs again
    return records


@dataclass
class RunResult:
    """What a run did: its folder, records, and any bad rows of the question file."""

    folder: Path
    records: list[dict[str, Any]]
    bad_rows: list[BadRow] = field(default_factory=list)
    resumed: int = 0

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.records)


def run_evaluation(
    bot: Assistant,
    questions: Sequence[Question],
    folder: Path,
    *,
    progress: Callable[[int], None] | None = None,
    bad_rows: Iterable[BadRow] = (),
) -> RunResult:
    """Answer every question not yet in ``folder/results.jsonl``, appending as it goes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.jsonl"
    done = {r["id"]: r for r in read_results(path)} if path.exists() else {}
    if path.exists():  # rewrite without any half-written last line
        path.write_text("".join(json.dumps(r) + "\n" for r in done.values()), encoding="utf-8")
    resumed = sum(1 for q in questions if q.id in done)
    with path.open("a", encoding="utf-8") as out:
        for q in questions:
            if q.id in done:
                continue
            record = evaluate_question(bot, q)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done[q.id] = record
            if progress:
                progress(1)
    records = [done[q.id] for q in questions if q.id in done]
    return RunResult(folder, records, list(bad_rows), resumed)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


METRICS = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "recall@10",
    "exact_match",
    "f1",
    "contains_answer",
    "citation_precision",
    "supported",
    "refused_unanswerable",
    "refused_answerable",
)
SUMMARY_NAMES = {"supported": "supported_answers"}


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean of each metric over the questions that have it; latency p50/p95 in seconds."""
    summary: dict[str, Any] = {"questions": len(records)}
    for name in METRICS:
        values = [r["metrics"][name] for r in records if r["metrics"].get(name) is not None]
        if values:
            summary[SUMMARY_NAMES.get(name, name)] = statistics.fmean(values)
    totals = [r["timings"]["total_s"] for r in records if "total_s" in r["timings"]]
    if totals:
        summary["latency_p50_s"] = _percentile(totals, 0.5)
        summary["latency_p95_s"] = _percentile(totals, 0.95)
    stages = sorted({k for r in records for k in r["timings"] if k != "total_s"})
    for stage in stages:
        values = [r["timings"][stage] for r in records if stage in r["timings"]]
        summary[f"{stage.removesuffix('_s')}_p50_s"] = _percentile(values, 0.5)
        summary[f"{stage.removesuffix('_s')}_p95_s"] = _percentile(values, 0.95)
    return summary
