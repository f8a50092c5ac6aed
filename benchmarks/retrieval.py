"""Retrieval benchmark: article-level hit@k and MRR@10, search latency, ingest rate.

Compares, on the same chunks and the same model: our hybrid search, dense alone, BM25
alone, the first version's fusion (rank constant 60, equal weights, BM25 on bare chunks),
the profile's fusion without any query rule, the profile's fusion without each rule that
is on, and dense search over 1000-character chunks (LangChain's common default splitter
setting) as an outside baseline. Ingest speed is reported beside the embedding model's own
encode rate on the same chunk texts, as a ratio.

    python -m benchmarks.retrieval ../shared/eval/rgb-news [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.evaluation.metrics import contains_answer, hit_at, reciprocal_rank
from assistant.evaluation.questions import Question, load_questions
from assistant.retrieval.search import HybridSearcher
from assistant.store.embedder import _cached_query

# The query rules, by their weight in the fusion, and the name of the row without each.
RULES = {"number_weight": "numbers", "source_weight": "outlets", "date_weight": "dates"}
NO_RULES = {key: 0.0 for key in RULES}


def article_ranking(passages: list[Any], depth: int = 10) -> list[str]:
    """Article ids in the order their first passage appears."""
    return list(dict.fromkeys(p.article_id for p in passages))[:depth]


def score(rankings: list[list[str]], golds: list[set[str]]) -> dict[str, float]:
    """hit@1/5/10 and MRR@10 over questions."""
    pairs = list(zip(rankings, golds, strict=True))
    out = {f"hit@{k}": statistics.fmean(hit_at(r, g, k) for r, g in pairs) for k in (1, 5, 10)}
    out["mrr@10"] = statistics.fmean(reciprocal_rank(r, g, 10) for r, g in pairs)
    return out


def answer_in_passages(searches: list[list[Any]], questions: list[Question]) -> float | None:
    """Share of questions whose first 5 passages contain one of its answers.

    Independent of the gold ids, which on rgb-news leave out some snippets that state the
    answer; questions answered only Yes or No do not count (the words are everywhere).
    """
    hits = []
    for passages, q in zip(searches, questions, strict=True):
        answers = [a for a in q.answers if a.strip().lower() not in ("yes", "no")]
        if answers:
            hits.append(contains_answer(" ".join(p.text for p in passages[:5]), answers))
    return statistics.fmean(hits) if hits else None


def questions_for(set_dir: Path, limit: int | None = None) -> list[Question]:
    """A set's answerable questions with gold ids, the first `limit` of them if given."""
    questions, bad = load_questions(set_dir / "questions.jsonl")
    for row in bad:
        print(f"{set_dir.name}/questions.jsonl {row}", file=sys.stderr)
    kept = [q for q in questions if q.gold_ids and q.answerable is not False]
    return kept[:limit] if limit else kept


def scores(
    searches: list[list[Any]], questions: list[Question], golds: list[set[str]]
) -> dict[str, Any]:
    """Article-level scores and answer@5 of one search per question."""
    return {
        **score([article_ranking(p) for p in searches], golds),
        "answer@5": answer_in_passages(searches, questions),
    }


@contextmanager
def configured(searcher: HybridSearcher, **constants: Any) -> Iterator[None]:
    """The searcher with some fusion constants changed for the block, put back after it."""
    before = searcher.fusion
    searcher.fusion = replace(before, **constants)
    try:
        yield
    finally:
        searcher.fusion = before


@contextmanager
def bare_bm25(searcher: HybridSearcher) -> Iterator[None]:
    """BM25 over the chunks alone, without their article's title, source and date."""
    before = searcher.store.context
    searcher.store.context = False
    searcher.bm25.invalidate()
    try:
        yield
    finally:
        searcher.store.context = before
        searcher.bm25.invalidate()


