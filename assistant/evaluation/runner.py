"""Batch evaluation: a question set through the assistant, scored, written as it goes.

Each question's result is one JSON line appended to ``RUN/results.jsonl`` as soon as it is
known, so an interrupted run resumes where it stopped (questions already in the file are
skipped). Several workers answer side by side (:mod:`assistant.evaluation.workers`) and
still write in question order. The summary aggregates whatever metrics the set allows:
retrieval needs ``gold_ids``, answer metrics need ``answers``, refusal metrics need
``answerable``. Exact match and F1 score an answer's short answer (``Answer.short``), or
its whole text when it has none; contains-answer scores the whole text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from assistant.answering.citations import MARKER
from assistant.errors import ConfigError
from assistant.evaluation.metrics import (
    contains_answer,
    exact_match,
    hit_at,
    reciprocal_rank,
    token_f1,
)
from assistant.evaluation.questions import BadRow, Question
from assistant.evaluation.summary import summarize
from assistant.evaluation.workers import check_workers, in_order
from assistant.types import Answer, Passage

RETRIEVAL_DEPTH = 10  # articles ranked for hit@k and MRR
SEARCH_PASSAGES = 30  # passages searched to rank that many articles


class Answerer(Protocol):
    """What a run needs of the assistant: a ranking and an answer per question."""

    def search(
        self, query: str, k: int | None = None, *, as_of: date | None = None
    ) -> list[Passage]: ...

    def ask(self, question: str, *, as_of: date | None = None) -> Answer: ...


def _is_gold(passage: Passage, gold: set[str]) -> bool:
    return passage.article_id in gold or (bool(passage.url) and passage.url in gold)


def scored_short(answer: Answer) -> str:
    """The text exact match and F1 score: the short answer, without citation markers.

    An answer without a short one (``short == ""``: a backend or chain that writes none,
    a quoted passage) falls back to its whole text, so those answers are scored as
    before. A refusal scores as "" either way.
    """
    if answer.refused:
        return ""
    return MARKER.sub("", answer.short).strip() or MARKER.sub("", answer.text)


def score_question(q: Question, ranked: list[Passage], answer: Answer) -> dict[str, Any]:
    """Every metric this question allows, by name; None where it has no meaning.

    ``exact_match`` and ``f1`` score the short answer (:func:`scored_short`: the whole
    text when there is none); ``contains_answer`` scores the whole text.
    """
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
        short = scored_short(answer)
        metrics["exact_match"] = exact_match(short, q.answers)
        metrics["f1"] = token_f1(short, q.answers)
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


def evaluate_question(bot: Answerer, q: Question, as_of: date | None = None) -> dict[str, Any]:
    """Run one question: search for the ranking, ask for the answer; the result record.

    The question is asked on its own ``asked_on`` day, else on ``as_of`` (None: today).
    """
    as_of = q.asked_on or as_of
    ranked = bot.search(q.question, SEARCH_PASSAGES, as_of=as_of)
    answer = bot.ask(q.question, as_of=as_of)
    seen: dict[str, str] = {}  # article id -> url, in rank order
    for p in ranked:
        seen.setdefault(p.article_id, p.url)
    return {
        "id": q.id,
        "question": q.question,
        "answer": answer.text,
        "short": answer.short,  # "" when the answer has none; EM and F1 then score "answer"
        "refused": answer.refused,
        # A quoted passage sentence stands in for a model that gave no answer: scored as
        # text like any answer, but counted apart (summary: quoted_rate).
        "quoted": answer.quoted,
        # The model's short answer over the passage sentence that holds it, quoted: its
        # own sentences were removed (summary: quote_support_rate).
        "quote_support": answer.quote_support,
        "declined": answer.declined,  # the model said the articles don't say
        "removed": [r.as_dict() for r in answer.removed],
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
        "window": answer.window.as_dict() if answer.window else None,
        "metrics": score_question(q, ranked, answer),
        "gold": {k: _plain(v) for k, v in asdict(q).items()},
    }


def _plain(value: Any) -> Any:
    """A Question field as JSON holds it: tuples as lists, days as ISO text."""
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, date) else value


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
    bot: Answerer,
    questions: Sequence[Question],
    folder: Path,
    *,
    progress: Callable[[int], None] | None = None,
    bad_rows: Iterable[BadRow] = (),
    as_of: date | None = None,
    workers: int = 1,
) -> RunResult:
    """Answer every question not yet in ``folder/results.jsonl``, appending as it goes.

    A question without its own ``asked_on`` is asked on ``as_of`` (None: today).
    ``workers`` questions are answered at once, for backends on servers; the lines go in
    question order all the same.
    """
    check_workers(workers)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.jsonl"
    done = {r["id"]: r for r in read_results(path)} if path.exists() else {}
    if path.exists():  # rewrite without any half-written last line
        path.write_text("".join(json.dumps(r) + "\n" for r in done.values()), encoding="utf-8")
    written = list(done)
    resumed = sum(1 for q in questions if q.id in done)
    todo = [q for q in questions if q.id not in done]
    with path.open("a", encoding="utf-8") as out:
        for record in in_order(lambda q: evaluate_question(bot, q, as_of), todo, workers=workers):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done[record["id"]] = record
            written.append(record["id"])
            if progress:
                progress(1)
    records = [done[q.id] for q in questions if q.id in done]
    asked = {q.id for q in questions}
    ordered = [r["id"] for r in records] + [i for i in written if i not in asked]
    if written != ordered:  # a parallel run stopped with a gap, now filled at the end
        part = path.with_name(path.name + ".part")
        lines = (json.dumps(done[i], ensure_ascii=False) + "\n" for i in ordered)
        part.write_text("".join(lines), encoding="utf-8")
        part.replace(path)
    return RunResult(folder, records, list(bad_rows), resumed)
