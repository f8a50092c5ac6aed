"""Claim verification: every sentence of an answer checked against the passage it cites.

A stage of its own, after the model has written and the markers have been resolved
(:mod:`assistant.answering.citations`). Each sentence is a claim; its evidence is the
sentence of the cited passage that best matches it, with the sentences either side. The
checks share one seam, :class:`Verifier` (``check(claim, evidence) -> Verdict``), and run
cheapest first; the first that fails decides:

1. :class:`FactsCheck` (always): every number, amount, month and proper name of the
   claim is in the evidence ("7,000", "7000" and "seven thousand" are one number).
2. :class:`WordsCheck` (always): most of the claim's content words, roughly lemmatised,
   are in the evidence, so an act the passage never mentions fails.
   :class:`PolarityCheck` (always): the claim and the sentence it matches agree in
   negation, so "not" put in or taken out fails. With a chat model, a claim the words
   check alone fails is read again by the judge (:class:`Reworded`, run last of the
   three), so a true claim in other words than its passage's stands.
3. :class:`ModelJudge` (a setting): the answering chat model asked whether the quoted
   sentences state the claim, with a one-word Yes/No reply.
4. :class:`NLICheck` (a setting): a sentence-transformers NLI cross-encoder from disk.

A claim no cited passage supports is removed, and listed as a :class:`RemovedClaim` with
the reason; a sentence with no marker is checked against every passage and cited to the
first that supports it, or removed. A sentence joining claims ("X, while Y") stands when
each clause has a supporting passage, and an opening naming the passage's own source
("The Verge reports that") is not checked as part of the claim.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from assistant.answering import prompts
from assistant.answering.citations import MARKER
from assistant.answering.opposites import opposite_in, swapped_beside, word_forms
from assistant.answering.sentences import content_words, sentence_spans, stemmer
from assistant.types import Answer, Passage, RemovedClaim

# Said before an answer that quotes a passage because the model gave none (quoted=True),
# or because the checks removed every claim it made.
QUOTED_LABEL = "No answer from the model; the closest passage says:"
REMOVED_QUOTED_LABEL = "The model's answer was removed; the closest passage says:"
# Said between the model's short answer and the passage sentence quoted under it
# (quote_support=True), when the model's own sentences were removed, or when it declined
# and, asked for only the answer, gave one.
SUPPORT_LABEL = "The model's sentences were removed; the passage that holds its answer says:"
DECLINED_SUPPORT_LABEL = (
    "The model said the articles don't say, then gave this answer; the passage that holds it says:"
)
NOTHING_REMOVED: tuple[RemovedClaim, ...] = ()


def support_label(answer: Answer) -> str:
    """What is said between a short answer and the passage sentence quoted under it."""
    return DECLINED_SUPPORT_LABEL if answer.declined else SUPPORT_LABEL


def quoted_label(answer: Answer) -> str:
    """What a quoted answer is labelled with: the model declined, or the checks removed
    every claim it made (they are listed in ``answer.removed``)."""
    return REMOVED_QUOTED_LABEL if answer.removed else QUOTED_LABEL


@dataclass(frozen=True)
class Verdict:
    """Whether the evidence supports the claim, and if not, why (one short line)."""

    supported: bool
    reason: str = ""


SUPPORTED = Verdict(True)


class Verifier(Protocol):
    """One way of telling whether a passage's sentences state a claim."""

    def check(self, claim: str, evidence: str) -> Verdict: ...


def removed_heading(count: int) -> str:
    """The line above the removed claims, each listed with its own reason (not supported
    by its passage, or only repeating the question): "1 claim removed by the checks"."""
    return f"{count} claim{'s' * (count != 1)} removed by the checks"


# -- numbers, dates, names -------------------------------------------------------------------

_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_NUMERAL = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?:\s*(thousand|million|billion|trillion)\b|(bn|k|m)\b)?",
    re.I,
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# A clock time on the hour: "12:00 a.m." gives the hour as "12 a.m." does, not 12 and 0.
_ON_THE_HOUR = re.compile(r"\b(\d{1,2}):00\b(?!:)")
_MONTH_WORDS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_WORDS, start=1) for name in names}
# Capitalised words that are not names: sentence openers and function words.
_NOT_NAMES = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "by",
        "for",
        "of",
        "to",
        "from",
        "with",
        "and",
        "but",
        "or",
        "so",
        "yet",
        "if",
        "as",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "his",
        "her",
        "our",
        "when",
        "while",
        "after",
        "before",
        "however",
        "meanwhile",
        "also",
        "according",
        "earlier",
        "later",
        "yesterday",
        "today",
        "tomorrow",
    ]
)
_WORDLIKE = re.compile(r"[A-Za-z][A-Za-z.’'-]*")


def _numbers(text: str) -> set[float]:
    """Every number in the text, digits or words, scaled ("1.5 million" is 1500000.0)."""
    text = _ISO_DATE.sub(lambda m: f"{int(m[1])} {int(m[3])}", text)
    text = _ON_THE_HOUR.sub(r"\1", text)
    found: set[float] = set()
    for m in _NUMERAL.finditer(text):
        value = float(m[1].replace(",", "") + (m[2] or ""))
        scale = (m[3] or m[4] or "").lower()
        value *= _SCALES.get(scale) or {"k": 10**3, "m": 10**6, "bn": 10**9}.get(scale, 1)
        found.add(value)
    total = current = 0
    words: list[str] = []

    def flush() -> None:
        # A lone "one" is a pronoun more often than a number ("no one should").
        if words and words != ["one"]:
            found.add(float(total + current))

    for word in re.findall(r"[a-z]+|\d+", text.lower()):  # digits end a spelled number
        if word in _UNITS or word in _TENS:
            current += _UNITS.get(word, 0) + _TENS.get(word, 0)
        elif word == "hundred" and words:
            current *= 100
        elif word in _SCALES and words:
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif word == "and" and words:
            continue
        else:
            flush()
            total = current = 0
            words = []
            continue
        words.append(word)
    flush()
    return found


