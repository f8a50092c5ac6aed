"""Feed ingest against file ingest: the same articles, fetched from a loopback site or read
from disk, in one run.

The articles are built from the fact sentences of ``multihop-rag-500/articles.jsonl``:
each takes one article's title, date and source and four sentences (its own and three
others drawn with a fixed seed), so every page differs. Each is written as an HTML page
into a folder that ``python -m http.server`` serves on loopback in its own process (a
site is not in the reader's process), beside an RSS feed listing every page.

- files: ``Assistant.ingest([folder of pages])`` into a fresh store.
- feed: ``Assistant.ingest([feed url])`` into another fresh store: the feed is fetched
  and parsed, each entry's page fetched (``fetch.workers`` at a time) and extracted.

Each runs twice, in the order files, feed, feed, files, with the embedding model already
loaded; the rate is from the mean. Loading alone (reading or fetching, and extracting,
with no store) is timed too: it is the only part that differs. Then the feed is read
again into a store that holds it (every page fetched again, nothing written).

    python -m benchmarks.feeds --eval ../shared/eval [--entries 1000] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import httpx

from assistant import Assistant
from ingest import Fetcher, load_paths, load_sources

ROOT = Path(__file__).resolve().parent.parent


def build_articles(source: Path, n: int, *, seed: int = 7) -> list[dict[str, str]]:
    """``n`` articles, each a base article's metadata and four varied fact sentences."""
    base = [json.loads(line) for line in source.read_text("utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        a = base[i % len(base)]
        others = rng.sample(base, 3)
        round_ = i // len(base)
        title = a["title"] if round_ == 0 else f"{a['title']} (update {round_})"
        articles.append(
            {
                "title": title,
                "published": a.get("published") or "2023-10-01",
                "source": a.get("source") or "Newswire",
                "author": a.get("author") or "Staff",
                "paragraphs": [a["text"], *(o["text"] for o in others)],
            }
        )
    return articles


def page_html(a: dict[str, Any]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in a["paragraphs"])
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(a["title"])}</title>'
        f'<meta property="og:site_name" content="{escape(a["source"])}">'
        f'<meta name="author" content="{escape(a["author"])}">'
        f'<meta property="article:published_time" content="{a["published"]}">'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(a['title'])}</h1>"
        f"{body}</article></body></html>"
    )


def feed_xml(articles: list[dict[str, Any]], base: str) -> str:
    items = []
    for i, a in enumerate(articles):
        day = datetime.fromisoformat(a["published"][:10]).replace(hour=9, tzinfo=UTC)
        items.append(
            f"<item><title>{escape(a['title'])}</title><link>{base}/a/{i:05d}.html</link>"
            f"<guid>{base}/a/{i:05d}.html</guid><pubDate>{format_datetime(day)}</pubDate>"
            f"<description>{escape(a['paragraphs'][0])}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Benchmark Wire</title><link>{base}/</link>{''.join(items)}</channel></rss>"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def warm(bot: Assistant) -> None:
    """Load the embedding model before the clock starts."""
    bot.embedder.embed_documents(["warm up"])


def timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def timed_ingest(bot: Assistant, sources: list[str | Path]) -> tuple[float, Any]:
    started = time.perf_counter()
    report = bot.ingest(sources, progress=False)
    return time.perf_counter() - started, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    articles = build_articles(args.eval / "multihop-rag-500" / "articles.jsonl", args.entries)
    with tempfile.TemporaryDirectory(prefix="newsdesk-feeds-") as tmp:
        site = Path(tmp) / "site"
        (site / "a").mkdir(parents=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        for i, a in enumerate(articles):
            (site / "a" / f"{i:05d}.html").write_text(page_html(a), encoding="utf-8")
        (site / "feed.xml").write_text(feed_xml(articles, base), encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=site,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/feed.xml", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # Loading alone (no store): what differs between the two paths.
            settings = Assistant(data_dir=Path(tmp) / "probe", backend="extractive").settings
            f = settings.fetch
            load_files_s = timed(lambda: load_paths([site / "a"], max_file_mb=None))
            with Fetcher(
                timeout=f.timeout, max_bytes=None, max_redirects=f.max_redirects, allow_private=True
            ) as fetcher:
                load_feed_s = timed(
                    lambda: load_sources(
                        [f"{base}/feed.xml"], max_file_mb=None, fetcher=fetcher, workers=f.workers
                    )
                )
            # The whole ingest, in the order files, feed, feed, files (fresh stores each), so
            # a change in the machine's other load weighs on both alike.
            runs: dict[str, list[float]] = {"files": [], "feed": []}
            reports: dict[str, str] = {}
            for round_, path in enumerate(["files", "feed", "feed", "files"]):
                bot = Assistant(data_dir=Path(tmp) / f"{path}-{round_}", backend="extractive")
                warm(bot)
                sources: list[str | Path] = (
                    [site / "a"] if path == "files" else [f"{base}/feed.xml"]
                )
                seconds, report = timed_ingest(bot, sources)
                runs[path].append(seconds)
                reports[path] = report.summary()
                if path == "feed" and round_ == 2:
                    again_s, again = timed_ingest(bot, sources)
                    reports["again"] = again.summary()
        finally:
            server.terminate()
            server.wait()

    n = args.entries
    files_s, feed_s = statistics.mean(runs["files"]), statistics.mean(runs["feed"])
    result = {
        "entries": n,
        "workers": f.workers,
        "load_only": {"files_s": load_files_s, "feed_s": load_feed_s},
        "files": {"runs_s": runs["files"], "per_s": n / files_s, "report": reports["files"]},
        "feed": {"runs_s": runs["feed"], "per_s": n / feed_s, "report": reports["feed"]},
        "feed_again": {"seconds": again_s, "report": reports["again"]},
        "ratio": files_s / feed_s,
    }
    print("| path | articles | load only, s | ingest runs, s | articles/s | report |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for key, label, load_s in (
        ("files", "files (HTML pages on disk)", load_files_s),
        ("feed", "feed url (loopback)", load_feed_s),
    ):
        r = result[key]
        both = " / ".join(f"{x:.1f}" for x in r["runs_s"])
        print(f"| {label} | {n} | {load_s:.1f} | {both} | {r['per_s']:.1f} | {r['report']} |")
    print(f"| feed url, read again | {n} | – | {again_s:.1f} | – | {reports['again']} |")
    print(f"\nfeed / files rate: {result['ratio']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
