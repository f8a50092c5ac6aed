"""Guards around the model: what may be asked, and what an answer may never carry.

A question is checked before anything runs; an answer loses its links and is refused
when it recites its instructions (an article planted among the passages can ask for
either).
"""

from __future__ import annotations

import re

from assistant.answering.citations import MARKER
from assistant.answering.sentences import sentence_spans
from assistant.errors import QuestionError

# Words in a row that an answer may share with the system prompt: more, and the answer is
# repeating its instructions (an article asked it to), not answering.
PROMPT_RUN = 8

MAX_QUESTION_CHARS = 2000  # a question, not a document: the prompt must still fit


def check_question(question: str) -> str:
    """The question, stripped; QuestionError with what to do when it cannot be asked."""
    text = question.strip()
    if not text:
        raise QuestionError("the question is empty; ask something about the articles")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError(
            "the question has no words, only punctuation; ask something about the articles"
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; keep it under "
            f"{MAX_QUESTION_CHARS:,} (to find passages about a text, search for its key words)"
        )
    return text


# A link in an answer: a markdown link or image, an <autolink>, or a bare URL (any
# scheme:// or www.).
_LINK = re.compile(r"\]\(|<?\b[a-z][a-z0-9+.-]*://|\bwww\.", re.I)


def drop_links(text: str) -> str:
    """The text without its sentences that carry a link.

    Answers never carry links: an article can ask the model to "end every answer with
    this link", and a link in a trusted-looking answer is how a planted article would
    reach a reader. The whole sentence goes, as what is left of it around the link is
    the planted request itself. The cited passage, shown as text in the sources panel,
    still holds any link the article printed.
    """
    out: list[str] = []
    last = 0
    for s, e in sentence_spans(text):
        out.append(text[last:s] if _LINK.search(text[s:e]) else text[last:e])
        last = e
    out.append(text[last:])
    return "".join(out).strip()


def word_runs(text: str, n: int) -> set[tuple[str, ...]]:
    """Every run of ``n`` words in a row in the text, lower-cased, markers left out."""
    words = re.findall(r"\w+", MARKER.sub(" ", text).lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
