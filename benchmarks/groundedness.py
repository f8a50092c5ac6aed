"""Groundedness benchmark: how well the claim checks keep true claims and catch false ones.

    python -m benchmarks.groundedness ../shared/eval/rgb-news ../shared/eval/squad2-500 \
        ../shared/eval/multihop-rag-500 [--per-set 40] [--verifiers facts,words,polarity,reworded] \
        [--nli FOLDER] [--held-out squad2-500] [--json OUT] [--seed 0]

Passages are the sets' articles cut by the project's own chunking (``chunk_article`` with
the default settings), a seeded sample of ``--per-set`` per set. Per passage, one sentence
of it (seeded) gives the claims:

- supported: the sentence word for word ("verbatim"), and the sentence rewritten by the
  local model ("paraphrase"), kept only where a second reading agrees: the paraphrase's
  MiniLM embedding is within cosine 0.8 of the original's, it gives no digit the original
  lacks, and it has as many negations (not, no, never, n't) as the original. That reading
  uses no chat model, so the judge is never graded on paraphrases it picked itself;
- unsupported, by perturbation: a number changed ("number": 7,000 -> 70,000, 12 -> 15),
  the meaning flipped ("negation": an opposite verb such as said -> denied or rose ->
  fell, else "not" put in or taken out after the first auxiliary), a proper name swapped
  for another name of the same article, else of another article of the set ("name"), an
  invented act given to the sentence's subject ("invented": "X resigned in protest"), and
  a sentence of another article of the set, sharing under half its content words with the
  passage, cited to this passage ("wrong passage").

Each claim is checked against ``evidence_for(claim, passage)`` by each verifier alone
(the package's own classes) and by the chains ``check_claim`` runs: the deterministic one
(facts, words, polarity), the one the Assistant runs by default with a chat model (facts,
polarity, then ``reworded``: the words check, with the judge reading again the claims it
fails; asked only where facts and polarity pass), and the ones with the judge on every
claim. (Paraphrases keep their negations by
construction, so the polarity check cannot lose one here: its cost to supported claims is
measured on the answers the model wrote instead, docs/groundedness.md.) The judge runs on
its own llama.cpp context, as the Assistant gives it (``LlamaCppChat.for_context``), so
its instructions stay cached between answers; ``--evict-every N`` forgets them before
every Nth answer, as happened when the judge shared the answer's context. Judge calls are
grouped in answers of two claims, in a seeded order. By default the judge is asked only
what passes the deterministic checks, as in the chain (``--judge-all`` asks it
everything). Seconds per answer, for a chain with the judge, is the median time of the
first claim the judge is asked about in an answer plus the median of the second: an
answer of two claims that both reach the judge; "tokens/answer" counts the prompt tokens
llama.cpp evaluated for them, which does not depend on the machine's load. Without the
judge it is twice the mean per claim.

With ``--held-out SET`` the judge's yes/no threshold is read from the other sets' margins
and the table gives the held-out set apart; figures over the sets used for choosing it
are in-sample.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering.sentences import content_words, is_furniture, sentence_spans
from assistant.answering.verify import (
    FactsCheck,
    ModelJudge,
    NLICheck,
    PolarityCheck,
    Reworded,
    Verifier,
    WordsCheck,
    evidence_for,
)
from assistant.types import Passage
from ingest.chunking import chunk_article
from ingest.documents import Article

SUPPORTED_KINDS = ("verbatim", "paraphrase")
UNSUPPORTED_KINDS = ("number", "negation", "name", "invented", "wrong passage")

# -- perturbations ---------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w,]*\d)")
_SPELLED = {
    w: i
    for i, w in enumerate(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], start=2
    )
}
_SPELLED_BY_VALUE = {v: k for k, v in _SPELLED.items()}


# The checks that always run in the chain, in its order.
DETERMINISTIC_KEYS = ("facts", "words", "polarity")


def change_number(sentence: str) -> str | None:
    """The sentence with its first number changed: 100 or more times ten (7,000 ->
    70,000), a year or a smaller one plus three (2021 -> 2024, 12 -> 15, "two" ->
    "five"); None without one."""
    match = _NUMBER.search(sentence)
    if match:
        digits, frac = match[1], match[2] or ""
        value = int(digits.replace(",", ""))
        year = len(digits) == 4 and 1000 <= value <= 2100
        new = value * 10 if value >= 100 and not frac and not year else value + 3
        text = f"{new:,}" if "," in digits else str(new)
        return sentence[: match.start()] + text + frac + sentence[match.end() :]
    for word in re.finditer(r"\b[a-z]+\b", sentence):
        if word.group() in _SPELLED:
            value = _SPELLED[word.group()] + 3
            new_word = _SPELLED_BY_VALUE.get(value, str(value))
            return sentence[: word.start()] + new_word + sentence[word.end() :]
    return None


# Verbs and words with an opposite, as a reporter would write them.
OPPOSITES = {
    "said": "denied",
    "says": "denies",
    "confirmed": "denied",
    "denied": "confirmed",
    "rose": "fell",
    "fell": "rose",
    "increased": "decreased",
    "decreased": "increased",
    "won": "lost",
    "lost": "won",
    "approved": "rejected",
    "rejected": "approved",
    "accepted": "rejected",
    "supported": "opposed",
    "opposed": "supported",
    "agreed": "refused",
    "refused": "agreed",
    "opened": "closed",
    "closed": "opened",
    "allowed": "banned",
    "banned": "allowed",
    "joined": "left",
    "higher": "lower",
    "lower": "higher",
    "before": "after",
    "after": "before",
    "first": "last",
    "largest": "smallest",
    "most": "least",
}
_AUX = re.compile(
    r"\b(is|was|are|were|has|have|had|will|can|could|would|should|may|might|must|does|did)"
    r"(?:(\s+not\b|n[’']t\b)|\b)",
    re.I,
)


def negate(sentence: str) -> str | None:
    """The sentence with its meaning flipped: the first word with an opposite replaced by
    it (said -> denied), else "not" put in after the first auxiliary (or taken out when it
    is there already); None when there is neither."""
    for word in re.finditer(r"\b[a-z]+\b", sentence):
        if word.group() in OPPOSITES:
            return sentence[: word.start()] + OPPOSITES[word.group()] + sentence[word.end() :]
    match = _AUX.search(sentence)
    if match is None:
        return None
    if match[2]:  # "was not" -> "was"
        return sentence[: match.end(1)] + sentence[match.end() :]
    return sentence[: match.end(1)] + " not" + sentence[match.end(1) :]


_NAME_RUN = re.compile(r"\b[A-Z][\w’'.-]*[a-z\d](?:\s+[A-Z][\w’'.-]*[a-z\d])*")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "By",
        "For",
        "Of",
        "To",
        "From",
        "With",
        "And",
        "But",
        "Or",
        "So",
        "If",
        "As",
        "It",
        "Its",
        "He",
        "She",
        "They",
        "We",
        "You",
        "I",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Their",
        "His",
        "Her",
        "Our",
        "When",
        "While",
        "After",
        "Before",
        "However",
        "Also",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
    ]
)


def names_in(text: str) -> list[str]:
    """Runs of capitalised words that are names, not the text's first word, in order."""
    out = []
    for m in _NAME_RUN.finditer(text):
        words = m.group().split()
        while words and words[0] in _NOT_NAMES:
            words.pop(0)
        run = " ".join(words)
        if run and m.start() > 0 and run not in out:
            out.append(run)
    return out


