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
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.retrieval.dedupe import containment, first_distinct, shingles
from assistant.retrieval.fusion import Fusion, fuse
from assistant.types import Passage
from benchmarks.retrieval import article_ranking, questions_for, score

NUMBER_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.6)
SOURCE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
Fuse = Callable[[list[Passage], list[Passage], str], list[Passage]]


def lists_for(set_dir: Path, store_root: Path, profile: str, candidates: int) -> dict[str, Any]:
    """Dense and BM25 candidates for every question of the set, from a cached run if any,
    with the near-duplicate pairs among them."""
    cache = store_root / profile / f"{set_dir.name}.lists.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    bot = Assistant(data_dir=store_root / profile / set_dir.name, profile=profile)
    questions = questions_for(set_dir)
    if cache.exists():
        raw = json.loads(cache.read_text())
    else:
        bot.ingest([set_dir / "articles.jsonl"], progress=True)
        searcher = bot.searcher
        raw = {
            "dense": [
                [asdict(p) for p in searcher.dense(q.question, candidates)] for q in questions
            ],
            "bm25": [
                [asdict(p) for p in searcher.lexical(q.question, candidates)] for q in questions
            ],
        }
        cache.write_text(json.dumps(raw))
    data = {
        "searcher": bot.searcher,
        "golds": [set(q.gold_ids) for q in questions],
        "questions": [q.question for q in questions],
        "dense": [[_passage(d) for d in row] for row in raw["dense"]],
        "bm25": [[_passage(d) for d in row] for row in raw["bm25"]],
    }
    data["pairs"] = duplicate_pairs(data, bot.searcher.dedupe_threshold)
    return data


def _passage(d: dict[str, Any]) -> Passage:
    fields = set(Passage.__dataclass_fields__)
    return Passage(**{k: v for k, v in d.items() if k in fields})


# Why not collapse_duplicates itself: it compares shingles each time it is called, and a
# grid scores every question under hundreds of settings; the pairs it would collapse depend
# only on the candidates, so they are worked out once per question here (about 80
# candidates, 3,200 comparisons) and each setting only looks them up.
def duplicate_pairs(data: dict[str, Any], threshold: float) -> list[set[tuple[str, str]]]:
    """Per question, the chunk pairs that collapse_duplicates would treat as one story."""
    out = []
    for dn, lx in zip(data["dense"], data["bm25"], strict=True):
        grams = {p.chunk_id: shingles(p.text) for p in [*dn, *lx]}
        out.append(
            {
                (a, b)
                for a, b in itertools.permutations(grams, 2)
                if containment(grams[a], grams[b]) >= threshold
            }
        )
    return out


def collapse(ranked: list[Passage], pairs: set[tuple[str, str]], k: int) -> list[Passage]:
    """collapse_duplicates with the duplicate pairs known beforehand."""
    return first_distinct(ranked, k, lambda a, b: (a.chunk_id, b.chunk_id) in pairs)


def rankings(data: dict[str, Any], fused: Fuse, depth: int = 30) -> list[list[Passage]]:
    """Per question, the first `depth` passages of a fusion of its two lists, collapsed."""
    return [
        collapse(fused(dn, lx, q), pairs, depth)
        for dn, lx, q, pairs in zip(
            data["dense"], data["bm25"], data["questions"], data["pairs"], strict=True
        )
    ]


def evaluate(data: dict[str, Any], fused: Fuse) -> dict[str, float]:
    """hit@1/5/10 and MRR@10 of a fusion over the set's cached lists."""
    return score([article_ranking(r) for r in rankings(data, fused)], data["golds"])


def by(fusion: Fusion) -> Fuse:
    """The fusion as a function of the two lists and the question."""
    return lambda dn, lx, q: fuse(dn, lx, q, fusion)


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
    data = {s.name: lists_for(s, args.store_root, args.profile, args.candidates) for s in args.sets}
    inputs: dict[str, dict[str, dict[str, float]]] = {}
    for name, d in data.items():
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
                {"method": "rrf", "rrf_k": rrf_k, "dense_weight": 1.0, "bm25_weight": wb, **bonuses}
            )
        for alpha in [i / 20 for i in range(6, 20)]:
            settings.append({"method": "convex", "alpha": alpha, **bonuses})

    profile = next(iter(data.values()))["searcher"].fusion
    rows = [figures(data, inputs, replace(profile, **setting)) for setting in settings]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    for row in sorted(rows, key=lambda r: r["worst_margin"], reverse=True)[: args.top]:
        print(row)
    print(f"date bonus with the {args.profile} profile's other constants:")
    for weight in args.date_weights:
        print(figures(data, inputs, replace(profile, date_weight=weight)))
    return 0


def figures(
    data: dict[str, Any], inputs: dict[str, dict[str, dict[str, float]]], fusion: Fusion
) -> dict[str, Any]:
    """One fusion's hit@1, hit@5 and MRR@10 on each set, and its margin over the better of
    the two inputs there; worst_margin is the smallest of those."""
    row: dict[str, Any] = asdict(fusion)
    worst = 1.0
    for name, d in data.items():
        m = evaluate(d, by(fusion))
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
