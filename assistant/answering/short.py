"""The short answer: the answer itself, as short as a headline.

After its cited sentences the model is asked, in the same conversation, for the answer
alone ("The White House." / "Yes." / "September 2022."; ``prompts/short.txt``): llama.cpp
has the passages in its cache by then, so this reads one line and writes a few tokens.
(Asked first, before the cited sentences, the 1.5B model declined the sample question on
the same passages it answers from this way.) :func:`clean_short` tidies the reply;
:func:`check_short` keeps it only when the supporting sentences that survived
verification, or the passages they cite, hold every number, name and content word of it.
The answer shown opens with it (:func:`join_short`).

When every sentence the model wrote was removed (they added a year, a date or a detail
the cited passage lacks), its short answer may still be right: :func:`supporting_sentence`
finds the passage sentence about the question that holds it, and the answer shows the
short answer over that sentence, quoted and labelled as the passage's words
(``Answer.quote_support``), never as the model's. The same holds when the model declined
and, asked once more for only the answer, gave one (``Answer.declined``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.answering.citations import CANNOT_ANSWER, MARKER
from assistant.answering.extractive import Extract, relevance
from assistant.answering.sentences import content_words, is_furniture, sentence_spans, stemmer
from assistant.answering.verify import (
    NEGATION,
    BesideCheck,
    FactsCheck,
    Verdict,
    WordsCheck,
    drop_sentences,
    join_initials,
    months_in,
    name_keys,
    names_in,
    numbers_in,
    part_stating,
    spelled_numbers,
    with_neighbours,
)
from assistant.store.embedder import TextEmbedder
from assistant.types import Citation, Passage, RemovedClaim

# A short answer is a headline, not a sentence of the support: at most this many words.
MAX_SHORT_WORDS = 12

_LABEL = re.compile(r"^\s*(?:\*\*)?(?:short answer|answer)\s*:\s*(?:\*\*)?\s*", re.I)
_AUXILIARY = (
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must)\b"
)
# What opens a yes/no question: an auxiliary, alone or after an opening phrase and a comma
# ("Between the two reports, is there ...?", "After the vote, did ...?").
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:(?:after|before|between|since|during|following|in|on|at|by|from|given|when|"
    r"while|as|considering|according to)\b[^?]*?,\s+)?" + _AUXILIARY,
    re.IGNORECASE,
)
# A question word after a comma in that opening ("Considering the two reports, which city,
# named in both, is ...?"): the question asks which, and its auxiliary is a later clause's.
# Followed by an auxiliary, the word opens a clause about the phrase ("Between the report
# of May 3, which was brief, and the later one, was there ...?").
_WH_AFTER_COMMA = re.compile(
    r",\s+(?:which|what|who|whom|whose|where|when|why|how)\b"
    rf"(?!\s+{_AUXILIARY})",
    re.I,
)
# A question offering a word and its opposite ("... consistent or inconsistent?", "agree
# or disagree?") asks which, not whether.
_CHOICE = re.compile(r"\b(\w+)\s+or\s+(?:in|un|dis|non|im|ir)-?\1\W*$", re.IGNORECASE)
# A question naming the things it asks between ("Which paid more, Google or Apple?",
# "Between the Polygon article and the Verge's, which ...?") is answered by its own words.
_OFFERS_CHOICE = re.compile(r"\bor\b|^\s*between\b", re.I)
# Wider, for taking a whole sentence out: "the match between Arsenal and Chelsea" too.
_MAY_OFFER_CHOICE = re.compile(r"\bor\b|\bbetween\b", re.I)
_YES_NO_REPLY = re.compile(r"^\W*(yes|no)\b", re.I)
# A question asking what someone said or how they responded: its answer is what was said,
# never only a name ("Pete Ward." to "What did the Eastmoor manager say?").
_ASKS_WHAT_WAS_SAID = re.compile(
    r"^\W*(?:and\s+)?(?:what\s+(?:did|does|do|has|have|had|will|would|is|was|are|were)\b"
    r"[^?]*?\b(?:say|said|saying|tell|told|write|wrote|warn|warned|argue|argued|claim"
    r"|claimed|announce|announced|reply|replied|answer|answered|add|added)\b"
    # not "What did he say was sold?", which asks for a thing said
    r"(?!\s+(?:was|were|is|are|had|has|have|would|will|could|did)\b)"
    r"|how\s+(?:did|does|do|has|have|had|will|would)\b[^?]*?\b(?:respond|react)\w*)",
    re.I,
)
# Only a name: two or more words, each capitalised or a name's small word ("Pete Ward",
# "Ursula von der Leyen").
_ONLY_A_NAME = re.compile(
    r"^(?:[A-Z][\w'’.-]*)(?:\s+(?:[A-Z][\w'’.-]*|of|de|del|der|van|von|the|la|le|bin|al))+\.?$"
)
_REFUSAL = re.compile(r"articles? (?:do(?:n['’]t| not)|does(?:n['’]t| not)) say", re.I)
# What ends a clause the short answer may be the whole of, in the sentence after it.
_CLAUSE_ENDS = ",;:.!?—–"
_MONTH_DAY = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}$", re.I
)

# What a question asks for, by its opening: a name, a date or a number. A sentence that
# answers it plainly gives one the question does not ("Who won the 2021 Tour de France?" is
# not answered by "The 2021 Tour de France is in the books").
_ASKS_NAME = re.compile(
    r"^\W*(?:who|whom|whose|where"
    r"|(?:in |at |from |for )?(?:which|what) (?:city|town|country|nation|state|province|region"
    r"|team|club|company|firm|party|organi[sz]ation|newspaper|university))\b",
    re.I,
)
_ASKS_DATE = re.compile(
    r"^\W*(?:when|since when|(?:in |on )?(?:what|which) (?:year|date|day|month)"
    r"|what(?:['’]s| is| was| will be) the (?:\w+ ){0,2}date)\b",
    re.I,
)
_ASKS_NUMBER = re.compile(
    r"^\W*(?:how (?:many|much|old|long|far|big|large|high|tall|often)"
    r"|what (?:percentage|percent|share|proportion|number|amount))\b",
    re.I,
)
_WEEKDAYS = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:yester|to)day\b", re.I)

_FACTS = FactsCheck()
_ALL_WORDS = WordsCheck(threshold=1.0)
_BESIDE = BesideCheck()


def is_yes_no(question: str) -> bool:
    """A question answered by Yes or No: it opens with an auxiliary ("Did the council
    approve it?"), or with a phrase and a comma before one ("After the vote, did the mayor
    resign?") with no question word after a comma in that phrase ("After the vote, which
    party, having won, was ...?" asks which), and does not end offering a word and its
    opposite ("Was the coverage consistent or inconsistent?").

    Example:
        >>> is_yes_no("Between the two reports, is there a change in tone?")
        True
        >>> is_yes_no("After the vote, who resigned?")
        False
    """
    opening = _YES_NO_QUESTION.match(question)
    return (
        opening is not None
        and not _WH_AFTER_COMMA.search(opening.group())
        and not _CHOICE.search(question)
    )


def clean_short(reply: str, question: str) -> str:
    """The short answer in a model's reply to the short-answer request: its first line,
    without a label ("Short answer:") or markers, ending in a full stop; "" when that is
    longer than ``MAX_SHORT_WORDS`` words or a refusal. To a yes/no question a reply
    opening with yes or no is just "Yes." or "No.". Parts that only repeat the question
    are dropped (:func:`drop_echoes`); a reply that only repeats it answers nothing ("",
    unless the question names the things it asks between), and so does a name alone to a
    question asking what someone said or how they responded.

    Example:
        >>> clean_short("Answer: the White House", "Who disputed the withdrawal?")
        'The White House.'
        >>> clean_short("No, it did not.", "Did Russia withdraw its troops?")
        'No.'
    """
    line = _first_line(reply).strip("*").strip()
    if not line or _REFUSAL.search(line) or len(line.split()) > MAX_SHORT_WORDS:
        return ""
    verdict = _YES_NO_REPLY.match(line)
    if verdict and is_yes_no(question):
        return verdict.group(1).capitalize() + "."
    if verdict and len(line.split()) == 1:
        return ""  # "Yes." to a question that asks who or what answers nothing
    line = line.rstrip(",;: ")
    line = line[0].upper() + line[1:]
    short = drop_echoes(line if line[-1] in ".!?" else line + ".", question)
    if repeats(short, question) and not _OFFERS_CHOICE.search(question):
        return ""  # "Colonia Agrippina." to "What was Colonia Agrippina's original name?"
    if _ASKS_WHAT_WAS_SAID.search(question) and _ONLY_A_NAME.match(short):
        return ""  # who said it, to a question asking what was said
    return short


def past_headline(reply: str) -> bool:
    """Whether a reply to the short-answer request, read so far, is already longer than
    any short answer :func:`clean_short` keeps: more than ``MAX_SHORT_WORDS`` words
    beside its label and markers, one more for a marker not yet closed ("[2"). The
    model need not write the rest (a sentence of 50 tokens takes the local model 4 s).

    Example:
        >>> past_headline("Short answer: the White House")
        False
        >>> past_headline("NATO Secretary-General Jens Stoltenberg said the alliance "
        ...               "had not seen any de-escalation, adding that it was")
        True
    """
    return len(_first_line(reply).split()) > MAX_SHORT_WORDS + 1


def _first_line(reply: str) -> str:
    """A reply's first line without its label ("Short answer:") and markers, spaced once."""
    line = _LABEL.sub("", reply.strip(), count=1).partition("\n")[0]
    return " ".join(MARKER.sub("", line).split())


def check_short(
    short: str, body: str, citations: Sequence[Citation], question: str = ""
) -> Verdict:
    """Whether the checked supporting sentences, or the passages they cite, hold every
    number, date, name and content word of the short answer.

    "Yes." and "No." hold no words: they stand on a supporting sentence that says what
    the question asks, every content word of it in one part of the sentence
    (:func:`part_stating`), and are kept only when that part agrees in polarity. A "Yes."
    whose sentence negates it ("not seen any de-escalation" for "Did NATO see any
    de-escalation?"), a "No." whose sentence negates nothing, and either over sentences
    that say something else ("kept its rate at 4.25%, but said a cut was likely" for
    "Did the bank cut rates?"; "Inflation fell" for "Did inflation rise?") are removed:
    a check that may drop a right Yes or No, never one that turns it over.
    """
    if short in ("Yes.", "No."):
        stated = part_stating(question, MARKER.sub("", body))
        if stated is None:
            return Verdict(False, "no checked sentence says what the question asks")
        if (short == "Yes.") == (stated != bool(NEGATION.search(question))):
            return Verdict(False, f"the cited sentences do not say {short[:-1].lower()}")
        return Verdict(True)
    evidence = " ".join([MARKER.sub("", body), *(c.passage.text for c in citations)])
    return holds_short(short, evidence)


def parts(short: str) -> list[str]:
    """The parts of a short answer that lists more than one thing after commas
    ("Simona Halep, 2019, Wimbledon." -> three parts), without its final full stop. A
    date's comma ("April 29, 2015") and a thousands comma ("7,000") part nothing."""
    pieces = re.split(r",\s+", short.rstrip(". "))
    out: list[str] = []
    for piece in pieces:
        if out and _MONTH_DAY.search(out[-1]) and re.match(r"\d{4}\b", piece):
            out[-1] += ", " + piece
        else:
            out.append(piece)
    return out


def first_part(short: str) -> str:
    """The short answer's first part when the model listed more after a comma ("Meta
    Platforms, April 9, 2012." -> "Meta Platforms."); "" when it lists nothing more."""
    listed = parts(short)
    if len(listed) < 2 or not content_words(listed[0]):
        return ""
    return listed[0].strip() + "."


def drop_echoes(short: str, question: str) -> str:
    """The short answer without the parts after its first that only repeat the
    question: to "Who won the women's singles Wimbledon in 2019?", "Simona Halep, 2019,
    Wimbledon." is "Simona Halep.". The first part stays even when the question names it
    (a question offering a choice is answered by one of its own words).

    Example:
        >>> drop_echoes("Tim Cook, 2021, Apple.", "Who is the CEO of Apple in 2021?")
        'Tim Cook.'
        >>> drop_echoes("April 29, 2015.", "When was it released in 2015?")
        'April 29, 2015.'
    """
    listed = parts(short)
    kept = listed[:1] + [part for part in listed[1:] if not repeats(part, question)]
    return short if len(kept) == len(listed) else ", ".join(kept) + "."


def repeats(text: str, question: str) -> bool:
    """Whether every content word and number of the text is the question's own."""
    return content_words(join_initials(text)) <= content_words(
        join_initials(question)
    ) and numbers_in(text) <= numbers_in(question)


RESTATES = "it only repeats the question"


def drop_restatements(text: str, question: str) -> tuple[str, tuple[RemovedClaim, ...]]:
    """The reply without its sentences that only repeat the question, and those sentences,
    listed as removed.

    "The Walter Camp Award winner in 2017 is Walter Camp [1]." to "Who is the Walter
    Camp Award winner in 2017?" names nothing the question does not: its passage holds
    every word of it, so the claim checks pass it, yet it answers nothing (here, wrongly).
    The answer to a yes/no question may rightly repeat the question ("Russia increased
    its troops [2]." to "Did Russia increase its troops?"), and so may the answer to one
    that names the things it asks between ("Arsenal won the match." to "Which team won
    the match between Arsenal and Chelsea?"): left as they are.
    """
    if is_yes_no(question) or _MAY_OFFER_CHOICE.search(question):
        return text, ()  # a choice's answer is one of the question's own words
    return drop_sentences(text, lambda _, claim: RESTATES if repeats(claim, question) else None)


def holds_short(short: str, evidence: str) -> Verdict:
    """Whether the evidence holds every number, date, name and content word of the short
    answer, none of them beside the opposite of what the answer puts there (the first
    check that fails says why)."""
    for check in (_FACTS, _ALL_WORDS, _BESIDE):
        verdict = check.check(short, evidence)
        if not verdict.supported:
            return verdict
    return Verdict(True)


def answers_plainly(question: str, sentence: str, frame: str) -> bool:
    """Whether a passage sentence answers the question plainly enough to stand quoted in
    place of the model's answer: it gives the question's numbers (in itself or in
    ``frame``, its neighbours and the article's title), says more than the question, and
    gives what the question asks for that the question does not: a name for "who",
    "where" and "which city", a date (a year, a month, a weekday) for "when", a number for
    "how many". A yes/no question is answered
    plainly only by a sentence with a part holding all of it (:func:`part_stating`),
    which says Yes or No. Other questions ("what", "which", "why") are not typed.

    Example:
        >>> answers_plainly("Who won the 2021 Tour de France?",
        ...     "The 2021 Tour de France is in the books, and what a Tour it was!", "")
        False
        >>> answers_plainly("Who won the 2021 Tour de France?",
        ...     "Tadej Pogacar won the 2021 Tour de France on Sunday.", "")
        True
    """
    if not numbers_in(question) <= numbers_in(f"{sentence} {frame}"):
        return False
    if is_yes_no(question):
        return part_stating(question, sentence) is not None
    if not _says_more(sentence, question):
        return False
    if _ASKS_NAME.search(question):
        return bool(names_in(sentence, opening=True) - names_in(question, opening=True))
    if _ASKS_DATE.search(question):
        years = {n for n in numbers_in(sentence) - numbers_in(question) if 1000 <= n <= 2999}
        return bool(
            years or months_in(sentence) - months_in(question) or _WEEKDAYS.search(sentence)
        )
    if _ASKS_NUMBER.search(question):
        return bool(numbers_in(sentence) - numbers_in(question))
    return True


def frame(passage: Passage, spans: Sequence[tuple[int, int]], i: int) -> str:
    """What frames sentence ``i`` of the passage (``spans`` from :func:`sentence_spans`):
    the article's title, the sentence and its neighbours."""
    return f"{passage.title} {with_neighbours(passage.text, spans, i)}"


def plain_sentences(
    question: str, extracts: Sequence[Extract], passages: Sequence[Passage]
) -> list[Extract]:
    """The extracts (best first) that answer the question plainly
    (:func:`answers_plainly`, framed by :func:`frame`), page furniture left out."""
    plain = []
    for x in extracts:
        passage = passages[x.n - 1]
        spans = sentence_spans(passage.text)
        at = next((i for i, (s, e) in enumerate(spans) if passage.text[s:e] == x.sentence), None)
        around = passage.title if at is None else frame(passage, spans, at)
        if not is_furniture(x.sentence) and answers_plainly(question, x.sentence, around):
            plain.append(x)
    return plain


def _says_more(sentence: str, question: str) -> bool:
    """Whether the sentence has a content word (in any form: "approved" is the question's
    "approve") or a number the question has not."""

    def stems(text: str) -> set[str]:
        return set(stemmer().stemWords(sorted(content_words(join_initials(text)))))

    return bool(stems(sentence) - stems(question) or numbers_in(sentence) - numbers_in(question))


def supporting_sentence(
    short: str,
    question: str,
    passages: Sequence[Passage],
    embedder: TextEmbedder,
    *,
    min_score: float,
) -> Extract | None:
    """The passage sentence that holds the short answer (:func:`holds_short`) and is most
    about the question (the extractive score, at least ``min_score``); None when none is.

    "Norway." to "Which country won the most medals at the 2018 Winter Olympics?" is held
    by "Norway collected 39 medals in 2018, the largest haul by any country in a single
    Winter Olympics." The question's numbers must be in the sentence, its neighbours or the
    article's title: "$23.3 billion." to "What was Tesla's revenue in Q1 2021?" is not held
    by a sentence about another year. So must one of the names the question gives, if it
    gives any, there or in the passage's source: "Nadia Park." to "Who is the CEO of
    Crestview Bank?" is not held by "Chief executive Nadia Park said the company would
    close its oldest bakery" in an article about Brightline Foods. A "Yes." or "No." holds
    no words and is never supported this way. A name may be held by its last word
    (:func:`by_last_name`).
    """
    if short in ("Yes.", "No."):
        return None
    asked = numbers_in(question)
    named = names_in(question)
    articles: dict[str, str] = {}  # each article's title and retrieved passages
    for passage in passages:
        before = articles.get(passage.article_id, passage.title)
        articles[passage.article_id] = f"{before}\n{passage.text}"
    candidates: list[tuple[int, str]] = []
    for n, passage in enumerate(passages, start=1):
        spans = sentence_spans(passage.text)
        for i, (s, e) in enumerate(spans):
            sentence = passage.text[s:e]
            if len(content_words(sentence)) < 3 or is_furniture(sentence):
                continue
            if not (
                holds_short(short, sentence).supported
                or by_last_name(short, sentence, articles[passage.article_id])
            ):
                continue
            # The question's own numbers ("in 2021", "Q1") frame the answer: the sentence,
            # its neighbours or the article's title must give them too, and one of its
            # names, when it gives any (the passage's source counts: "reported by CNBC").
            framed = frame(passage, spans, i)
            about = not named or named & name_keys(f"{passage.source} {framed}")
            if asked <= numbers_in(framed) and about:
                candidates.append((n, sentence))
    if not candidates:
        return None
    scores = relevance(question, [sentence for _, sentence in candidates], embedder)
    best = int(np.argmax(scores))
    if scores[best] < min_score:
        return None
    return Extract(candidates[best][0], candidates[best][1], float(scores[best]))


def by_last_name(short: str, sentence: str, article: str) -> bool:
    """Whether a short answer that is a name of several words ("Sam Bankman-Fried.") is
    given by the sentence by its last word, as news writing names a person after the
    first mention ("Bankman-Fried had ever been told"), while the article (its title and
    the retrieved passages) gives it whole. A name with a number is never held so."""
    name = short.rstrip(".")
    words = name.split()
    if len(words) < 2 or not all(w[0].isupper() for w in words) or numbers_in(name):
        return False
    return name in article and holds_short(words[-1], sentence).supported


_BARE_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?\.?$")


def as_written(short: str, sentences: Sequence[str]) -> str:
    """A short answer that is only a number in digits, in the words the sentences holding
    it write it with: "14." over "fourteen Vice Presidents" is "Fourteen.", so the answer
    in bold reads as the cited sentence does. Any other short answer as it is.

    Example:
        >>> as_written("8.", ["The State is divided into eight electorates."])
        'Eight.'
        >>> as_written("7,000.", ["about 7,000 troops"])
        '7,000.'
    """
    if not _BARE_NUMBER.match(short):
        return short
    value = numbers_in(short)
    for sentence in sentences:
        for words, spelled in spelled_numbers(sentence):
            if {spelled} == value:
                return words[0].upper() + words[1:] + "."
    return short


def join_short(short: str, body: str, *, quote_support: bool = False) -> str:
    """The answer as shown: the short answer on its own line, then the support; only the
    support when its first sentence opens with the short answer (:func:`said_first`),
    which would otherwise be read twice. Over a quoted sentence it always stands apart,
    the quote's label between them."""
    if not short or not body or body == CANNOT_ANSWER:
        return body
    return body if not quote_support and said_first(short, body) else f"{short}\n\n{body}"


def said_first(short: str, body: str) -> int:
    """The length of the body's opening that says the short answer as a clause of its
    own, before a comma, a colon, a dash or the sentence's end (its markers aside); 0
    when it does not. "Zelensky expressed skepticism over the Russian claims." opens
    "Zelensky expressed skepticism over the Russian claims, telling …"; "The White
    House." does not open "The White House has called …": the sentence goes on from it.

    Example:
        >>> said_first("Saturday.", "Saturday [1]. The ferry sails again.")
        8
        >>> said_first("The White House.", "The White House has called it false [1].")
        0
    """
    stem = short.rstrip(".").strip()
    if not stem or not body.startswith(stem):
        return 0
    rest = MARKER.sub("", body[len(stem) :]).lstrip()
    return len(stem) if not rest or rest[0] in _CLAUSE_ENDS else 0