def numbers_in(text: str) -> set[float]:
    """Every number in the text, read as the facts check reads them: "7,000", "7000" and
    "seven thousand" are one number."""
    return _numbers(text)


_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES, "hundred"], key=len, reverse=True))
_SPELLED = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b", re.I)


def spelled_numbers(text: str) -> list[tuple[str, float]]:
    """The numbers the text writes in words, each as written and its value:
    "fourteen Vice Presidents" gives ("fourteen", 14.0)."""
    out = []
    for m in _SPELLED.finditer(text):
        values = _numbers(m.group().lower())
        if len(values) == 1:
            out.append((m.group(), values.pop()))
    return out


# A sentence opening with a name of several words ("Emma Raducanu won ..."), its first word.
_OPENING_NAME = re.compile(r"^\W*([A-Z][\w.’'-]*)\s+[A-Z]")


def names_in(text: str, *, opening: bool = False) -> set[str]:
    """The names of the text as the facts check reads them (lower case, no possessive):
    capitalised words past the first. With ``opening``, the first word too when the next
    is capitalised as well ("Emma Raducanu won"; not "Major events")."""
    found = _names(text)
    first = _OPENING_NAME.match(join_initials(text)) if opening else None
    if first and name_key(first[1]) not in _NOT_NAMES and name_key(first[1]) not in _MONTHS:
        found.add(name_key(first[1]))
    return found


def name_keys(text: str) -> set[str]:
    """Every word of the text as names are compared (:func:`names_in`), capitalised or
    not: "the presidential race" holds the name "Presidential"."""
    return {name_key(w) for w in re.findall(r"[\w’'.-]+", text)}


def months_in(text: str) -> set[int]:
    """The months the text names (1-12), as the facts check reads them."""
    return _months(text)


def _months(text: str) -> set[int]:
    """Months named in the text ("Dec.", "December", the month of "2021-12-03")."""
    found = {int(m[2]) for m in _ISO_DATE.finditer(text)}
    for word in re.findall(r"\b[A-Z][a-z]+\b", text):
        lower = word.lower()
        if lower in _MONTHS:
            found.add(_MONTHS[lower])
    return found


def name_key(word: str) -> str:
    """A word as names are compared: no possessive, no dots ("U.S." is "us"), lower case."""
    word = re.sub(r"[’']s$", "", word).replace(".", "").replace("’", "").replace("'", "")
    return word.lower().strip("-")


# Initials written with dots, spaced or not, read as one name: "U.S.", "U. S." and "US";
# "U.S.A" (a last letter without its stop) and "USA". "U.S. A spokesman" is "US", then "A".
_INITIALS = re.compile(r"\b[A-Z]\.(?:\s?[A-Z]\.)+(?:[A-Z]\b)?")


def join_initials(text: str) -> str:
    """The text with initials written with dots as one word: "U.S. Open" -> "US Open"."""
    return _INITIALS.sub(lambda m: re.sub(r"[.\s]", "", m.group()) + " ", text)


def _names(text: str) -> set[str]:
    """Capitalised words past the first: names ("Stoltenberg", "NATO", "White House")."""
    out: set[str] = set()
    text = join_initials(text)
    for i, match in enumerate(_WORDLIKE.finditer(text)):
        word = match.group()
        key = name_key(word)
        if i == 0 or not word[0].isupper() or not key or key in _NOT_NAMES:
            continue
        if key in _MONTHS:
            continue  # compared as dates
        out.add(key)
    return out


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def fold_accents(text: str) -> str:
    """The text with accents taken off letters ("Pelé" -> "Pele", "Gdańsk" -> "Gdansk"):
    a name is one name however a writer spells its accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# North American time zones written out or shortened, standard or daylight, are one zone:
# "8 p.m. Eastern Time", "8 p.m. EST" and "8 p.m. ET".
_ZONE = re.compile(
    r"\b(Eastern|Central|Mountain|Pacific)(?:\s+(?:Standard|Daylight))?\s+Time\b"
    r"|\b([ECMP])[SD]T\b"
)


def _plain(text: str) -> str:
    """The text as the checks compare it: accents folded, time zones shortened."""
    return _ZONE.sub(lambda m: (m[1] or m[2])[0] + "T", fold_accents(text))


# The adjective of a place is the place ("Russian" is "Russia", "Chinese" "China", "Kentish"
# "Kent"): the place's name, without a last vowel or "y", and one of these endings.
_PLACE_ENDINGS = ("n", "an", "ian", "ean", "ese", "i", "ish", "ic", "er")
# Adjectives the endings do not make.
_PLACE_ADJECTIVES = {
    "french": "france",
    "british": "britain",
    "dutch": "netherlands",
    "swiss": "switzerland",
    "greek": "greece",
    "welsh": "wales",
    "spanish": "spain",
    "swedish": "sweden",
    "danish": "denmark",
    "finnish": "finland",
    "irish": "ireland",
    "scottish": "scotland",
    "english": "england",
    "polish": "poland",
    "turkish": "turkey",
    "norwegian": "norway",
    "portuguese": "portugal",
    "belgian": "belgium",
    "lebanese": "lebanon",
    "afghan": "afghanistan",
    "filipino": "philippines",
    "thai": "thailand",
    "peruvian": "peru",
}


def _is_place_adjective(adjective: str, place: str) -> bool:
    """Whether one word is the other's adjective of place ("russian", "russia"), or its
    plural as a noun ("russians")."""
    if adjective.endswith("s") and not adjective.endswith("ss"):
        adjective = adjective[:-1]
    if _PLACE_ADJECTIVES.get(adjective) == place:
        return True
    if len(place) < 4 or not adjective.startswith(place[:-1]):
        return False
    roots = [place, place[:-1]] if place[-1] in "aeiouy" else [place]
    return any(adjective == root + end for root in roots for end in _PLACE_ENDINGS) or (
        place.endswith("y") and adjective == place[:-1]  # "Germany", "German"
    )


def _fuse(*words: str) -> str:
    """Words written as one, without hyphens: a name's spelling as one word."""
    return "".join(words).replace("-", "")


