"""kill -9 during a long ingest: the store opens, its counts hold, a rerun completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from assistant import Assistant

pytestmark = pytest.mark.slow

WORDS = [
    "council",
    "budget",
    "harbour",
    "ferry",
    "bridge",
    "storm",
    "school",
    "library",
    "election",
    "court",
]


def _corpus(path: Path, articles: int) -> Path:
    rows = []
    for i in range(articles):
        body = " ".join(
            f"Report {i} sentence {j} about the {WORDS[(i + j) % len(WORDS)]} in town {i}."
            for j in range(60)
        )
        rows.append({"id": f"story-{i}", "title": f"Story {i}", "text": body})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _consistent(bot: Assistant) -> tuple[int, int]:
    """Every article that looks stored has all its chunks; returns (articles, chunks)."""
    _, _, metas = bot.store.all_chunks()
    per_article = Counter(m["article_id"] for m in metas)
    articles = bot.articles()
    for article in articles:
        assert per_article[article.id] == article.chunks, article.id
    return len(articles), len(metas)


def test_kill_9_during_ingest_loses_nothing_and_a_rerun_completes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", 120)
    data_dir = tmp_path / "store"
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_BACKEND": "extractive"}
    command = [sys.executable, "-m", "assistant.cli", "ingest", str(corpus)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait until chunks are being written, then kill it without warning.
    deadline = time.monotonic() + 120
    sqlite = data_dir / "chroma.sqlite3"
    while time.monotonic() < deadline and proc.poll() is None:
        if sqlite.exists() and sqlite.stat().st_size > 600_000:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    bot = Assistant(data_dir=data_dir, backend="extractive")
    stored_articles, stored_chunks = _consistent(bot)
    assert stored_chunks > 0 and stored_articles < 120

    report = bot.ingest([corpus])
    assert len(report.unchanged) == stored_articles
    assert len(report.added) == 120 - stored_articles
    articles, chunks = _consistent(bot)
    assert articles == 120
    ids, _, _ = bot.store.all_chunks()
    assert len(ids) == len(set(ids)) == chunks

    again = bot.ingest([corpus])
    assert len(again.unchanged) == 120 and again.chunks_written == 0
