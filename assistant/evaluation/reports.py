"""Evaluation reports: a terminal table, Markdown, self-contained HTML, and run comparison."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote as urlquote
from urllib.parse import urlsplit

import numpy as np

from assistant.evaluation.runner import read_results
from assistant.evaluation.summary import METRICS, SUMMARY_NAMES, label, summarize

FRACTIONS = {SUMMARY_NAMES.get(m, m) for m in METRICS}


def _fmt(key: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if key in FRACTIONS else f"{value:.2f}"
    return str(value)


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) per summary key: exact match and F1 show as "short answer EM/F1"."""
    return [(label(key), _fmt(key, value)) for key, value in summary.items()]


def print_summary(summary: dict[str, Any], title: str = "Evaluation") -> None:
    """The summary as a table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary_rows(summary):
        table.add_row(key, value)
    Console(stderr=False).print(table)


def hit_curve(records: Sequence[dict[str, Any]], depth: int = 10) -> list[float]:
    """hit@k for k = 1..depth over the questions with gold ids."""
    rows = [r for r in records if r["gold"]["gold_ids"]]
    if not rows:
        return []
    curve = []
    for k in range(1, depth + 1):
        hits = 0
        for r in rows:
            gold = set(r["gold"]["gold_ids"])
            top = r["retrieved"][:k]
            hits += any(x["article_id"] in gold or x.get("url") in gold for x in top)
        curve.append(hits / len(rows))
    return curve


def _web_url(url: str) -> bool:
    """True for an http or https address; only those become links in a report.

    An article's url comes from the file it was loaded from; ``javascript:`` or
    ``data:`` in a link would run when the report's reader clicks it.

    Example:
        >>> _web_url("https://x.org/a"), _web_url("javascript:alert(1)"), _web_url("//x.org")
        (True, False, False)
    """
    return urlsplit(url.strip()).scheme.lower() in ("http", "https")


def _text_fragment(quote: str) -> str:
    """``#:~:text=`` for the quote's first eight words, so the link scrolls to it."""
    return "#:~:text=" + urlquote(" ".join(quote.split()[:8]), safe="")


def _citation_link(c: dict[str, Any]) -> str:
    """A Markdown link to the cited passage: the article's URL, scrolled to the quote.

    A url that is not http(s) is shown as code, not linked.
    """
    label = f"[{c['n']}] {c['article_id']}"
    url = str(c.get("url") or "")
    if not url:
        return label
    if not _web_url(url):
        shown = url.replace("`", "'").replace("|", "/")
        return f"{label} `{shown}`"
    return f"[[{c['n']}]]({url}{_text_fragment(c['quote'])})"


def window_cell(record: dict[str, Any]) -> str:
    """The days a question's time words named, as a report shows them ("" when none)."""
    w = record.get("window")  # absent in runs written before questions had windows
    if not w:
        return ""
    days = w["from"] if w["from"] == w["to"] else f"{w['from']} to {w['to']}"
    return f"{days} ({w['phrase']})" if w.get("phrase") else days


def markdown_report(records: Sequence[dict[str, Any]], title: str) -> str:
    summary = summarize(records)
    lines = [f"# {title}", "", "| metric | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(summary)]
    curve = hit_curve(records)
    if curve:
        lines += ["", "hit@k, k = 1..10: " + ", ".join(f"{v:.3f}" for v in curve)]
    lines += [
        "",
        "| id | question | window | short answer | answer | refused | hit@5 | short answer F1 "
        "| citations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in records:
        m = r["metrics"]
        cell = r["answer"].replace("|", "\\|").replace("\n", " ")
        short = (r.get("short") or "").replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r['id']} | {r['question'].replace('|', '/')} | {window_cell(r)} | {short[:100]} | "
            f"{cell[:200]} | {r['refused']} | {_fmt('hit@5', m.get('hit@5', ''))} | "
            f"{_fmt('f1', m.get('f1', ''))} | "
            + " ".join(_citation_link(c) for c in r["citations"])
            + " |"
        )
    return "\n".join(lines) + "\n"


