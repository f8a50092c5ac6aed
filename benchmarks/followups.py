"""Follow-up benchmark: the rewrite of a follow-up on a llama.cpp context of its own
against the same rewrite on the answer's context, interleaved in one run.

    python -m benchmarks.followups [--sample data/sample] [--rounds 2] [--json OUT]

Over the sample article, each conversation asks its first question, then its follow-up
("And Zelensky?") with the history; the follow-up is rewritten to stand alone by the model
(``AnswerChain.condense``) before it is answered. Each conversation runs twice a round,
once per arrangement, the order swapped every round so that neither always comes first:

- ``own``: the rewrite on a context of its own (what the Assistant does), so the answer
  prompt's cached prefix (the system prompt, often the first question's passages too)
  survives it;
- ``shared``: the rewrite on the answer's context, which it evicts.

Reported per arrangement: the follow-up's rewrite time, first-token and total time p50,
and the follow-ups whose short answer or text differ between the two.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import Assistant, Turn

CONVERSATIONS = (
    ("Who disputed the withdrawal?", "And Zelensky?"),
    ("What did NATO say about the Russian withdrawal?", "And the Kremlin?"),
    ("How many troops did Russia add, according to the White House?", "Who said that?"),
    ("Who will lead the American delegation in Munich?", "Why is she going?"),
)
# What is timed of each follow-up: its rewrite, its first token, the whole answer.
TIMINGS = ("condense_s", "first_token_s", "total_s")


def run(sample: Path, rounds: int, data_dir: Path) -> dict[str, Any]:
    bot = Assistant(data_dir=data_dir, backend="local")
    bot.ingest([sample], progress=False)
    bot.warm_up()
    chain = bot.chain
    models = {"own": chain.condense_model, "shared": chain.chat_model}
    rows: list[dict[str, Any]] = []
    for n in range(rounds):
        order = ("own", "shared") if n % 2 == 0 else ("shared", "own")
        for first, follow in CONVERSATIONS:
            for name in order:
                chain.condense_model = models[name]
                earlier = bot.ask(first)
                answer = bot.ask(follow, [Turn(first, earlier.text)])
                rows.append(
                    {
                        "arrangement": name,
                        "round": n,
                        "follow_up": follow,
                        "short": answer.short,
                        "text": answer.text,
                        **{key: answer.timings.get(key) for key in TIMINGS},
                    }
                )
    chain.condense_model = models["own"]
    return {"rows": rows, "summary": summarize(rows)}


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in ("own", "shared"):
        mine = [r for r in rows if r["arrangement"] == name]
        out[name] = {f"{key} p50": statistics.median(r[key] for r in mine) for key in TIMINGS}
    pairs = zip(
        (r for r in rows if r["arrangement"] == "own"),
        (r for r in rows if r["arrangement"] == "shared"),
        strict=True,
    )
    ratios, differ = [], 0
    for own, shared in pairs:
        ratios.append(own["first_token_s"] / shared["first_token_s"])
        differ += (own["short"], own["text"]) != (shared["short"], shared["text"])
    out["own/shared"] = {"first token ratio p50": statistics.median(ratios), "differ": differ}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=Path("data/sample"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.sample, args.rounds, Path(tmp))
    print("| arrangement | rewrite p50 s | first token p50 s | total p50 s |")
    print("| --- | ---: | ---: | ---: |")
    for name in ("own", "shared"):
        s = result["summary"][name]
        cells = (s["condense_s p50"], s["first_token_s p50"], s["total_s p50"])
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in cells) + " |")
    both = result["summary"]["own/shared"]
    print(
        f"\nfirst token own/shared, median of pairs: x{both['first token ratio p50']:.2f}; "
        f"follow-ups answered differently: {both['differ']:.0f} of {len(result['rows']) // 2}"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