def _named_in(name: str, words: set[str]) -> bool:
    """A name is in the evidence as itself, as the place its adjective names, or as the
    adjective of the place it names."""
    return name in words or any(
        _is_place_adjective(name, w) or _is_place_adjective(w, name) for w in words
    )


class FactsCheck:
    """Numbers, amounts, months and names of the claim must all be in the evidence
    (accents folded: "Pele" is "Pelé"; "Eastern Time" is "ET"; a place's adjective is
    the place: "Russian" is "Russia"; "Surf Classic" is "SurfClassic"). The endings
    that make adjectives of places also make "Julian" of "Julia": a name swapped for one
    so close passes."""

    def check(self, claim: str, evidence: str) -> Verdict:
        claim, evidence = _plain(claim), _plain(evidence)
        missing = sorted(_numbers(claim) - _numbers(evidence))
        if missing:
            return Verdict(False, f"the passage does not give the number {_fmt(missing[0])}")
        months = _months(claim) - _months(evidence)
        if months:
            month = _MONTH_WORDS[min(months) - 1][0]
            return Verdict(False, f"the passage does not give the date ({month})")
        # Initials are read as the claim's are: "J. F. Lawton" names "JF" in both.
        in_order = [name_key(w) for w in _WORDLIKE.findall(join_initials(evidence))]
        words = {*in_order, *(name_key(w) for w in _WORDLIKE.findall(evidence))}
        absent = sorted(n for n in _names(claim) if not _named_in(n, words))
        if absent:
            # A name written as one word or two is one name: "Surf Classic" and
            # "SurfClassic", "Christmas time" and "Christmastime", "Bankman Fried".
            fused = {*(_fuse(*p) for p in itertools.pairwise(in_order)), *map(_fuse, words)}
            claim_words = [name_key(w) for w in _WORDLIKE.findall(join_initials(claim))]
            pairs = list(itertools.pairwise(claim_words))
            absent = [
                n
                for n in absent
                if _fuse(n) not in fused
                and not any(n in pair and _fuse(*pair) in fused for pair in pairs)
            ]
        if absent:
            return Verdict(False, f"the passage does not name {absent[0]!r}")
        return SUPPORTED


def _said_instead(swapped: tuple[str, str] | None) -> Verdict:
    """Unsupported when a claim word was found swapped for its opposite ``(word, opposite)``."""
    if swapped:
        return Verdict(False, f"the passage says “{swapped[1]}”, not “{swapped[0]}”")
    return SUPPORTED


class BesideCheck:
    """No word of the claim stands beside a word it shares with the evidence where the
    evidence has that word's opposite instead ("Low wages." against "low supply … high
    wages"; :func:`assistant.answering.opposites.swapped_beside`)."""

    def check(self, claim: str, evidence: str) -> Verdict:
        return _said_instead(swapped_beside(claim, evidence))


# -- content words ---------------------------------------------------------------------------

# Reporting verbs and fillers: who said it is checked by the names, and "said" where the
# article wrote "told the BBC" is no new claim; "has been removed" claims no more than
# "was removed".
_FILLER = frozenset(
    [
        "said",
        "says",
        "say",
        "saying",
        "told",
        "tell",
        "telling",
        "added",
        "adding",
        "stated",
        "according",
        "noted",
        "also",
        "about",
        "more",
        "than",
        "some",
        "any",
        "all",
        "just",
        "very",
        "been",
        "being",
    ]
)


_NUMBER_WORDS = frozenset([*_UNITS, *_TENS, *_SCALES, "hundred"])
_MONTH_NAME = re.compile(rf"\b(?:{'|'.join(name.capitalize() for name in _MONTHS)})\b")


def _words(text: str) -> list[str]:
    """The content words, accents folded, without fillers, numbers and capitalised month
    names (FactsCheck compares those: "January 5" is "Jan. 5") and single letters (the
    "s" of "Kremlin's")."""
    text = _MONTH_NAME.sub(" ", _plain(text))
    return [
        w
        for w in content_words(text)
        if w not in _FILLER and w not in _NUMBER_WORDS and not w.isdigit() and len(w) > 1
    ]


def _stems(text: str) -> set[str]:
    """Stems of the content words (:func:`_words`)."""
    return set(stemmer().stemWords(_words(text)))


