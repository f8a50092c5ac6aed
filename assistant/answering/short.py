"""The short answer: the first line of a model's reply, as short as a headline.

The answer prompt asks for the answer itself first ("The White House." / "Yes." /
"September 2022."), on a line of its own and without a marker, then one to three cited
sentences that support it. :func:`split_short` takes that line off the reply;
:func:`check_short` keeps it only when the supporting sentences that survived
verification, or the passages they cite, hold every number, name and content word of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.citations import CANNOT_ANSWER, MARKER
from assistant.answering.sentences import sentence_spans
from assistant.answering.verify import FactsCheck, Verdict, WordsCheck
from assistant.types import Citation

# A short answer is a headline, not a sentence of the support: at most this many words.
MAX_SHORT_WORDS = 12

_LABEL = re.compile(r"^\s*(?:\*\*)?(?:short answer|answer)\s*:\s*(?:\*\*)?\s*", re.I)
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|"
    r"may|might|must)\b",
    re.I,
)
_YES_NO_REPLY = re.compile(r"^\W*(yes|no)\b", re.I)
_REFUSAL = re.compile(r"articles? (?:do(?:n['’]t| not)|does(?:n['’]t| not)) say", re.I)

_FACTS = FactsCheck()
_ALL_WORDS = WordsCheck(threshold=1.0)


def is_yes_no(question: str) -> bool:
    """A question answered by Yes or No ("Did the council approve it?")."""
    return bool(_YES_NO_QUESTION.match(question))


def split_short(raw: str, question: str) -> tuple[str, str]:
    """The reply's short answer and the rest: ``("The White House.", "The White House
    said ... [3].")``. The short answer is the first line when it carries no marker and
    has at most ``MAX_SHORT_WORDS`` words; a reply on one line gives its first sentence
    under the same conditions. Otherwise the short answer is "" and the reply is whole.

    To a yes/no question a short answer opening with yes or no is just "Yes." or "No.".
    """
    text = _LABEL.sub("", raw.strip(), count=1)
    first, newline, rest = text.partition("\n")
    if not newline:
        spans = sentence_spans(text)
        if len(spans) < 2:
            return "", raw.strip()
        first, rest = text[: spans[0][1]], text[spans[0][1] :]
    first = first.strip().strip("*").strip()
    rest = _LABEL.sub("", rest.strip(), count=1)
    if (
        not first
        or MARKER.search(first)
        or _REFUSAL.search(first)
        or len(first.split()) > MAX_SHORT_WORDS
        or not rest
    ):
        return "", raw.strip()
    if is_yes_no(question):
        verdict = _YES_NO_REPLY.match(first)
        if verdict:
            first = verdict.group(1).capitalize() + "."
    if first[-1] not in ".!?":
        first += "."
    return first, rest


def check_short(short: str, body: str, citations: Sequence[Citation]) -> Verdict:
    """Whether the checked supporting sentences, or the passages they cite, hold every
    number, date, name and content word of the short answer ("Yes." and "No." hold none,
    and stand on the sentences after them)."""
    evidence = " ".join([MARKER.sub("", body), *(c.passage.text for c in citations)])
    for check in (_FACTS, _ALL_WORDS):
        verdict = check.check(short, evidence)
        if not verdict.supported:
            return verdict
    return Verdict(True)


def join_short(short: str, body: str) -> str:
    """The answer as shown: the short answer on its own line, then the support."""
    return f"{short}\n\n{body}" if short and body and body != CANNOT_ANSWER else body
