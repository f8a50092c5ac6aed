"""Questions about time: hit@5 with the question's time window (filter or weight) and without.

The time-question set is generated, not collected. From multihop-rag-500's answerable
questions and the publication dates of their gold articles, each question gets:

- a timed version: a phrase that names a time ("this week", "last week", "in October",
  "last month", "yesterday", "today", "since October 3", "on October 3", "in the past 12
  days") put before it,
  and an ``asked_on`` day chosen (seeded) so that the phrase is true of every gold article
  (all gold articles in the same week for "this week", and so on);
- an untimed version: the question as it is, asked on a day on or after its last gold
  article.

Every question is searched with each time setting (off, filter with a margin of 0, 1 or
2 days, weight at several bonuses) in one run over the same store; article-level hit@1,
hit@5 and MRR@10 are given for the timed questions, for the untimed ones whose text
already names a date (multihop-rag-500's temporal questions do: "on 2023-11-24"), and for
the rest. The recency preference for questions that name no time is measured on the same
untimed questions. The three shared sets, which carry no ``asked_on``, are searched as of
the day of the run with time handling off and with each setting: time handling must not
lower them.

    python -m benchmarks.time_questions ../shared/eval/multihop-rag-500 \
        --shared ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 --write-set /tmp/time-questions.jsonl

The stores are built under ``--store-root`` (``/tmp/newsdesk-bench`` by default, shared
with the other benchmarks) and reused.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.evaluation.metrics import hit_at, reciprocal_rank
from assistant.retrieval.time_window import TimeHandling, question_window
from benchmarks.retrieval import article_ranking, questions_for

OFF = TimeHandling(mode="off", weight=0.0, margin_days=0, recency_weight=0.0)
SETTINGS: dict[str, TimeHandling] = {
    "off": OFF,
    **{
        f"filter, margin {m}": TimeHandling("filter", 0.0, margin_days=m, recency_weight=0.0)
        for m in (0, 1, 2)
    },
    **{
        f"weight {w:g}, margin 1": TimeHandling("weight", w, margin_days=1, recency_weight=0.0)
        for w in (0.1, 0.25, 0.5, 1.0)
    },
    **{
        f"weight {w:g}, margin 0": TimeHandling("weight", w, margin_days=0, recency_weight=0.0)
        for w in (0.25, 0.5, 1.0)
    },
}
RECENCY = (0.02, 0.05, 0.1, 0.2)
QUESTION_WORDS = {
    "does", "did", "do", "which", "what", "who", "is", "was", "are", "were", "how", "has",
    "have", "between", "after", "before", "according", "considering", "following", "in",
    "based", "when", "whose", "from", "regarding", "while",
}  # fmt: skip


def _month_day(day: date) -> str:
    return f"{day:%B} {day.day}"


def phrases_for(days: list[date], rng: random.Random) -> list[tuple[str, str, date]]:
    """(kind, phrase, asked_on) that are true of all the gold articles' days."""
    first, last = min(days), max(days)
    options: list[tuple[str, str, date]] = []
    monday = first - timedelta(days=first.weekday())
    if first == last:
        options.append(("today", "today", first))
        options.append(("yesterday", "yesterday", first + timedelta(days=1)))
        options.append(("on day", f"on {_month_day(first)}", first + timedelta(rng.randint(0, 60))))
    if last - monday < timedelta(days=7):
        sunday = monday + timedelta(days=6)
        options.append(
            ("this week", "this week", last + timedelta(rng.randint(0, (sunday - last).days)))
        )
        options.append(("last week", "last week", sunday + timedelta(rng.randint(1, 7))))
    if (first.year, first.month) == (last.year, last.month):
        options.append(("in month", f"in {first:%B}", last + timedelta(rng.randint(0, 60))))
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        options.append(("last month", "last month", following + timedelta(rng.randint(0, 27))))
    options.append(
        ("since day", f"since {_month_day(first)}", last + timedelta(rng.randint(0, 30)))
    )
    asked_on = last + timedelta(rng.randint(0, 10))
    options.append(("past days", f"in the past {(asked_on - first).days + 1} days", asked_on))
    return options


def with_phrase(question: str, phrase: str) -> str:
    """The question with the phrase put before it: "This week, which company ...?"."""
    word = question.split(" ", 1)[0]
    rest = question[0].lower() + question[1:] if word.lower() in QUESTION_WORDS else question
    return f"{phrase[0].upper()}{phrase[1:]}, {rest}"


