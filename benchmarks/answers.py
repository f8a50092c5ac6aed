"""Answer benchmark for a backend: the chain beside a naive baseline, quality and latency.

    python -m benchmarks.answers --backend local --set ../shared/eval/rgb-news --limit 50 \
        [--offset 0] [--passage-tokens 400] [--setting retrieval.k=4] \
        [--budgets 200,300,400,600,800] [--no-sample] [--json OUT]

On the sample article (unless ``--no-sample``): time to first token and to the full answer
for "Who disputed the withdrawal?", a follow-up in the same conversation, and an
unanswerable question, after ``Assistant.warm_up`` (as the chat page starts).

On each set, question by question, the chain (``Assistant.stream``) and then a naive
pipeline on the same question and the same ingested store: the Assistant's hybrid search
top 4 (``bot.search(question, k=4)``), the same chat model, and one plain prompt
(:data:`NAIVE_INSTRUCTION`, the passages, the question), streamed. Interleaving puts
whatever else loads the machine on both alike. ``--budgets`` runs the chain once per
passage-token budget on every question (one Assistant each, the model shared), the naive
pipeline once.

Per set and pipeline: contains-answer (a gold answer in the whole text), short-answer
exact match and F1 (the chain's ``Answer.short``, its whole text when that is empty; the
naive reply is its own short answer), declines on answerable questions, quoted passages
(chain only), short answers shown over the quoted passage sentence that holds them
because the model's own sentences were removed (chain only), answers with a claim removed
(chain only), refusals on unanswerable
questions, first-token and total time p50/p95, and prompt tokens p50 (the messages' text;
the model's own tokenizer for llama.cpp backends, else tiktoken cl100k_base; the chat
template's tokens are not counted). With ``--json``, each chain answer also records the
model's unchecked reply and the claims removed from it, with their reasons.

For llama.cpp backends each pipeline's fixed prompt prefix (the chain's system prompt,
the naive instruction) is put back in the model's KV cache before its timed run, untimed:
interleaving would otherwise evict it every question, which a reader asking question
after question never pays.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import BaseModel

from assistant import Answer, Assistant, Passage, Settings, Token, Turn
from assistant.answering.citations import MARKER
from assistant.backends import LlamaCppChat
from assistant.evaluation.metrics import contains_answer, exact_match, token_f1
from assistant.evaluation.questions import Question, load_questions
from assistant.evaluation.runner import scored_short
from assistant.evaluation.summary import percentile
from ingest.tokenizer import count_tokens

NAIVE_K = 4
NAIVE_INSTRUCTION = "Answer the question using the passages. Reply with only the answer."

# A reply that says the passages do not hold the answer, in the words small models use.
_DECLINE = re.compile(
    r"\b(?:articles?|passages?|texts?|context|sources?|information)\b[^.]{0,40}?"
    r"\b(?:do(?:es)?(?:n['’]t| not)|did(?:n['’]t| not))\s+"
    r"(?:say|mention|state|specify|provide|contain|include|give|answer)"
    r"|\b(?:can(?:not|['’]t| not)|unable to|could(?:n['’]t| not))\s+(?:be\s+)?"
    r"(?:answer|determine|tell from|say from|be found in)"
    r"|\b(?:can(?:not|['’]t| not)|unable to|could(?:n['’]t| not)) find (?:the |an |any )?"
    r"(?:answer|information|mention)"
    r"|\bi (?:do not|don['’]t) know\b"
    r"|\bno (?:information|mention|answer)\b"
    r"|\b(?:not enough|insufficient) information\b"
    r"|\bnot (?:mentioned|stated|specified|provided|given) in\b"
    r"|^\W*(?:unknown|n/?a)\W*$",
    re.I,
)


def declines(reply: str) -> bool:
    """Whether a reply says the articles don't say / it cannot answer.

    Example:
        >>> declines("The passages do not mention it."), declines("The White House.")
        (True, False)
    """
    return bool(_DECLINE.search(reply))


def naive_prompt(question: str, passages: Sequence[Passage]) -> str:
    """The naive pipeline's one message: the instruction, numbered passages, the question."""
    blocks = "\n\n".join(
        f"[{n}] {p.title}\n{p.text}" if p.title else f"[{n}] {p.text}"
        for n, p in enumerate(passages, start=1)
    )
    return f"{NAIVE_INSTRUCTION}\n\nPassages:\n{blocks}\n\nQuestion: {question}\nAnswer:"


