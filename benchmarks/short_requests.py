"""Short-answer requests compared on the same replies: which one gives the answer alone.

    python -m benchmarks.short_requests --set ../shared/eval/squad2-500 --offset 30 \
        --limit 40 --request prompts/short.txt --request candidate.txt [--json OUT]

For each answerable question that is not a yes/no question, the chain answers once (the
settings' backend, ``Assistant.stream``); where it asks for the short answer, every
``--request`` file is asked in turn after the same reply, in the same conversation
(``AnswerChain.short_answer``), and each reply is tidied as the chain tidies it
(``clean_short``, before the support checks). Pairing every request with one reply keeps
the model's other choices out of the difference.

Per request: exact match and F1 of the short answers against the gold answers (none
asked counts 0), how many are empty after tidying, and how many still list more than one
part ("Tim Cook, 2021."). The first request's short answer is the one the chain goes on
with.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from assistant import Assistant
from assistant.answering.short import clean_short, is_yes_no, parts
from assistant.evaluation.metrics import exact_match, token_f1
from assistant.evaluation.questions import load_questions


def compare(
    bot: Assistant, set_dir: Path, requests: Sequence[str], *, offset: int, limit: int
) -> list[dict[str, Any]]:
    """One row per question: its gold answers and each request's tidied short answer."""
    chain = bot.chain
    asked: list[list[str]] = []
    original = chain.short_answer

    def each_request(
        inputs: dict[str, str],
        reply: str,
        request: str = "",
        *,
        conversation: Sequence[BaseMessage] = (),
    ) -> str:
        shorts = [original(inputs, reply, r, conversation=conversation) for r in requests]
        asked.append(shorts)
        return shorts[0]

    chain.short_answer = each_request  # type: ignore[method-assign]
    questions = load_questions(set_dir / "questions.jsonl")[0][offset : offset + limit]
    rows = []
    for i, q in enumerate(questions, start=1):
        if not q.answers or is_yes_no(q.question):
            continue
        asked.clear()
        bot.ask(q.question, as_of=q.asked_on)
        shorts = [clean_short(s, q.question) for s in asked[0]] if asked else []
        rows.append({"id": q.id, "question": q.question, "answers": q.answers, "shorts": shorts})
        print(f"{set_dir.name} {i}/{len(questions)} {shorts}", file=sys.stderr)
    return rows


def summary(rows: list[dict[str, Any]], n_requests: int) -> list[dict[str, float]]:
    """Per request: exact match, F1, empty and listing shares over the rows."""
    out = []
    for k in range(n_requests):
        shorts = [(r["shorts"][k] if r["shorts"] else "", r["answers"]) for r in rows]
        total = max(len(shorts), 1)
        out.append(
            {
                "exact_match": sum(exact_match(s, a) for s, a in shorts) / total,
                "f1": sum(token_f1(s, a) for s, a in shorts) / total,
                "empty": sum(not s for s, _ in shorts) / total,
                "listing": sum(len(parts(s)) > 1 for s, _ in shorts) / total,
            }
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", default="local")
    parser.add_argument("--set", type=Path, action="append", default=[], required=True)
    parser.add_argument("--offset", type=int, default=0, help="skip the set's first N questions")
    parser.add_argument("--limit", type=int, default=40, help="questions per set")
    parser.add_argument("--request", type=Path, action="append", required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    requests = [p.read_text(encoding="utf-8").strip() for p in args.request]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for set_dir in args.set:
            bot = Assistant(backend=args.backend, data_dir=Path(tmp) / set_dir.name)
            bot.ingest([set_dir / "articles.jsonl"], progress=False)
            rows = compare(bot, set_dir, requests, offset=args.offset, limit=args.limit)
            results.append({"set": set_dir.name, "offset": args.offset, "rows": rows})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    for result in results:
        rows = result["rows"]
        asked = sum(bool(r["shorts"]) for r in rows)
        print(
            f"\n{result['set']}: questions {args.offset + 1}-{args.offset + args.limit}, "
            f"{len(rows)} answerable and not yes/no, a short answer asked on {asked}\n"
        )
        print("| request | exact match | F1 | empty | listing |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for path, s in zip(args.request, summary(rows, len(requests)), strict=True):
            print(
                f"| {path} | {s['exact_match']:.3f} | {s['f1']:.3f} | {s['empty']:.3f} | "
                f"{s['listing']:.3f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
