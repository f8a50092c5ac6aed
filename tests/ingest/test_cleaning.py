"""clean_text: Unicode and whitespace normalisation, and stray spaces around quotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.cleaning import clean_text, clean_title, join_broken_words

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "white-house-russia-withdrawal.txt"


def test_sample_article_quotes_are_fixed() -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    assert "false, ”a senior" in raw and "heard about it. ”" in raw
    text = clean_text(raw)
    assert "we now know it was false,” a senior Biden administration official" in text
    assert "We just heard about it.”\n" in text
    assert "face value,” the official added." in text
    assert " ”" not in text and "“ " not in text
    # Typographic quotes and apostrophes are kept as they are (NFC, not NFKC).
    assert "Kremlin’s claims" in text and "“fairly authoritative”" in text


def test_sample_article_drops_the_trailing_comment_prompt() -> None:
    text = clean_text(SAMPLE.read_text(encoding="utf-8"))
    assert text.endswith("Additional reporting by Andy Bounds in Brussels and Max Seddon in Moscow")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # quotes
        ("“ text” he said", "“text” he said"),
        ("he said “text ”.", "he said “text”."),
        ("false, ”a senior official", "false,” a senior official"),
        ("false,”a senior official", "false,” a senior official"),
        ("it. ”", "it.”"),
        ("she said ‘ no ’.", "she said ‘no’."),
        ('he said " hello " to me', 'he said "hello" to me'),
        ("the boys ’ toys", "the boys’ toys"),
        # things that look like stray quotes but are not: left alone
        ("the U.S.’s policy", "the U.S.’s policy"),
        ("rock ’n’ roll in the ’90s", "rock ’n’ roll in the ’90s"),
        ("„Hallo“ sagte er", "„Hallo“ sagte er"),
        ('a 5" screen and a 7" one', 'a 5" screen and a 7" one'),
        ('an odd " quote " count "', 'an odd " quote " count "'),
        # whitespace and invisible characters
        ("a\u00a0b\u202fc\td  e", "a b c d e"),
        ("zero\u200bwidth\u200d and\u2060 joiners\ufeff", "zerowidth and joiners"),
        ("\ufeffBOM first", "BOM first"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("one\r\ntwo\rthree\u2028four", "one\ntwo\nthree\nfour"),
        ("para\u2029next", "para\n\nnext"),
        ("  padded line  \n\t tabbed \t", "padded line\ntabbed"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("a\n \n\t\n \nb", "a\n\nb"),
        # Unicode: composed (NFC) but not compatibility-folded (NFKC)
        ("cafe\u0301", "café"),
        ("ﬁne ½ ™", "ﬁne ½ ™"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Body.\n\nLeave a Comment", "Body."),
        ("Body.\n\nShare this article\nADVERTISEMENT\n", "Body."),
        ("Leave a comment below.\n\nBody.", "Leave a comment below.\n\nBody."),
        ("Advertisement\n\nBody.", "Advertisement\n\nBody."),
    ],
)
def test_only_trailing_boilerplate_is_dropped(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(raw, drop_boilerplate=False).startswith(raw.split("\n")[0])


def test_clean_title_is_one_line() -> None:
    assert clean_title("  Comments\n on\tthe\u00a0news ") == "Comments on the news"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent_and_tidy(raw: str) -> None:
    text = clean_text(raw)
    assert clean_text(text) == text
    assert text == text.strip()
    assert "\n\n\n" not in text and "  " not in text and "\t" not in text and "\r" not in text
    assert all(line == line.strip() for line in text.split("\n"))


QUOTE_HEAVY = st.lists(
    st.sampled_from([*'ab .,!?“”‘’"\n\t—-5', "\u00a0", "’s", "word"]), max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(QUOTE_HEAVY)
def test_quote_fixes_are_idempotent(raw: str) -> None:
    text = clean_text(raw)
    assert clean_text(text) == text
    assert "  " not in text


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("it had with-\ndrawn", "it had withdrawn"),  # a syllable break
        ("it had with- \n drawn", "it had withdrawn"),
        ("infor\u00ad\nmation", "information"),  # a soft hyphen is always one
        ("a well-\nknown man", "a well-known man"),  # a prefix English hyphenates
        ("a 40-\nmegawatt farm", "a 40-megawatt farm"),  # a number before the break
        ("the Biden-\nHarris plan", "the Biden-Harris plan"),  # a capital after it
        # The text's own spelling decides: "long-term" elsewhere, "withdrawn" elsewhere.
        ("long-term and long-\nterm", "long-term and long-term"),
        ("with-\ndrawn and with-\ndrawn", "withdrawn and withdrawn"),
        ("the deal -\nwhich failed", "the deal -\nwhich failed"),  # a dash, not a hyphen
        ("no hyphen\nhere", "no hyphen\nhere"),
    ],
)
def test_words_broken_at_line_ends_are_whole_again(text: str, whole: str) -> None:
    assert join_broken_words(text) == whole
