"""How many passages of one article the chain should get: the per-article cap measured.

For each question the fused ranking (the profile's default fusion) is cut to the k
passages the chain would receive with a cap of 1, 2, 3 or none per article, and scored:

- hit: a gold article is among the k passages;
- gold recall: the share of the question's gold articles among them (questions that need
  several articles, as in multihop-rag-500, need this);
- articles: distinct articles among the k passages;
- same-article pairs: passages that sit next to another passage of their article (a
  sentence cut by a chunk boundary is only whole when both halves are given).

    python -m benchmarks.diversity ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 --profile fast --store-root /tmp/newsdesk-bench

Uses the candidate lists that benchmarks/tune_fusion.py caches (it builds them if absent).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

from assistant.answering.context import diversify
from assistant.settings import Settings
from benchmarks.tune_fusion import by, lists_for, rankings


def measure(data: dict[str, Any], k: int, cap: int | None, candidates: int) -> dict[str, float]:
    hits, recalls, articles, neighbours = [], [], [], []
    found_all = rankings(data, by(data["searcher"].fusion), candidates)
    for found, gold in zip(found_all, data["golds"], strict=True):
        given = diversify(found, k, cap or k)
        ids = {p.article_id for p in given}
        hits.append(bool(ids & gold))
        recalls.append(len(ids & gold) / min(len(gold), k))
        articles.append(len(ids))
        spots = {(p.article_id, p.index) for p in given}
        neighbours.append(sum((a, i + 1) in spots for a, i in spots))
    return {
        "hit": statistics.fmean(hits),
        "gold_recall": statistics.fmean(recalls),
        "articles": statistics.fmean(articles),
        "adjacent_pairs": statistics.fmean(neighbours),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--store-root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--profile", choices=["fast", "accurate"], default="fast")
    parser.add_argument("--k", type=int, default=Settings().retrieval.k)
    args = parser.parse_args()
    print(
        f"| set | profile | cap | hit@{args.k} passages | gold recall | articles "
        "| adjacent pairs |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for set_dir in args.sets:
        data = lists_for(set_dir, args.store_root, args.profile, 40)
        for cap in (1, 2, 3, None):
            m = measure(data, args.k, cap, 40)
            print(
                f"| {set_dir.name} | {args.profile} | {cap or 'none'} | {m['hit']:.3f} | "
                f"{m['gold_recall']:.3f} | {m['articles']:.2f} | {m['adjacent_pairs']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