def _holds(stem: str, stems: set[str]) -> bool:
    """The stem, or one sharing a prefix of 5 letters or more with it ("withdrawn" and
    "withdraw": the Porter stemmer leaves irregular participles alone)."""
    if stem in stems:
        return True
    return len(stem) >= 5 and any(
        len(s) >= 5 and (s.startswith(stem) or stem.startswith(s)) for s in stems
    )


class WordsCheck:
    """Most of the claim's content words (stemmed) must be in the evidence.

    ``threshold`` is the share that must be there. Chosen on hand-made claims about the
    sample article and tests/data/articles/harbour-ferry.txt (test_verify.py), never on
    the shared evaluation sets. True ones hold 0.75 to 1.0: "The White House disputed the
    withdrawal" 3 of 4 (the verb comes from the question), "Zelensky said they do not see
    any withdrawal yet" 5 of 5, "The harbour ferry resumed service on Monday" 5 of 5.
    Invented acts hold less: "Stoltenberg resigned as NATO secretary-general in protest"
    4 of 6, "The ferry sank on Monday" 2 of 3, "The ferry was sold to a private buyer"
    1 of 4. At 0.75 every true one stays and every one of those goes. One changed verb in
    a longer sentence still passes ("Harris boycotted the Munich conference" 3 of 4, "The
    White House confirmed that Russia had withdrawn its troops" 5 of 6): that is the
    judge's work.
    """

    def __init__(self, threshold: float = 0.75) -> None:
        self.threshold = threshold

    def check(self, claim: str, evidence: str) -> Verdict:
        wanted = _stems(claim)
        if not wanted:
            return SUPPORTED
        have = _stems(evidence)
        missing = sorted(w for w in wanted if not _holds(w, have))
        if (len(wanted) - len(missing)) / len(wanted) >= self.threshold:
            return SUPPORTED
        return Verdict(False, f"the passage does not mention: {', '.join(missing)}")


# Words that turn a statement over: "not", "never", "denied", "false", "ruled out", "failed to",
# "declined to" before a verb ... ("not only X but also Y" turns nothing over, nor does
# "declined to 3%" or "declined to a record low", where "declined" is "fell").
NEGATION = re.compile(
    r"\b(?:not(?!\s+(?:only|just|merely|simply)\b)|no|never|none|nor|neither|without"
    r"|den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|false"
    r"|rul(?:e|es|ed|ing)\s+out|stop(?:s|ped|ping)?\s+short\s+of"
    r"|fail(?:s|ed|ing)?\s+to|declin(?:e|es|ed|ing)\s+to"
    r"(?=\s+(?!(?:a|an|the|its|their|his|her|about|around|under|below|nearly|almost)\b)[a-z]))\b"
    r"|n[’']t\b",
    re.IGNORECASE,
)


# Where a sentence's parts meet: a comma, semicolon, colon or dash, or "and", "but",
# "while", "whereas". A negation is read within its part.
_PART_BREAK = re.compile(
    r"[,;:][\"”’')]*\s+|\s+[—–]\s+|\s+(?:and|but|while|whereas)\s+", re.IGNORECASE
)


def _parts(text: str) -> list[set[str]]:
    """The stems of each part of a text that has any, with whether it holds a negation
    (as the stem "~")."""
    out = []
    for part in _PART_BREAK.split(text):
        stems = _stems(part)
        if stems:
            out.append(stems | ({"~"} if NEGATION.search(part) else set()))
    return out


# Words a yes/no question asks with that a sentence answering it need not repeat.
_ASKING_ONLY = frozenset(["anyone", "anybody", "anything", "there", "ever", "really"])


# Where a sentence turns to another matter: a semicolon, colon or dash, or "but",
# "while", "whereas", "although", "though", "however", "yet".
_CONTRAST_BREAK = re.compile(
    r"[;:][\"”’')]*\s+|\s+[—–]\s+|,?\s+(?:but|while|whereas|although|though|however|yet)\s+",
    re.IGNORECASE,
)


def part_stating(question: str, text: str) -> bool | None:
    """Whether the first part of a sentence of ``text`` that holds every content word
    and number of the yes/no ``question`` (its months too) negates it ("NATO has not
    seen any de-escalation" for "Did NATO see any de-escalation?": True); None when no
    part holds them all.

    A sentence's parts are split where it turns to another matter ("but", "while", a
    semicolon), so "The bank kept its rate at 4.25%, but said a cut was likely" says
    nothing to "Did the bank cut rates?": "cut" is in one part and "bank" in the other;
    a name and what it did may still stand either side of an aside between commas
    ("Kamala Harris, US vice-president, will lead the delegation"). A word is held in
    another form: by its stem, by WordNet's irregular forms ("kept" holds "keep",
    "broke" holds "break"), or by a word that adds at most two letters to it ("seen"
    holds "see")."""
    wanted = [w for w in _words(question) if w not in _ASKING_ONLY]
    if not wanted:
        return None
    stems = stemmer().stemWords(wanted)
    numbers, months = numbers_in(question), _months(question)
    for s, e in sentence_spans(text):
        for part in _CONTRAST_BREAK.split(text[s:e]):
            if not (numbers <= numbers_in(part) and months <= _months(part)):
                continue
            said = sorted(content_words(_plain(part)))
            have = set(stemmer().stemWords(said))
            forms = frozenset().union(*map(word_forms, said))
            if all(
                _holds(stem, have)
                or bool(word_forms(word) & forms)
                or any(w.startswith(word) and len(w) - len(word) <= 2 for w in said)
                for word, stem in zip(wanted, stems, strict=True)
            ):
                return bool(NEGATION.search(part))
    return None


