"""Evaluation reports: only web links become links, whatever an article's url says."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.evaluation.reports import html_report, markdown_report


def _record(url: str) -> dict[str, Any]:
    """One answered question citing one passage of an article at ``url``."""
    return {
        "id": "q1",
        "question": "What happened?",
        "answer": "It happened [1].",
        "refused": False,
        "metrics": {"hit@5": 1.0, "f1": 0.5},
        "timings": {"total_s": 0.1},
        "gold": {"gold_ids": ["a"]},
        "retrieved": [{"rank": 1, "article_id": "a", "url": url}],
        "citations": [
            {
                "n": 1,
                "article_id": "a",
                "title": "Title",
                "url": url,
                "quote": "the quote",
                "start": 0,
                "end": 9,
            }
        ],
    }


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/a",
    ],
)
def test_a_url_that_is_not_http_is_shown_as_text_not_linked(url: str) -> None:
    page = html_report([_record(url)], "run")
    assert "<a " not in page and "href=" not in page
    assert "[1] Title" in page
    markdown = markdown_report([_record(url)], "run")
    assert "](" not in markdown
    assert "[1] a" in markdown


@pytest.mark.parametrize("url", ["https://x.org/a", "http://x.org/a", "HTTPS://X.org/a"])
def test_a_web_url_becomes_a_link_to_the_quote(url: str) -> None:
    page = html_report([_record(url)], "run")
    assert f'<a href="{url}#:~:text=the%20quote">[1] Title</a>' in page
    assert f"[[1]]({url}#:~:text=the%20quote)" in markdown_report([_record(url)], "run")


def test_a_quote_in_a_web_url_is_escaped_in_the_link() -> None:
    page = html_report([_record('https://x.org/a?b="><script>')], "run")
    assert "<script>" not in page
    assert 'href="https://x.org/a?b=&quot;&gt;&lt;script&gt;#:~:text=' in page
