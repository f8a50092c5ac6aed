"""Large collections: memory, BM25 build time and search latency at 1k, 10k and 100k chunks.

Each size is filled in one process and measured in a fresh one (so the memory figure is
that of a reader that opened the store), against the embedded Chroma store and against a
real ``chroma run`` server on loopback:

- 1k: real articles from the shared eval sets (round-robin over the three), chunked and
  embedded by ``Assistant.ingest``.
- 10k: all of the eval sets' articles plus variants of them (a share of each article's
  words swapped for words drawn from the whole corpus, seeded) until there are 10,000
  chunks, all embedded for real by ``Assistant.ingest``. The ingest rate is measured here
  beside the embedding model's own encode rate on every 10th of the same chunk texts, in
  the same process just before.
- On the server, the 1k and 10k collections hold the same chunks with the same real
  vectors, read back from the embedded 10k collection and written through
  ``ChunkStore.write`` (not embedded a second time).
- 100k: the 10k collection plus 90,000 synthetic chunks. Each is a variant of one of the
  10k chunks' text (words swapped as above) whose vector is that chunk's real vector plus
  gaussian noise, re-normalised: no new embedding. They are written through
  ``ChunkStore.write`` (the product's own upsert path, so ids, metadata, ordering and the
  revision bump are those of a real ingest) with an embedder stand-in that returns the
  prepared vectors.

At each size: process RSS (and the server's), BM25 index build time, and search latency
p50/p95 for dense, BM25 and hybrid over ~100 real questions from the eval sets.

    python -m benchmarks.scale --eval ../shared/eval [--sizes 1000,10000,100000]
        [--modes embedded,server] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETS = ("rgb-news", "squad2-500", "multihop-rag-500")
SEARCH_MODES = ("dense", "bm25", "hybrid")


# -- measuring ---------------------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident memory now and at peak (VmRSS, VmHWM), MiB, from /proc."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def latencies_ms(fn: Callable[[str], Any], items: Sequence[str]) -> dict[str, float]:
    took = []
    for item in items:
        _, seconds = timed(lambda item=item: fn(item))
        took.append(seconds * 1000)
    return {"p50_ms": round(percentile(took, 50), 1), "p95_ms": round(percentile(took, 95), 1)}


# -- data --------------------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def vary(text: str, rng: random.Random, vocabulary: Sequence[str], rate: float) -> str:
    """The text with about ``rate`` of its words swapped for corpus words (spacing kept)."""
    return _WORD.sub(lambda m: rng.choice(vocabulary) if rng.random() < rate else m.group(), text)


def base_articles(eval_dir: Path) -> list[Any]:
    """The three eval sets' articles, loaded by our pipeline, interleaved round-robin."""
    from assistant import Settings
    from ingest import load_paths

    limit = Settings().max_file_mb
    per_set = [
        load_paths([eval_dir / name / "articles.jsonl"], max_file_mb=limit)[0] for name in SETS
    ]
    mixed = []
    for i in range(max(len(a) for a in per_set)):
        mixed.extend(a[i] for a in per_set if i < len(a))
    return mixed


def questions(eval_dir: Path, n: int) -> list[str]:
    """About n questions, in turn from each eval set."""
    from assistant.evaluation.questions import load_questions

    per_set = [
        [q.question for q in load_questions(eval_dir / name / "questions.jsonl")[0]]
        for name in SETS
    ]
    mixed = [q for i in range(n) for q in (s[i] for s in per_set if i < len(s))]
    return mixed[:n]


def chunk(articles: Sequence[Any]) -> list[Any]:
    from assistant import Settings
    from ingest import chunk_articles

    c = Settings().chunking
    return chunk_articles(
        articles, chunk_tokens=c.chunk_tokens, overlap_tokens=c.overlap_tokens, encoding=c.encoding
    )


def article_record(article: Any) -> dict[str, str]:
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "published": article.published,
        "source": article.source,
        "author": article.author,
    }