class PolarityCheck:
    """The claim does not turn over what its evidence sentence says: a claim with a
    negation ("not", "never", "denied", "false", ...) needs one in the sentence, and a
    part of the claim without one must not match a part of the sentence that has one.

    Facts and words pass a claim with "not" put in or taken out, or "The White House
    confirmed the withdrawal" cited to the sentence calling the withdrawal "false": it
    holds the same names and words. This catches those. The sentence is the one sharing
    most content words with the claim (each, when several share as many). Its parts are
    split at commas, dashes, "and", "but" and "while", so the "false" of one part ("...
    called the claims 'false' and accused Russia of increasing its troops") does not turn
    over a claim about the next; a negated claim is held by a negation anywhere in the
    sentence, as "An official said it was false" is by "'... it was false,' an official
    said", but a claim with more negations than the sentence has added one ("Demand is
    not strong, but firms are not immune" for "Demand is strong, but firms are not
    immune"). An opposite word with no negation ("fell" for "rose", "lost" for "won") is
    caught when WordNet knows the pair (:mod:`assistant.answering.opposites`) and the
    sentence's word stands next to a word the claim shares, and so is a word the sentence
    has but puts elsewhere ("low wages" against "low supply … high wages"); "reduced" for
    "increased", which WordNet does not pair, is the judge's work. The negation words were
    chosen from how negation is written, not on the shared evaluation sets.
    """

    def check(self, claim: str, evidence: str) -> Verdict:
        spans = sentence_spans(evidence)
        wanted = _stems(claim)
        if not spans or not wanted:
            return SUPPORTED
        shared = [len(wanted & _stems(evidence[s:e])) for s, e in spans]
        best = [evidence[s:e] for (s, e), n in zip(spans, shared, strict=True) if n == max(shared)]
        sentences = " ".join(best)
        swapped = _said_instead(opposite_in(claim, sentences) or swapped_beside(claim, sentences))
        if not swapped.supported:
            return swapped
        negations = len(NEGATION.findall(claim))
        held = max(len(NEGATION.findall(x)) for x in best)
        if negations > held:
            return Verdict(False, "the claim negates what the passage states")
        if negations == held:
            # Every negation of the sentence is in the claim too, in whichever part: "The
            # White House disputed the claims, saying they were false" for "The White House
            # called the claims 'false'".
            return SUPPORTED
        said = [part for sentence in best for part in _parts(sentence)]
        for part in _parts(claim):
            if "~" in part:
                continue
            overlap = [len(part & p) for p in said]
            if any("~" in p for p, n in zip(said, overlap, strict=True) if n and n == max(overlap)):
                return Verdict(False, "the passage negates what the claim states")
        return SUPPORTED


# -- the chat model as judge -----------------------------------------------------------------

# The margin logit(No) - logit(Yes) at and above which the in-process judge says No.
JUDGE_BIAS = -1.25
# The judge's threshold as a second reading of claims the words check fails
# (:class:`Reworded`): chosen on rgb-news and squad2-500 claims of the groundedness
# benchmark, multihop-rag-500 held out (docs/groundedness.md).
REWORDED_BIAS = -1.0
_NOT_STATED = "the passage does not state it (checked by the model)"
_JUDGED_KEPT = 512  # verdicts a judge remembers, so a claim tried twice is asked once


def read_prefix(model: BaseChatModel, messages: list[BaseMessage]) -> None:
    """Read ``messages``, the fixed start of a model's prompts, into its cache (one token
    written). An in-process llama.cpp model also holds later prompts' cache reuse to them
    (``LlamaCppChat.read_prefix``), so a reply does not turn on what was asked before."""
    reader = getattr(model, "read_prefix", None)
    if reader is not None:
        reader(messages)
    else:
        model.invoke(messages, max_tokens=1)


