"""A run's summary: each metric's mean over the questions that have it, and latencies."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of the values, linear between the two nearest ranks.

    Example:
        >>> percentile([1.0, 2.0, 3.0], 0.5), percentile([1.0, 2.0, 3.0], 0.95)
        (2.0, 2.9)
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


METRICS = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "recall@10",
    "exact_match",
    "f1",
    "contains_answer",
    "citation_precision",
    "supported",
    "refused_unanswerable",
    "refused_answerable",
)
SUMMARY_NAMES = {"supported": "supported_answers"}
# How tables and reports show a summary key; the keys themselves (in summary.json and
# ``--json``) stay as they are. Exact match and F1 score the short answer (see
# runner.scored_short), contains-answer the whole text.
LABELS = {
    "exact_match": "short answer EM",
    "f1": "short answer F1",
    "short_answer_rate": "answers with a short answer",
}


def label(key: str) -> str:
    """A summary key as tables show it: ``"f1"`` -> ``"short answer F1"``."""
    return LABELS.get(key, key)


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean of each metric over the questions that have it; latency p50/p95 in seconds."""
    summary: dict[str, Any] = {"questions": len(records)}
    # Answers that quote a passage because the model gave none, and claims verification
    # took out; records from before these were kept have neither.
    if any("quoted" in r for r in records):
        summary["quoted_rate"] = statistics.fmean(bool(r.get("quoted")) for r in records)
    if any("quote_support" in r for r in records):
        summary["quote_support_rate"] = statistics.fmean(
            bool(r.get("quote_support")) for r in records
        )
    if any("removed" in r for r in records):
        summary["removed_claims_per_answer"] = statistics.fmean(
            len(r.get("removed") or ()) for r in records
        )
    # Answers that gave a short answer, which exact match and F1 score (the others: their
    # whole text); records from before short answers have none.
    if any("short" in r for r in records):
        summary["short_answer_rate"] = statistics.fmean(bool(r.get("short")) for r in records)
    for name in METRICS:
        values = [r["metrics"][name] for r in records if r["metrics"].get(name) is not None]
        if values:
            summary[SUMMARY_NAMES.get(name, name)] = statistics.fmean(values)
    totals = [r["timings"]["total_s"] for r in records if "total_s" in r["timings"]]
    if totals:
        summary["latency_p50_s"] = percentile(totals, 0.5)
        summary["latency_p95_s"] = percentile(totals, 0.95)
    stages = sorted({k for r in records for k in r["timings"] if k != "total_s"})
    for stage in stages:
        values = [r["timings"][stage] for r in records if stage in r["timings"]]
        summary[f"{stage.removesuffix('_s')}_p50_s"] = percentile(values, 0.5)
        summary[f"{stage.removesuffix('_s')}_p95_s"] = percentile(values, 0.95)
    return summary
