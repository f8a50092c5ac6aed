"""Answer benchmark for a backend: quality on a question set, latency, memory.

    python -m benchmarks.answers --backend local --sample data/sample \
        --set ../shared/eval/rgb-news --limit 50 [--json OUT]

On the sample article: time to first token and to the full answer for "Who disputed the
withdrawal?", then for a follow-up in the same conversation (the system prompt's tokens are
cached by then), then an unanswerable question. On the set: exact match, token F1, the
share of answers containing a gold answer, the share whose cited passages hold a gold
answer, refusals, and latency. Peak resident memory of the process at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, Token, Turn
from assistant.evaluation.metrics import contains_answer, exact_match, token_f1
from assistant.evaluation.questions import load_questions


def timed(bot: Assistant, question: str, history: list[Turn] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    first = None
    answer = None
    for event in bot.stream(question, history or []):
        if isinstance(event, Token) and first is None:
            first = time.perf_counter() - started
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    return {
        "question": question,
        "answer": answer.text,
        "refused": answer.refused,
        "citations": [c.n for c in answer.citations],
        "first_token_s": first,
        "total_s": time.perf_counter() - started,
        "_answer": answer,
    }


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sample_runs(backend: str, sample: Path, tmp: Path) -> dict[str, Any]:
    bot = Assistant(data_dir=tmp / "sample", backend=backend)
    bot.ingest([sample], progress=False)
    started = time.perf_counter()
    bot.search("warm up")  # embedding model and BM25 index
    if bot.chain.chat_model is not None:
        bot.chain.chat_model.invoke("Say OK.")  # load the model; not the system prompt
    load_s = time.perf_counter() - started
    first = timed(bot, "Who disputed the withdrawal?")
    follow = timed(bot, "And Zelensky?", [Turn(first["question"], first["answer"])])
    refuse = timed(bot, "Who won the 2018 World Cup?")
    return {"load_s": load_s, "runs": [first, follow, refuse]}


def set_runs(backend: str, set_dir: Path, limit: int, tmp: Path) -> dict[str, Any]:
    bot = Assistant(data_dir=tmp / set_dir.name, backend=backend)
    bot.ingest([set_dir / "articles.jsonl"], progress=False)
    questions = load_questions(set_dir / "questions.jsonl")[0][:limit]
    rows = []
    for i, q in enumerate(questions, start=1):
        run = timed(bot, q.question)
        answer: Answer = run.pop("_answer")
        golds = list(q.answers)
        cited = " ".join(c.passage.text for c in answer.citations)
        rows.append(
            {
                **run,
                "id": q.id,
                "answerable": q.answerable is not False,
                "exact_match": exact_match(answer.text, golds) if golds else None,
                "f1": token_f1(answer.text, golds) if golds else None,
                "contains_answer": contains_answer(answer.text, golds) if golds else None,
                "citations_hold_answer": contains_answer(cited, golds) if golds else None,
            }
        )
        print(
            f"{i}/{len(questions)} {run['total_s']:.1f}s refused={run['refused']}", file=sys.stderr
        )

    def mean(key: str) -> float:
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.fmean(values) if values else float("nan")

    firsts = [r["first_token_s"] for r in rows if r["first_token_s"] is not None]
    totals = [r["total_s"] for r in rows]
    return {
        "set": set_dir.name,
        "questions": len(rows),
        "exact_match": mean("exact_match"),
        "f1": mean("f1"),
        "contains_answer": mean("contains_answer"),
        "citations_hold_answer": mean("citations_hold_answer"),
        "refused": sum(r["refused"] for r in rows) / len(rows),
        "first_token_p50_s": statistics.median(firsts) if firsts else None,
        "total_p50_s": statistics.median(totals),
        "total_p95_s": statistics.quantiles(totals, n=20)[-1] if len(totals) > 1 else totals[0],
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="local")
    parser.add_argument("--sample", type=Path, default=Path("data/sample"))
    parser.add_argument("--set", type=Path, action="append", default=[])
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = sample_runs(args.backend, args.sample, Path(tmp))
        sets = [set_runs(args.backend, s, args.limit, Path(tmp)) for s in args.set]
    for run in sample["runs"]:
        run.pop("_answer")
    result = {"backend": args.backend, "sample": sample, "sets": sets, "peak_rss_mb": peak_rss_mb()}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        f"backend {args.backend}; model load {sample['load_s']:.1f} s; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    print("| sample question | first token s | full answer s | refused | answer |")
    print("| --- | --- | --- | --- | --- |")
    for r in sample["runs"]:
        ft = f"{r['first_token_s']:.2f}" if r["first_token_s"] is not None else ""
        print(
            f"| {r['question']} | {ft} | {r['total_s']:.2f} | {r['refused']} | "
            f"{r['answer'][:120]} |"
        )
    if sets:
        print(
            "\n| set | n | EM | F1 | contains answer | citations hold answer | refused | "
            "first token p50 s | total p50 s | total p95 s |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for s in sets:
            ft = f"{s['first_token_p50_s']:.2f}" if s["first_token_p50_s"] is not None else ""
            print(
                f"| {s['set']} | {s['questions']} | {s['exact_match']:.3f} | {s['f1']:.3f} | "
                f"{s['contains_answer']:.3f} | {s['citations_hold_answer']:.3f} | "
                f"{s['refused']:.2f} | {ft} | {s['total_p50_s']:.2f} | "
                f"{s['total_p95_s']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
