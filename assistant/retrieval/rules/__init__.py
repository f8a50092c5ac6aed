"""Query rules: the question's own exact terms, which neither dense search nor BM25 weighs
as a reader does. Each rule is a file of its own; each gives a candidate a bonus, on the
scale where a chunk first in both candidate lists scores 1, times its weight in the
profile's fusion (0 turns it off). How each was measured, in and out of sample:
``docs/retrieval.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.retrieval.rules.dates import asks_when, states_a_date
from assistant.retrieval.rules.numbers import number_match, numbers
from assistant.retrieval.rules.outlets import names_source
from assistant.types import Passage

__all__ = ["asks_when", "names_source", "number_match", "numbers", "rule_bonuses", "states_a_date"]


def rule_bonuses(
    query: str,
    passages: Sequence[Passage],
    *,
    number_weight: float,
    source_weight: float,
    date_weight: float,
) -> list[float] | None:
    """Each passage's bonus from the rules, in order; None when no rule applies."""
    wanted = numbers(query) if number_weight else frozenset()
    sources = {p.source for p in passages if p.source} if source_weight else set()
    named = {source for source in sources if names_source(query, source)}
    when = bool(date_weight) and asks_when(query)
    if not (wanted or named or when):
        return None
    return [
        number_weight * number_match(wanted, p)
        + (source_weight if p.source in named else 0.0)
        + (date_weight if when and states_a_date(p.text) else 0.0)
        for p in passages
    ]