def naive_short(reply: str) -> str:
    """The naive reply as its short answer: all of it, without an "Answer:" label."""
    return re.sub(r"^\s*answer\s*:\s*", "", reply.strip(), flags=re.I).strip()


# -- measuring -------------------------------------------------------------------------


class PromptRecorder(BaseCallbackHandler):
    """Keeps the messages of every chat-model call, to count a chain's prompt tokens."""

    def __init__(self) -> None:
        self.prompts: list[list[BaseMessage]] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.prompts.extend(messages)


def token_counter(model: BaseChatModel | None) -> tuple[str, Callable[[str], int]]:
    """The tokenizer prompts are counted with: the model's own for llama.cpp, else cl100k."""
    if isinstance(model, LlamaCppChat):
        return "model", lambda text: len(model.get_token_ids(text))
    return "cl100k_base", count_tokens


def prompt_tokens(messages: Sequence[BaseMessage], count: Callable[[str], int]) -> int:
    return sum(count(m.text) for m in messages)


def prime(model: BaseChatModel | None, prefix: Sequence[BaseMessage]) -> None:
    """Put a pipeline's fixed prompt prefix in llama.cpp's KV cache (one token written),
    the prefix later prompts reuse the cache up to, as the page's warm-up does."""
    if isinstance(model, LlamaCppChat) and prefix:
        model.read_prefix(list(prefix))


NAIVE_PREFIX = [HumanMessage(NAIVE_INSTRUCTION)]


