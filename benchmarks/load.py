"""Many readers at once: concurrent clients asking through the page's /ask endpoint.

Starts `python app.py` (a real Gradio server on loopback) over a store holding the
articles given, then N client threads (gradio_client) ask Q questions in all, and reports
errors and latency p50/p95.

    python benchmarks/load.py --articles ../shared/eval/rgb-news/articles.jsonl \
        --questions ../shared/eval/rgb-news/questions.jsonl --clients 20 --total 200 \
        --backend extractive
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the app exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not listen in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--total", type=int, default=200)
    parser.add_argument("--backend", default="extractive")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from gradio_client import Client

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "store"
        env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_BACKEND": "extractive"}
        subprocess.run(
            [sys.executable, "-m", "assistant.cli", "ingest", str(args.articles)],
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port), "--backend", args.backend],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, proc)
            url = f"http://127.0.0.1:{port}/"
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            counter = iter(range(args.total))

            def reader() -> None:
                client = Client(url, verbose=False)
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    started = time.perf_counter()
                    try:
                        result: Any = client.predict(questions[i % len(questions)], api_name="/ask")
                        assert "answer" in result
                        with lock:
                            latencies.append(time.perf_counter() - started)
                    except Exception as exc:  # counted and reported, the run goes on
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}"[:200])

            started = time.perf_counter()
            threads = [threading.Thread(target=reader) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = {
        "backend": args.backend,
        "clients": args.clients,
        "requests": args.total,
        "completed": len(latencies),
        "errors": len(errors),
        "wall_s": wall,
        "throughput_per_s": len(latencies) / wall,
        "p50_s": statistics.median(latencies) if latencies else None,
        "p95_s": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else None,
        "error_samples": errors[:5],
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