class ModelJudge:
    """The answering chat model asked whether the quoted sentences state the claim.

    The prompt (``prompts/verify.txt``) begins with its fixed instructions, so llama.cpp,
    which reuses the longest token prefix a prompt shares with the one before, evaluates
    them once, not once per claim: the Assistant gives an in-process judge a llama.cpp
    context of its own (``LlamaCppChat.for_context``), which answer prompts do not evict.
    A claim that is word for word one of the quoted sentences is supported without
    asking.

    On llama.cpp in process (``_llm_type == "llama-cpp-chat"``) the reply is one token,
    read from the logits of "Yes" and "No": the claim is supported when
    ``logit(No) - logit(Yes) < bias``; nothing else can be written, so there is no unclear
    reply. Elsewhere (servers, whose token ids are not known here) the reply is at most 3
    tokens, read by :func:`parse_reply`; a reply that is neither yes nor no does not
    support the claim.
    """

    def __init__(self, chat_model: BaseChatModel, *, bias: float = JUDGE_BIAS) -> None:
        self.chat_model = chat_model
        self.template = prompts.load("verify")
        self.bias = bias
        self._in_process = getattr(chat_model, "_llm_type", "") == "llama-cpp-chat"
        self._ids: tuple[int, int] | None = None
        self._asked: dict[str, tuple[Verdict, float | None]] = {}

    def prompt(self, claim: str, evidence: str) -> str:
        return self.template.replace("{evidence}", evidence).replace("{claim}", claim)

    def warm_up(self) -> None:
        """Read the fixed instructions into the model's cache (one token written), so the
        first claim pays only for its own sentences. For in-process models."""
        if self._in_process:
            # held to them too: a claim's verdict does not turn on the claims judged before
            read_prefix(self.chat_model, [HumanMessage(self.prompt("", ""))])

    def check(self, claim: str, evidence: str) -> Verdict:
        return self.judge(claim, evidence)[0]

    def judge(
        self, claim: str, evidence: str, bias: float | None = None
    ) -> tuple[Verdict, float | None]:
        """The verdict, and where it was read from the logits, the margin
        ``logit(No) - logit(Yes)`` (None when the model was not asked or gave text).
        ``bias``: the threshold for this call (default: the judge's own). A claim asked
        about before against the same sentences is not asked again."""
        if _is_quoted(claim, evidence):
            return SUPPORTED, None
        prompt = self.prompt(claim, _narrowed(claim, evidence))
        if prompt not in self._asked:
            if len(self._asked) >= _JUDGED_KEPT:
                del self._asked[next(iter(self._asked))]
            self._asked[prompt] = self._ask(prompt)
        verdict, margin = self._asked[prompt]
        if margin is None:
            return verdict, None
        bias = self.bias if bias is None else bias
        return (SUPPORTED if margin < bias else Verdict(False, _NOT_STATED)), margin

    def _ask(self, prompt: str) -> tuple[Verdict, float | None]:
        message = [HumanMessage(prompt)]
        if not self._in_process:
            reply = self.chat_model.invoke(message, **_one_word(self.chat_model))
            return parse_reply(str(reply.content)), None
        yes, no = self._yes_no_ids()
        seen: list[float] = []

        def pick(input_ids: Any, scores: Any) -> Any:
            # Only "Yes" or "No" may come; "No" wins when it leads "Yes" by the bias.
            margin = float(scores[no]) - float(scores[yes])
            seen.append(margin)
            out = scores.copy()
            out[:] = -1e30
            out[no if margin >= self.bias else yes] = 0.0
            return out

        reply = self.chat_model.invoke(
            message, max_tokens=1, temperature=0, logits_processor=[pick]
        )
        verdict = parse_reply(str(reply.content))
        return verdict, (seen[0] if seen else None)

    def _yes_no_ids(self) -> tuple[int, int]:
        if self._ids is None:
            yes = self.chat_model.get_token_ids("Yes")
            no = self.chat_model.get_token_ids("No")
            if len(yes) != 1 or len(no) != 1:
                raise ValueError("the model's tokenizer does not give Yes and No one token each")
            self._ids = (yes[0], no[0])
        return self._ids


UNCLEAR = "the model's check gave no clear Yes or No"


def parse_reply(reply: str) -> Verdict:
    """The judge's reply as a verdict: its first word yes supports the claim, no (or
    not) does not, and anything else does not either (reason :data:`UNCLEAR`): a claim
    the check could not confirm is listed as removed rather than shown as checked."""
    words = re.findall(r"[a-z]+", reply.lower())
    if words and words[0] == "yes":
        return SUPPORTED
    if words and words[0] in ("no", "not"):
        return Verdict(False, _NOT_STATED)
    return Verdict(False, UNCLEAR)


def _flat(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _is_quoted(claim: str, evidence: str) -> bool:
    """Whether the claim is, word for word, one whole sentence of the evidence."""
    flat = _flat(claim)
    return bool(flat) and any(_flat(evidence[s:e]) == flat for s, e in sentence_spans(evidence))


def _narrowed(claim: str, evidence: str) -> str:
    """The one quoted sentence that holds at least three quarters of the claim's content
    words and every number, date and name of it (what the facts check found in the
    quoted sentences), when there is one; else all the quoted sentences. Fewer tokens to
    read, and a sentence that states the claim needs no neighbours; but a year the
    claim took from the sentence before must stay in sight."""
    spans = sentence_spans(evidence)
    wanted = _stems(claim)
    if len(spans) < 2 or not wanted:
        return evidence

    def held(span: tuple[int, int]) -> int:
        have = _stems(evidence[span[0] : span[1]])
        return sum(_holds(w, have) for w in wanted)

    best = max(spans, key=held)
    sentence = evidence[best[0] : best[1]]
    if held(best) >= 0.75 * len(wanted) and FactsCheck().check(claim, sentence).supported:
        return sentence
    return evidence


def _one_word(chat_model: BaseChatModel) -> dict[str, Any]:
    """Call options for a one-word reply, as each backend takes them."""
    if "ollama" in type(chat_model).__name__.lower():
        return {"options": {"num_predict": 3, "temperature": 0}}
    return {"max_tokens": 3, "temperature": 0}


# -- an NLI cross-encoder from disk ----------------------------------------------------------


class NLICheck:
    """A sentence-transformers ``CrossEncoder`` (premise, hypothesis) from a folder on disk;
    the claim is supported when its top label is entailment. Loads on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._model: Any = None

    def load(self) -> Any:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(str(self.path), device="cpu")
        return self._model

    def check(self, claim: str, evidence: str) -> Verdict:
        model = self.load()
        scores = model.predict([(evidence, claim)], apply_softmax=True)[0]
        labels = {i: str(v).lower() for i, v in model.config.id2label.items()}
        entail = next((i for i, v in labels.items() if "entail" in v), None)
        if entail is None or getattr(scores, "ndim", 1) == 0 or len(labels) < 2:
            supported = float(scores if getattr(scores, "ndim", 1) == 0 else scores[-1]) > 0.5
        else:
            supported = int(scores.argmax()) == entail
        return SUPPORTED if supported else Verdict(False, "an NLI model finds it not entailed")


# -- the stage -------------------------------------------------------------------------------


class Reworded:
    """The words check, with the judge as the second reading of a claim it fails.

    A claim in other words than its passage's ("anticipated to be released" for
    "expected to be unveiled") fails the words check; when the judge reads the quoted
    sentences as stating it, it stands. Only the words check's failures are asked about,
    and this check runs after the facts and polarity checks, so a changed number or name
    or a flipped meaning never reaches the judge; what the judge can let through is a
    claim in other words. The judge removes nothing here: what it rejects, the words
    check had rejected, with that check's reason.
    """

    def __init__(self, judge: ModelJudge, *, bias: float = REWORDED_BIAS) -> None:
        self.judge = judge
        self.bias = bias
        self.words = WordsCheck()

    def check(self, claim: str, evidence: str) -> Verdict:
        verdict = self.words.check(claim, evidence)
        if verdict.supported or not self.judge.judge(claim, evidence, self.bias)[0].supported:
            return verdict
        return SUPPORTED


DETERMINISTIC: tuple[Verifier, ...] = (FactsCheck(), WordsCheck(), PolarityCheck())


def checks_before(judge: ModelJudge | None) -> tuple[Verifier, ...]:
    """The checks every claim gets before any setting's: facts, words and polarity; with
    a judge for reworded claims, the words check last and read again by it
    (:class:`Reworded`). As many as :data:`DETERMINISTIC`."""
    if judge is None:
        return DETERMINISTIC
    facts, _, polarity = DETERMINISTIC
    return (facts, polarity, Reworded(judge))


def evidence_for(claim: str, passage: Passage) -> str:
    """The passage sentence sharing most content words with the claim, with its
    neighbours either side, under the article's headline: the text a claim is checked
    against. The headline names what the article's sentences leave to it ("No deaths were
    reported" in a story headed "Floods close Cedar Hollow National Park")."""
    spans = sentence_spans(passage.text)
    if not spans:
        return _headed(passage.title, passage.text)
    wanted = content_words(claim)
    best = max(
        range(len(spans)),
        key=lambda i: len(wanted & content_words(passage.text[slice(*spans[i])])),
    )
    return _headed(passage.title, with_neighbours(passage.text, spans, best))