def prepare(eval_dir: Path, work: Path, rate: float, real: int) -> dict[str, Any]:
    """Write the 1k and the real-size (10k) article files; returns their chunk counts."""
    from dataclasses import replace

    base = base_articles(eval_dir)
    counts = [len(chunk([a])) for a in base]
    vocabulary = sorted({w for a in base for w in _WORD.findall(a.text)})

    small, total = [], 0
    for article, n in zip(base, counts, strict=True):
        if total >= 1000:
            break
        small.append(article)
        total += n
    chunks_1k = total

    large, total, variant = list(base), sum(counts), 0
    while total < real:
        variant += 1
        rng = random.Random(variant)
        for article in base:
            if total >= real:
                break
            text = vary(article.text, rng, vocabulary, rate)
            large.append(replace(article, id=f"{article.id}-v{variant}", text=text))
            total += len(chunk([large[-1]]))  # a variant may chunk differently
    for name, articles in (("articles-1k.jsonl", small), ("articles-real.jsonl", large)):
        with (work / name).open("w", encoding="utf-8") as out:
            for article in articles:
                out.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
    (work / "vocabulary.json").write_text(json.dumps(vocabulary))
    return {
        "base_articles": len(base),
        "base_chunks": sum(counts),
        "chunks_1k": chunks_1k,
        "articles_real": len(large),
        "chunks_real": total,
        "variants_per_article": variant,
    }


# -- one size in one process -------------------------------------------------------------------


def open_assistant(args: argparse.Namespace) -> Any:
    from assistant import Assistant

    name = "scale_big" if args.size > 1000 else "scale_1k"
    return Assistant(
        data_dir=args.work / f"{args.mode}-{name}",
        chroma_host=args.chroma_host,
        collection=name,
        backend="extractive",
    )


def fill(args: argparse.Namespace) -> dict[str, Any]:
    """Bring the collection to the size: real ingest up to 10k, synthetic chunks above."""
    work: Path = args.work
    bot = open_assistant(args)
    bot.embedder.encode_query("warm up the model")
    bot.store.count()  # open the store before anything is timed
    vectors_file = work / "vectors.npy"
    out: dict[str, Any] = {}
    source = work / ("articles-1k.jsonl" if args.size <= 1000 else "articles-real.jsonl")
    if args.size <= args.real and vectors_file.exists():
        # The same chunks and the same real vectors as the embedded ingest, without
        # embedding them again: through ChunkStore.write, so only the write is timed.
        real = chunk(load_articles(work / "articles-real.jsonl"))
        vectors = np.load(vectors_file)
        prepared = {c.text: v for c, v in zip(real, vectors, strict=True)}
        bot.store.reset()
        out |= write_prepared(bot, chunk(load_articles(source)), prepared, "reused_vectors")
    elif args.size <= 1000:
        report, ingest_s = timed(lambda: bot.ingest([source], rebuild=True, progress=False))
        out["ingest_per_s"] = round(report.chunks_written / ingest_s, 1)
    elif args.size <= args.real:
        chunks = chunk(load_articles(source))
        # The model's own rate on every 10th of the same chunk texts, just before ingest.
        sample = [c.text for c in chunks[::10]]
        _, encode_s = timed(lambda: bot.embedder.encode(sample))
        out["encode_per_s"] = round(len(sample) / encode_s, 1)
        report, ingest_s = timed(lambda: bot.ingest([source], rebuild=True, progress=False))
        out["ingest_per_s"] = round(report.chunks_written / ingest_s, 1)
        out["ingest_s"] = round(ingest_s, 1)
        out["ingest_vs_encode"] = round(out["ingest_per_s"] / out["encode_per_s"], 2)
        np.save(vectors_file, stored_vectors(bot.store, [c.id for c in chunks]))
    else:
        base = chunk(load_articles(work / "articles-real.jsonl"))
        vectors = np.load(vectors_file)
        need = args.size - bot.store.count()
        synthetic, prepared = synthetic_chunks(base, vectors, need, args.sigma, args.rate, work)
        out |= write_prepared(bot, synthetic, prepared, "synthetic")
    out["fill_rss"] = rss_mb()
    return out


