"""The chat page's HTML: answers with clickable ``[n]`` markers, sources, the library.

Plain functions from the Assistant's dataclasses to HTML strings, and the page's CSS and
JavaScript (read from ``static/``); no Gradio, so the look is tested without a server
(:mod:`assistant.web.layout` wires them in).
Every text that comes from an article, a reader or a model goes through :func:`text_html`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.answering.citations import CANNOT_ANSWER, MARKER
from assistant.answering.short import said_first
from assistant.answering.verify import quoted_label, removed_heading, support_label
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.types import Passage, StoredArticle
    from ingest.documents import IngestReport

__all__ = [
    "CSS",
    "SOURCES_EMPTY",
    "SOURCES_JS",
    "answer_html",
    "deleted_html",
    "error_html",
    "header_html",
    "library_view",
    "note_html",
    "removed_html",
    "sources_panel",
    "sources_section",
    "status_html",
    "streaming_html",
    "text_html",
    "uploads_html",
]

SOURCES_EMPTY = (
    '<div class="nd-empty">Sources appear here as soon as the articles are searched. '
    "Click a citation such as <b>[1]</b> in an answer to read its passage.</div>"
)

# Markdown and LaTeX punctuation as entities: model and article text is shown as text,
# never as links, images or emphasis (a planted article must not smuggle in an <img>).
_MD_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$<>&\"'"})


# Bare "https://..." and "www." text that the chat's markdown would turn into links
# (GFM autolinks): the entity looks the same and links nothing.
_AUTOLINK = re.compile(r"(?<=\w):(?=//)|(?<=\bwww)\.", re.I)


def text_html(text: str) -> str:
    """Plain text made safe to show in a chat message or an HTML panel."""
    return _AUTOLINK.sub(lambda m: f"&#{ord(m.group())};", text.translate(_MD_ENTITIES))


def _safe_url(url: str) -> str:
    """The url if it is a plain web link, else "" (no javascript: or data: links)."""
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else ""


def _passage_id(turn: int, n: int) -> str:
    return f"nd-t{turn}-p{n}"


def _cite_link(turn: int, n: int) -> str:
    return f'<a class="nd-cite" href="#{_passage_id(turn, n)}" title="Show passage {n}">[{n}]</a>'


# -- the conversation ------------------------------------------------------------------------


def answer_html(answer: Answer, turn: int) -> str:
    """The final answer as a chat message: text with clickable ``[n]`` markers."""
    if answer.refused:
        seen: dict[str, Passage] = {}
        for p in answer.passages:
            seen.setdefault(p.article_id, p)
        items = "".join(f"<li>{_article_line(p)}</li>" for p in seen.values())
        closest = (
            f'<div class="nd-closest">Closest articles:<ul>{items}</ul></div>' if items else ""
        )
        return (
            f'<div class="nd-answer nd-refused"><p>{text_html(CANNOT_ANSWER)}</p>{closest}</div>'
            f"{removed_html(answer)}"
        )
    numbers = {c.n for c in answer.citations}
    body = answer.text
    pieces = []
    if answer.short and body.startswith(answer.short):
        pieces.append(f'<p class="nd-short"><strong>{text_html(answer.short)}</strong></p>')
        body = body[len(answer.short) :].lstrip()
        if answer.quote_support:
            pieces.append(f'<p class="nd-quoted">{text_html(support_label(answer))}</p>')
    elif answer.short and (opening := said_first(answer.short, body)):
        # The support's first sentence opens with the short answer: that opening is bold.
        pieces.append(f"<strong>{text_html(body[:opening])}</strong>")
        body = body[opening:]
    last = 0
    for match in MARKER.finditer(body):
        pieces.append(text_html(body[last : match.start()]))
        n = int(match.group(1))
        pieces.append(_cite_link(turn, n) if n in numbers else "")
        last = match.end()
    pieces.append(text_html(body[last:]))
    seconds = answer.timings.get("total_s")
    foot = " · ".join(
        x
        for x in (
            f"{len(numbers)} cited passage{'s' * (len(numbers) != 1)}",
            answer.backend,
            f"{seconds:.1f} s" if seconds is not None else "",
        )
        if x
    )
    label = f'<p class="nd-quoted">{text_html(quoted_label(answer))}</p>' if answer.quoted else ""
    return (
        f'<div class="nd-answer">{label}{"".join(pieces)}</div>'
        f'{removed_html(answer)}<div class="nd-foot">{foot}</div>'
    )


def removed_html(answer: Answer) -> str:
    """The claims taken out of an answer, folded under "N claims removed by the checks";
    "" if none."""
    if not answer.removed:
        return ""
    items = "".join(
        f'<li>{text_html(r.text)} <span class="nd-meta">{text_html(r.reason)}</span></li>'
        for r in answer.removed
    )
    heading = text_html(removed_heading(len(answer.removed)))
    return f'<details class="nd-removed"><summary>{heading}</summary><ul>{items}</ul></details>'


def _article_line(p: Passage) -> str:
    title = text_html(p.title or p.article_id)
    url = _safe_url(p.url)
    link = (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        if url
        else title
    )
    meta = " · ".join(text_html(x) for x in (p.published[:10], p.source) if x)
    return link + (f' <span class="nd-meta">{meta}</span>' if meta else "")


def streaming_html(text: str) -> str:
    """The answer as it is being written (markers are checked only at the end)."""
    return (
        f'<div class="nd-answer nd-writing">{text_html(text)}<span class="nd-caret"></span></div>'
    )


def status_html(text: str) -> str:
    """A progress line in place of the reply, e.g. while the articles are searched."""
    return f'<div class="nd-status">{text_html(text)}</div>'


def error_html(message: str) -> str:
    """A one-line error as the reply: what went wrong, never a stack trace."""
    return f'<div class="nd-error"><b>Could not answer.</b> {text_html(message)}</div>'


# -- the sources panel -----------------------------------------------------------------------


def sources_section(
    turn: int, question: str, passages: Sequence[Passage], answer: Answer | None
) -> str:
    """The sources panel for one answer: every passage, cited ones with the quote marked."""
    cited = {c.n: c for c in answer.citations} if answer else {}
    if answer is None:
        heading = "Searching done; writing the answer…"
    elif answer.refused:
        heading = "No passage answers this; the closest were:"
    else:
        heading = f"{len(cited)} of {len(passages)} passages cited"
    blocks = []
    for n, p in enumerate(passages, start=1):
        citation = cited.get(n)
        text = p.text
        if citation:
            s = min(max(citation.quote_start - p.start, 0), len(text))
            e = min(max(citation.quote_end - p.start, s), len(text))
            body = f"{text_html(text[:s])}<mark>{text_html(text[s:e])}</mark>{text_html(text[e:])}"
        else:
            body = text_html(text)
        url = _safe_url(p.url)
        link = (
            f'<a class="nd-open" href="{html.escape(url)}" target="_blank" '
            f'rel="noopener noreferrer">Open article ↗</a>'
            if url
            else ""
        )
        meta = " · ".join(
            text_html(x) for x in (p.published[:10], p.source, f"part {p.index + 1}") if x
        )
        classes = "nd-passage nd-cited" if citation else "nd-passage"
        blocks.append(
            f'<details class="{classes}" id="{_passage_id(turn, n)}">'
            f'<summary><span class="nd-num">{n}</span>'
            f'<span class="nd-title">{text_html(p.title or p.article_id)}</span>'
            f'<span class="nd-meta">{meta}</span></summary>'
            f'<div class="nd-text">{body}</div>{link}</details>'
        )
    if not blocks:
        blocks.append('<div class="nd-empty">No passage matched this question.</div>')
    return (
        f'<section class="nd-turn" data-turn="{turn}">'
        f'<div class="nd-q">{text_html(question)}</div>'
        f'<div class="nd-heading">{heading}</div>{"".join(blocks)}</section>'
    )


def sources_panel(sections: Sequence[str]) -> str:
    """Every answer's sources; only the latest shows until a marker asks for another."""
    if not sections:
        return SOURCES_EMPTY
    last = len(sections) - 1
    return "".join(
        s if i == last else s.replace("<section ", "<section hidden ", 1)
        for i, s in enumerate(sections)
    )