def _plot_png(records: Sequence[dict[str, Any]]) -> str:
    """The hit@k curve and the latency distribution, as one base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=100)
    curve = hit_curve(records)
    if curve:
        left.plot(range(1, len(curve) + 1), curve, marker="o")
        left.set_ylim(0, 1.02)
    left.set_title("hit@k (article level)")
    left.set_xlabel("k")
    totals = [r["timings"].get("total_s", 0.0) for r in records]
    right.hist(totals, bins=min(30, max(5, len(totals) // 3)))
    right.set_title("latency per question")
    right.set_xlabel("seconds")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def html_report(records: Sequence[dict[str, Any]], title: str) -> str:
    """One self-contained HTML page: summary, plots, and every question."""
    e = html.escape
    summary = summarize(records)
    rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in summary_rows(summary))
    questions = []
    for r in records:
        cites = []
        for c in r["citations"]:
            label = f"[{c['n']}] {e(c.get('title') or c['article_id'])}"
            url = str(c.get("url") or "")
            if url and _web_url(url):
                label = f'<a href="{e(url)}{_text_fragment(c["quote"])}">{label}</a>'
            elif url:  # javascript:, data:, file: ... shown, never linked
                label = f"{label} <code>{e(url)}</code>"
            cites.append(f"<li>{label}<br><q>{e(c['quote'])}</q></li>")
        m = r["metrics"]
        questions.append(
            f"<tr><td>{e(r['id'])}</td><td>{e(r['question'])}</td><td>{e(window_cell(r))}</td>"
            f"<td>{e(r.get('short') or '')}</td><td>{e(r['answer'])}"
            f"<ul>{''.join(cites)}</ul></td><td>{'yes' if r['refused'] else ''}</td>"
            f"<td>{e(_fmt('hit@5', m.get('hit@5', '')))}</td>"
            f"<td>{e(_fmt('f1', m.get('f1', '')))}</td></tr>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .5rem; vertical-align: top; }}
q {{ color: #444; }} img {{ max-width: 100%; }}
</style></head><body>
<h1>{e(title)}</h1>
<table><tr><th>metric</th><th>value</th></tr>{rows}</table>
<img alt="hit@k curve and latency distribution" src="data:image/png;base64,{_plot_png(records)}">
<h2>Questions</h2>
<table><tr><th>id</th><th>question</th><th>window</th><th>short answer</th>
<th>answer and citations</th><th>refused</th><th>hit@5</th><th>short answer F1</th></tr>
{"".join(questions)}</table>
</body></html>
"""


def write_reports(folder: Path, records: Sequence[dict[str, Any]], title: str) -> list[Path]:
    """report.md and report.html in the run folder."""
    md = folder / "report.md"
    md.write_text(markdown_report(records, title), encoding="utf-8")
    page = folder / "report.html"
    page.write_text(html_report(records, title), encoding="utf-8")
    return [md, page]


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of b - a and its 95% interval, resampling the questions with replacement."""
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(diffs), size=(resamples, len(diffs)))
    means = diffs[picks].mean(axis=1)
    return float(diffs.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """Two runs side by side on the questions both answered."""
    a = {r["id"]: r for r in read_results(run_a)}
    b = {r["id"]: r for r in read_results(run_b)}
    common = [q for q in a if q in b]
    metrics: dict[str, Any] = {}
    for name in METRICS:
        ids = [
            q
            for q in common
            if a[q]["metrics"].get(name) is not None and b[q]["metrics"].get(name) is not None
        ]
        if not ids:
            continue
        va = [a[q]["metrics"][name] for q in ids]
        vb = [b[q]["metrics"][name] for q in ids]
        diff, low, high = paired_bootstrap(va, vb)
        metrics[SUMMARY_NAMES.get(name, name)] = {
            "a": float(np.mean(va)),
            "b": float(np.mean(vb)),
            "diff": diff,
            "ci95": [low, high],
            "beyond_noise": bool(low > 0 or high < 0),
            "n": len(ids),
        }
    changed = [
        {
            "id": q,
            "question": a[q]["question"],
            "a": a[q]["answer"],
            "b": b[q]["answer"],
            "a_refused": a[q]["refused"],
            "b_refused": b[q]["refused"],
        }
        for q in common
        if a[q]["refused"] != b[q]["refused"]
        or a[q]["metrics"].get("contains_answer") != b[q]["metrics"].get("contains_answer")
        or a[q]["metrics"].get("hit@5") != b[q]["metrics"].get("hit@5")
    ]
    return {
        "run_a": str(run_a),
        "run_b": str(run_b),
        "questions": len(common),
        "metrics": metrics,
        "changed": changed,
    }


def print_comparison(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{result['run_a']}  vs  {result['run_b']} ({result['questions']} questions)"
    )
    for col in ("metric", "A", "B", "B - A", "95% interval", "beyond noise"):
        table.add_column(col)
    for name, m in result["metrics"].items():
        table.add_row(
            label(name),
            f"{m['a']:.3f}",
            f"{m['b']:.3f}",
            f"{m['diff']:+.3f}",
            f"[{m['ci95'][0]:+.3f}, {m['ci95'][1]:+.3f}]",
            "yes" if m["beyond_noise"] else "no",
        )
    console = Console()
    console.print(table)
    console.print(f"{len(result['changed'])} questions changed")
    for c in result["changed"][:20]:
        console.print(f"- {c['id']}: {c['question'][:80]}")
