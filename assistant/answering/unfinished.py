"""Sentences of a reply that break off: not shown as claims.

A sentence can pass the claim checks and still say nothing whole. The model may copy a
passage sentence up to where the passage itself breaks off ("… and has thousands of …"
in a search snippet) and end it with a full stop, or it may reach its length limit in
the middle of a sentence. Such a sentence is removed and listed with the reason, as a
claim the checks removed is; a stray comma before the final stop ("… in Brooklyn,.") is
only taken out.
"""

from __future__ import annotations

import re

from assistant.answering.sentences import sentence_spans
from assistant.answering.verify import drop_sentences
from assistant.types import RemovedClaim

BREAKS_OFF = "it breaks off mid-sentence"
CUT_AT_LIMIT = "it breaks off where the reply reached its length limit"

# Words no whole sentence ends on, in lower case ("Vitamin A." is whole): articles,
# conjunctions, possessives, "of". (A preposition may: "what the league stood for.") Of
# the sentences in the three evaluation sets' articles, one ended on one of them, and it
# was itself cut off.
_DANGLING = re.compile(
    r"\b(?:a|an|the|and|or|nor|but|of|its|their|our|your|my)[\"”’')\]]*\s*[.!?]?$"
)
# A comma, semicolon or colon just before the final stop, markers between them.
_STRAY_MARK = re.compile(r"\s*[,;:]((?:\s*\[\d{1,3}\])*\s*[.!?])$")
# How a finished sentence ends: a stop, then closing quotes, brackets or markers.
_FINISHED = re.compile(r"[.!?…][\"”’')\]]*(?:\s*\[\d{1,3}\])*[\"”’')\]]*$")


def drop_unfinished(text: str, cut: bool = False) -> tuple[str, tuple[RemovedClaim, ...]]:
    """The reply without the sentences that break off, and those sentences, listed as
    removed. ``cut``: the model stopped at its length limit, so a last sentence without
    its final stop is unfinished too."""
    spans = sentence_spans(text)
    tidied = text
    for s, e in reversed(spans):
        tidied = tidied[:s] + _STRAY_MARK.sub(r"\1", tidied[s:e]) + tidied[e:]

    def reason(i: int, claim: str) -> str | None:
        if cut and i == len(spans) - 1 and not _FINISHED.search(claim):
            return CUT_AT_LIMIT
        return BREAKS_OFF if _DANGLING.search(claim) else None

    kept, removed = drop_sentences(tidied, reason)
    return (kept.strip(), removed) if removed or tidied != text else (text, ())
