"""Properties of citation parsing (resolve_citations) over generated answers.

Whatever a model writes, with markers in range, out of range, doubled or missing:
every marker left points at a citation, every citation is marked, every quote is exactly
its span of the article, and no words are added or lost, only markers.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.citations import MARKER, resolve_citations
from assistant.answering.sentences import sentence_spans
from assistant.types import Passage

WORDS = [
    "council", "ferry", "harbour", "minister", "vote", "budget", "bridge", "strike",
    "the", "a", "said", "on", "Tuesday", "rose", "fell", "percent", "Northpoint", "mayor",
]  # fmt: skip

word = st.sampled_from(WORDS)
sentence = st.builds(
    lambda ws, end: " ".join(ws).capitalize() + end,
    st.lists(word, min_size=1, max_size=12),
    st.sampled_from([".", "!", "?", ".\u201d", ""]),
)


@st.composite
def passages(draw: st.DrawFn) -> list[Passage]:
    out = []
    for i in range(draw(st.integers(1, 5))):
        prefix = draw(st.text(alphabet="ab .\n", max_size=30))  # text before the chunk
        body = " ".join(draw(st.lists(sentence, min_size=1, max_size=5)))
        start = len(prefix)
        out.append(
            Passage(
                chunk_id=f"a{i}#0",
                article_id=f"a{i}",
                index=0,
                text=body,
                start=start,
                end=start + len(body),
            )
        )
    return out


marker = st.integers(0, 8).map(lambda n: f"[{n}]")
gap = st.sampled_from([" ", "", "  ", "\n", " \n\n"])


@st.composite
def answers(draw: st.DrawFn, given_passages: list[Passage]) -> str:
    """Sentences copied from the passages or made up, with markers anywhere near them."""
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            source = draw(st.sampled_from(given_passages)).text
            text = draw(st.sampled_from(re.split(r"(?<=[.!?])\s+", source)))
        else:
            text = draw(sentence)
        markers = "".join(draw(gap) + m for m in draw(st.lists(marker, max_size=3)))
        parts.append(text + markers if draw(st.booleans()) else markers + " " + text)
    return draw(gap).join(parts)


def bare(text: str) -> str:
    """The text without markers or white space: what the reader is told."""
    return re.sub(r"\s+", "", MARKER.sub("", text))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_resolved_markers_point_at_citations_whose_quotes_are_exact(data: st.DataObject) -> None:
    given_passages = data.draw(passages())
    raw = data.draw(answers(given_passages))

    text, citations = resolve_citations(raw, given_passages)

    marked = {int(n) for n in MARKER.findall(text)}
    assert marked == {c.n for c in citations}  # no marker points nowhere, none unmarked
    for c in citations:
        assert 1 <= c.n <= len(given_passages)
        assert c.passage is given_passages[c.n - 1]
        p = c.passage
        assert p.start <= c.quote_start < c.quote_end <= p.end
        assert p.text[c.quote_start - p.start : c.quote_end - p.start] == c.quote
    assert bare(text) == bare(raw)  # only markers change; not a word added or lost
    assert [c.n for c in citations] == sorted({c.n for c in citations})


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_sentence_copied_from_a_passage_is_cited_to_a_passage_that_holds_it(
    data: st.DataObject,
) -> None:
    given_passages = data.draw(passages())
    source = data.draw(st.sampled_from(given_passages))
    copied = data.draw(st.sampled_from([source.text[s:e] for s, e in sentence_spans(source.text)]))
    wrong = data.draw(st.integers(0, 9))

    text, citations = resolve_citations(f"{copied} [{wrong}]", given_passages)

    words = set(re.findall(r"\w+", copied.lower())) - {"the", "a", "on", "said"}
    if words:  # a sentence of function words alone supports nothing
        assert citations, text
        for c in citations:
            assert words <= set(re.findall(r"\w+", c.passage.text.lower()))
