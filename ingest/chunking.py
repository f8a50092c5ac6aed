"""Token-aware chunks of an article, each with its exact character offsets in the article.

LangChain's recursive splitter cuts at paragraph breaks first, then line breaks, then
sentence ends, then spaces, and only then inside words; it measures pieces in tokens of
our offline tiktoken encoding. It returns bare strings, so we find each chunk's place in
the article ourselves (see :func:`locate_chunks`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.documents import Article, Chunk
from ingest.tokenizer import get_encoding

# A sentence ends at ".", "!" or "?", maybe followed by a closing quote or bracket, and
# the space after it is where we cut. Python's look-behind needs a fixed width, so each
# width gets its own.
SENTENCE_END = r"(?:(?<=[.!?…])|(?<=[.!?…][”’\"')\]]))\s+"
SEPARATORS = ["\n\n", "\n", SENTENCE_END, " ", ""]

# One character is at most 4 UTF-8 bytes, so at most 4 tokens: the smallest chunk that
# can always hold the smallest piece the splitter makes.
MIN_CHUNK_TOKENS = 4

_VISIBLE = re.compile(r"\S")


def _token_counter(encoding: str) -> Callable[[str], int]:
    """A function counting tokens of ``encoding``; special-token text counts as text."""
    encode = get_encoding(encoding).encode
    return lambda text: len(encode(text, disallowed_special=()))


def _fit(text: str, limit: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Spans cutting ``text`` into consecutive pieces of at most ``limit`` tokens.

    The splitter adds up the token counts of the pieces it joins, but a joined string can
    take a token more than its pieces did ("😀a! 漢aaab. ." is 11 tokens made of pieces
    adding up to 10); this is the rare fix for that. It cuts at the last space that fits.
    """
    spans = []
    start = 0
    while count(text[start:]) > limit:
        lo, hi = start + 1, len(text)  # the longest prefix that fits, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if count(text[start:mid]) <= limit else (lo, mid - 1)
        space = max(text.rfind(" ", start + 1, lo + 1), text.rfind("\n", start + 1, lo + 1))
        cut = space if space > start else lo
        spans.append((start, start + len(text[start:cut].rstrip())))
        start = _next_visible(text, cut)
    return [*spans, (start, len(text))] if start < len(text) else spans


def _next_visible(text: str, pos: int) -> int:
    """The index of the first non-whitespace character at or after ``pos`` (or ``len``)."""
    match = _VISIBLE.search(text, pos)
    return match.start() if match else len(text)


def locate_chunks(text: str, pieces: list[str]) -> list[int]:
    """The start offset of each piece in ``text``, in order, so that together they cover it.

    Each piece starts at or after the previous piece's start, and no later than the
    first visible character after the previous piece's end: the splitter only drops
    whitespace. Searching forward for the first match is almost always the answer, but a
    text that repeats itself can fool it ("ab ab ab cd" cut as "ab ab", "ab cd"), so we
    search depth-first, latest match first, backing up from dead ends (remembered, so
    each start is tried once) until the pieces reach the end of the text.

    Raises:
        ValueError: the pieces are not consecutive spans of ``text``.
    """
    if not pieces:
        return []

    def options(k: int, previous: int) -> list[int]:
        """Where piece ``k`` may start when piece ``k - 1`` starts at ``previous``."""
        latest = _next_visible(text, previous + len(pieces[k - 1]))
        found, pos = [], text.find(pieces[k], previous, latest + len(pieces[k]))
        while pos != -1:
            found.append(pos)
            pos = text.find(pieces[k], pos + 1, latest + len(pieces[k]))
        return found

    first = _next_visible(text, 0)
    path = [first] if text.startswith(pieces[0], first) else []
    untried: list[list[int]] = [[]]  # untried[k]: other starts for piece k, latest last
    dead: set[tuple[int, int]] = set()  # (k, start) from which no placement reaches the end
    while path:
        k = len(path)
        if k == len(pieces):
            if not text[path[-1] + len(pieces[-1]) :].strip():
                return path
        elif starts := [s for s in options(k, path[-1]) if (k, s) not in dead]:
            path.append(starts.pop())
            untried.append(starts)
            continue
        while path:  # a dead end: back up to the last piece with another start to try
            level = len(path) - 1
            dead.add((level, path.pop()))
            if untried[level]:
                path.append(untried[level].pop())
                break
            untried.pop()
    raise ValueError("the chunks are not consecutive spans of the text")


def chunk_article(
    article: Article,
    *,
    chunk_tokens: int = 180,
    overlap_tokens: int = 30,
    encoding: str = "cl100k_base",
) -> list[Chunk]:
    """Cut an article into chunks of at most ``chunk_tokens`` tokens, at natural breaks.

    Neighbouring chunks share up to ``overlap_tokens`` tokens, so a sentence cut at a
    chunk's edge is whole in one of them. With the defaults, a 1,000-token article gives
    about 6 chunks of 150-180 tokens.

    Args:
        article: the article; its ``text`` is what gets cut.
        chunk_tokens: the most tokens one chunk may hold (at least 4).
        overlap_tokens: the most tokens a chunk repeats from the one before.
        encoding: a tiktoken encoding shipped offline (``cl100k_base`` or ``o200k_base``).

    Returns:
        Chunks numbered 0..n-1, each with ``article.text[c.start:c.end] == c.text``.

    Raises:
        ValueError: the sizes are not positive, or the overlap is not below the chunk size.
    """
    if chunk_tokens < MIN_CHUNK_TOKENS:
        raise ValueError(f"chunk_tokens must be at least {MIN_CHUNK_TOKENS}, got {chunk_tokens}")
    if not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError(
            f"overlap_tokens must be at least 0 and below chunk_tokens ({chunk_tokens}), "
            f"got {overlap_tokens}"
        )
    count = _token_counter(encoding)
    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator=True,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap_tokens,
        length_function=count,
    )
    pieces = splitter.split_text(article.text)
    spans: list[tuple[int, int]] = []
    for piece, start in zip(pieces, locate_chunks(article.text, pieces), strict=True):
        assert article.text[start : start + len(piece)] == piece, "offsets must point at text"
        spans.extend((start + a, start + b) for a, b in _fit(piece, chunk_tokens, count))
    # Cutting an oversized chunk, or overlap that popped only whitespace, can leave a span
    # inside another; in start order, keep only spans that reach further than the last.
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if not kept or end > kept[-1][1]:
            kept.append((start, end))
    chunks = []
    article_hash = article.content_hash  # once: it hashes the whole text (20 MB, 27k chunks)
    for index, (start, end) in enumerate(kept):
        chunks.append(
            Chunk(
                article_id=article.id,
                index=index,
                text=article.text[start:end],
                start=start,
                end=end,
                title=article.title,
                url=article.url,
                published=article.published,
                source=article.source,
                author=article.author,
                article_hash=article_hash,
            )
        )
    return chunks
