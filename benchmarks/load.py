"""Many readers at once: concurrent clients asking through the page's /ask endpoint.

Starts `python app.py` (a real Gradio server on loopback) over a store holding the
articles given, then N client threads (gradio_client) ask Q questions in all, and reports
errors, latency p50/p95 and throughput. Each answer carries the server's own timings, so
the time a request spent waiting in Gradio's queue is the client's latency less the
server's ``total_s``.

    python -m benchmarks.load --articles ../shared/eval/rgb-news/articles.jsonl \
        --questions ../shared/eval/rgb-news/questions.jsonl --clients 20 --total 200 \
        --backend extractive
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"the app exited before it listened:\n{tail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not listen in time")


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def rounded(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--total", type=int, default=200)
    parser.add_argument("--backend", default="extractive")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds a client waits for one answer"
    )
    args = parser.parse_args()

    from gradio_client import Client

    from assistant.evaluation.questions import load_questions

    questions = [q.question for q in load_questions(args.questions)[0]]
    with tempfile.TemporaryDirectory(prefix="newsdesk-load-") as tmp:
        data_dir = Path(tmp) / "store"
        log = Path(tmp) / "app.log"
        env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_BACKEND": "extractive"}
        env.pop("NEWSDESK_CHROMA_HOST", None)
        subprocess.run(
            [sys.executable, "-m", "assistant.cli", "ingest", str(args.articles)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        port = free_port()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "app.py", "--port", str(port), "--backend", args.backend],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(port, proc, log)
            url = f"http://127.0.0.1:{port}/"
            # One answer first, untimed: it loads the embedding model (and the llama.cpp
            # model for the local backend), which every later request would otherwise wait on.
            warm_started = time.perf_counter()
            Client(url, verbose=False).predict(questions[-1], api_name="/ask")
            warmup_s = time.perf_counter() - warm_started

            latencies: list[float] = []
            queued: list[float] = []  # client latency less the server's own total_s
            served: list[float] = []  # the server's total_s (for local: includes the
            # wait for llama.cpp's lock, held by one generation at a time)
            errors: list[str] = []
            lock = threading.Lock()
            counter = iter(range(args.total))
            clients = [Client(url, verbose=False) for _ in range(args.clients)]
            start_line = threading.Barrier(args.clients + 1)

            def reader(client: Any) -> None:
                start_line.wait()
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    started = time.perf_counter()
                    try:
                        job = client.submit(questions[i % len(questions)], api_name="/ask")
                        result: Any = job.result(timeout=args.timeout)
                        took = time.perf_counter() - started
                        if not isinstance(result, dict) or "answer" not in result:
                            raise ValueError(f"unexpected reply {str(result)[:100]!r}")
                        server = float(result.get("timings", {}).get("total_s", 0.0))
                        with lock:
                            latencies.append(took)
                            queued.append(max(took - server, 0.0))
                            served.append(server)
                    except Exception as exc:  # counted and reported, the run goes on
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}"[:200])

            threads = [threading.Thread(target=reader, args=(c,)) for c in clients]
            for t in threads:
                t.start()
            start_line.wait()
            started = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    result = {
        "backend": args.backend,
        "articles": str(args.articles),
        "clients": args.clients,
        "requests": args.total,
        "completed": len(latencies),
        "errors": len(errors),
        "warmup_s": round(warmup_s, 2),
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 3),
        "p50_s": rounded(percentile(latencies, 50)),
        "p95_s": rounded(percentile(latencies, 95)),
        "max_s": rounded(max(latencies, default=None)),
        "server_total_p50_s": rounded(percentile(served, 50)),
        "server_total_p95_s": rounded(percentile(served, 95)),
        "queue_wait_p50_s": rounded(percentile(queued, 50)),
        "queue_wait_p95_s": rounded(percentile(queued, 95)),
        "error_samples": errors[:5],
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if not errors and len(latencies) == args.total else 1


if __name__ == "__main__":
    sys.exit(main())
