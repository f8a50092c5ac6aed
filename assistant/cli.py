"""The ``newsdesk`` command: ingest, search, ask, stats.

Every command takes ``--data-dir`` (or ``NEWSDESK_DATA_DIR``) and ``--backend`` (or
``NEWSDESK_BACKEND``). Errors print as one line on stderr and exit 1; an ingest that
skipped some files exits 3 after storing the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answering.verify import quoted_label, removed_heading, support_label
from assistant.desk import Assistant
from assistant.errors import ConfigError, NewsdeskError
from assistant.settings import Settings, read_settings
from assistant.types import Answer, TimeWindow, Token, Turn

EXIT_ERROR = 1
EXIT_SKIPPED = 3


def _default(name: str) -> Any:
    """A setting's default, for help texts: Settings is the one place defaults live."""
    return Settings.model_fields[name].get_default(call_default_factory=True)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="store folder (NEWSDESK_DATA_DIR)")
    common.add_argument(
        "--profile",
        choices=["fast", "accurate"],
        help="embedding profile (NEWSDESK_PROFILE); default: the one the collection was "
        f"built with, else {_default('profile')}",
    )
    common.add_argument(
        "--backend",
        help=f"answer backend (NEWSDESK_BACKEND; default {_default('backend')}): local, "
        "gguf:PATH, openai:MODEL, ollama:MODEL, extractive",
    )
    return common


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-k", type=int, help="number of passages")
    parser.add_argument("--source", action="append", default=[], help="only this source")
    parser.add_argument("--since", type=date.fromisoformat, help="published on/after, YYYY-MM-DD")
    parser.add_argument("--until", type=date.fromisoformat, help="published on/before, YYYY-MM-DD")
    _as_of(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="DATE",
        help="the day the question is asked, YYYY-MM-DD, which 'this week' or 'in July' "
        "count from (default: today)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="Answers about news articles, with cited passages."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="add articles: files, folders, urls, feeds")
    p.add_argument(
        "paths", nargs="+", help="files, folders, article or RSS/Atom feed urls, saved feeds"
    )
    p.add_argument("--rebuild", action="store_true", help="empty the collection first")
    p.add_argument(
        "--max-file-mb",
        type=float,
        help=f"skip larger files (NEWSDESK_MAX_FILE_MB; default {_default('max_file_mb'):g})",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("search", parents=[common], help="show the passages for a query")
    p.add_argument("query")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="default: hybrid")
    _filters(p)

    p = sub.add_parser("ask", parents=[common], help="answer a question with citations")
    p.add_argument("question")
    _filters(p)

    p = sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    _filters(p)

    p = sub.add_parser("eval", parents=[common], help="score a question set; or --compare two runs")
    p.add_argument("questions", nargs="?", type=Path, help="question set (.jsonl or .csv)")
    p.add_argument("--corpus", nargs="+", type=Path, help="articles to ingest for the run")
    p.add_argument("--out", type=Path, help="run folder (default runs/SET-BACKEND-MODE)")
    p.add_argument("--limit", type=int, help="first N questions only")
    p.add_argument("--fresh", action="store_true", help="start over instead of resuming")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="questions answered at once (default 1), for backends on servers (openai:, "
        "ollama:); results are the same, in the same order. The local backend answers one "
        "at a time whatever this says",
    )
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval mode")
    p.add_argument("-k", type=int, help="passages per answer")
    p.add_argument("--alpha", type=float, help="convex fusion: the dense share (0..1)")
    p.add_argument("--rrf-k", type=int, help="fusion rank constant (switches to RRF)")
    p.add_argument("--dense-weight", type=float, help="fusion weight of dense search")
    p.add_argument("--bm25-weight", type=float, help="fusion weight of BM25")
    p.add_argument("--number-weight", type=float, help="bonus for the question's numbers")
    p.add_argument("--source-weight", type=float, help="bonus for the outlet it names")
    p.add_argument("--date-weight", type=float, help="bonus for a date, when it asks when")
    p.add_argument(
        "--time-mode",
        choices=["filter", "weight", "off"],
        help="what a question's time words do to its search (default: the setting)",
    )
    _as_of(p)  # for questions without their own asked_on
    p.add_argument("--compare", nargs=2, type=Path, metavar=("RUN_A", "RUN_B"))
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    sub.add_parser("serve", help="the chat page (python app.py): see `newsdesk serve --help`")

    p = sub.add_parser("stats", parents=[common], help="what the store holds")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "watch", parents=[common], help="re-read feeds and ingest what is new or updated"
    )
    p.add_argument("feeds", nargs="+", help="RSS/Atom feed urls (or saved feeds)")
    p.add_argument(
        "--every", type=parse_every, default=1800.0, help="time between reads: 30s, 5m, 1h"
    )
    p.add_argument("--runs", type=int, help="stop after N reads (default: until Ctrl-C)")
    return parser


