"""Opposite words, from WordNet 3.0's antonyms: "rose" and "fell", "won" and "lost".

A claim that keeps its passage's words but swaps one for its opposite ("Shares fell 3%"
cited to "Shares rose 3%") passes the words check and has no negation for the polarity
check to see. :func:`opposite_in` finds such a word.

A claim can also keep both words and swap which one stands beside a shared word: "Low
wages." cited to "few workers (low supply) … will result in high wages". The sentence has
"low" and "wages", but never together; beside "wages" it has "high". :func:`swapped_beside`
finds such a pair.

The table (``opposites.json``, built by ``scripts/build_opposites.py``) holds WordNet's
single-word antonym pairs and the irregular forms of those words ("fell" is a form of
"fall"); regular forms are undone by WordNet's own suffix rules (:func:`lemmas`). The
pairs are WordNet's as they are, not chosen on any evaluation set.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from assistant.answering.sentences import content_words, stemmer

_TABLE = Path(__file__).with_name("opposites.json")

# WordNet's rules for taking a regular inflection off (its "morphy"): plural nouns, verb
# forms, comparative and superlative adjectives.
_SUFFIXES = (
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
)
_WORD = re.compile(r"\b[a-z]+\b")


@cache
def _table() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    data = json.loads(_TABLE.read_text(encoding="utf-8"))
    return data["opposites"], data["forms"]


def lemmas(word: str) -> set[str]:
    """The dictionary forms a word may be of, among the words with an opposite: the word
    itself, the lemma of an irregular form ("fell" -> "fall"), and what WordNet's suffix
    rules leave ("increased" -> "increase", "higher" -> "high"); a doubled last letter is
    undone too ("stopped" -> "stop")."""
    opposites, forms = _table()
    found = {word, *forms.get(word, ())}
    for suffix, ending in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            found.add(stem + ending)
            if not ending and len(stem) > 2 and stem[-1] == stem[-2]:
                found.add(stem[:-1])
    return {w for w in found if w in opposites}


@cache
def word_forms(word: str) -> frozenset[str]:
    """The word and the dictionary forms it may be of (:func:`lemmas`), remembered."""
    return frozenset(lemmas(word) | {word})


def opposites_of(word: str) -> set[str]:
    """Every opposite WordNet gives any dictionary form of the word."""
    opposites, _ = _table()
    return {o for lemma in lemmas(word) for o in opposites[lemma]}


def opposite_in(claim: str, sentence: str, *, reach: int = 2) -> tuple[str, str] | None:
    """A word of the claim the sentence does not have, with the word of the sentence that
    is its opposite: ``("fell", "rose")``; None when there is none.

    Only lower-case content words are read (a capitalised one may be a name: "Rose"; "on"
    is no opposite of "took off"), and only words the sentence lacks in every form: a
    claim that keeps the sentence's word and adds its opposite ("rose, then fell") is
    left to the other checks. The opposite
    must stand within ``reach`` words of a word the claim shares with the sentence, as a
    swapped word does ("Shares fell" for "Shares rose"); one elsewhere in the sentence is
    likely another sense ("Prices rose" against "Prices, which were set by the board,
    increased": "set" is the opposite of "rise" only for the sun).
    """
    content = content_words(claim)
    claim_words = sorted({w for w in _WORD.findall(claim) if len(w) > 2 and w in content})
    tokens = _WORD.findall(sentence.lower())
    said = content_words(sentence)
    forms = [word_forms(w) for w in tokens]
    held = frozenset().union(*forms)
    in_claim = frozenset().union(*map(word_forms, claim_words))
    shared = content & set(tokens)
    for word in claim_words:
        if word_forms(word) & held:
            continue
        opposite = opposites_of(word) - in_claim
        for i, token_forms in enumerate(forms):
            near = tokens[max(0, i - reach) : i] + tokens[i + 1 : i + 1 + reach]
            if tokens[i] in said and token_forms & opposite and shared.intersection(near):
                return word, tokens[i]
    return None


_ANY_WORD = re.compile(r"[A-Za-z]+")


def swapped_beside(claim: str, sentence: str) -> tuple[str, str] | None:
    """A word of the claim standing beside a content word it shares with the sentence,
    where the sentence has that shared word right beside the claim word's opposite, on
    the same side, and nowhere has the claim word within two words of it on that side:
    ``("low", "high")`` for "Low wages." against "(low supply) … will result in high
    wages"; ``("rose", "fell")`` for "Wages rose." against "Prices rose while wages
    fell." None when there is none.

    "Wages were high" says nothing here (not beside); "the new, larger government" still
    holds "new government". The claim word must be lower case, or the claim's first word
    capitalised only as a sentence opens ("Low wages."), as :func:`opposite_in` reads
    only such words; a pair the claim itself joins within three words ("female or male"
    for "male or female") is only put in another order.
    """
    stem = stemmer().stemWord
    words = _ANY_WORD.findall(claim)
    tokens = [w.lower() for w in _ANY_WORD.findall(sentence)]
    stems = [stem(w) for w in tokens]
    content = content_words(claim)
    for i, word in enumerate(words):
        if not (word.islower() or (i == 0 and word[1:].islower())):
            continue
        lower = word.lower()
        if lower not in content:
            continue
        # An opposite the claim has itself close by is a pairing ("men's and women's",
        # "male or female"), in whichever order.
        pairing = frozenset().union(*(word_forms(w.lower()) for w in words[max(0, i - 3) : i + 4]))
        opposite = opposites_of(lower) - pairing
        if not opposite:
            continue
        for side in (-1, 1):  # the shared word after the claim word, then before it
            j = i - side
            if not 0 <= j < len(words) or words[j].lower() not in content:
                continue
            anchor = stem(words[j].lower())
            places = [k for k, s in enumerate(stems) if s == anchor]
            beside = [tokens[k + side] for k in places if 0 <= k + side < len(tokens)]
            near = [k + side * n for k in places for n in (1, 2)]
            if any(word_forms(lower) & word_forms(tokens[n]) for n in near if 0 <= n < len(tokens)):
                continue
            found = next((b for b in beside if word_forms(b) & opposite), None)
            if found:
                return lower, found
    return None
