"""The time the claim judge adds per answer, on the sample question.

    python -m benchmarks.judge --backend local [--runs 3]

Asks "Who disputed the withdrawal?" over the sample article with the judge on (after one
warm-up answer that loads the model and caches the system prompt), and prints the
verification time of each answer (``timings["verify_s"]``: the deterministic checks,
about 0.00 s, plus one judge call per claim), its claims and the median.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

from assistant import Assistant

QUESTION = "Who disputed the withdrawal?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="local")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = tempfile.mkdtemp()
    Assistant(data_dir=store, backend="extractive").ingest(["data/sample"], progress=False)
    bot = Assistant(data_dir=store, backend=args.backend, verify={"judge": True})
    bot.ask(QUESTION)
    added = []
    for _ in range(args.runs):
        answer = bot.ask(QUESTION)
        added.append(answer.timings["verify_s"])
        print(
            f"verify {answer.timings['verify_s']:.2f} s, generate "
            f"{answer.timings['generate_s']:.2f} s, {len(answer.citations)} cited, "
            f"{len(answer.removed)} removed: {answer.text}"
        )
    print(f"median time the judge adds per answer: {statistics.median(added):.2f} s")


if __name__ == "__main__":
    main()
