"""The query rules out of sample: each rule's weight chosen on two sets, scored on the third.

For each rule (numbers, outlets, dates) alone on the profile's fusion with the other rules
off, and for each held-out set: the weight (0 = off, or one of ``--weights``) with the
largest MRR@10 summed over the other two sets is chosen, a tie going to the smaller
weight; then the held-out set's hit@5 and MRR@10 are given with the rule at that weight
and with it off. The criterion was fixed before any figure was seen. A second table gives
the weight chosen on all three sets and its figures there, which are in-sample.

    python -m benchmarks.rules ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 --profile fast --store-root /tmp/newsdesk-bench

Uses the candidate lists that benchmarks/tune_fusion.py caches (it builds them if absent).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.retrieval.fusion import Fusion
from assistant.retrieval.rules import rule_bonuses
from benchmarks.retrieval import NO_RULES, RULES
from benchmarks.tune_fusion import by, evaluate, lists_for

WEIGHTS = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def applies(data: dict[str, Any], key: str) -> int:
    """Questions of the set for which the rule gives some candidate a bonus."""
    weights = {**NO_RULES, key: 1.0}
    return sum(
        rule_bonuses(q, [*dn, *lx], **weights) is not None
        for q, dn, lx in zip(data["questions"], data["dense"], data["bm25"], strict=True)
    )


def choose(figures: dict[float, dict[str, dict[str, float]]], sets: list[str]) -> float:
    """The weight with the largest MRR@10 summed over the sets; a tie goes to the smaller."""
    return max(sorted(figures), key=lambda w: (sum(figures[w][s]["mrr@10"] for s in sets), -w))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--store-root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--profile", choices=["fast", "accurate"], default="fast")
    parser.add_argument(
        "--weights",
        type=lambda v: tuple(float(w) for w in v.split(",")),
        default=WEIGHTS,
        help="nonzero weights to choose from, besides 0 (off)",
    )
    args = parser.parse_args()
    data = {s.name: lists_for(s, args.store_root, args.profile, 40) for s in args.sets}
    names = list(data)
    base: Fusion = replace(next(iter(data.values()))["searcher"].fusion, **NO_RULES)
    print(f"{args.profile}: {base.method} fusion, each rule alone", file=sys.stderr)

    held_out_rows, in_sample_rows = [], []
    for key, rule in RULES.items():
        figures = {
            w: {name: evaluate(d, by(replace(base, **{key: w}))) for name, d in data.items()}
            for w in (0.0, *args.weights)
        }
        for name in names:
            weight = choose(figures, [n for n in names if n != name])
            off, on = figures[0.0][name], figures[weight][name]
            held_out_rows.append(
                f"| {rule} | {name} | {applies(data[name], key)} | {weight:g} | "
                f"{off['hit@5']:.3f} | {on['hit@5']:.3f} | {off['mrr@10']:.3f} | "
                f"{on['mrr@10']:.3f} |"
            )
        weight = choose(figures, names)
        in_sample_rows.append(
            f"| {rule} | {weight:g} | "
            + " | ".join(
                f"{figures[0.0][n]['mrr@10']:.3f} → {figures[weight][n]['mrr@10']:.3f}"
                for n in names
            )
            + " |"
        )

    print(
        f"Held out ({args.profile}): weight chosen on the other two sets by summed MRR@10\n\n"
        "| rule | held-out set | questions it applies to | weight | hit@5 off | hit@5 at weight "
        "| MRR@10 off | MRR@10 at weight |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    print("\n".join(held_out_rows))
    print(
        f"\nIn sample ({args.profile}): weight chosen on all sets, MRR@10 off → at weight\n\n"
        f"| rule | weight | {' | '.join(names)} |\n| --- | --- |{' --- |' * len(names)}"
    )
    print("\n".join(in_sample_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
