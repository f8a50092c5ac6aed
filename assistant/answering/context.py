"""What the model is given: diverse passages within a token budget, numbered, and the
latest turns of the conversation within theirs."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.types import Passage, Turn
from ingest.tokenizer import count_tokens


def within_budget(passages: Sequence[Passage], max_tokens: int) -> list[Passage]:
    """The best passages, in order, whose texts fit in ``max_tokens`` (at least one)."""
    kept: list[Passage] = []
    used = 0
    for passage in passages:
        cost = count_tokens(passage.text)
        if kept and used + cost > max_tokens:
            break
        kept.append(passage)
        used += cost
    return kept


def diversify(passages: Sequence[Passage], k: int, per_article: int) -> list[Passage]:
    """The k best passages with at most ``per_article`` from one article, in rank order;
    when too few articles are found to fill k, the best remaining passages fill in."""
    picked: list[Passage] = []
    rest: list[Passage] = []
    counts: dict[str, int] = {}
    for passage in passages:
        if counts.get(passage.article_id, 0) < per_article and len(picked) < k:
            picked.append(passage)
            counts[passage.article_id] = counts.get(passage.article_id, 0) + 1
        else:
            rest.append(passage)
    fill = rest[: max(0, k - len(picked))]
    return sorted(picked + fill, key=passages.index)


def bounded_history(history: Sequence[Turn], max_tokens: int) -> list[Turn]:
    """The latest turns whose text fits in ``max_tokens``."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(history):
        used += count_tokens(turn.question) + count_tokens(turn.answer)
        if used > max_tokens:
            break
        kept.append(turn)
    return kept[::-1]


def format_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages with where they come from, as the model sees them."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        about = " · ".join(x for x in (p.title, p.source, p.published) if x)
        blocks.append(f"[{n}] {about}\n{p.text}")
    return "\n\n".join(blocks)