def _headed(title: str, text: str) -> str:
    """The text under its headline, as a line of its own (ended as a sentence, so no
    check reads the two as one); the text alone when there is none."""
    title = " ".join(title.split())
    if not title:
        return text
    return f"{title}{'' if title[-1] in '.!?' else '.'}\n{text}"


def with_neighbours(text: str, spans: Sequence[tuple[int, int]], i: int) -> str:
    """Sentence ``i`` of the text (``spans`` from :func:`sentence_spans`) with the
    sentences either side."""
    return text[spans[max(i - 1, 0)][0] : spans[min(i + 1, len(spans) - 1)][1]]


# A claim that opens by naming the article it rests on: "According to TechCrunch, ...",
# "The Verge reports that ...", "the article from Fortune claims that ...".
_REPORTS = (
    r"(?:reports?|reported|says|said|suggests?|suggested|indicates?|indicated|claims?|claimed"
    r"|notes?|noted|states?|stated|writes?|wrote|argues?|argued|mentions?|mentioned|implies"
    r"|implied|highlights?|highlighted|explains?|explained|discusses|discussed|describes?"
    r"|described|reveals?|revealed|confirms?|confirmed)"
)
_ATTRIBUTION = re.compile(
    rf"^(?:according to (?P<according>[^,;]{{2,80}}?),\s*"
    rf"|(?P<who>[^,;]{{2,80}}?)\s+{_REPORTS}\s+(?:that\s+)?)",
    re.IGNORECASE,
)
# Words an attribution may hold besides the source's own.
_ATTRIBUTION_WORDS = frozenset(
    {"the", "a", "an", "article", "articles", "report", "story", "piece", "its"}
    | {"from", "by", "in", "on", "of"}
)


def _source_words(text: str) -> list[str]:
    """Lower-case words of a source's name, without quotes and possessives: "The
    'Fortune' article" gives the, fortune, article; "The Verge's" the, verge."""
    words = (w.lower() for w in re.findall(r"\w[\w’'.]*", text))
    return [re.sub(r"['’]s$", "", w).rstrip("'’.") for w in words]


# Words that name the cited passage itself, with no source: "The passage from [2]
# states that", "The article in Passage [3] also mentions that".
_ITSELF_WORDS = frozenset({"passage", "passages", "text", "excerpt", "also"})


def without_attribution(claim: str, passage: Passage) -> str:
    """The claim without an opening that attributes it to the passage's own source, or
    to the passage itself.

    "The Verge reports that Google paid Apple" cited to a passage of The Verge claims
    "Google paid Apple": the source is the passage's, so what is checked is the rest; so
    does "The passage from [2] states that Google paid Apple" (the marker already
    taken out) or "The article says that ...", cited to the passage it names. An
    attribution naming anyone else ("The White House said that ...") is a claim about
    who said it, and stays."""
    match = _ATTRIBUTION.match(claim)
    if not match:
        return claim
    who = match["according"] or match["who"] or ""
    words = _source_words(who)
    itself = _ATTRIBUTION_WORDS | _ITSELF_WORDS
    if not all(w in itself for w in words):
        own = set(_source_words(passage.source)) - _ATTRIBUTION_WORDS
        if not own or any(w not in own and w not in itself for w in words):
            return claim
    rest = claim[match.end() :].strip()
    return rest[:1].upper() + rest[1:] if content_words(rest) else claim