def swap_name(sentence: str, others: Sequence[str]) -> str | None:
    """The sentence with its first name replaced by the first of ``others`` that it does
    not hold; None when it has no name or there is no other name."""
    own = names_in(sentence)
    if not own:
        return None
    for other in others:
        if other not in sentence and not any(o in other or other in o for o in own):
            return sentence.replace(own[0], other, 1)
    return None


INVENTED_ACTS = (
    "resigned in protest",
    "was arrested on fraud charges",
    "apologised for the remarks",
    "filed for bankruptcy",
    "was banned from the tournament",
    "sued the government over the decision",
)


def invent_act(sentence: str, act: str) -> str:
    """An act the sentence never states, given to its subject: its first name, else its
    first two words ("Stoltenberg resigned in protest.", "The company filed ...")."""
    names = names_in(" " + sentence)
    subject = names[0] if names else " ".join(sentence.split()[:2]).rstrip(",;:")
    return f"{subject} {act}."


_NEGATIONS = re.compile(r"\b(not|no|never|none|nobody|nothing|neither|nor)\b|n[’']t\b", re.I)


def negations(text: str) -> int:
    """How many negation words the text holds."""
    return len(_NEGATIONS.findall(text))


# -- claims ----------------------------------------------------------------------------------


@dataclass
class Claim:
    set: str
    passage: int  # index in the set's sampled passages
    kind: str
    text: str
    supported: bool
    verdicts: dict[str, bool] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    margin: float | None = None  # the judge's log-odds of No over Yes, where it is read


