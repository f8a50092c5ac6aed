"""Sentence splitting (pysbd's English rules, with citation markers and ellipses ours)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.sentences import is_furniture, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. said on Dec. 3 that it was false [1]. NATO disagreed [2].",
            ["The U.S. said on Dec. 3 that it was false [1].", "NATO disagreed [2]."],
        ),
        (  # a marker after the full stop belongs to the sentence before it
            "It was false. [1] [2] Then NATO said no. [3]",
            ["It was false. [1] [2]", "Then NATO said no. [3]"],
        ),
        (
            "He said “no.” [2] She left.",
            ["He said “no.” [2]", "She left."],
        ),
        (  # an ellipsis followed by lower case goes on
            "troops from the border. . . we now know it was false, ”an official said. Next.",
            ["troops from the border. . . we now know it was false, ”an official said.", "Next."],
        ),
        (  # "!" glued to a link is no full stop
            "An image ![x](http://x.example/i.png) here [2]. Next.",
            ["An image ![x](http://x.example/i.png) here [2].", "Next."],
        ),
        ("[1] [2]", ["[1] [2]"]),
        ("", []),
        ("  a b  ", ["a b"]),
        (
            "Title without a stop\n\nThe first sentence.",
            ["Title without a stop", "The first sentence."],
        ),
        (  # a time zone after "a.m." or "p.m." goes on; a sentence after one does not
            "It starts at 12:00 a.m. PT/3:00 a.m. ET [4]. Polls close at 7 p.m. EST and"
            " results follow. The vote is at 9 a.m. GMT. It ended at 10 p.m. ETA was noon.",
            [
                "It starts at 12:00 a.m. PT/3:00 a.m. ET [4].",
                "Polls close at 7 p.m. EST and results follow.",
                "The vote is at 9 a.m. GMT.",
                "It ended at 10 p.m.",
                "ETA was noon.",
            ],
        ),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Dec.", "U.S.", "troops", "[1]", " [2]", ".", "!", "?", "”", "\n\n", " ", "It", "we"]
        ),
        max_size=30,
    )
)
def test_spans_are_ordered_stripped_and_cover_every_character(pieces: list[str]) -> None:
    text = " ".join(pieces)
    spans = sentence_spans(text)
    covered = set()
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        covered.update(range(s, e))
        last = e
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@pytest.mark.parametrize(
    ("sentence", "furniture"),
    [
        ("QUIZ TIME", True),
        ("CNN —", True),
        ("Leave a Comment", True),
        ("Sign up for our newsletter", True),
        ("NATO said it had not seen any de-escalation.", False),
        ("The White House called the claims false.", False),
    ],
)
def test_page_furniture(sentence: str, furniture: bool) -> None:
    assert is_furniture(sentence) is furniture


def test_a_line_break_inside_a_sentence_does_not_end_it() -> None:
    text = (
        "Harbour ferry restarts\n\nThe ferry will sail again from\nSaturday, the harbour "
        "master said. The crossing stopped in March when a\nstorm bent the ramp."
    )
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Harbour ferry restarts",
        "The ferry will sail again from\nSaturday, the harbour master said.",
        "The crossing stopped in March when a\nstorm bent the ramp.",
    ]