def parse_every(text: str) -> float:
    """Seconds in an interval written 30s, 5m or 1h (a bare number is seconds)."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 30s, 5m or 1h, not {text!r}") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"the interval must be positive, not {text!r}")
    return seconds


def make_assistant(args: argparse.Namespace) -> Assistant:
    overrides: dict[str, Any] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.backend:
        overrides["backend"] = args.backend
    if args.profile:
        overrides["profile"] = args.profile
    if getattr(args, "max_file_mb", None) is not None:
        overrides["max_file_mb"] = args.max_file_mb
    return Assistant(read_settings(), **overrides)


def window_line(window: TimeWindow) -> str:
    """Which dates an answer drew on: "Articles from 2023-10-02 to 2023-10-08 (this week)"."""
    start, end = window.start, window.end
    days = f"from {start} to {end}" if start != end else f"of {start}"
    return f"Articles {days} ({window.phrase})"


def print_answer(answer: Answer) -> None:
    if answer.window:
        print(window_line(answer.window))
    if answer.quoted:
        print(quoted_label(answer))
    if answer.quote_support:
        print(f"{answer.short}\n\n{support_label(answer)}")
        print(answer.text[len(answer.short) :].lstrip())
    else:
        print(answer.text)
    if answer.refused:
        if answer.passages:
            print("\nClosest articles:")
            for title in dict.fromkeys(p.title or p.article_id for p in answer.passages):
                print(f"  - {title}")
        print_removed(answer)
        return
    print()
    for c in answer.citations:
        p = c.passage
        where = ", ".join(x for x in (p.published, p.source) if x)
        print(f"[{c.n}] {p.title or p.article_id}" + (f" ({where})" if where else ""))
        if p.url:
            print(f"    {p.url}")
        print(f"    “{c.quote}” (chars {c.quote_start}-{c.quote_end})")
    print_removed(answer)


def print_removed(answer: Answer) -> None:
    """The claims taken out of the answer, under a line that says why."""
    if answer.removed:
        print(f"\n{removed_heading(len(answer.removed))}")
        for claim in answer.removed:
            print(f"  - {claim.text} ({claim.reason})")


def run(args: argparse.Namespace) -> int:
    if args.command == "eval":
        return evaluate(args)
    bot = make_assistant(args)
    if args.command == "watch":
        return watch(bot, args.feeds, every=args.every, runs=args.runs)
    if args.command == "ingest":
        report = bot.ingest(args.paths, rebuild=args.rebuild)
        if args.json:
            print(json.dumps(report.as_dict(), indent=2))
        else:
            print(report.summary())
            for skip in report.skipped:
                print(f"skipped {skip}", file=sys.stderr)
            if report.skipped:
                print(
                    f"newsdesk: {len(report.skipped)} skipped (listed above); the rest are "
                    "stored. Fix those files and run the same command again.",
                    file=sys.stderr,
                )
        return EXIT_SKIPPED if report.skipped else 0
    if args.command == "stats":
        stats = bot.stats()
        if args.json:
            print(json.dumps(stats, indent=2))
        else:
            for key, value in stats.items():
                if isinstance(value, dict):
                    value = ", ".join(f"{k} {v}" for k, v in value.items())
                print(f"{key:>16}: {value}")
        return 0
    filters = {
        "sources": args.source,
        "date_from": args.since,
        "date_to": args.until,
        "as_of": args.as_of,
    }
    if args.command == "search":
        passages = bot.search(args.query, args.k, mode=args.mode, **filters)
        if args.json:
            print(json.dumps([p.as_dict() for p in passages], indent=2, ensure_ascii=False))
        elif window := bot.time_window(args.query, args.as_of):
            print(window_line(window))
        for i, p in enumerate(passages if not args.json else [], start=1):
            print(f"[{i}] {p.score:.4f} {p.title or p.article_id} (chars {p.start}-{p.end})")
            print(f"    {p.text[:300]}")
        return 0
    if args.command == "chat":
        return chat(bot, args.k, filters)
    answer = bot.ask(args.question, k=args.k, **filters)
    if args.json:
        print(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
    else:
        print_answer(answer)
    return 0


def evaluate(args: argparse.Namespace) -> int:
    """newsdesk eval: run a question set (resuming), print and write the reports."""
    from assistant.evaluation import reports

    if args.compare:
        result = reports.compare_runs(*args.compare)
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            reports.print_comparison(result)
        return 0
    if args.questions is None:
        raise ConfigError("give a question set: newsdesk eval QUESTIONS.jsonl [--corpus ...]")
    settings = read_settings()
    retrieval = {
        key: value
        for key, value in (
            ("mode", args.mode),
            ("k", args.k),
            ("alpha", args.alpha),
            ("rrf_k", args.rrf_k),
            ("dense_weight", args.dense_weight),
            ("bm25_weight", args.bm25_weight),
            ("number_weight", args.number_weight),
            ("source_weight", args.source_weight),
            ("date_weight", args.date_weight),
            ("time_mode", args.time_mode),
        )
        if value is not None
    }
    overrides: dict[str, Any] = {"retrieval": {**settings.retrieval.model_dump(), **retrieval}}
    if args.backend:
        overrides["backend"] = args.backend
    if args.profile:
        overrides["profile"] = args.profile
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    elif args.corpus:
        overrides["data_dir"] = eval_store_dir(args.corpus, settings, args.profile)
    bot = Assistant(settings, **overrides)
    if args.corpus:
        report = bot.ingest(args.corpus)
        print(f"corpus: {report.summary()} in {bot.store.location}", file=sys.stderr)
    backend = bot.settings.backend.replace(":", "-").replace("/", "-")
    out = (
        args.out or Path("runs") / f"{args.questions.stem}-{backend}-{bot.settings.retrieval.mode}"
    )
    if args.fresh and (out / "results.jsonl").exists():
        (out / "results.jsonl").unlink()
    run = bot.evaluate(
        args.questions, out, limit=args.limit, as_of=args.as_of, workers=args.workers
    )
    for bad in run.bad_rows:
        print(f"skipped {args.questions}:{bad.line}: {bad.reason}", file=sys.stderr)
    summary = run.summary
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    paths = reports.write_reports(out, run.records, f"{args.questions.name} ({backend})")
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        reports.print_summary(summary, f"{args.questions.name}, backend {backend}")
        print(f"results, reports: {out}/results.jsonl, " + ", ".join(str(p) for p in paths))
    return EXIT_SKIPPED if run.bad_rows else 0


def eval_store_dir(corpus: list[Path], settings: Settings, args_profile: str | None) -> Path:
    """A store folder per corpus and build settings, so a second run reuses the first's."""
    from ingest.documents import stable_hash
    from ingest.pipeline import iter_files

    files, _ = iter_files(corpus)
    parts = [f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files]
    parts += [args_profile or settings.profile, settings.chunking.model_dump_json()]
    if settings.embeddings:  # a server's embeddings make another store (older ones keep theirs)
        parts.append(settings.embeddings)
    return Path(settings.data_dir).parent / f"{settings.data_dir.name}-eval" / stable_hash(*parts)