def claim_sentences(text: str) -> list[str]:
    """Sentences fit to be claims: 6 to 60 words, three content words, not furniture,
    not a snippet's cut-off tail."""
    out = []
    for s, e in sentence_spans(text):
        sentence = " ".join(text[s:e].split())
        words = sentence.split()
        if not 6 <= len(words) <= 60 or len(content_words(sentence)) < 3:
            continue
        if is_furniture(sentence) or "..." in sentence or "…" in sentence:
            continue
        out.append(sentence)
    return out


def load_articles(set_dir: Path) -> list[Article]:
    out = []
    with (set_dir / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                out.append(Article(id=row["id"], title=row.get("title") or "", text=row["text"]))
    return out


def sample_passages(articles: list[Article], n: int, rng: random.Random) -> list[Passage]:
    """A seeded sample of the articles' chunks that hold a sentence fit to be a claim,
    at most one per article."""
    order = list(range(len(articles)))
    rng.shuffle(order)
    out: list[Passage] = []
    for i in order:
        article = articles[i]
        chunks = [c for c in chunk_article(article) if claim_sentences(c.text)]
        if not chunks:
            continue
        c = rng.choice(chunks)
        out.append(Passage(c.id, article.id, c.index, c.text, c.start, c.end, article.title))
        if len(out) == n:
            break
    return out


def build_claims(
    name: str,
    passages: list[Passage],
    articles: list[Article],
    rng: random.Random,
    paraphrase: Callable[[str], str | None],
) -> list[Claim]:
    """The supported and unsupported claims of each passage (see the module docstring)."""
    by_id = {a.id: a for a in articles}
    claims: list[Claim] = []
    for p_index, passage in enumerate(passages):
        sentences = claim_sentences(passage.text)
        chosen = rng.choice(sentences)
        rest = [chosen, *[s for s in sentences if s != chosen]]

        def add(kind: str, text: str | None, supported: bool, at: int = p_index) -> None:
            if text and text.strip():
                claims.append(Claim(name, at, kind, text.strip(), supported))

        add("verbatim", chosen, True)
        add("paraphrase", paraphrase(chosen), True)
        add("number", next((c for s in rest if (c := change_number(s))), None), False)
        add("negation", next((c for s in rest if (c := negate(s))), None), False)
        own = names_in(by_id[passage.article_id].text)
        others = [n for n in own if n not in passage.text]
        for _ in range(20):
            other = rng.choice(articles)
            if other.id != passage.article_id:
                others += [n for n in names_in(other.text) if n not in passage.text]
                if others:
                    break
        add("name", next((c for s in rest if (c := swap_name(s, others))), None), False)
        add("invented", invent_act(chosen, rng.choice(INVENTED_ACTS)), False)
        passage_words = content_words(passage.text)
        for _ in range(50):
            other = rng.choice(articles)
            if other.id == passage.article_id:
                continue
            pick = [
                s
                for s in claim_sentences(other.text)
                if len(content_words(s) & passage_words) < 0.5 * len(content_words(s))
            ]
            if pick:
                add("wrong passage", rng.choice(pick), False)
                break
    return claims


# -- the local model -------------------------------------------------------------------------

PARAPHRASE = (
    "Rewrite the sentence below in other words. Keep every fact, name, number and date, "
    "and keep its meaning exactly. Reply with the rewritten sentence only.\n\n"
    "Sentence: {sentence}"
)


def make_paraphraser(chat_model: Any, embedder: Any) -> Callable[[str], str | None]:
    """The local model's rewrite of a sentence, or None when the second reading (see the
    module docstring) does not agree that it says the same."""
    from langchain_core.messages import HumanMessage

    def paraphrase(sentence: str) -> str | None:
        print(f"  paraphrasing: {sentence[:60]}", file=sys.stderr, flush=True)
        reply = chat_model.invoke(
            [HumanMessage(PARAPHRASE.format(sentence=sentence))], max_tokens=64, temperature=0
        )
        text = str(reply.content).strip().splitlines()[0].strip() if reply.content else ""
        text = text.strip("\"“”'")
        if not text or text.lower().rstrip(".") == sentence.lower().rstrip("."):
            return None
        if set(re.findall(r"\d+", text)) - set(re.findall(r"\d+", sentence)):
            return None
        if negations(text) != negations(sentence):
            return None
        a, b = embedder.encode([sentence, text])
        cosine = float(a @ b) / (math.hypot(*a) * math.hypot(*b) or 1.0)
        return text if cosine >= 0.8 else None

    return paraphrase


def evict(chat_model: Any) -> None:
    """Forget the cached prompt, as an answer's own prompt does before its claims are
    checked (it shares only the chat template's first tokens with the judge's)."""
    chat_model._loaded().llama.reset()


def evaluated_tokens(chat_model: Any, before: list[int]) -> int:
    """Prompt tokens llama.cpp evaluated in the last call: those past the longest prefix
    the new prompt shares with the tokens cached before it."""
    after = list(chat_model._loaded().llama._input_ids)
    shared = 0
    for a, b in zip(before, after, strict=False):
        if a != b:
            break
        shared += 1
    return len(after) - shared


# -- running the checks ----------------------------------------------------------------------


def run_checks(
    claims: list[Claim],
    passages: dict[str, list[Passage]],
    verifiers: dict[str, Verifier],
    judge: ModelJudge | None,
    chat_model: Any,
    rng: random.Random,
    judge_all: bool = False,
    evict_every: int = 1,
) -> list[list[Claim]]:
    """Every verifier's verdict and time on every claim; returns the answers (pairs of
    claims) the judge was timed in."""
    deterministic = [k for k in DETERMINISTIC_KEYS if k in verifiers]
    evidence = {id(c): evidence_for(c.text, passages[c.set][c.passage]) for c in claims}
    for c in claims:
        for key, verifier in verifiers.items():
            if key in ("judge", "reworded"):
                continue
            start = time.perf_counter()
            c.verdicts[key] = verifier.check(c.text, evidence[id(c)]).supported
            c.seconds[key] = time.perf_counter() - start
    if "reworded" in verifiers:
        # As in the chain, it runs after the facts and polarity checks: only a claim both
        # pass is read again by the judge, so the others keep the words check's verdict.
        for c in claims:
            before = [c.verdicts.get(k, True) for k in ("facts", "polarity")]
            start = time.perf_counter()
            if all(before):
                c.verdicts["reworded"] = (
                    verifiers["reworded"].check(c.text, evidence[id(c)]).supported
                )
            else:
                c.verdicts["reworded"] = c.verdicts.get("words", False)
            c.seconds["reworded"] = time.perf_counter() - start
    order = list(claims)
    rng.shuffle(order)
    answers = [order[i : i + 2] for i in range(0, len(order), 2)]
    if judge is None:
        return answers
    for n, answer in enumerate(answers):
        cold = n == 0 or (evict_every > 0 and n % evict_every == 0)
        if cold:
            evict(chat_model)
        # The claims the chain would ask about first, in the answer's order, then the rest.
        passing = [c for c in answer if all(c.verdicts[k] for k in deterministic)]
        rest = [c for c in answer if c not in passing] if judge_all else []
        for c in [*passing, *rest]:
            before = list(chat_model._loaded().llama._input_ids)
            start = time.perf_counter()
            verdict, c.margin = judge.judge(c.text, evidence[id(c)])
            c.seconds["judge"] = time.perf_counter() - start
            tokens = evaluated_tokens(chat_model, before) if c.margin is not None else 0
            c.seconds["judge_tokens"] = tokens
            if tokens:
                c.seconds["judge_cold"] = float(cold)
                cold = False
            c.verdicts["judge"] = verdict.supported
            c.seconds["judge_in_chain"] = c.seconds["judge"] if c in passing else 0.0
            c.seconds["judge_tokens_in_chain"] = tokens if c in passing else 0
        if (n + 1) % 5 == 0:
            print(f"  judged {n + 1}/{len(answers)} answers", file=sys.stderr, flush=True)
    return answers


def chain_verdict(c: Claim, keys: Sequence[str]) -> bool:
    return all(c.verdicts[k] for k in keys)


def chain_seconds(c: Claim, keys: Sequence[str]) -> float:
    """Seconds the chain spends on the claim: each check until the first that fails."""
    total = 0.0
    for k in keys:
        total += c.seconds["judge_in_chain" if k == "judge" and len(keys) > 1 else k]
        if not c.verdicts[k]:
            break
    return total


def chain_tokens(c: Claim, keys: Sequence[str]) -> float:
    """Prompt tokens the judge evaluated for the claim in the chain (0 without a judge)."""
    if "judge" not in keys or not chain_verdict(c, [k for k in keys if k != "judge"]):
        return 0.0
    return float(c.seconds["judge_tokens_in_chain" if len(keys) > 1 else "judge_tokens"])


def summarise(
    claims: list[Claim], answers: list[list[Claim]], keys: Sequence[str], evicting: bool = True
) -> dict[str, Any]:
    claims = [c for c in claims if all(k in c.verdicts for k in keys[:1])]
    row: dict[str, Any] = {}
    for kind in (*UNSUPPORTED_KINDS, *SUPPORTED_KINDS):
        these = [c for c in claims if c.kind == kind]
        good = [chain_verdict(c, keys) == c.supported for c in these]
        row[kind] = (sum(good), len(good))
    bad = [c for c in claims if not c.supported]
    ok = [c for c in claims if c.supported]
    row["caught"] = (sum(not chain_verdict(c, keys) for c in bad), len(bad))
    row["kept"] = (sum(chain_verdict(c, keys) for c in ok), len(ok))
    row["s_claim"] = statistics.fmean(chain_seconds(c, keys) for c in claims) if claims else 0.0
    row["s_answer"] = 2 * row["s_claim"]
    row["tokens_answer"] = 0.0
    if "judge" in keys:
        # An answer of two claims the judge is asked about. With the instructions evicted
        # before each answer, the first call pays for them and the second finds them
        # cached; on the judge's own context every call but the run's first finds them.
        asked = [c for c in claims if chain_tokens(c, keys) > 0]
        first = [c for c in asked if c.seconds.get("judge_cold")]
        second = [c for c in asked if not c.seconds.get("judge_cold")]
        if not evicting and second:
            row["s_answer"] = 2 * statistics.median(chain_seconds(c, keys) for c in second)
            row["tokens_answer"] = 2 * statistics.median(chain_tokens(c, keys) for c in second)
        elif first and second:
            row["s_answer"] = statistics.median(
                chain_seconds(c, keys) for c in first
            ) + statistics.median(chain_seconds(c, keys) for c in second)
            row["tokens_answer"] = statistics.median(
                chain_tokens(c, keys) for c in first
            ) + statistics.median(chain_tokens(c, keys) for c in second)
    return row


def _share(pair: tuple[int, int]) -> str:
    good, n = pair
    return f"{good / n:.2f} ({n})" if n else "–"


def table(rows: dict[str, dict[str, Any]]) -> str:
    head = [*UNSUPPORTED_KINDS, "caught", *SUPPORTED_KINDS, "kept", "s/claim", "s/answer"]
    head.append("tokens/answer")
    lines = [
        "| checks | " + " | ".join(head) + " |",
        "| --- | " + " | ".join("---:" for _ in head) + " |",
    ]
    for name, row in rows.items():
        cells = [_share(row[k]) for k in head[:-3]]
        cells += [f"{row['s_claim']:.3f}", f"{row['s_answer']:.2f}", f"{row['tokens_answer']:.0f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sweep(claims: list[Claim], keys: Sequence[str]) -> list[tuple[float, float, float]]:
    """For thresholds on the judge's margin: (threshold, caught, kept) of the chain."""
    out = []
    det = [k for k in keys if k != "judge"]
    for t in [x / 4 for x in range(-16, 9)]:

        def says(c: Claim, t: float = t) -> bool:
            return chain_verdict(c, det) and (c.margin is None or c.margin < t)

        bad = [c for c in claims if not c.supported]
        ok = [c for c in claims if c.supported]
        caught = sum(not says(c) for c in bad) / max(len(bad), 1)
        kept = sum(says(c) for c in ok) / max(len(ok), 1)
        out.append((t, caught, kept))
    return out


def rescore(claims: list[Claim], bias: float) -> None:
    """The judge's verdicts again at another bias, from the margins it gave: the same rule
    as :class:`ModelJudge` (No when the margin is at or above the bias)."""
    for c in claims:
        if "judge" in c.verdicts and c.margin is not None:
            c.verdicts["judge"] = c.margin < bias


def report(
    claims: list[Claim],
    answers: list[list[Claim]],
    keys: Sequence[str],
    held_out: str | None,
    evicting: bool = True,
) -> dict[str, Any]:
    chains: dict[str, list[str]] = {k: [k] for k in keys}
    if "judge" in keys and any("judge" not in c.verdicts for c in claims):
        chains["judge (claims facts + words pass)"] = chains.pop("judge")
    det = [k for k in DETERMINISTIC_KEYS if k in keys]
    if len(det) >= 2:
        chains[" + ".join(det)] = det
        if "judge" in keys:
            chains[" + ".join([*det, "judge"])] = [*det, "judge"]
        if "nli" in keys:
            chains[" + ".join([*det, "nli"])] = [*det, "nli"]
    if "reworded" in keys:
        # The chain's checks with the judge reading again what the words check fails.
        base = [k for k in ("facts", "polarity") if k in keys] + ["reworded"]
        chains[" + ".join(base)] = base
        if "judge" in keys:
            chains[" + ".join([*base, "judge"])] = [*base, "judge"]
    sets = list(dict.fromkeys(c.set for c in claims))
    groups = {"all sets": claims}
    if held_out:
        tuning = ", ".join(s for s in sets if s != held_out)
        groups = {
            f"held-out set: {held_out}": [c for c in claims if c.set == held_out],
            f"tuning sets (in-sample): {tuning}": [c for c in claims if c.set != held_out],
            "all sets (in-sample for the tuning sets)": claims,
        }
    results: dict[str, Any] = {}
    for title, group in groups.items():
        rows = {name: summarise(group, answers, chain, evicting) for name, chain in chains.items()}
        results[title] = rows
        print(f"\n### {title}\n\n{table(rows)}")
        if any(c.margin is not None for c in group) and len(det) >= 2 and "judge" in keys:
            print(f"\njudge bias sweep ({' + '.join([*det, 'judge'])}): bias, caught, kept")
            for t, caught, kept in sweep(group, [*det, "judge"]):
                print(f"  {t:+.2f}  {caught:.3f}  {kept:.3f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--per-set", type=int, default=40)
    parser.add_argument("--verifiers", default="facts,words,polarity,reworded")
    parser.add_argument("--nli", type=Path, default=None, help="an NLI CrossEncoder folder")
    parser.add_argument("--held-out", default=None, help="the set not used to choose anything")
    parser.add_argument("--judge-bias", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--evict-every",
        type=int,
        default=0,
        help="forget the judge's cached prompt before every Nth answer (0: never)",
    )
    parser.add_argument(
        "--judge-all",
        action="store_true",
        help="ask the judge about every claim, not only those facts and words pass",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--rescore", type=Path, default=None, help="a --json file: its tables at --judge-bias"
    )
    args = parser.parse_args()

    if args.rescore is not None:
        saved = json.loads(args.rescore.read_text(encoding="utf-8"))
        old = [Claim(**c) for c in saved["claims"]]
        if args.judge_bias is not None:
            rescore(old, args.judge_bias)
        pairs = [[old[i] for i in pair] for pair in saved["answers"]]
        report(old, pairs, saved["verifiers"], args.held_out, saved.get("evict_every", 1) > 0)
        return

    from assistant.backends.llamacpp import LlamaCppChat
    from assistant.backends.registry import make_chat_model
    from assistant.desk import JUDGE_CONTEXT_TOKENS
    from assistant.settings import Settings
    from assistant.store.embedder import SentenceEmbedder

    settings = Settings()
    llm = settings.llm
    chat_model = make_chat_model(
        "local",
        temperature=0.0,
        max_tokens=llm.max_tokens,
        n_ctx=llm.n_ctx,
        n_threads=llm.n_threads,
        base_url=None,
        timeout=llm.timeout,
        model_dir=settings.model_dir,
    )
    assert isinstance(chat_model, LlamaCppChat)
    wanted = [v.strip() for v in args.verifiers.split(",") if v.strip()]
    verifiers: dict[str, Verifier] = {}
    if "facts" in wanted:
        verifiers["facts"] = FactsCheck()
    if "words" in wanted:
        verifiers["words"] = WordsCheck()
    if "polarity" in wanted:
        verifiers["polarity"] = PolarityCheck()
    judge: ModelJudge | None = None
    if "judge" in wanted or "reworded" in wanted:
        options = {} if args.judge_bias is None else {"bias": args.judge_bias}
        judge_model = chat_model.for_context("judge", n_ctx=JUDGE_CONTEXT_TOKENS)
        judge = ModelJudge(judge_model, **options)
    if "reworded" in wanted and judge is not None:
        verifiers["reworded"] = Reworded(judge)
    if "judge" in wanted and judge is not None:
        verifiers["judge"] = judge
    if args.nli is not None:
        verifiers["nli"] = NLICheck(args.nli)

    embedder = SentenceEmbedder("all-MiniLM-L6-v2", model_dir=settings.model_dir)
    paraphrase = make_paraphraser(chat_model, embedder)
    claims: list[Claim] = []
    passages: dict[str, list[Passage]] = {}
    started = time.perf_counter()
    for set_dir in args.sets:
        rng = random.Random(f"{args.seed}:{set_dir.name}")
        articles = load_articles(set_dir)
        passages[set_dir.name] = sample_passages(articles, args.per_set, rng)
        claims += build_claims(set_dir.name, passages[set_dir.name], articles, rng, paraphrase)
        print(f"{set_dir.name}: {len(passages[set_dir.name])} passages", file=sys.stderr)
    print(f"claims built in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    rng = random.Random(args.seed)
    answers = run_checks(
        claims,
        passages,
        verifiers,
        judge if "judge" in verifiers else None,
        judge.chat_model if judge is not None else chat_model,
        rng,
        args.judge_all,
        args.evict_every,
    )
    if "judge" in verifiers and judge is not None:
        print(f"judge bias {judge.bias:+.2f}", file=sys.stderr)
    results = report(claims, answers, list(verifiers), args.held_out, args.evict_every > 0)
    if args.json:
        index = {id(c): i for i, c in enumerate(claims)}
        args.json.write_text(
            json.dumps(
                {
                    "command": sys.argv,
                    "verifiers": list(verifiers),
                    "evict_every": args.evict_every,
                    "results": results,
                    "claims": [asdict(c) for c in claims],
                    "answers": [[index[id(c)] for c in a] for a in answers],
                },
                indent=1,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