def stored_vectors(store: Any, ids: list[str]) -> np.ndarray:
    """The vectors Chroma holds for these chunk ids, in their order."""
    rows = []
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        got = store.collection.get(ids=batch, include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
        rows.extend(np.asarray(by_id[i], dtype=np.float32) for i in batch)
    return np.stack(rows)


def write_prepared(
    bot: Any, chunks: list[Any], prepared: dict[str, np.ndarray], label: str
) -> dict[str, Any]:
    """Write chunks through ChunkStore.write with prepared vectors in place of the model."""
    from assistant.store.chroma import ChunkStore

    params = {k: v for k, v in bot.store.build_params.items() if k != "embedding_model"}
    store = ChunkStore(
        embedder=PreparedEmbedder(bot.embedder.model_name, prepared),  # type: ignore[arg-type]
        data_dir=bot.store.data_dir,
        chroma_host=bot.store.chroma_host,
        collection=bot.store.collection_name,
        context=bot.store.context,
        build_params=params,
    )
    written, write_s = timed(lambda: store.write(chunks, batch_size=1000))
    return {
        f"{label}_written": written,
        f"{label}_write_s": round(write_s, 1),
        f"{label}_write_per_s": round(written / write_s, 1),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh process: open the store, build BM25, time searches, read memory."""
    import logging

    from assistant.retrieval.bm25 import BM25Index
    from assistant.store.embedder import _cached_query

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    bot = open_assistant(args)
    bot.embedder.encode_query("warm up the model")
    BM25Index.tokenizer()  # imports bm25s and the stemmer, outside the timing
    out: dict[str, Any] = {"rss_start": rss_mb(), "chunks": bot.store.count()}
    _, first = timed(lambda: bot.search("warm up the vector index", mode="dense"))
    out["first_dense_s"] = round(first, 2)  # loads the vector index
    _, build = timed(bot.searcher.bm25.refresh)
    out["bm25_build_s"] = round(build, 2)
    _, read_s = timed(bot.store.all_chunks)
    out["read_all_chunks_s"] = round(read_s, 2)  # the part of the build that reads Chroma
    out["rss_after_bm25"] = rss_mb()

    asked = questions(args.eval, args.questions)
    out["questions"] = len(asked)
    # Per-search overheads: the BM25 index asks for the store's revision and dense search
    # for its count on every search.
    out["revision_check"] = latencies_ms(lambda _q: bot.store.revision, asked[:30])
    out["count_check"] = latencies_ms(lambda _q: bot.store.count(), asked[:30])
    for mode in SEARCH_MODES:
        _cached_query.cache_clear()  # each mode pays for the question's embedding
        out[mode] = latencies_ms(lambda q, mode=mode: bot.search(q, k=5, mode=mode), asked)
    _cached_query.cache_clear()
    out["query_encode"] = latencies_ms(bot.embedder.encode_query, asked)
    out["rss_end"] = rss_mb()
    if args.server_pid:
        out["server_rss"] = rss_mb(args.server_pid)
    return out


def load_articles(path: Path) -> list[Any]:
    from assistant import Settings
    from ingest import load_paths

    articles, skipped = load_paths([path], max_file_mb=Settings().max_file_mb)
    if skipped:
        raise SystemExit(f"{path}: {len(skipped)} articles skipped, e.g. {skipped[0]}")
    return articles


def synthetic_chunks(
    base: Sequence[Any], vectors: np.ndarray, n: int, sigma: float, rate: float, work: Path
) -> tuple[list[Any], dict[str, np.ndarray]]:
    """n chunks varied from the base chunks, and each one's perturbed vector by text."""
    from dataclasses import replace

    from ingest.documents import stable_hash

    if len(base) != len(vectors):
        raise SystemExit("the saved vectors do not match the 10k chunks")
    vocabulary = json.loads((work / "vocabulary.json").read_text())
    rng = random.Random(100)
    noise = np.random.default_rng(100)
    chunks: list[Any] = []
    prepared: dict[str, np.ndarray] = {}
    copy = 0
    while len(chunks) < n:
        copy += 1
        take = base[: n - len(chunks)]
        for c, vector in zip(take, vectors, strict=False):
            text = vary(c.text, rng, vocabulary, rate)
            article_id = f"{c.article_id}~s{copy}"
            chunks.append(
                replace(
                    c,
                    article_id=article_id,
                    text=text,
                    end=c.start + len(text),
                    article_hash=stable_hash(article_id, c.article_hash),
                )
            )
            moved = vector + noise.normal(0.0, sigma, vector.shape).astype(np.float32)
            prepared[text] = moved / np.linalg.norm(moved)
    # ChunkStore.write counts each article's chunks among those given, so an article cut
    # short by n is recorded with the chunks it has.
    return chunks, prepared


class PreparedEmbedder:
    """Stands in for the SentenceEmbedder in ChunkStore.write: returns prepared vectors."""

    def __init__(self, model_name: str, vectors: dict[str, np.ndarray]) -> None:
        self.model_name = model_name
        self.vectors = vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


# -- the Chroma server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(path: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`chroma run` on a loopback port; returns the process and host:port once it answers."""
    import urllib.request

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chroma run exited: {log.read_text(errors='replace')[-1000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("chroma run did not answer within 60 s")


# -- the run -----------------------------------------------------------------------------------


def run_worker(args: argparse.Namespace, mode: str, size: int, **extra: Any) -> dict[str, Any]:
    """Fill the collection in one process, then measure it in another."""
    result: dict[str, Any] = {"mode": mode, "size": size}
    for phase in ("fill", "measure"):
        print(f"  {mode} {size:,} chunks: {phase} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [*worker_command(args, mode, size, **extra), "--worker", phase],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            result["error"] = f"{phase}: {done.stderr[-1500:]}"
            print(f"    failed: {done.stderr[-1500:]}", file=sys.stderr, flush=True)
            return result
        result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        result[f"{phase}_process_s"] = round(time.perf_counter() - started, 1)
        print(f"    {phase} took {result[f'{phase}_process_s']} s", file=sys.stderr, flush=True)
    return result


def worker_command(args: argparse.Namespace, mode: str, size: int, **extra: Any) -> list[str]:
    command = [
        sys.executable,
        __file__,
        "--mode",
        mode,
        "--size",
        str(size),
        "--work",
        str(args.work),
        "--eval",
        str(args.eval),
        "--questions",
        str(args.questions),
        "--sigma",
        str(args.sigma),
        "--rate",
        str(args.rate),
        "--real",
        str(args.real),
    ]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    return command


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| store | chunks | RSS MiB (client) | RSS MiB (server) | BM25 build s "
        "| dense p50/p95 ms | BM25 p50/p95 ms | hybrid p50/p95 ms |"
    )
    rows = [head, "|" + " --- |" * 8]
    for r in results:
        if "error" in r:
            rows.append(f"| {r['mode']} | {r['size']:,} | failed: see JSON |" + " |" * 5)
            continue
        server = r.get("server_rss", {}).get("VmRSS", "")

        def lat(mode: str, r: dict[str, Any] = r) -> str:
            return f"{r[mode]['p50_ms']:.0f} / {r[mode]['p95_ms']:.0f}"

        rows.append(
            f"| {r['mode']} | {r['chunks']:,} | {r['rss_end']['VmRSS']:.0f} | {server} "
            f"| {r['bm25_build_s']:.1f} | {lat('dense')} | {lat('bm25')} | {lat('hybrid')} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--modes", default="embedded,server")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument(
        "--real", type=int, default=10_000, help="chunks embedded for real; above: synthetic"
    )
    parser.add_argument("--sigma", type=float, default=0.02, help="noise per vector dimension")
    parser.add_argument("--rate", type=float, default=0.3, help="share of words swapped")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    # used by the per-size processes
    parser.add_argument("--worker", choices=("fill", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--chroma-host", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.worker:
        print(json.dumps(fill(args) if args.worker == "fill" else measure(args)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    with tempfile.TemporaryDirectory(prefix="newsdesk-scale-") as tmp:
        args.work = args.work or Path(tmp)
        args.work.mkdir(parents=True, exist_ok=True)
        print("preparing the article files ...", file=sys.stderr, flush=True)
        data, prepare_s = timed(lambda: prepare(args.eval, args.work, args.rate, args.real))
        data["prepare_s"] = round(prepare_s, 1)
        print(json.dumps(data), file=sys.stderr)
        results = []
        for mode in modes:
            if mode == "server":
                proc, host = start_chroma(args.work / "chroma-server", args.work / "chroma.log")
                try:
                    for size in sizes:
                        results.append(
                            run_worker(args, mode, size, chroma_host=host, server_pid=proc.pid)
                        )
                finally:
                    proc.terminate()
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
            else:
                results.extend(run_worker(args, mode, size) for size in sizes)
        report = {"data": data, "sigma": args.sigma, "rate": args.rate, "results": results}
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=2))
        print()
        print(table(results))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
