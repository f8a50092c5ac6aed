"""What the page does, apart from how it looks: answering, uploads, urls, deletes, the library.

Every method turns errors into a message for the reader; nothing raises to the page
except :meth:`PageActions.ask`, the ``/ask`` API, which raises ``gradio.Error``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.desk import Assistant
from assistant.errors import NewsdeskError
from assistant.types import Answer, Passages, Token, Turn
from assistant.web.pool import AssistantPool
from assistant.web.uploads import replacing, safe_upload_name, upload_destination
from assistant.web.views import (
    answer_html,
    deleted_html,
    error_html,
    library_view,
    note_html,
    sources_panel,
    sources_section,
    status_html,
    streaming_html,
    text_html,
    uploads_html,
)
from ingest.documents import IngestReport, Skipped, article_id_for_file
from ingest.fetch import is_url

log = logging.getLogger("newsdesk.web")

MB = 1024 * 1024
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".jsonl", ".json", ".csv")
GENERIC_ERROR = "Something went wrong while answering; the details are in the server log."

Update = tuple[str, list[dict[str, Any]], str, list[dict[str, str]]]  # box, chat, panel, turns


def parse_day(value: str | None, label: str) -> date | None:
    """A YYYY-MM-DD day from a settings box, or None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label} must be a date like 2022-02-16, not {value!r}") from None


@contextlib.contextmanager
def _closing(events: Iterator[Any]) -> Iterator[Iterator[Any]]:
    """Close a generator when done with it, finished or not."""
    try:
        yield events
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