def build_set(set_dir: Path, seed: int) -> list[dict[str, Any]]:
    """The generated time-question set: a timed and an untimed version of each question."""
    published = {}
    for line in (set_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("published"):
            published[row["id"]] = date.fromisoformat(row["published"][:10])
    rng = random.Random(seed)
    rows = []
    for q in questions_for(set_dir):
        days = [published[g] for g in q.gold_ids if g in published]
        if len(days) != len(q.gold_ids):
            continue
        kind, phrase, asked_on = rng.choice(phrases_for(days, rng))
        base = {"answers": list(q.answers), "gold_ids": list(q.gold_ids), "answerable": True}
        rows.append(
            {
                "id": f"{q.id}-timed",
                "question": with_phrase(q.question, phrase),
                "asked_on": asked_on.isoformat(),
                "kind": kind,
                **base,
            }
        )
        untimed_on = max(days) + timedelta(rng.randint(0, 30))
        kind = (
            "untimed, names a date" if question_window(q.question, as_of=untimed_on) else "untimed"
        )
        rows.append(
            {
                "id": f"{q.id}-untimed",
                "question": q.question,
                "asked_on": untimed_on.isoformat(),
                "kind": kind,
                **base,
            }
        )
    return rows


def scores(
    bot: Assistant, rows: list[dict[str, Any]], handling: TimeHandling
) -> list[dict[str, float]]:
    """Per question: hit@1, hit@5 and MRR@10 of the articles the search ranks."""
    bot.searcher.time = handling
    out = []
    for row in rows:
        as_of = date.fromisoformat(row["asked_on"]) if row.get("asked_on") else date.today()
        window = bot.searcher.time_window(row["question"], as_of)
        ranking = article_ranking(bot.searcher.search(row["question"], 30, window=window))
        gold = set(row["gold_ids"])
        out.append(
            {
                "hit@1": hit_at(ranking, gold, 1),
                "hit@5": hit_at(ranking, gold, 5),
                "mrr@10": reciprocal_rank(ranking, gold, 10),
            }
        )
    return out


def mean(values: list[dict[str, float]], key: str) -> float:
    return statistics.fmean(v[key] for v in values) if values else float("nan")


def store_for(set_dir: Path, root: Path, profile: str) -> Assistant:
    bot = Assistant(data_dir=root / profile / set_dir.name, profile=profile, backend="extractive")
    bot.ingest([set_dir / "articles.jsonl"], progress=False)
    return bot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dated", type=Path, help="multihop-rag-500's folder (dated articles)")
    parser.add_argument("--shared", nargs="*", type=Path, default=[], help="sets without dates")
    parser.add_argument("--store-root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--profile", choices=["fast", "accurate"], default="fast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-set", type=Path, help="write the generated questions here")
    args = parser.parse_args()

    rows = build_set(args.dated, args.seed)
    if args.write_set:
        args.write_set.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    groups = {
        "timed": [i for i, r in enumerate(rows) if not r["kind"].startswith("untimed")],
        "untimed, names a date": [
            i for i, r in enumerate(rows) if r["kind"] == "untimed, names a date"
        ],
        "untimed": [i for i, r in enumerate(rows) if r["kind"] == "untimed"],
    }
    bot = store_for(args.dated, args.store_root, args.profile)
    results = {name: scores(bot, rows, handling) for name, handling in SETTINGS.items()}
    print(f"Generated set: {len(rows)} questions from {args.dated.name}, seed {args.seed}")
    print("| time setting | questions | n | hit@1 | hit@5 | MRR@10 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for group, members in groups.items():
        for name, per_question in results.items():
            picked = [per_question[i] for i in members]
            print(
                f"| {name} | {group} | {len(picked)} | {mean(picked, 'hit@1'):.3f} | "
                f"{mean(picked, 'hit@5'):.3f} | {mean(picked, 'mrr@10'):.3f} |"
            )
    kinds = sorted({r["kind"] for r in rows if not r["kind"].startswith("untimed")})
    print("\nTimed questions by phrase, hit@5 (off → each setting):")
    for kind in kinds:
        members = [i for i, r in enumerate(rows) if r["kind"] == kind]
        line = ", ".join(
            f"{name} {mean([results[name][i] for i in members], 'hit@5'):.3f}" for name in results
        )
        print(f"- {kind} ({len(members)}): {line}")

    untimed = [r for r in rows if r["kind"] == "untimed"]
    print("\nRecency preference, untimed questions that name no date:")
    print("| recency weight | n | hit@1 | hit@5 | MRR@10 |")
    print("| --- | --- | --- | --- | --- |")
    for weight in (0.0, *RECENCY):
        handling = TimeHandling("weight", 0.0, margin_days=0, recency_weight=weight)
        picked = scores(bot, untimed, handling)
        print(
            f"| {weight:g} | {len(picked)} | {mean(picked, 'hit@1'):.3f} | "
            f"{mean(picked, 'hit@5'):.3f} | {mean(picked, 'mrr@10'):.3f} |"
        )

    if args.shared:
        print(f"\nShared sets, as of {date.today()} (they carry no asked_on):")
        print("| set | time setting | questions with a window | hit@1 | hit@5 | MRR@10 |")
        print("| --- | --- | --- | --- | --- | --- |")
    for set_dir in args.shared:
        shared = store_for(set_dir, args.store_root, args.profile)
        questions = [
            {"question": q.question, "gold_ids": list(q.gold_ids)} for q in questions_for(set_dir)
        ]
        named = sum(
            question_window(q["question"], as_of=date.today()) is not None for q in questions
        )
        settings = {
            **SETTINGS,
            **{
                f"recency {w:g}": TimeHandling("weight", 0.0, margin_days=0, recency_weight=w)
                for w in RECENCY
            },
        }
        for name, handling in settings.items():
            picked = scores(shared, questions, handling)
            print(
                f"| {set_dir.name} | {name} | {named if name != 'off' else 0} | "
                f"{mean(picked, 'hit@1'):.3f} | {mean(picked, 'hit@5'):.3f} | "
                f"{mean(picked, 'mrr@10'):.3f} |"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