# -- the header and the library --------------------------------------------------------------


def header_html(stats: str) -> str:
    """The page's title bar, with a line of library stats at its right."""
    return (
        '<div id="nd-header"><h1>Newsdesk</h1>'
        '<span class="nd-tag">Answers from your news articles — every claim cites its passage.'
        f'</span><span class="nd-stats">{text_html(stats)}</span></div>'
    )


def library_view(
    articles: Sequence[StoredArticle], backend: str, profile: str = "", model: str = ""
) -> tuple[list[list[Any]], list[tuple[str, str]], list[str], str]:
    """Rows for the articles table, (label, id) choices to delete, sources, header stats
    (with the collection's embedding profile and model when given)."""
    rows = [[a.title, a.published[:10], a.source, a.chunks] for a in articles]
    choices = [
        (" · ".join(x for x in (a.title or a.id, a.published[:10], a.source) if x), a.id)
        for a in articles
    ]
    sources = sorted({a.source for a in articles if a.source})
    count = len(articles)
    built = f"{profile} profile ({model})" if model else f"{profile} profile" if profile else ""
    parts = (f"{count} article{'s' * (count != 1)}", built, f"default backend {backend}")
    stats = " · ".join(x for x in parts if x)
    return rows, choices, sources, stats


def uploads_html(outcomes: Sequence[tuple[str, IngestReport | str]]) -> str:
    """The upload report: per file name, what ingest did, or (a str) why it was skipped."""
    return f"<ul>{''.join(_upload_line(name, outcome) for name, outcome in outcomes)}</ul>"


def _upload_line(name: str, outcome: IngestReport | str) -> str:
    shown = f"<b>{text_html(name)}</b>"
    if isinstance(outcome, str):
        return f'<li class="nd-skip">{shown}: {text_html(outcome)}</li>'
    parts = [
        f"{len(ids)} {word}"
        for ids, word in (
            (outcome.added, "added"),
            (outcome.replaced, "replaced"),
            (outcome.unchanged, "already in the library"),
        )
        if ids
    ]
    skips = "".join(
        f'<li class="nd-skip">skipped: {text_html(s.reason)}</li>' for s in outcome.skipped
    )
    summary = ", ".join(parts) or "nothing added"
    n = outcome.chunks_written
    chunks = f" ({n} passage{'s' * (n != 1)})" if n else ""
    return f"<li>{shown}: {summary}{chunks}{f'<ul>{skips}</ul>' if skips else ''}</li>"


def note_html(text: str) -> str:
    """A quiet notice in the library's report box, e.g. "Choose files first."."""
    return f'<p class="nd-meta">{text_html(text)}</p>'


def deleted_html(title: str) -> str:
    """The report after an article is deleted."""
    return f"<p>Deleted <b>{text_html(title)}</b>.</p>"


# -- styles and script: files beside this module --------------------------------------------

_STATIC = Path(__file__).resolve().parent / "static"
# A click on [n] shows its answer's sources, opens passage n and scrolls to it.
SOURCES_JS = (_STATIC / "sources.js").read_text(encoding="utf-8")
CSS = (_STATIC / "page.css").read_text(encoding="utf-8")
