"""The page's HTML, built without Gradio."""

from __future__ import annotations

import subprocess
import sys

from assistant import Answer, Citation, Passage
from assistant.web import views as page
from tests.conftest import ROOT

# -- the page's HTML -------------------------------------------------------------------------


def test_page_needs_no_gradio() -> None:
    code = (
        "import sys, assistant.web.views; sys.exit('gradio' in sys.modules or 'app' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_answer_markers_link_only_to_cited_passages() -> None:
    text = "The ferry sails again."
    p = Passage("c#0", "a", 0, text, 100, 100 + len(text), title="Ferry", url="https://x.org/f")
    citation = Citation(1, p, "sails again", 110, 121)
    answer = Answer("q", "It sails [1][2] again [9].", (citation,), (p,), "extractive")

    reply = page.answer_html(answer, 3)
    assert reply.count('class="nd-cite"') == 1 and 'href="#nd-t3-p1"' in reply
    assert "[2]" not in reply and "[9]" not in reply  # a number that points at nothing
    assert '<div class="nd-foot">1 cited passage · extractive</div>' in reply
    panel = page.sources_section(3, "q", [p], answer)
    assert "The ferry <mark>sails again</mark>." in panel and 'id="nd-t3-p1"' in panel
    assert 'href="https://x.org/f"' in panel


def _short_answer(sentence: str, text: str, short: str) -> Answer:
    """An answer whose ``text`` cites one passage, the whole ``sentence``, under ``short``."""
    p = Passage("c#0", "a", 0, sentence, 0, len(sentence), title="Ferry")
    citation = Citation(1, p, sentence, 0, len(sentence))
    return Answer("q", text, (citation,), (p,), "local", short=short)


def test_the_short_answer_shows_in_bold_before_its_cited_sentences() -> None:
    answer = _short_answer(
        "The ferry sails again on Saturday.",
        "Saturday.\n\nThe ferry sails again on Saturday [1].",
        "Saturday.",
    )
    reply = page.answer_html(answer, 1)
    assert '<p class="nd-short"><strong>Saturday.</strong></p>The ferry sails' in reply


def test_a_short_answer_its_sentence_opens_with_is_bold_in_the_sentence() -> None:
    answer = _short_answer(
        "Zelensky expressed skepticism, telling reporters to wait.",
        "Zelensky expressed skepticism, telling reporters to wait [1].",
        "Zelensky expressed skepticism.",
    )
    reply = page.answer_html(answer, 1)
    assert "<strong>Zelensky expressed skepticism</strong>, telling reporters" in reply
    assert reply.count("Zelensky expressed skepticism") == 1


def test_only_the_latest_sources_show() -> None:
    sections = [page.sources_section(t, f"q{t}", [], None) for t in range(3)]
    panel = page.sources_panel(sections)
    assert panel.count("<section hidden ") == 2
    assert '<section class="nd-turn" data-turn="2"' in panel
    assert page.sources_panel([]) == page.SOURCES_EMPTY