def timed(
    bot: Assistant, question: str, history: list[Turn] | None = None, as_of: date | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    first = None
    answer = None
    reply = []
    for event in bot.stream(question, history or [], as_of=as_of):
        if isinstance(event, Token):
            first = time.perf_counter() - started if first is None else first
            reply.append(event.text)
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    return {
        "question": question,
        "answer": answer.text,
        "short": answer.short,
        "refused": answer.refused,
        "quoted": answer.quoted,
        "quote_support": answer.quote_support,
        "citations": [c.n for c in answer.citations],
        "reply": "".join(reply),  # the model's own words, before checks
        "removed": [r.as_dict() for r in answer.removed],
        "first_token_s": first,
        "total_s": time.perf_counter() - started,
        "_answer": answer,
    }


def naive_timed(
    bot: Assistant, model: BaseChatModel, question: str, as_of: date | None = None
) -> dict[str, Any]:
    """Search top 4, one plain prompt, the reply streamed."""
    started = time.perf_counter()
    passages = bot.search(question, NAIVE_K, as_of=as_of)
    messages = [HumanMessage(naive_prompt(question, passages))]
    first = None
    pieces = []
    for chunk in model.stream(messages):
        text = chunk.text
        if text and first is None:
            first = time.perf_counter() - started
        pieces.append(text)
    reply = "".join(pieces)
    return {
        "question": question,
        "answer": reply,
        "short": naive_short(reply),
        "first_token_s": first,
        "total_s": time.perf_counter() - started,
        "_messages": messages,
    }


def answerable(q: Question) -> bool | None:
    """As the evaluation runner reads it: the set's flag, else whether it lists answers."""
    return q.answerable if q.answerable is not None else (bool(q.answers) or None)


def scores(q: Question, short: str, text: str, declined: bool) -> dict[str, Any]:
    """EM and F1 of the short answer, contains-answer of the whole text, and the decline."""
    golds = list(q.answers)
    scored = bool(golds) and answerable(q) is not False
    return {
        "answerable": answerable(q),
        "exact_match": exact_match(short, golds) if scored else None,
        "f1": token_f1(short, golds) if scored else None,
        "contains_answer": contains_answer(text, golds) if scored else None,
        "declined": declined,
    }


def chain_row(q: Question, run: dict[str, Any], count: Callable[[str], int], sent: Any) -> dict:
    answer: Answer = run.pop("_answer")
    text = "" if answer.refused else MARKER.sub("", answer.text)
    short = scored_short(answer)
    cited = " ".join(c.passage.text for c in answer.citations)
    golds = list(q.answers)
    return {
        **run,
        "id": q.id,
        **scores(q, short, text, answer.refused or declines(short)),
        "citations_hold_answer": contains_answer(cited, golds) if golds else None,
        "claims_removed": bool(answer.removed),
        "prompt_tokens": prompt_tokens(sent[0], count) if sent else None,
    }


def naive_row(q: Question, run: dict[str, Any], count: Callable[[str], int]) -> dict:
    short = run["short"]
    return {
        **{k: v for k, v in run.items() if k != "_messages"},
        "id": q.id,
        **scores(q, short, run["answer"], declines(short)),
        "prompt_tokens": prompt_tokens(run["_messages"], count),
    }


# -- summaries -------------------------------------------------------------------------


def _mean(
    rows: list[dict[str, Any]], key: str, keep: Callable[[dict], bool] = lambda r: True
) -> float | None:
    values = [float(r[key]) for r in rows if r.get(key) is not None and keep(r)]
    return statistics.fmean(values) if values else None


def _pct(rows: list[dict[str, Any]], key: str, q: float) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return percentile(values, q) if values else None


def summarize_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One pipeline's figures over a set's questions (None where no question has them)."""
    return {
        "questions": len(rows),
        "contains_answer": _mean(rows, "contains_answer"),
        "exact_match": _mean(rows, "exact_match"),
        "f1": _mean(rows, "f1"),
        "declines_answerable": _mean(rows, "declined", lambda r: r["answerable"] is True),
        "quoted": _mean(rows, "quoted"),
        "quote_support": _mean(rows, "quote_support"),
        "claims_removed": _mean(rows, "claims_removed"),
        "refused_unanswerable": _mean(rows, "declined", lambda r: r["answerable"] is False),
        "citations_hold_answer": _mean(rows, "citations_hold_answer"),
        "first_token_p50_s": _pct(rows, "first_token_s", 0.5),
        "first_token_p95_s": _pct(rows, "first_token_s", 0.95),
        "total_p50_s": _pct(rows, "total_s", 0.5),
        "total_p95_s": _pct(rows, "total_s", 0.95),
        "prompt_tokens_p50": _pct(rows, "prompt_tokens", 0.5),
    }


# measure, label, how the chain is set against the naive pipeline: difference or ratio
MEASURES = (
    ("contains_answer", "contains answer", "diff"),
    ("exact_match", "short answer EM", "diff"),
    ("f1", "short answer F1", "diff"),
    ("declines_answerable", "declines (answerable)", "diff"),
    ("quoted", "quoted passage", "diff"),
    ("quote_support", "short answer over a quoted passage", "diff"),
    ("claims_removed", "answers with a claim removed", "diff"),
    ("refused_unanswerable", "refusals (unanswerable)", "diff"),
    ("citations_hold_answer", "citations hold answer", "diff"),
    ("first_token_p50_s", "first token p50 s", "ratio"),
    ("first_token_p95_s", "first token p95 s", "ratio"),
    ("total_p50_s", "total p50 s", "ratio"),
    ("total_p95_s", "total p95 s", "ratio"),
    ("prompt_tokens_p50", "prompt tokens p50", "ratio"),
)


def versus(chain: float | None, naive: float | None, how: str) -> str:
    """The chain set against the naive pipeline: ``+0.200`` (difference), ``x1.50`` (ratio)."""
    if chain is None or naive is None:
        return "–"
    if how == "diff":
        return f"{chain - naive:+.3f}"
    return f"x{chain / naive:.2f}" if naive else "–"


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    if key.endswith("_s"):
        return f"{value:.2f}"
    return f"{value:.0f}" if key == "prompt_tokens_p50" else f"{value:.3f}"


def set_table(result: dict[str, Any]) -> list[str]:
    """The set's figures: each chain beside its difference or ratio to the naive pipeline."""
    chains, naive = result["chains"], result["naive"]
    head = ["measure"]
    for c in chains:
        head += [f"chain {c['label']}", "vs naive"]
    head.append(f"naive (top {NAIVE_K})")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for key, name, how in MEASURES:
        cells = [name]
        for c in chains:
            value = c["summary"][key]
            cells += [_cell(key, value), versus(value, naive[key], how)]
        cells.append(_cell(key, naive[key]))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def budget_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| passage tokens | contains answer | short answer F1 | first token p50 s | "
        "prompt tokens p50 |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows = [(c["label"], c["summary"]) for c in result["chains"]]
    rows.append((f"naive (top {NAIVE_K})", result["naive"]))
    for label, s in rows:
        lines.append(
            f"| {label} | {_cell('contains_answer', s['contains_answer'])} | "
            f"{_cell('f1', s['f1'])} | {_cell('first_token_p50_s', s['first_token_p50_s'])} | "
            f"{_cell('prompt_tokens_p50', s['prompt_tokens_p50'])} |"
        )
    return lines


# -- runs ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sample_runs(overrides: dict[str, Any], sample: Path, tmp: Path) -> dict[str, Any]:
    bot = Assistant(**{**overrides, "data_dir": tmp / "sample"})
    bot.ingest([sample], progress=False)
    started = time.perf_counter()
    bot.warm_up()  # as the page does at start: models, keyword index, the prompt prefix
    load_s = time.perf_counter() - started
    first = timed(bot, "Who disputed the withdrawal?")
    follow = timed(bot, "And Zelensky?", [Turn(first["question"], first["answer"])])
    refuse = timed(bot, "Who won the 2018 World Cup?")
    for run in (first, follow, refuse):
        run.pop("_answer")
    return {"load_s": load_s, "runs": [first, follow, refuse]}


def set_runs(
    overrides: dict[str, Any],
    budgets: Sequence[int | None],
    set_dir: Path,
    *,
    offset: int,
    limit: int,
    tmp: Path,
) -> dict[str, Any]:
    """Every question through each chain (one per budget; None: the settings') then naive."""
    data_dir = tmp / set_dir.name
    base = Assistant(**{**overrides, "data_dir": data_dir})
    base.ingest([set_dir / "articles.jsonl"], progress=False)
    bots = [
        base if b is None else Assistant(**with_budget(overrides, b, data_dir)) for b in budgets
    ]
    model = base.chain.chat_model
    if model is None:
        raise SystemExit("the naive baseline needs a chat model; the extractive backend has none")
    tokenizer, count = token_counter(model)
    recorders = []
    for bot in bots:
        recorders.append(PromptRecorder())
        if bot.chain.chat_model is not None:
            bot.chain.chat_model.callbacks = [recorders[-1]]
    base.search("warm up")
    model.invoke("Say OK.")  # load the model before anything is timed
    questions = load_questions(set_dir / "questions.jsonl")[0][offset : offset + limit]
    chain_rows: list[list[dict[str, Any]]] = [[] for _ in bots]
    naive_rows = []
    for i, q in enumerate(questions, start=1):
        for bot, recorder, rows in zip(bots, recorders, chain_rows, strict=True):
            prime(bot.chain.chat_model, bot.chain.prefix_messages())
            recorder.prompts.clear()
            run = timed(bot, q.question, as_of=q.asked_on)
            rows.append(chain_row(q, run, count, recorder.prompts))
        prime(model, NAIVE_PREFIX)
        naive_rows.append(naive_row(q, naive_timed(base, model, q.question, q.asked_on), count))
        chain_line = " ".join(
            f"{r[-1]['total_s']:.1f}s{' refused' if r[-1]['refused'] else ''}" for r in chain_rows
        )
        print(
            f"{set_dir.name} {i}/{len(questions)} chain {chain_line}; "
            f"naive {naive_rows[-1]['total_s']:.1f}s",
            file=sys.stderr,
        )
    return {
        "set": set_dir.name,
        "offset": offset,
        "questions": len(questions),
        "prompt_tokenizer": tokenizer,
        "chains": [
            {
                "label": str(bot.settings.llm.passage_tokens),
                "passage_tokens": bot.settings.llm.passage_tokens,
                "summary": summarize_rows(rows),
                "rows": rows,
            }
            for bot, rows in zip(bots, chain_rows, strict=True)
        ],
        "naive": summarize_rows(naive_rows),
        "naive_rows": naive_rows,
    }


# -- settings --------------------------------------------------------------------------


def _value(text: str) -> Any:
    """A --setting value: JSON where it parses (4, 0.5, true, null), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def settings_overrides(
    pairs: Sequence[str], *, backend: str | None = None, passage_tokens: int | None = None
) -> dict[str, Any]:
    """Assistant overrides from ``KEY=VALUE`` pairs; ``section.key`` changes one field of a
    section (``llm.max_tokens=128``, ``retrieval.k=4``), the rest of it as configured.

    Example:
        >>> settings_overrides(["retrieval.k=4"], passage_tokens=400)["llm"]["passage_tokens"]
        400
    """
    base = Settings()
    overrides: dict[str, Any] = {}
    if backend:
        overrides["backend"] = backend
    if passage_tokens is not None:
        pairs = [*pairs, f"llm.passage_tokens={passage_tokens}"]
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise SystemExit(f"--setting takes KEY=VALUE, not {pair!r}")
        section, dot, name = key.strip().partition(".")
        if not dot:
            overrides[section] = _value(raw)
            continue
        current = getattr(base, section, None)
        if not isinstance(current, BaseModel) or name not in type(current).model_fields:
            raise SystemExit(f"--setting {key}: no such setting")
        overrides[section] = {**overrides.get(section, current.model_dump()), name: _value(raw)}
    return overrides


def with_budget(overrides: dict[str, Any], budget: int, data_dir: Path) -> dict[str, Any]:
    """The overrides with ``llm.passage_tokens`` set to ``budget``."""
    llm = overrides.get("llm") or Settings().llm.model_dump()
    return {**overrides, "llm": {**llm, "passage_tokens": budget}, "data_dir": data_dir}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", default="local")
    parser.add_argument("--sample", type=Path, default=Path("data/sample"))
    parser.add_argument("--no-sample", action="store_true", help="skip the sample article")
    parser.add_argument("--set", type=Path, action="append", default=[])
    parser.add_argument("--offset", type=int, default=0, help="skip the set's first N questions")
    parser.add_argument("--limit", type=int, default=50, help="questions per set")
    parser.add_argument("--passage-tokens", type=int, help="the chain's passage-token budget")
    parser.add_argument(
        "--budgets",
        type=lambda text: [int(x) for x in text.split(",") if x.strip()],
        help="passage-token budgets, comma-separated: the chain once per budget",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Settings override, e.g. retrieval.k=4, llm.max_tokens=128, profile=accurate",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    overrides = settings_overrides(
        args.setting, backend=args.backend, passage_tokens=args.passage_tokens
    )
    budgets: list[int | None] = list(args.budgets or [None])
    with tempfile.TemporaryDirectory() as tmp:
        sample = None if args.no_sample else sample_runs(overrides, args.sample, Path(tmp))
        sets = [
            set_runs(overrides, budgets, s, offset=args.offset, limit=args.limit, tmp=Path(tmp))
            for s in args.set
        ]
    result = {
        "backend": args.backend,
        "overrides": {k: v for k, v in overrides.items() if k != "backend"},
        "sample": sample,
        "sets": sets,
        "peak_rss_mb": peak_rss_mb(),
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"backend {args.backend}; peak RSS {result['peak_rss_mb']:.0f} MB")
    if sample:
        print(f"warm-up (models, keyword index, prompt prefix) {sample['load_s']:.1f} s\n")
        print("| sample question | first token s | full answer s | refused | answer |")
        print("| --- | --- | --- | --- | --- |")
        for r in sample["runs"]:
            ft = f"{r['first_token_s']:.2f}" if r["first_token_s"] is not None else ""
            print(
                f"| {r['question']} | {ft} | {r['total_s']:.2f} | {r['refused']} | "
                f"{r['answer'][:120]} |"
            )
    for s in sets:
        print(
            f"\n{s['set']}: questions {s['offset'] + 1}-{s['offset'] + s['questions']}; "
            f"chain by passage-token budget; prompt tokens by the {s['prompt_tokenizer']} "
            "tokenizer\n"
        )
        print("\n".join(set_table(s)))
        if len(s["chains"]) > 1:
            print()
            print("\n".join(budget_table(s)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
