"""The extractive backend answers with cited passages, or says the articles don't say."""

from pathlib import Path

import pytest

from assistant import CANNOT_ANSWER
from assistant.answering.citations import MARKER, resolve_citations
from assistant.answering.sentences import sentence_spans
from assistant.types import Passage


def test_who_disputed_the_withdrawal_cites_the_white_house(
    sample_store: Path, make_assistant
) -> None:
    answer = make_assistant(data_dir=sample_store).ask("Who disputed the withdrawal?")
    assert not answer.refused
    assert answer.citations
    cited = " ".join(c.passage.text for c in answer.citations)
    assert "we now know it was false" in cited
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text
        assert c.quote in c.passage.text
        offset = c.quote_start - c.passage.start
        assert c.passage.text[offset : offset + len(c.quote)] == c.quote


def test_an_unrelated_question_gets_the_fixed_reply(sample_store: Path, make_assistant) -> None:
    answer = make_assistant(data_dir=sample_store).ask("Who won the 2018 World Cup?")
    assert answer.refused
    assert answer.text == CANNOT_ANSWER
    assert answer.citations == ()
    assert answer.passages  # the closest passages are still offered


def _passage(n: int, text: str) -> Passage:
    return Passage(
        chunk_id=f"a#{n}",
        article_id="a",
        index=n,
        text=text,
        start=100 * n,
        end=100 * n + len(text),
    )


@pytest.mark.parametrize(
    ("text", "kept", "clean"),
    [
        ("Paris is big [1].", [1], "Paris is big [1]."),
        ("Paris is big [7].", [1], "Paris is big [1]."),  # no passage 7: re-pointed
        (
            "Apples are red [2]. Berlin is here [1][2].",
            [1, 2],
            "Apples are red [2]. Berlin is here [1].",
        ),  # passage 2 says nothing of Berlin
        ("No markers here.", [], "No markers here."),
        ("Tokyo is large [1].", [], "Tokyo is large."),  # nothing supports it
        ("Berlin is here [2].", [1], "Berlin is here [1]."),  # wrong number: re-pointed
        ("Berlin is here.", [1], "Berlin is here [1]."),  # no number: cited to its passage
        ("Rome has seven hills [1].", [], "Rome has seven hills."),
    ],
)
def test_markers_are_kept_only_where_their_passage_supports_the_sentence(
    text: str, kept: list[int], clean: str
) -> None:
    passages = [_passage(1, "Paris is a big city. Berlin is here."), _passage(2, "Apples are red.")]
    cleaned, citations = resolve_citations(text, passages)
    assert cleaned == clean
    assert [c.n for c in citations] == kept


def test_the_quote_is_the_best_matching_sentence() -> None:
    passage = _passage(1, "Rain fell on Monday. The mayor resigned on Tuesday. Sun on Friday.")
    _, (citation,) = resolve_citations("The mayor resigned [1].", [passage])
    assert citation.quote == "The mayor resigned on Tuesday."
    assert citation.quote_start == 100 + passage.text.index("The mayor")


def test_sentence_spans_keep_closing_quotes_and_markers() -> None:
    text = "He said “no.” [1] Then he left. Done"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "He said “no.” [1]",
        "Then he left.",
        "Done",
    ]


def test_a_marker_moves_to_the_passage_that_plainly_says_it() -> None:
    passages = [
        _passage(1, "Berlin is a city in Germany with many parks."),
        _passage(2, "Berlin parks opened on Monday, the mayor said."),
    ]
    text, (citation,) = resolve_citations(
        "The mayor said Berlin parks opened on Monday [1].", passages
    )
    assert text == "The mayor said Berlin parks opened on Monday [2]."
    assert citation.n == 2


def test_a_marker_moves_to_the_passage_that_holds_every_word_of_the_sentence() -> None:
    # Found by the property test: [3] holds four of the five words, [2] all five.
    passages = [
        _passage(1, "Council."),
        _passage(2, "Council ferry harbour minister vote. Council."),
        _passage(3, "Council ferry harbour minister."),
    ]
    text, (citation,) = resolve_citations("Council ferry harbour minister vote. [3]", passages)
    assert text == "Council ferry harbour minister vote. [2]"
    assert citation.quote == "Council ferry harbour minister vote."


def test_an_articles_own_bracketed_numbers_are_not_quoted_as_citations(
    tmp_path: Path, make_assistant
) -> None:
    # A reference page's footnote marks, quoted as they stand, would cite whichever
    # passages carry those numbers: here one is another article's, which says the same.
    (tmp_path / "treaty.md").write_text(
        "# The Treaty of Rome\n\nSix countries signed the Treaty of Rome in March 1957.[1][2]"
        " It founded the European Economic Community.[3]\n"
    )
    (tmp_path / "anniversary.md").write_text(
        "# Sixty years on\n\nLeaders recalled that six countries signed the Treaty of Rome"
        " in March 1957.\n"
    )
    bot = make_assistant()
    bot.ingest([tmp_path / "treaty.md", tmp_path / "anniversary.md"])
    answer = bot.ask("When was the Treaty of Rome signed?")
    quoted = [answer.text[s:e] for s, e in sentence_spans(answer.text)]
    (sentence,) = [s for s in quoted if s.startswith("Six countries signed")]
    (n,) = MARKER.findall(sentence)
    assert answer.passages[int(n) - 1].title == "The Treaty of Rome"
    assert sentence == f"Six countries signed the Treaty of Rome in March 1957. [{n}]"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("?!?...", "only punctuation"),
        ("x" * 20_000, "20,000 characters"),
    ],
)
def test_questions_that_cannot_be_asked_get_a_clear_message(
    sample_store: Path, make_assistant, question: str, message: str
) -> None:
    from assistant import QuestionError

    with pytest.raises(QuestionError, match=message):
        make_assistant(data_dir=sample_store).ask(question)


@pytest.mark.parametrize(
    "question", ["¿Quién negó la retirada de las tropas?", "谁否认了撤军？", "Who? " * 300]
)
def test_other_languages_and_long_questions_get_a_reply(
    sample_store: Path, make_assistant, question: str
) -> None:
    answer = make_assistant(data_dir=sample_store).ask(question)
    assert answer.text  # an answer or the fixed reply, never a crash
    assert answer.refused == (answer.text == CANNOT_ANSWER)
