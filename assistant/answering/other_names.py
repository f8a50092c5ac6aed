"""A question about one thing, passages about another of its kind.

"Who won the Chicago Marathon?" asked of articles that name only the Lakeshore Marathon
has no answer in them, yet a small model answers it from the Lakeshore race, with a
sentence the checks pass word for word. :func:`other_name` finds that case before the
model is asked: a name of several words in the question ("Chicago Marathon") with a
leading word ("Chicago") the passages hold nowhere (their text, headline or outlet, in
any case, accents folded), while they name the same name with another word in its place
("Lakeshore Marathon"; "Northbay Film Festival" for "Cannes Film Festival"). The last
word is never the one put in another. The chain then answers that the articles don't
say.

A leading word counts as held when the passages spell it a little differently: "Josh"
for "Joshua", "Definitive" for "Definite" (a shared start of four letters or more that
leaves at most two letters of the shorter), or "Kalven" for "Kelven" (one letter apart,
in a word of five letters or more). A title before a name ("President Biden") is
held wherever the passages write the word, "the president" too, so "Joe Biden" is no
other name for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.verify import fold_accents, join_initials, name_key, name_keys
from assistant.types import Passage

# Two to five capitalised words in a row: "Chicago Marathon", "US Open", "Six-Day War".
_RUN = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){1,4}\b")
# Words that open a question or join a name without being part of what it names.
_NOT_NAME = frozenset(
    {"who", "what", "which", "when", "where", "why", "how", "whose", "whom", "did", "does"}
    | {"do", "is", "was", "are", "were", "will", "would", "can", "could", "should", "has"}
    | {"have", "had", "the", "a", "an", "in", "on", "at", "of", "for", "and", "or", "to"}
    | {"from", "by", "with"}
)
_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august"}
    | {"september", "october", "november", "december"}
)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n][\"”’')]*)\s*$")


def _key(word: str) -> str:
    """A word as names are compared (:func:`verify.name_key`), accents folded."""
    return name_key(fold_accents(word))


def _held(word: str, keys: set[str]) -> bool:
    """Whether the passages hold the word, or a spelling close to it."""
    if word in keys:
        return True
    for key in keys:
        start = _shared_start(word, key)
        if start >= 4 and start >= min(len(word), len(key)) - 2:
            return True
        if len(word) >= 5 and _one_letter_apart(word, key):
            return True
    return False


def _shared_start(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` start with in common."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether one letter changed, added or dropped makes ``a`` of ``b`` ("Kelven",
    "Kalven")."""
    if abs(len(a) - len(b)) > 1:
        return False
    start = _shared_start(a, b)
    end = _shared_start(a[start:][::-1], b[start:][::-1])
    return max(len(a), len(b)) - start - end <= 1


def _names(question: str) -> list[list[str]]:
    """The question's names of two words or more, as written, without an opening
    question word or a joining word at either end."""
    out = []
    for match in _RUN.finditer(join_initials(question)):
        words = [w.rstrip("?!.,;:") for w in match.group().split()]
        while words and _key(words[0]) in _NOT_NAME:
            words = words[1:]
        while words and _key(words[-1]) in _NOT_NAME:
            words = words[:-1]
        if len(words) >= 2 and not any(_key(w) in _MONTHS for w in words):
            out.append(words)
    return out


def other_name(question: str, passages: Sequence[Passage]) -> tuple[str, str] | None:
    """The question's name and the other one of its kind the passages name instead
    ("Chicago Marathon", "Lakeshore Marathon"), or None when they may be about it.

    Example:
        >>> p = Passage("a#0", "a", 0, "Faith Wanjiru won the Lakeshore Marathon.", 0, 41)
        >>> other_name("Who won the Chicago Marathon?", [p])
        ('Chicago Marathon', 'Lakeshore Marathon')
        >>> other_name("Who won the Lakeshore Marathon?", [p]) is None
        True
    """
    if not passages:
        return None
    texts = [join_initials(fold_accents(t)) for p in passages for t in (p.text, p.title)]
    sources = [fold_accents(p.source) for p in passages]
    keys = set().union(*(name_keys(t) for t in (*texts, *sources)))
    for words in _names(fold_accents(question)):
        found = _named_instead(words, keys, texts)
        if found:
            return " ".join(words), found
    return None


def _named_instead(words: list[str], keys: set[str], texts: Sequence[str]) -> str | None:
    """The passages' name that is the question's name with one of its leading words, a
    word the passages nowhere hold, put in another ("Lakeshore Marathon" for "Chicago
    Marathon", "Northbay Film Festival" for "Cannes Film Festival"); None when there is
    none. The last word stays: "Academy Awards Oscars" runs two names together, no other
    name for "Academy Awards Ceremony"."""
    for i, word in enumerate(words[:-1]):
        asked = _key(word)
        if _held(asked, keys):
            continue
        before = "".join(rf"{re.escape(w)}\s+" for w in words[:i])
        after = "".join(rf"\s+{re.escape(w)}" for w in words[i + 1 :])
        pattern = re.compile(rf"\b{before}([A-Z][\w’'-]*){after}\b")
        for text in texts:
            for found in pattern.finditer(text):
                other = _key(found.group(1))
                if other in _NOT_NAME or other in _MONTHS or other == asked:
                    continue
                if _SENTENCE_END.search(text[: found.start()]):
                    continue  # a sentence's first word is capitalised whatever it is
                return found.group(0)
    return None
