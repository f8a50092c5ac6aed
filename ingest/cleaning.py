"""Unicode and whitespace normalisation of article text, and a few fixes of stray quotes."""

from __future__ import annotations

import re
import unicodedata

# Line and paragraph separators that are not "\n".
_NEWLINES = re.compile(r"\r\n|[\r\v\f\x85\u2028]")
_PARAGRAPH_SEPARATOR = "\u2029"
# Invisible characters: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen,
# and the bidirectional marks that copy-paste from web pages leaves behind.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
# C0 and C1 control characters other than "\n" and "\t".
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A run of whitespace other than a newline that is not already one plain space: tabs,
# no-break and other Unicode spaces, doubled spaces. Single spaces are left unmatched, so
# that a 20 MB article (3.5 million spaces) is not cut into millions of pieces to join.
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_MANY_NEWLINES = re.compile(r"\n{3,}")

# Where an opening quote may stand: start of line, after a space, a bracket or a dash.
_BEFORE_OPENING = r"(?:^|(?<=[\s(\[{\u2014\u2013-]))"
# What may follow a closing quote: end of line, a space or punctuation.
_AFTER_CLOSING = r"(?=$|[\s,.;:!?)\]}\u2014\u2013\u2026-])"
_QUOTE_FIXES: list[tuple[re.Pattern[str], str]] = [
    # "“ text" -> "“text": an opening quote hugs the word after it.
    (re.compile(_BEFORE_OPENING + r"([“‘]) +(?=\S)", re.MULTILINE), r"\1"),
    # "false, ”a senior" and "false,”a senior" -> "false,” a senior": a closing quote
    # after punctuation was moved onto the next word.
    (re.compile(r"([,.!?\u2026]) *” *(?=\w)"), r"\1” "),
    # "text ”" -> "text”": a closing quote hugs the word before it.
    (re.compile(r"(?<=\S) +([”’])" + _AFTER_CLOSING, re.MULTILINE), r"\1"),
]
_STRAIGHT_PAIR = re.compile(r'(?P<open>")(?P<inner>[^"\n]*)(?P<close>")')

# Lines that web pages put after an article; dropped only at its very end.
TRAILING_BOILERPLATE = frozenset(
    {
        "advertisement",
        "leave a comment",
        "leave a reply",
        "share this article",
        "share this",
        "share this:",
        "comments",
    }
)


def _fix_straight_quotes(line: str) -> str:
    """Trim spaces inside straight-quote pairs, ``" text "`` -> ``"text"``, when unambiguous."""
    if '"' not in line or line.count('"') % 2:
        return line  # odd count: we cannot tell which quote opens, so leave the line be
    for match in _STRAIGHT_PAIR.finditer(line):
        start, end = match.span()
        opens_well = start == 0 or line[start - 1] in " ([{\u2014\u2013-"
        closes_well = end == len(line) or line[end] in " ,.;:!?)]}\u2014\u2013\u2026-"
        if not (opens_well and closes_well):
            return line  # e.g. inch marks, 5" screen: not quotes at all
    return _STRAIGHT_PAIR.sub(lambda m: f'"{m["inner"].strip()}"', line)


def fix_quotes(text: str) -> str:
    """Move stray spaces around typographic quotes: ``false, ”a`` -> ``false,” a``."""
    for pattern, replacement in _QUOTE_FIXES:
        text = pattern.sub(replacement, text)
    return "\n".join(_fix_straight_quotes(line) for line in text.split("\n"))


def drop_trailing_boilerplate(text: str) -> str:
    """Drop lines like "Leave a Comment" from the end of the text, and only from there."""
    lines = text.rstrip("\n").split("\n")
    while lines and lines[-1].strip().lower() in TRAILING_BOILERPLATE:
        lines.pop()
    return "\n".join(lines).rstrip("\n")


def clean_text(text: str, *, drop_boilerplate: bool = True) -> str:
    """Normalise an article's text: NFC, no invisible or control characters, tidy spacing.

    Paragraphs end up separated by one blank line, lines have no leading, trailing or
    doubled spaces, and typographic quotes are kept (NFC, not NFKC) but stray spaces
    around them are fixed.

    Example:
        >>> clean_text("it was false, ”a senior\\u00a0official said.\\r\\n\\n\\n\\nLeave a Comment")
        'it was false,” a senior official said.'
    """
    text = text.replace(_PARAGRAPH_SEPARATOR, "\n\n")
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_NEWLINES.sub("\n\n", text)
    text = fix_quotes(text)
    if drop_boilerplate:
        text = drop_trailing_boilerplate(text)
    return text.strip()


# A word broken at a line end by a hyphen or a soft hyphen, as typeset pages break them:
# "with-\ndrawn", "well-\nknown", "40-\nmegawatt".
_BROKEN_WORD = re.compile(r"\b(\w+)([-\u00ad])[^\S\n]*\n[^\S\n]*(\w+)")
# Prefixes English writes with their hyphen ("self-imposed", "non-profit").
_HYPHENED_PREFIXES = frozenset(
    {"self", "non", "ex", "well", "all", "half", "vice", "cross", "co", "anti", "pro"}
)


def join_broken_words(text: str) -> str:
    """Words a page broke at a line end, whole again: a syllable break ("with-\ndrawn",
    or a soft hyphen) joined, "withdrawn"; a compound broken at its own hyphen
    ("well-\nknown", "40-\nmegawatt", "Biden-\nHarris") kept with its hyphen, on one line.

    Which is which is read from the text itself, where it writes the word elsewhere
    ("withdrawn" or "long-term"), else from the parts: a capital after the break or a
    digit before it, or a prefix English hyphenates, keeps the hyphen; a lower-case word
    broken after letters is taken for a syllable break, the usual reason for a hyphen at
    the end of a typeset line.
    """
    if not _BROKEN_WORD.search(text):
        return text
    words = {w.lower() for w in re.findall(r"\w[\w-]*", text)}

    def whole(match: re.Match[str]) -> str:
        head, mark, tail = match.groups()
        joined, hyphened = head + tail, f"{head}-{tail}"
        if mark == "\u00ad" or joined.lower() in words:
            return joined
        syllables = head[-1].isalpha() and tail[0].islower()
        if not syllables or hyphened.lower() in words or head.lower() in _HYPHENED_PREFIXES:
            return hyphened
        return joined

    return _BROKEN_WORD.sub(whole, text)


def clean_title(text: str) -> str:
    """A title on one line: :func:`clean_text` with every whitespace run made one space."""
    return " ".join(clean_text(text, drop_boilerplate=False).split())
