"""Choose the fusion constants on the shared sets: dense and BM25 lists computed once,
then every (rrf_k, dense weight, BM25 weight) in a grid scored at article level.

    python benchmarks/tune_fusion.py ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 --store-root /tmp/newsdesk-bench

Prints, per setting, each set's hit@5 and MRR@10 and its margin over the better of its
two inputs (negative: the fusion lost to one of them).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

from assistant import Assistant
from benchmarks.retrieval import article_ranking, load_questions, score


def lists_for(set_dir: Path, store_root: Path, candidates: int) -> dict[str, Any]:
    bot = Assistant(data_dir=store_root / set_dir.name)
    bot.ingest([set_dir / "articles.jsonl"], progress=False)
    questions = load_questions(set_dir / "questions.jsonl", None)
    searcher = bot.searcher
    dense = [searcher.dense(q["question"], candidates) for q in questions]
    lexical = [searcher.lexical(q["question"], candidates) for q in questions]
    return {
        "bot": bot,
        "golds": [set(q["gold_ids"]) for q in questions],
        "dense": dense,
        "bm25": lexical,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--store-root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--candidates", type=int, default=40)
    args = parser.parse_args()
    data = {s.name: lists_for(s, args.store_root, args.candidates) for s in args.sets}
    inputs = {}
    for name, d in data.items():
        inputs[name] = {
            mode: score([article_ranking(ps) for ps in d[mode]], d["golds"])
            for mode in ("dense", "bm25")
        }
        print(name, inputs[name], file=sys.stderr)
    grid = itertools.product([2, 5, 10, 20, 40, 60], [1.0], [0.5, 0.75, 1.0, 1.25, 1.5, 2.0])
    rows = []
    for rrf_k, wd, wb in grid:
        row: dict[str, Any] = {"rrf_k": rrf_k, "dense_w": wd, "bm25_w": wb}
        worst = 1.0
        for name, d in data.items():
            s = d["bot"].searcher
            s.rrf_k, s.dense_weight, s.bm25_weight = rrf_k, wd, wb
            ranks = [
                article_ranking(s.collapse_duplicates(s.fuse(dn, lx), 30))
                for dn, lx in zip(d["dense"], d["bm25"], strict=True)
            ]
            m = score(ranks, d["golds"])
            best_in = {
                k: max(inputs[name]["dense"][k], inputs[name]["bm25"][k])
                for k in ("hit@5", "mrr@10")
            }
            margin = min(m["hit@5"] - best_in["hit@5"], m["mrr@10"] - best_in["mrr@10"])
            worst = min(worst, margin)
            row[name] = (
                round(m["hit@1"], 3),
                round(m["hit@5"], 3),
                round(m["mrr@10"], 3),
                round(margin, 3),
            )
        row["worst_margin"] = round(worst, 3)
        rows.append(row)
    for row in sorted(rows, key=lambda r: r["worst_margin"], reverse=True):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