# Where a sentence joins two claims: "A said X, while B said Y"; "X; Y".
_CLAUSE_BREAK = re.compile(r"(?:,\s+(?:while|whereas|but)|\s+while|;)\s+", re.IGNORECASE)


def clauses(claim: str) -> list[tuple[int, int]]:
    """Spans of the clauses a sentence joins with "while", "whereas", "but" after a
    comma, or a semicolon; the whole sentence when it joins none."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_BREAK.finditer(claim):
        if content_words(claim[start : m.start()]):
            out.append((start, m.start()))
            start = m.end()
    out.append((start, len(claim)))
    return out


def check_claim(claim: str, passage: Passage, verifiers: Sequence[Verifier]) -> Verdict:
    """The first failing verdict of the verifiers, in order; SUPPORTED when all pass."""
    claim = without_attribution(claim, passage)
    evidence = evidence_for(claim, passage)
    for verifier in verifiers:
        verdict = verifier.check(claim, evidence)
        if not verdict.supported:
            return verdict
    return SUPPORTED


_FINAL_STOP = re.compile(r"[.!?][\"”’)]*$")


def _marker_at(sentence: str) -> int:
    """Where a marker goes in a sentence: before a bare final stop, else at the end
    (after a closing quote)."""
    end = _FINAL_STOP.search(sentence)
    return end.start() if end and end.group() in ".!?" else len(sentence)


def without_markers(sentence: str) -> str:
    """The sentence as a claim: no markers, and no space left where they were."""
    text = " ".join(MARKER.sub("", sentence).split())
    return re.sub(r"\s+([.!?,;:”’\")])", r"\1", text)


def drop_sentences(
    text: str, reason_for: Callable[[int, str], str | None]
) -> tuple[str, tuple[RemovedClaim, ...]]:
    """The text without the sentences ``reason_for`` gives a reason to remove, and those
    sentences listed as removed with it. It is asked only about sentences with content
    words, with each one's index among the text's sentences and its claim (no markers).
    The text as it is when nothing goes."""
    spans = sentence_spans(text)
    out: list[str] = []
    removed: list[RemovedClaim] = []
    last = 0
    for i, (s, e) in enumerate(spans):
        sentence, gap, last = text[s:e], text[last:s] if out else "", e
        claim = without_markers(sentence)
        reason = reason_for(i, claim) if content_words(claim) else None
        if reason is None:
            out.append(gap + sentence)
        else:
            cited = tuple(int(n) for n in dict.fromkeys(MARKER.findall(sentence)))
            removed.append(RemovedClaim(claim, reason, cited))
    return ("".join(out), tuple(removed)) if removed else (text, ())


def verify_answer(
    text: str, passages: Sequence[Passage], verifiers: Sequence[Verifier]
) -> tuple[str, tuple[RemovedClaim, ...]]:
    """The text with only supported claims, and the claims removed with their reasons.

    A cited sentence keeps the markers of the passages that support it; when none does,
    it goes to another passage that does, else it is removed. A sentence without a marker
    is cited to the first passage that supports it, else removed.
    """
    out: list[str] = []
    removed: list[RemovedClaim] = []
    last = 0
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        claim = without_markers(sentence)
        gap = text[last:s] if out else ""
        last = e
        if not content_words(claim):
            out.append(gap + sentence)
            continue
        cited = [int(n) for n in dict.fromkeys(MARKER.findall(sentence))]
        cited = [n for n in cited if 1 <= n <= len(passages)]
        verdicts = {n: check_claim(claim, passages[n - 1], verifiers) for n in cited}
        good = [n for n in cited if verdicts[n].supported]
        if not good:
            for n in range(1, len(passages) + 1):
                if n not in verdicts and check_claim(claim, passages[n - 1], verifiers).supported:
                    good = [n]
                    break
        if not good:
            split = _cite_clauses(claim, cited, passages, verifiers)
            if split:
                out.append(gap + split)
                continue
            reason = verdicts[cited[0]].reason if cited else "no passage supports it"
            removed.append(RemovedClaim(claim, reason, tuple(cited)))
            continue
        if good == cited:
            out.append(gap + sentence)
            continue
        bare = without_markers(sentence)
        marks = "".join(f"[{n}]" for n in good)
        at = _marker_at(bare)
        out.append(gap + f"{bare[:at]} {marks}{bare[at:]}")
    return "".join(out).strip(), tuple(removed)


def _cite_clauses(
    claim: str, cited: Sequence[int], passages: Sequence[Passage], verifiers: Sequence[Verifier]
) -> str | None:
    """The claim with a marker after each of its clauses, when it joins several
    (:func:`clauses`) and each is supported by a passage, the cited ones tried first;
    else None. "The Verge says X [1], while TechCrunch says Y [3]." """
    spans = clauses(claim)
    if len(spans) < 2:
        return None
    order = [*cited, *(n for n in range(1, len(passages) + 1) if n not in cited)]
    marks: list[int] = []
    for s, e in spans:
        part = claim[s:e]
        n = next((n for n in order if check_claim(part, passages[n - 1], verifiers).supported), 0)
        if not n:
            return None
        marks.append(n)
    stops = [*(e for _, e in spans[:-1]), _marker_at(claim)]
    text = claim
    for at, n in sorted(zip(stops, marks, strict=True), reverse=True):
        text = f"{text[:at]} [{n}]{text[at:]}"
    return text
