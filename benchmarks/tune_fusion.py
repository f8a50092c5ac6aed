"""Choose the fusion constants on the shared sets, per embedding profile.

Dense and BM25 candidate lists are computed once per set and profile (and cached as JSON
beside the stores), then every setting of a grid is scored at article level:

- ``rrf``: weighted reciprocal rank fusion, ``w / (rrf_k + rank)`` from each list;
- ``convex``: ``a * dense + (1 - a) * bm25`` over min-max normalised scores;

each with the bonuses for the numbers and the outlet the question names at several
weights (0: none), and the date bonus at the profile's weight. Then the date bonus alone is
swept with the profile's other constants (``--date-weights``).

    python -m benchmarks.tune_fusion ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 --profile accurate --store-root /tmp/newsdesk-bench

Prints each input's figures, then per setting each set's hit@1, hit@5, MRR@10 and its
margin over the better of its two inputs (negative: the fusion lost to one of them),
best worst-margin first, then the date sweep.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.retrieval.dedupe import containment, shingles
from assistant.retrieval.search import HybridSearcher
from assistant.settings import PROFILE_FUSION
from assistant.types import Passage
from benchmarks.retrieval import article_ranking, load_questions, score

NUMBER_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.6)
SOURCE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)


def lists_for(set_dir: Path, store_root: Path, profile: str, candidates: int) -> dict[str, Any]:
    """Dense and BM25 candidates for every question of the set, from a cached run if any."""
    cache = store_root / profile / f"{set_dir.name}.lists.json"
    bot = Assistant(data_dir=store_root / profile / set_dir.name, profile=profile)
    questions = load_questions(set_dir / "questions.jsonl", None)
    if cache.exists():
        raw = json.loads(cache.read_text())
    else:
        bot.ingest([set_dir / "articles.jsonl"], progress=True)
        searcher = bot.searcher
        raw = {
            "dense": [
                [asdict(p) for p in searcher.dense(q["question"], candidates)] for q in questions
            ],
            "bm25": [
                [asdict(p) for p in searcher.lexical(q["question"], candidates)] for q in questions
            ],
        }
        cache.write_text(json.dumps(raw))
    return {
        "searcher": bot.searcher,
        "golds": [set(q["gold_ids"]) for q in questions],
        "questions": [q["question"] for q in questions],
        "dense": [[_passage(d) for d in row] for row in raw["dense"]],
        "bm25": [[_passage(d) for d in row] for row in raw["bm25"]],
    }


def _passage(d: dict[str, Any]) -> Passage:
    fields = set(Passage.__dataclass_fields__)
    return Passage(**{k: v for k, v in d.items() if k in fields})


def duplicates(data: dict[str, Any], threshold: float) -> list[set[tuple[str, str]]]:
    """Per question, the (later, earlier) chunk pairs that HybridSearcher would collapse,
    worked out once over all candidates instead of once per setting."""
    out = []
    for dn, lx in zip(data["dense"], data["bm25"], strict=True):
        grams = {p.chunk_id: shingles(p.text) for p in [*dn, *lx]}
        out.append(
            {
                (a, b)
                for a in grams
                for b in grams
                if a != b and containment(grams[a], grams[b]) >= threshold
            }
        )
    return out


def collapse(ranked: list[Passage], pairs: set[tuple[str, str]], k: int) -> list[Passage]:
    """HybridSearcher.collapse_duplicates with the duplicate pairs known beforehand."""
    kept: list[Passage] = []
    for p in ranked:
        if not any((p.chunk_id, q.chunk_id) in pairs for q in kept):
            kept.append(p)
            if len(kept) == k:
                break
    return kept


def evaluate(data: dict[str, Any], fuse: Any) -> dict[str, float]:
    ranks = [
        article_ranking(collapse(fuse(dn, lx, q), pairs, 30))
        for dn, lx, q, pairs in zip(
            data["dense"], data["bm25"], data["questions"], data["pairs"], strict=True
        )
    ]
    return score(ranks, data["golds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--store-root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--profile", choices=["fast", "accurate"], default="fast")
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--top", type=int, default=25, help="settings printed")
    parser.add_argument("--json", type=Path, help="write every setting's figures here")
    parser.add_argument(
        "--date-weights",
        type=lambda v: [float(w) for w in v.split(",")],
        default=[0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5],
        help="date bonus weights to sweep with the profile's other constants",
    )
    args = parser.parse_args()
    (args.store_root / args.profile).mkdir(parents=True, exist_ok=True)
    data = {s.name: lists_for(s, args.store_root, args.profile, args.candidates) for s in args.sets}
    inputs: dict[str, dict[str, dict[str, float]]] = {}
    for name, d in data.items():
        d["pairs"] = duplicates(d, d["searcher"].dedupe_threshold)
        inputs[name] = {
            "dense": evaluate(d, lambda dn, lx, q: dn),
            "bm25": evaluate(d, lambda dn, lx, q: lx),
        }
        for mode, m in inputs[name].items():
            print(name, mode, {k: round(v, 3) for k, v in m.items()})

    settings: list[dict[str, Any]] = []
    for number_weight, source_weight in itertools.product(NUMBER_WEIGHTS, SOURCE_WEIGHTS):
        bonuses = {"number_weight": number_weight, "source_weight": source_weight}
        for rrf_k, wb in itertools.product([1, 2, 5, 10, 40], [0.75, 1.0, 1.5, 2.0]):
            settings.append(
                {"fusion": "rrf", "rrf_k": rrf_k, "dense_weight": 1.0, "bm25_weight": wb, **bonuses}
            )
        for alpha in [i / 20 for i in range(6, 20)]:
            settings.append({"fusion": "convex", "alpha": alpha, **bonuses})

    date_weight = PROFILE_FUSION[args.profile]["date_weight"]
    rows = [figures(data, inputs, {**setting, "date_weight": date_weight}) for setting in settings]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    for row in sorted(rows, key=lambda r: r["worst_margin"], reverse=True)[: args.top]:
        print(row)
    print(f"date bonus with the {args.profile} profile's other constants:")
    for weight in args.date_weights:
        print(figures(data, inputs, {**PROFILE_FUSION[args.profile], "date_weight": weight}))
    return 0


def figures(
    data: dict[str, Any], inputs: dict[str, dict[str, dict[str, float]]], setting: dict[str, Any]
) -> dict[str, Any]:
    """One setting's hit@1, hit@5 and MRR@10 on each set, and its margin over the better of
    the two inputs there; worst_margin is the smallest of those."""
    row: dict[str, Any] = dict(setting)
    worst = 1.0
    for name, d in data.items():
        s: HybridSearcher = d["searcher"]
        for key, value in setting.items():
            setattr(s, key, value)
        m = evaluate(d, s.fuse)
        best_in = {
            k: max(inputs[name]["dense"][k], inputs[name]["bm25"][k]) for k in ("hit@5", "mrr@10")
        }
        margin = min(m["hit@5"] - best_in["hit@5"], m["mrr@10"] - best_in["mrr@10"])
        worst = min(worst, margin)
        row[name] = (*(round(m[k], 3) for k in ("hit@1", "hit@5", "mrr@10")), round(margin, 3))
    row["worst_margin"] = round(worst, 3)
    return row


if __name__ == "__main__":
    sys.exit(main())
