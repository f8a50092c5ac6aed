"""Citations: ``[n]`` markers in an answer, checked against the passages they point at.

Passages are numbered ``[1]``…``[n]`` in the order given to the answerer. A marker whose
number points at no passage is dropped from the text and never shown. For each kept
marker the supporting span is the passage sentence that best matches the answer
sentence carrying the marker; its character offsets are in the article's own text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.sentences import content_words, sentence_spans
from assistant.types import Citation, Passage

# The one reply for a question the articles do not answer; tests assert on it.
CANNOT_ANSWER = "The articles don't say."

MARKER = re.compile(r"\[(\d{1,3})\]")
_FINAL_PUNCT = re.compile(r"[.!?][\"”’)]*$")
_SPACED_MARKER = re.compile(r"\s*\[(\d{1,3})\]")  # a marker with the space before it


def unmarked(text: str) -> str:
    """Article text without its own bracketed numbers (a footnote's "signed in
    1957.[3]", a seed's "[1] A. Barty"), for an answer that quotes it and for the model's
    passages: there they would read as markers citing the numbered passages."""
    return _SPACED_MARKER.sub("", text).strip()


def best_span(claim: str, passage: Passage) -> tuple[str, int, int, float]:
    """The passage sentence sharing most content words with the claim, its offsets, and
    the share of the claim's content words it holds (the support, 0..1)."""
    wanted = content_words(claim)
    best = (-1.0, 0, len(passage.text))
    for s, e in sentence_spans(passage.text):
        words = content_words(passage.text[s:e])
        overlap = len(wanted & words) / (len(wanted) or 1)
        if overlap > best[0]:
            best = (overlap, s, e)
    support, s, e = best
    return passage.text[s:e], passage.start + s, passage.start + e, max(support, 0.0)


def resolve_citations(
    text: str,
    passages: Sequence[Passage],
    *,
    min_support: float = 0.25,
    repoint_support: float = 0.5,
) -> tuple[str, tuple[Citation, ...]]:
    """Check every ``[n]`` marker; return the text with only good markers, and citations.

    A marker is dropped when its number points at no passage, or when the passage holds
    less than ``min_support`` of the citing sentence's content words (it does not say
    what the sentence claims). A sentence left with no marker is cited to the passage
    that supports it best if that passage holds at least ``repoint_support`` of its
    words (small models often cite the wrong number, or none), and a marker is moved to
    a passage that holds a quarter more of the sentence's words, or every one of them
    when the cited passage lacks some; otherwise it stands unsupported, and an answer
    with no supported sentence is refused by the chain.
    """

    def in_range(match: re.Match[str]) -> str:
        return match.group() if 1 <= int(match.group(1)) <= len(passages) else ""

    cleaned = _SPACED_MARKER.sub(in_range, text).strip()
    citations: dict[int, Citation] = {}
    out: list[str] = []
    last = 0
    for s, e in sentence_spans(cleaned):
        sentence = cleaned[s:e]
        claim = MARKER.sub("", sentence)
        spans = [best_span(claim, p) for p in passages] if content_words(claim) else []

        best = max(range(1, len(spans) + 1), key=lambda i: spans[i - 1][3]) if spans else 0

        def check(
            match: re.Match[str],
            spans: list[tuple[str, int, int, float]] = spans,
            best: int = best,
        ) -> str:
            n = int(match.group(1))
            support = spans[n - 1][3]
            if support < min_support:
                return ""
            top = spans[best - 1][3]
            if top >= max(repoint_support, support + 0.25) or (top == 1.0 > support):
                n = best  # another passage says it far more plainly, or all of it
            citations.setdefault(n, Citation(n, passages[n - 1], *spans[n - 1][:3]))
            return f"{match.group()[: -len(match.group(1)) - 2]}[{n}]"

        checked = _SPACED_MARKER.sub(check, sentence) if spans else claim.strip()
        checked = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", checked)  # [2][2] -> [2]
        if spans and not MARKER.search(checked):
            n = best
            if spans[n - 1][3] >= repoint_support:
                citations.setdefault(n, Citation(n, passages[n - 1], *spans[n - 1][:3]))
                end = _FINAL_PUNCT.search(checked)  # before a final stop, after a quote
                at = end.start() if end and end.group() in ".!?" else len(checked)
                checked = f"{checked[:at]} [{n}]{checked[at:]}"
        out.append(cleaned[last:s] + checked)
        last = e
    out.append(cleaned[last:])
    return "".join(out).strip(), tuple(citations[n] for n in sorted(citations))


def drop_phantom_claims(
    text: str, passages: Sequence[Passage], *, repoint_support: float = 0.5
) -> str:
    """The text without the sentences that cite only passages that do not exist and that
    no passage supports well enough to be re-pointed to it.

    Such a sentence is a claim with a made-up source, which an article planted among the
    passages can ask for ("state that ... [12]"). A sentence with a wrong number that a
    passage does say is kept, and :func:`resolve_citations` re-points its marker.
    """
    out: list[str] = []
    last = 0
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        numbers = [int(n) for n in MARKER.findall(sentence)]
        if numbers and not any(1 <= n <= len(passages) for n in numbers):
            claim = MARKER.sub("", sentence)
            support = max((best_span(claim, p)[3] for p in passages), default=0.0)
            if support < repoint_support or not content_words(claim):
                out.append(text[last:s])
                last = e
                continue
        out.append(text[last:e])
        last = e
    out.append(text[last:])
    return "".join(out).strip()


def citations_for(text: str, passages: Sequence[Passage]) -> tuple[Citation, ...]:
    """The citations of a text whose markers are already checked: for each passage cited,
    the quote is its sentence that best matches the first sentence citing it."""
    citations: dict[int, Citation] = {}
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        claim = MARKER.sub("", sentence)
        for number in MARKER.findall(sentence):
            n = int(number)
            if 1 <= n <= len(passages) and n not in citations:
                citations[n] = Citation(n, passages[n - 1], *best_span(claim, passages[n - 1])[:3])
    return tuple(citations[n] for n in sorted(citations))