def baseline_1000_chars(bot: Assistant, articles: Path) -> Any:
    """A Chroma collection of 1000-character chunks (overlap 200), dense search only."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.store.embedder import chroma_function
    from ingest import load_paths

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    loaded, _ = load_paths([articles], max_file_mb=bot.settings.max_file_mb)
    ids, texts, metas = [], [], []
    for article in loaded:
        for i, text in enumerate(splitter.split_text(article.text)):
            ids.append(f"{article.id}#{i}")
            texts.append(text)
            metas.append({"article_id": article.id})
    collection = bot.store.client.get_or_create_collection(
        "baseline-1000-chars",
        configuration={"hnsw": {"space": "cosine"}},
        embedding_function=chroma_function(bot.embedder),
    )
    for start in range(0, len(ids), 256):
        collection.upsert(
            ids=ids[start : start + 256],
            documents=texts[start : start + 256],
            embeddings=bot.embedder.encode(texts[start : start + 256]),
            metadatas=metas[start : start + 256],
        )
    return collection


def run(
    set_dir: Path,
    limit: int | None,
    overrides: dict[str, Any],
    *,
    baseline: bool = True,
    encode_sample: int | None = None,
) -> dict[str, Any]:
    articles = set_dir / "articles.jsonl"
    questions = questions_for(set_dir, limit)
    golds = [set(q.gold_ids) for q in questions]
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant(data_dir=Path(tmp), **overrides)
        bot.embedder.encode(["warm up"])  # model load and
        bot.store.count()  # Chroma's import and opening are not ingest time

        started = time.perf_counter()
        report = bot.ingest([articles], progress=False)
        ingest_s = time.perf_counter() - started
        _, chunk_texts, _ = bot.store.all_chunks()
        # The model's own rate on the same chunks (a seeded random sample when asked).
        sample = chunk_texts
        if encode_sample and encode_sample < len(chunk_texts):
            sample = random.Random(0).sample(chunk_texts, encode_sample)
        started = time.perf_counter()
        bot.embedder.encode(sample)
        encode_s = (time.perf_counter() - started) * len(chunk_texts) / len(sample)

        results: dict[str, Any] = {
            "set": set_dir.name,
            "profile": bot.settings.profile,
            "questions": len(questions),
            "articles": len(report.added),
            "chunks": len(chunk_texts),
            "ingest_s": ingest_s,
            "ingest_chunks_per_s": len(chunk_texts) / ingest_s,
            "encode_chunks_per_s": len(chunk_texts) / encode_s,
        }
        results["ingest_vs_encode"] = (
            results["ingest_chunks_per_s"] / results["encode_chunks_per_s"]
        )
        bot.search("warm up the bm25 index")
        for mode in ("bm25", "dense", "hybrid"):
            _cached_query.cache_clear()  # each mode pays for its own query vectors
            searches, latencies = [], []
            for q in questions:
                started = time.perf_counter()
                searches.append(bot.search(q.question, k=30, mode=mode))
                latencies.append(time.perf_counter() - started)
            results[mode] = {
                **scores(searches, questions, golds),
                "search_p50_ms": 1000 * statistics.median(latencies),
                "search_p95_ms": 1000 * statistics.quantiles(latencies, n=20)[-1],
            }

        def hybrid_scores() -> dict[str, Any]:
            """Scores of the hybrid search as the searcher is configured now."""
            searches = [bot.search(q.question, k=30) for q in questions]
            return scores(searches, questions, golds)

        # The first version's fusion: rank constant 60, equal weights, BM25 on bare chunks,
        # no rules; then the profile's fusion without the rules, and without each rule that
        # is on: what they add.
        searcher = bot.searcher
        v1 = {"method": "rrf", "rrf_k": 60, "dense_weight": 1.0, "bm25_weight": 1.0, **NO_RULES}
        with configured(searcher, **v1), bare_bm25(searcher):
            results["hybrid_v1"] = hybrid_scores()
        if any(getattr(searcher.fusion, key) for key in RULES):
            with configured(searcher, **NO_RULES):
                results["hybrid_no_rules"] = hybrid_scores()
        for key, rule in RULES.items():
            if getattr(searcher.fusion, key):
                with configured(searcher, **{key: 0.0}):
                    results[f"hybrid_no_{rule}"] = hybrid_scores()

        if baseline:
            collection = baseline_1000_chars(bot, articles)
            rankings = []
            for q in questions:
                got = collection.query(
                    query_embeddings=bot.embedder.encode([q.question]),
                    n_results=30,
                    include=["metadatas"],
                )
                ids = [m["article_id"] for m in got["metadatas"][0]]
                rankings.append(list(dict.fromkeys(ids))[:10])
            results["dense_1000_chars"] = score(rankings, golds)
    return results


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| set | profile | method | hit@1 | hit@5 | hit@10 | MRR@10 | answer@5 | search p50 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    methods = (
        "bm25",
        "dense",
        "dense_1000_chars",
        "hybrid_v1",
        "hybrid_no_rules",
        *(f"hybrid_no_{rule}" for rule in RULES.values()),
        "hybrid",
    )
    for r in rows:
        for method in methods:
            if method not in r:
                continue
            m = r[method]
            p50 = f"{m['search_p50_ms']:.1f}" if "search_p50_ms" in m else ""
            answer = f"{m['answer@5']:.3f}" if m.get("answer@5") is not None else ""
            lines.append(
                f"| {r['set']} | {r['profile']} | {method} | {m['hit@1']:.3f} | {m['hit@5']:.3f} | "
                f"{m['hit@10']:.3f} | {m['mrr@10']:.3f} | {answer} | {p50} |"
            )
    lines += [
        "",
        "| set | profile | chunks | ingest s | ingest chunks/s | encode chunks/s | ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['profile']} | {r['chunks']} | {r['ingest_s']:.0f} | "
            f"{r['ingest_chunks_per_s']:.1f} | {r['encode_chunks_per_s']:.1f} | "
            f"{r['ingest_vs_encode']:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sets", nargs="+", type=Path, help="folders with articles.jsonl, questions.jsonl"
    )
    parser.add_argument("--limit", type=int, help="first N questions of each set")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--alpha", type=float, help="convex fusion's dense share")
    parser.add_argument("--rrf-k", type=int)
    parser.add_argument("--dense-weight", type=float)
    parser.add_argument("--bm25-weight", type=float)
    parser.add_argument("--number-weight", type=float)
    parser.add_argument("--source-weight", type=float)
    parser.add_argument("--date-weight", type=float)
    parser.add_argument("--profile", choices=["fast", "accurate"], default="fast")
    parser.add_argument("--no-baseline", action="store_true", help="skip 1000-char chunks")
    parser.add_argument("--encode-sample", type=int, help="measure encode rate on N chunks")
    args = parser.parse_args()
    retrieval = {
        key: value
        for key, value in (
            ("alpha", args.alpha),
            ("rrf_k", args.rrf_k),
            ("dense_weight", args.dense_weight),
            ("bm25_weight", args.bm25_weight),
            ("number_weight", args.number_weight),
            ("source_weight", args.source_weight),
            ("date_weight", args.date_weight),
        )
        if value is not None
    }
    overrides: dict[str, Any] = {"profile": args.profile}
    if retrieval:
        from assistant import Settings

        overrides["retrieval"] = Settings().retrieval.model_copy(update=retrieval)
    rows = []
    for set_dir in args.sets:
        print(f"running {set_dir} ...", file=sys.stderr)
        rows.append(
            run(
                set_dir,
                args.limit,
                overrides,
                baseline=not args.no_baseline,
                encode_sample=args.encode_sample,
            )
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