class PageActions:
    """The page's behaviour: answering, ingesting uploads, deleting, listing."""

    def __init__(
        self, pool: AssistantPool, upload_root: Path, *, fetch_private: bool = False
    ) -> None:
        self.pool = pool
        self.upload_root = upload_root
        # Readers may make the server fetch a url: on a page served beyond this machine,
        # not one on its own network (a router's page, a cloud's metadata address).
        self.fetch_private = fetch_private
        self.library_lock = threading.Lock()  # one ingest or delete at a time

    # -- chat ----------------------------------------------------------------------------

    def chat(
        self,
        message: str,
        messages: list[dict[str, Any]],
        turns: list[dict[str, str]],
        backend: str,
        k: float | None,
        date_from: str,
        date_to: str,
        sources: list[str] | None,
    ) -> Iterator[Update]:
        """One question: yields (input box, chat messages, sources panel, turns) as it goes.

        Errors end as a message in the conversation; nothing is raised to the page.
        """
        question = (message or "").strip()
        asked = [*(messages or []), {"role": "user", "content": text_html(question)}]
        turns = list(turns or [])
        sections = [t["sources"] for t in turns]

        def update(reply: str, panel: list[str]) -> Update:
            """A fresh value for every output, so no yielded update aliases another."""
            said = [*asked, {"role": "assistant", "content": reply}]
            return "", said, sources_panel(panel), list(turns)

        if not question:
            yield "", list(messages or []), sources_panel(sections), turns
            return
        yield update(status_html("Searching the articles…"), sections)
        history = [Turn(t["question"], t["answer"]) for t in turns]
        try:
            events = self.pool.get(backend).stream(
                question,
                history,
                k=int(k) if k else None,
                sources=tuple(sources or ()),
                date_from=parse_day(date_from, "From"),
                date_to=parse_day(date_to, "Until"),
            )
            with _closing(events):  # frees llama.cpp's lock if the reader leaves mid-answer
                turn = len(turns)
                section = sources_section(turn, question, (), None)
                written, shown = "", 0.0
                for event in events:
                    if isinstance(event, Passages):
                        section = sources_section(turn, question, event.passages, None)
                        found = f"Found {len(event.passages)} passages; writing the answer…"
                        yield update(status_html(found), [*sections, section])
                    elif isinstance(event, Token):
                        written += event.text
                        if time.monotonic() - shown > 0.08:  # about 12 updates a second
                            shown = time.monotonic()
                            yield update(streaming_html(written), [*sections, section])
                    elif isinstance(event, Answer):
                        section = sources_section(turn, question, event.passages, event)
                        turns.append(
                            {"question": question, "answer": event.text, "sources": section}
                        )
                        yield update(answer_html(event, turn), [*sections, section])
                        return
            yield update(error_html("The answer stopped before it was finished."), sections)
        except (NewsdeskError, ValueError) as exc:
            yield update(error_html(str(exc)), sections)
        except Exception:
            log.exception("answering %r failed", question)
            yield update(error_html(GENERIC_ERROR), sections)

    # -- the API -------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        k: int | None = None,
        backend: str | None = None,
        sources: list[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> dict[str, Any]:
        """Answer a question; returns the object ``newsdesk ask --json`` prints."""
        try:
            answer = self.pool.get(backend).ask(
                question,
                k=k or None,
                sources=tuple(sources or ()),
                date_from=parse_day(date_from, "date_from"),
                date_to=parse_day(date_to, "date_to"),
            )
        except (NewsdeskError, ValueError) as exc:
            raise gr.Error(str(exc), print_exception=False) from exc
        except Exception as exc:
            log.exception("API answer to %r failed", question)
            raise gr.Error(GENERIC_ERROR, print_exception=False) from exc
        return answer.as_dict()

    # -- library -------------------------------------------------------------------------

    def ingest_uploads(
        self, files: Sequence[str] | None, progress: Callable[..., Any] | None = None
    ) -> str:
        """Copy uploads into the upload folder and ingest them one by one; a report in HTML."""
        files = [f for f in (files or []) if f]
        if not files:
            return note_html("Choose files first.")
        bot = self.pool.get()
        outcomes: list[tuple[str, IngestReport | str]] = []
        with self.library_lock:
            for i, upload in enumerate(files):
                source = Path(upload)
                name = safe_upload_name(source.name)
                if progress:
                    progress((i, len(files)), desc=f"Adding {name}")
                outcomes.append((name, self._ingest_one(bot, source, name)))
        self._reindex(bot, outcomes, progress)
        return uploads_html(outcomes)

    def ingest_urls(self, text: str | None, progress: Callable[..., Any] | None = None) -> str:
        """Fetch and ingest article or feed urls (one per line); a report in HTML."""
        urls = list(dict.fromkeys((text or "").split()))
        if not urls:
            return note_html("Paste the web address of an article or an RSS/Atom feed first.")
        bot = self.pool.get()
        outcomes: list[tuple[str, IngestReport | str]] = []
        with self.library_lock:
            for i, url in enumerate(urls):
                if progress:
                    progress((i, len(urls)), desc=f"Fetching {url}")
                outcomes.append((url, self._fetch_one(bot, url)))
        self._reindex(bot, outcomes, progress)
        return uploads_html(outcomes)

    def _fetch_one(self, bot: Assistant, url: str) -> IngestReport | str:
        """What ingesting one url did (each failed page named), or why it was skipped."""
        if not is_url(url):
            return "skipped, not a web address (http:// or https://)"
        try:
            report = bot.ingest([url], progress=False, allow_private=self.fetch_private)
        except NewsdeskError as exc:
            return str(exc)
        except Exception:
            log.exception("ingesting %s failed", url)
            return "could not be fetched (see the server log)"
        # A feed's failed entries: say which page each reason is about.
        report.skipped = [
            s if s.path == url else Skipped(s.path, f"{s.path}: {s.reason}") for s in report.skipped
        ]
        return report

    def _reindex(
        self,
        bot: Assistant,
        outcomes: Sequence[tuple[str, IngestReport | str]],
        progress: Callable[..., Any] | None,
    ) -> None:
        """Rebuild the keyword index now when anything changed, so no question waits for it."""
        n = len(outcomes)
        changed = any(isinstance(r, IngestReport) and (r.added or r.replaced) for _, r in outcomes)
        if changed:
            if progress:
                progress((n, n), desc="Indexing for keyword search")
            try:
                bot.searcher.bm25.refresh()
            except Exception:  # the question will try again
                log.exception("rebuilding the keyword index failed")
        if progress:
            progress((n, n), desc="Done")

    def _ingest_one(self, bot: Assistant, source: Path, name: str) -> IngestReport | str:
        """What ingesting one upload did, or why it was skipped.

        An upload with the name of an earlier one replaces it, file and article; if
        nothing comes of the new one, the earlier stays as it was.
        """
        limit = bot.settings.max_file_mb
        try:
            if Path(name).suffix.lower() not in UPLOAD_TYPES:
                return f"skipped, not one of {', '.join(UPLOAD_TYPES)}"
            if source.stat().st_size > limit * MB:
                return f"skipped, larger than {limit:g} MB"
            target = upload_destination(self.upload_root, name)
            with replacing(target) as keep:
                shutil.copyfile(source, target)
                report = bot.ingest([target], progress=False)
                keep(bool(report.added or report.replaced or report.unchanged))
        except NewsdeskError as exc:
            return str(exc)
        except Exception:
            log.exception("ingesting %s failed", source)
            return "could not be read (see the server log)"
        return report

    def delete(self, article_id: str | None) -> str:
        """Remove an article (and its uploaded file, when it came from one)."""
        if not article_id:
            return note_html("Choose an article to delete.")
        bot = self.pool.get()
        with self.library_lock:
            known = {a.id: a for a in bot.articles()}
            if article_id not in known:
                return note_html("That article is no longer in the library.")
            bot.delete(article_id)
            self._forget_upload(article_id)
        return deleted_html(known[article_id].title or article_id)

    def _forget_upload(self, article_id: str) -> None:
        """Delete the uploaded file an article was read from, if it held only that article."""
        if not self.upload_root.is_dir():
            return
        # Uploads are kept as uploads/<name>; earlier versions kept uploads/<digest>/<name>.
        for path in [*self.upload_root.glob("*"), *self.upload_root.glob("*/*")]:
            if path.suffix.lower() in (".jsonl", ".json", ".csv"):
                continue  # exports hold many articles; the file stays
            if path.is_file() and article_id_for_file(path) == article_id:
                path.unlink()
                if path.parent != self.upload_root:
                    with contextlib.suppress(OSError):
                        path.parent.rmdir()

    def library(self) -> tuple[list[list[Any]], list[tuple[str, str]], list[str], str]:
        """Rows for the table, choices for delete, known sources, and the header stats."""
        bot = self.pool.get()
        return library_view(
            bot.articles(), self.pool.default, bot.settings.profile, bot.embedder.model_name
        )
