"""What the model is given: diverse passages within a token budget, numbered, and the
latest turns of the conversation within theirs.

With sentence selection on (the default for model backends), the model is not given whole
passages but the sentences of each that bear on the question (:func:`select_sentences`);
the passages stay whole, so a citation still opens the exact span in the article.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from assistant.answering.citations import unmarked
from assistant.answering.extractive import relevance
from assistant.answering.sentences import content_words, sentence_spans
from assistant.store.embedder import TextEmbedder
from assistant.types import Passage, Turn
from ingest.tokenizer import count_tokens

# Words by which a follow-up leans on the conversation: pronouns and "and ...?".
_LEANS_ON_HISTORY = re.compile(
    r"\b(?:he|she|it|its|they|them|their|theirs|his|her|hers|him|this|that|these|those|"
    r"there|then|former|latter|same|else)\b|^\s*(?:and|but|so|also|what about|how about)\b",
    re.I,
)


def within_budget(passages: Sequence[Passage], max_tokens: int) -> list[Passage]:
    """The best passages, in order, whose texts fit in ``max_tokens`` (at least one)."""
    kept: list[Passage] = []
    used = 0
    for passage in passages:
        cost = count_tokens(passage.text)
        if kept and used + cost > max_tokens:
            break
        kept.append(passage)
        used += cost
    return kept


def diversify(passages: Sequence[Passage], k: int, per_article: int) -> list[Passage]:
    """The k best passages with at most ``per_article`` from one article, in rank order;
    when too few articles are found to fill k, the best remaining passages fill in."""
    picked: list[Passage] = []
    rest: list[Passage] = []
    counts: dict[str, int] = {}
    for passage in passages:
        if counts.get(passage.article_id, 0) < per_article and len(picked) < k:
            picked.append(passage)
            counts[passage.article_id] = counts.get(passage.article_id, 0) + 1
        else:
            rest.append(passage)
    fill = rest[: max(0, k - len(picked))]
    return sorted(picked + fill, key=passages.index)


def bounded_history(history: Sequence[Turn], max_tokens: int) -> list[Turn]:
    """The latest turns whose text fits in ``max_tokens``."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(history):
        used += count_tokens(turn.question) + count_tokens(turn.answer)
        if used > max_tokens:
            break
        kept.append(turn)
    return kept[::-1]


def format_passages(passages: Sequence[Passage], excerpts: Sequence[str] | None = None) -> str:
    """Numbered passages with where they come from, as the model sees them: their whole
    text, or the excerpt chosen from each (:func:`select_sentences`), without the
    article's own bracketed numbers, which the model would take for passage numbers."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        text = excerpts[n - 1] if excerpts is not None else p.text
        blocks.append(f"[{n}] {_header(p)}\n{unmarked(text)}")
    return "\n\n".join(blocks)


def stands_alone(question: str) -> bool:
    """Whether a question needs no earlier turn to be understood: no pronoun or "that"
    pointing back, no "And ...?" or "What about ...?" opening, and a subject of its own
    (at least two content words). Only a follow-up that does not is rewritten by the
    model; the others cost no extra model call."""
    return len(content_words(question)) >= 2 and not _LEANS_ON_HISTORY.search(question)


def _header(p: Passage) -> str:
    """Where a passage comes from, in as few tokens as say it: its outlet and day, which
    questions name ("the TechCrunch article of October 2"); the title only for an article
    with neither. A headline costs about 15 tokens a passage, read before every answer,
    and the sentences shown are already the ones about the question."""
    where = " · ".join(x for x in (p.source, p.published) if x)
    return where or p.title


def select_sentences(
    question: str,
    passages: Sequence[Passage],
    embedder: TextEmbedder,
    max_tokens: int,
    *,
    any_tokens: int | None = None,
    floor: float = 0.0,
) -> list[tuple[Passage, str]]:
    """The passages' sentences that bear most on the question, within ``max_tokens``:
    each passage that keeps any, with the excerpt the model is shown.

    Every sentence is scored as the extractive answerer scores it (cosine similarity to
    the question and the share of its content words, :func:`relevance`); the best are
    taken until the budget (sentence tokens plus a header per passage) is spent. Past
    ``any_tokens`` (None: the whole budget), a sentence is taken only if it scores at
    least ``floor`` times the best sentence's score: a long article's many sentences
    about something else are not read before every answer. A
    sentence repeated by two overlapping chunks counts once. A passage's excerpt is its
    chosen sentences in their order, " … " where sentences were left out; passages keep
    their rank (a small model reads the first passage most). The passage itself stays
    whole, so what the model cites is checked, and its quote located, in the article's
    own text at exact offsets.
    """
    candidates: list[tuple[int, int, int]] = []  # passage index, start, end in its text
    seen: set[tuple[str, int]] = set()
    for i, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            key = (p.article_id, p.start + s)
            if key in seen or not content_words(p.text[s:e]):
                continue
            seen.add(key)
            candidates.append((i, s, e))
    if not candidates:
        return [(p, p.text) for p in passages[:1]]
    texts = [passages[i].text[s:e] for i, s, e in candidates]
    scores = relevance(question, texts, embedder)
    chosen: dict[int, list[int]] = {}  # passage index -> chosen candidates
    used = 0
    any_tokens = max_tokens if any_tokens is None else any_tokens
    # A floor of 0 leaves out nothing, not even a sentence scoring below 0.
    good = floor * float(scores.max()) if floor else -np.inf
    for j in map(int, np.argsort(-scores)):
        i = candidates[j][0]
        cost = count_tokens(texts[j]) + (0 if i in chosen else count_tokens(_header(passages[i])))
        if chosen and (used + cost > max_tokens or (used + cost > any_tokens and scores[j] < good)):
            continue
        chosen.setdefault(i, []).append(j)
        used += cost
    out: list[tuple[Passage, str]] = []
    for i in sorted(chosen):
        picks = sorted(chosen[i])
        p = passages[i]
        excerpt = texts[picks[0]]
        for prev, j in itertools.pairwise(picks):
            # Neighbours keep what stood between them (a paragraph break); a gap is " … ".
            between = p.text[candidates[prev][2] : candidates[j][1]]
            excerpt += (between or " ") if j == prev + 1 else " … "
            excerpt += texts[j]
        out.append((p, excerpt))
    return out