def chat(bot: Assistant, k: int | None, filters: dict[str, Any]) -> int:
    """Read questions until end of input; answers stream, citations follow each."""
    history: list[Turn] = []
    print("Ask about the articles; an empty line or Ctrl-D ends.", file=sys.stderr)
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        answer = None
        for event in bot.stream(question, history, k=k, **filters):
            if isinstance(event, Token):
                print(event.text, end="", flush=True)
            elif isinstance(event, Answer):
                answer = event
        print("\n")
        assert answer is not None
        print_answer(answer)
        print()
        history.append(Turn(question, answer.text))


def watch(
    bot: Assistant,
    feeds: list[str],
    *,
    every: float,
    runs: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    after_run: Callable[[int], None] | None = None,
) -> int:
    """newsdesk watch: read the feeds, then again ``every`` seconds later, ingesting the
    entries not yet stored and those the feed marks updated since the last read (Atom's
    ``<updated>``; a changed page replaces the stored one); the other stored entries' pages
    are not fetched again.

    Prints one line per run (time, then per feed: new / updated / unchanged / failed) and each
    failure's url and reason on stderr; stops after ``runs`` runs, or at Ctrl-C (exit 0).
    ``after_run`` is called with the run's number once its line is printed.
    """
    run_number = 0
    try:
        while runs is None or run_number < runs:
            run_number += 1
            parts = []
            for feed in feeds:
                report = bot.ingest([feed], only_new=True, progress=False)
                parts.append(
                    f"{feed}: {len(report.added)} new, {len(report.replaced)} updated, "
                    f"{len(report.unchanged)} unchanged, {len(report.skipped)} failed"
                )
                for skip in report.skipped:
                    print(f"failed {skip}", file=sys.stderr)
            print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  " + "; ".join(parts), flush=True)
            if after_run is not None:
                after_run(run_number)
            if runs is None or run_number < runs:
                sleep(every)
    except KeyboardInterrupt:
        print("newsdesk: stopped watching", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the chat page has its own flags: `newsdesk serve --help`
        from assistant.web.serve import main as serve

        return serve(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except NewsdeskError as exc:
        print(f"newsdesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
