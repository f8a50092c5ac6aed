"""Query rule: a question that names an outlet ("as TechCrunch reported") is about its
stories; a candidate from a source the question names gains the fusion's
``source_weight``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_OUTLET_PARTS = re.compile(r"\s+[-|:·]\s+")


@lru_cache(maxsize=1024)
def _outlet_pattern(source: str) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    """The ways a question may name a source, as written (an outlet's name is capitalised,
    so 'an independent inquiry' does not name The Independent): 'The Independent - Sports'
    is named by 'The Independent - Sports', 'The Independent' or 'Independent'. The second
    pattern holds the names that lost their 'The', which are often plain words that any
    sentence capitalises first ('Age of the victims?' does not name The Age). None for a
    source too short to tell from an abbreviation."""
    full = source.strip()
    written = {n for n in {full, _OUTLET_PARTS.split(full)[0]} if len(n) >= 3}
    bare = {n.removeprefix("The ") for n in written} - written
    bare = {n for n in bare if len(n) >= 3}
    if not written:
        return None
    return _alternatives(written), _alternatives(bare) if bare else None


def _alternatives(names: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s)[\W_]*$")


def names_source(question: str, source: str) -> bool:
    """Whether the question names the passage's source."""
    patterns = _outlet_pattern(source) if source else None
    if not patterns:
        return False
    written, bare = patterns
    if written.search(question):
        return True
    return bare is not None and any(
        not _SENTENCE_START.search(question[: m.start()]) for m in bare.finditer(question)
    )
