"""Page furniture: the lines a page or an export carries around an article's reporting.

Two passes take it out, both on whole lines of the cleaned text (a line is a paragraph,
or a line of one), never on part of a sentence, with one exception: a dateline such as
"CNN —" or "WASHINGTON (Reuters) -" opening a paragraph is cut off and the sentence kept.

1. :func:`strip_furniture`, per article, as it is loaded: the lines that match one of
   :data:`FURNITURE_PATTERNS`, a short list of what pages say around every article
   (calls to comment, share or subscribe, ads, cookie notices, quizzes, photo credits,
   bylines and a wire story's credit lines, a dateline standing alone).
2. :func:`drop_repeated_lines`, per ingest run, counting the articles of earlier runs
   too (:mod:`ingest.seen_lines`): a short line that many articles of the same source
   carry (a site's slogan, its newsletter box in its own words) is the site's, not the
   article's. See its docstring for the thresholds.

``ingest.cleaning.drop_trailing_boilerplate`` still drops a bare "Comments" or "Share
this:" at the very end, where a heading of that name cannot be the article's.

The text that remains is the article's text: chunks are cut from it and their offsets
index into it, so a citation always opens what was stored.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from ingest.documents import Article
from ingest.seen_lines import Seen, SeenLines, line_key

logger = logging.getLogger(__name__)

# A place in capitals ("WASHINGTON", "NEW YORK", "ST. LOUIS"), maybe with its state or
# country as AP and Reuters write them ("HADLEY, Mont.", "HADLEY, Montana", "KYIV,
# Ukraine") and a day ("LONDON, March 3"), and an outlet in brackets ("(CNN)",
# "(Reuters)", "(AP)").
_PLACE = (
    r"[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}"
    r"(?:,\s*[A-Z][a-z]+\.?(?:\s[A-Z][a-z]+\.?)?)?(?:,\s*[A-Z][a-z]{2,}\.?\s+\d{1,2})?"
)
_OUTLET = r"\([A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)?\)"
# A dateline opening a paragraph: "CNN — ", "(CNN) — ", "WASHINGTON (Reuters) - ",
# "LONDON, March 3 (Reuters) - ". Capitals alone need a long dash ("NATO-led" is a word);
# with an outlet in brackets a hyphen will do. Case-sensitive, and the sentence after it
# must start as one does: "said — " is no dateline, nor is "NATO — the alliance".
DATELINE = re.compile(
    rf"(?:(?:{_PLACE}\s*)?{_OUTLET}\s*[—–-]{{1,2}}|{_PLACE}\s*[—–])\s+(?=[A-Z\d“‘\"'])"
)

# Inside the brackets of a photo credit: "(Getty Images)", "(AP Photo/Evan Vucci)",
# "(Photo by Ann Lee/Reuters)", "(Image credit: NASA)".
_CREDIT = (
    r"(?:(?:photo(?:graph)?|image|picture)s?(?:\s+credit)?\s*(?::|by\b|/)[^()]*"
    r"|[^()]*\bgetty images\b[^()]*|ap photo\b[^()]*"
    r"|[^()]*/\s*(?:reuters|ap|afp|getty|shutterstock)\b[^()]*|shutterstock)"
)

# Who did what on a wire story ("Additional reporting by", "Editing by") and the names
# after it: capitalised words joined by commas, "and", "&" or a place's "in"/"from". Each
# separator and word can be read one way only (names start upper-case, joining words
# lower-case), so a long line cannot make the match backtrack.
_ROLE_BY = (
    r"(?:additional |further )?(?:reporting|writing|editing|research|compiled|graphics)"
    r"(?: and (?:reporting|writing|editing|research))?\s+by"
)
_NAME = r"(?-i:[A-Z][\w'’.]*(?:-[\w'’.]+)*)"
_NAMES = rf"\s+{_NAME}(?:(?:\s*,\s*|\s+(?:and|in|from|at|&)\s+|\s+){_NAME})*"

# Whole lines that are furniture wherever they stand, matched case-insensitively from
# the line's first character to its last. Each entry is one kind, with an example.
FURNITURE_PATTERNS: tuple[str, ...] = (
    r"leave a (?:comment|reply)\b.{0,40}",  # Leave a Comment / Leave a Reply Cancel reply
    r"sign up\b.*\bnewsletters?\b.*",  # Sign up for our newsletter to get the latest
    r"subscribe\b.*",  # Subscribe to our daily briefing
    r"advertisement:?|sponsored content",  # Advertisement
    r"read more\b.*",  # Read more: Ferry fares rise again
    r"share (?:this|on)\b.*",  # Share this article / Share on Facebook
    r"follow us\b.*",  # Follow us on X
    r"click here\b.*",  # Click here to listen
    r"(?-i:QUIZ TIME)\b.*|quiz time:.*",  # QUIZ TIME Which show was green lit…
    # Cookie notices: We use cookies… / This site uses cookies… / Accept all cookies
    r"we use cookies\b.*",
    r"(?:this|our) (?:web)?site uses cookies\b.*",
    r"by (?:continuing|using)\b.*\bcookies\b.*",
    r"(?:accept|reject|manage) (?:all )?cookies",
    # Photo credits: Photo: Ann Lee/Reuters / Image credit: NASA / Photograph by Ann Lee /
    # (Getty Images) / a caption ending in its credit.
    r"(?:photo(?:graph)?|image|picture)s?(?:\s+(?:credit|source|courtesy))?\s*:.*",
    r"(?:photo(?:graph)?|image|picture)s? (?:credit|courtesy|by)\b.*",
    r"credits?:.*",
    rf".*\({_CREDIT}\)",
    # A byline and no more: By Ann Lee and Bo Park, CNN / By ANN LEE | Updated 10:00 GMT
    # (each separator and each word can be read one way only: no backtracking blow-up)
    r"(?-i:By\s+[A-Z][\w'’.:]*(?:-[\w'’.:]+)*"
    r"(?:(?:\s*[,|—–]\s*|\s+-\s+|\s+)(?:[A-Z\d][\w'’.:]*(?:-[\w'’.:]+)*|and|in|&))*)",
    # Credit lines closing a wire story: Additional reporting by Andy Bounds in Brussels /
    # (Reporting by Ann Lee; Editing by Bo Park) / Ann Lee contributed to this report. /
    # Contributing: Bo Park, USA TODAY (after "by", only names, places and joining words)
    rf"\(?{_ROLE_BY}{_NAMES}(?:\s*[;,]\s*{_ROLE_BY}{_NAMES})*\s*\)?\.?",
    r"[^.!?\n]{0,120}\bcontributed (?:reporting )?(?:to|for) this (?:report|story|article)\.?",
    r"[^.!?\n]{0,120}\bcontributed reporting\.?",
    r"contributing(?: writers?| reporters?)?:\s.*",
    r"our standards:.{0,30}\btrust principles\b.*",  # Our Standards: The Thomson Reuters Trust…
    # A dateline on a line of its own: CNN — / (CNN) — / WASHINGTON (Reuters) -
    rf"(?-i:(?:{_PLACE}(?:\s*{_OUTLET})?|{_OUTLET})\s*[—–-]{{1,2}})",
)
FURNITURE = re.compile(r"(?:" + "|".join(FURNITURE_PATTERNS) + r")\s*\Z", re.I | re.S)

# A longer line is a paragraph of reporting whatever it starts with.
MAX_FURNITURE_WORDS = 40

_BLANK_LINES = re.compile(r"\n{3,}")


def _short(line: str, max_words: int) -> bool:
    """Whether a line has at most ``max_words`` words (a long line is not split to count)."""
    return len(line) <= 30 * max_words and len(line.split()) <= max_words


def is_furniture_line(line: str) -> bool:
    """Whether a whole line is page furniture (one of :data:`FURNITURE_PATTERNS`).

    Example:
        >>> is_furniture_line("Sign up for our newsletter"), is_furniture_line("(Getty Images)")
        (True, True)
        >>> is_furniture_line("Regulators said sites that use cookies must ask first.")
        False
    """
    line = line.strip()
    return bool(line) and _short(line, MAX_FURNITURE_WORDS) and bool(FURNITURE.match(line))


def strip_dateline(paragraph: str) -> str:
    """The paragraph without a dateline opening it; the sentence after it is kept.

    Example:
        >>> strip_dateline("WASHINGTON (Reuters) - The Senate voted on Tuesday.")
        'The Senate voted on Tuesday.'
        >>> strip_dateline("NATO-led forces moved on Tuesday.")
        'NATO-led forces moved on Tuesday.'
    """
    match = DATELINE.match(paragraph)
    return paragraph[match.end() :] if match else paragraph


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (an article can be 20 MB)."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _rebuilt(text: str, edit: Callable[[str, bool], str | None]) -> str:
    """``text`` with each line replaced by ``edit(line, starts_paragraph)`` (None drops
    it), with at most one blank line left between paragraphs; ``text`` itself when no
    line changed, so an article without furniture is not copied."""
    kept: list[str] = []
    changed = False
    paragraph_start = True
    for line in _lines(text):
        new = edit(line, paragraph_start)
        if new is None:
            changed = True
            continue  # the line after it still starts where the paragraph did
        changed = changed or new is not line
        kept.append(new)
        paragraph_start = not new.strip()
    if not changed:
        return text
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


def _strip_line(line: str, paragraph_start: bool) -> str | None:
    if is_furniture_line(line):
        return None
    return strip_dateline(line) if paragraph_start else line


def strip_furniture(text: str) -> str:
    """Cleaned text without its furniture lines, and without a dateline opening a paragraph.

    Example:
        >>> strip_furniture("CNN — A court ruled on Monday.\\n\\nAdvertisement\\n\\nIt was final.")
        'A court ruled on Monday.\\n\\nIt was final.'
    """
    return _rebuilt(text, _strip_line)


# -- lines repeated across a source's articles ------------------------------------------

#: A line must be in at least this many distinct articles of a source ...
MIN_ARTICLES = 3
#: ... and in at least this share of them, to be taken for the source's furniture.
MIN_SHARE = 0.3
#: Only lines of at most this many words count; a longer one is a paragraph of reporting.
MAX_LINE_WORDS = 25


def source_key(article: Article) -> str:
    """The group an article's furniture is shared with: its outlet, else its site, else
    its folder.

    The ``source`` field (an export's, or a page's site name) when there is one, case
    folded; else the url's host without ``www.``; else the folder of the file it came
    from (an export's rows share their file's folder); else ``""``.

    Example:
        >>> source_key(Article(id="a", title="", text="x", url="https://www.ft.com/a"))
        'site:ft.com'
    """
    if article.source.strip():
        return "source:" + " ".join(article.source.split()).casefold()
    for where in (article.url, article.path):
        if "://" in where and (host := urlsplit(where).hostname):
            return "site:" + host.removeprefix("www.")
    if article.path:
        return "folder:" + str(Path(article.path).parent)
    return ""


def normalise_line(line: str) -> str:
    """A line as it is compared across articles: whitespace collapsed, case folded."""
    return " ".join(line.split()).casefold()


def _candidates(text: str, max_words: int) -> set[str]:
    """The distinct short lines of a text, normalised."""
    return {normalise_line(x) for x in _lines(text) if x.strip() and _short(x, max_words)}


def _unless_repeated(drop: set[str], max_words: int, line: str, _: bool) -> str | None:
    """None for a short line whose key is in ``drop`` (:func:`line_key`), else the line."""
    return None if _short(line, max_words) and line_key(normalise_line(line)) in drop else line


def drop_repeated_lines(
    articles: Sequence[Article],
    *,
    seen: SeenLines | None = None,
    min_articles: int = MIN_ARTICLES,
    min_share: float = MIN_SHARE,
    max_words: int = MAX_LINE_WORDS,
) -> list[Article]:
    """The articles without the short lines many articles of their source carry.

    Within one ingest run, articles are grouped by :func:`source_key`. A line (a whole
    line of the cleaned text, compared whitespace-collapsed and case-folded) of at most
    ``max_words`` words is dropped from every article of the group when it appears in at
    least ``min_articles`` distinct articles *and* in at least ``min_share`` of the
    group's articles.

    Why these defaults: furniture is on every page a site serves, so on a run of a site's
    articles it shows up in nearly all of them, far above 30%; reporting shares a line
    across articles only now and then (the same quote in two stories of a running story),
    which two articles sharing a line must not be taken for. Three articles is the fewest
    in which a repeat says more about the site than about the story, and 30% keeps a
    line that a few stories of a large export happen to share (a quote in 5 of 100
    stories stays). Lines of more than 25 words are paragraphs of reporting, which a site
    does not paste into every page; a syndicated story carried whole by several articles
    keeps its long paragraphs.

    ``seen``: the short lines of the source's articles of earlier runs
    (:class:`ingest.seen_lines.SeenLines`), counted with this run's, which are then
    recorded in it; an article of this run replaces its own earlier record. Without it
    only the articles of this run are compared. Either way an article stored before its
    source's furniture was recognised keeps those lines until it is ingested again.

    An article whose every line would go is left as it was (its text is all it has).
    Order and everything but ``text`` are kept.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        groups[source_key(article)].append(i)
    result = list(articles)
    for key, members in groups.items():
        now: dict[str, Seen] = {
            articles[i].id: (
                line_key(articles[i].text),
                tuple(sorted({line_key(x) for x in _candidates(articles[i].text, max_words)})),
            )
            for i in members
        }
        earlier: dict[str, Seen] = {}
        if seen is not None and key:
            earlier = seen.earlier(key, exclude=now)
            seen.record(key, now)
        # The same text counts once (the same story loaded under two ids).
        distinct = dict([*earlier.values(), *now.values()])
        needed = max(min_articles, math.ceil(min_share * len(distinct)))
        counts = Counter(k for keys in distinct.values() for k in keys)
        drop = {k for k, n in counts.items() if n >= needed} if len(distinct) >= needed else set()
        if not drop:
            continue
        logger.debug("%d lines repeated across the articles of %r dropped", len(drop), key)
        for i in members:
            article = articles[i]
            text = _rebuilt(article.text, partial(_unless_repeated, drop, max_words))
            if text and text is not article.text:
                result[i] = replace(article, text=text)
    return result
