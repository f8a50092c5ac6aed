"""The Newsdesk chat page: a Gradio app around the Assistant.

Run it with ``python app.py`` (or ``newsdesk serve``); it listens on 127.0.0.1:7860 unless
told otherwise (``--host``/``--port`` or ``NEWSDESK_HOST``/``NEWSDESK_PORT``). Answers stream
in; each ``[n]`` opens its passage in the sources panel with the supporting span marked.
The Library tab adds and deletes articles. Readers choose among the server's backend and
``extractive`` only, plus any the operator adds (``--allow-backend SPEC``, repeatable, or
``NEWSDESK_PAGE_BACKENDS=SPEC,SPEC``). The HTML is :mod:`assistant.page`; this module wires
it to Gradio. Programs call the ``/ask`` endpoint:

    >>> from gradio_client import Client
    >>> Client("http://127.0.0.1:7860/").predict("Who disputed the withdrawal?", api_name="/ask")

which returns the object ``newsdesk ask --json`` prints.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import ipaddress
import logging
import os
import re
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant import (
    Answer,
    Assistant,
    ConfigError,
    IngestReport,
    NewsdeskError,
    Passages,
    Settings,
    Token,
    Turn,
)
from assistant.page import (
    CSS,
    SOURCES_EMPTY,
    SOURCES_JS,
    answer_html,
    deleted_html,
    error_html,
    header_html,
    library_view,
    note_html,
    sources_panel,
    sources_section,
    status_html,
    streaming_html,
    text_html,
    uploads_html,
)

log = logging.getLogger("newsdesk.app")

ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = ROOT / "data" / "sample"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
MAX_UPLOAD_MB = 20
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".jsonl", ".json", ".csv")
EXAMPLES = (
    "Who disputed the withdrawal?",
    "What did NATO's secretary-general say?",
    "How many troops did Russia add near the border?",
    "What did Zelensky tell the BBC?",
)
GENERIC_ERROR = "Something went wrong while answering; the details are in the server log."

AssistantFactory = Callable[[str], Assistant]
Update = tuple[str, list[dict[str, Any]], str, list[dict[str, str]]]  # box, chat, panel, turns
PROGRESS = gr.Progress()  # Gradio finds a handler's progress tracker by this default


# -- assistants ------------------------------------------------------------------------------


class AssistantPool:
    """One Assistant per allowed backend spec, made on first use and shared by every session.

    Readers may choose only the ``allowed`` specs: the default, ``extractive``, and those
    the operator adds in ``allow``. Any other spec (``gguf:PATH`` naming some file on the
    server, say) is refused before an Assistant is made for it. The embedding model and
    llama.cpp weights load once per process whatever the number of Assistants, and
    llama.cpp serialises its own generations, so sharing is safe.
    """

    def __init__(self, factory: AssistantFactory, default: str, allow: Sequence[str] = ()) -> None:
        self.factory = factory
        self.default = default.strip()
        specs = (self.default, "extractive", *(spec.strip() for spec in allow))
        self.allowed = tuple(dict.fromkeys(spec for spec in specs if spec))
        self._lock = threading.Lock()
        self._made: dict[str, Assistant] = {}

    def get(self, spec: str | None = None) -> Assistant:
        """The Assistant for an allowed backend spec (the default when empty).

        Raises:
            ConfigError: the spec is not one of ``allowed``.
        """
        spec = (spec or "").strip() or self.default
        if spec not in self.allowed:
            raise ConfigError(
                f"backend {spec!r} is not offered here; choose one of: {', '.join(self.allowed)} "
                "(the server's operator can offer more with --allow-backend)"
            )
        with self._lock:
            if spec not in self._made:
                made = self.factory(spec)  # constructing loads nothing heavy
                for other in self._made.values():
                    if other.store.location == made.store.location:
                        # One keyword index per store, however many backends read it: it
                        # holds every chunk's text (about 1 GiB per 100,000 chunks).
                        made.searcher.bm25 = other.searcher.bm25
                        break
                self._made[spec] = made
            return self._made[spec]


# -- uploads ---------------------------------------------------------------------------------


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave its folder: the basename, tamed, never empty.

    ``../../etc/passwd`` -> ``passwd``; ``..\\x.txt`` -> ``x.txt``; ``..`` -> ``upload``.
    """
    base = unicodedata.normalize("NFKC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" ._-")  # no leading dot: no '..', no dotfile
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        base = f"{stem[:100].rstrip(' ._-')}.{suffix}" if stem.strip(" ._-") else f"upload.{suffix}"
    else:
        base = base[:110]
    return base or "upload"


def upload_destination(upload_root: Path, name: str, digest: str) -> Path:
    """Where an upload is kept: ``upload_root/<content digest>/<safe name>``.

    The folder comes from the file's content, so uploading the same file again finds the
    same path and ingest leaves it unchanged, while two different files with one name
    (from two readers) never overwrite each other.
    """
    folder = (upload_root / re.sub(r"[^0-9a-f]", "", digest.lower())[:32]).resolve()
    target = (folder / safe_upload_name(name)).resolve()
    if not target.is_relative_to(folder) or target == folder:
        raise ValueError(f"refusing upload name {name!r}")
    return target


def file_digest(path: Path) -> str:
    """sha256 hex of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the desk: what the page does, apart from how it looks -------------------------------------


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


class Desk:
    """The page's behaviour: answering, ingesting uploads, deleting, listing."""

    def __init__(self, pool: AssistantPool, upload_root: Path) -> None:
        self.pool = pool
        self.upload_root = upload_root
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
        changed = any(isinstance(r, IngestReport) and (r.added or r.replaced) for _, r in outcomes)
        if changed:  # index now, so that the next reader's question does not wait for it
            if progress:
                progress((len(files), len(files)), desc="Indexing for keyword search")
            try:
                bot.searcher.bm25.refresh()
            except Exception:  # the question will try again
                log.exception("rebuilding the keyword index failed")
        if progress:
            progress((len(files), len(files)), desc="Done")
        return uploads_html(outcomes)

    def _ingest_one(self, bot: Assistant, source: Path, name: str) -> IngestReport | str:
        """What ingesting one upload did, or why it was skipped."""
        try:
            if Path(name).suffix.lower() not in UPLOAD_TYPES:
                return f"skipped, not one of {', '.join(UPLOAD_TYPES)}"
            if source.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024:
                return f"skipped, larger than {MAX_UPLOAD_MB} MB"
            target = upload_destination(self.upload_root, name, file_digest(source))
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(source, target)
            report = bot.ingest([target], progress=False)
        except NewsdeskError as exc:
            return str(exc)
        except Exception:
            log.exception("ingesting %s failed", source)
            return "could not be read (see the server log)"
        if not (report.added or report.replaced or report.unchanged):
            target.unlink()  # nothing came of it: keep no copy
            with contextlib.suppress(OSError):
                target.parent.rmdir()
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
        from ingest.documents import article_id_for_file

        if not self.upload_root.is_dir():
            return
        for path in self.upload_root.glob("*/*"):
            if path.suffix.lower() in (".jsonl", ".json", ".csv"):
                continue  # exports hold many articles; the file stays
            if path.is_file() and article_id_for_file(path) == article_id:
                path.unlink()
                with contextlib.suppress(OSError):
                    path.parent.rmdir()

    def library(self) -> tuple[list[list[Any]], list[tuple[str, str]], list[str], str]:
        """Rows for the table, choices for delete, known sources, and the header stats."""
        bot = self.pool.get()
        return library_view(
            bot.articles(), self.pool.default, bot.settings.profile, bot.embedder.model_name
        )


# -- the page ----------------------------------------------------------------------------------

THEME = gr.themes.Soft(
    primary_hue="blue",
    neutral_hue="slate",
    # System fonts only: the default theme fetches Google Fonts, and nothing may download.
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)


def build_app(
    settings: Settings | None = None,
    *,
    assistant_factory: AssistantFactory | None = None,
    sample_dir: Path | None = SAMPLE_DIR,
    allow_backends: Sequence[str] = (),
) -> gr.Blocks:
    """The Newsdesk page as Gradio Blocks; start it with :func:`launch`.

    Args:
        settings: where the store is and the default backend; by default ``NEWSDESK_*``.
        assistant_factory: makes the Assistant for a backend spec (tests pass their own);
            by default ``Assistant(settings, backend=spec)``.
        sample_dir: articles ingested when the store is empty, so a new reader sees
            something; None to start empty.
        allow_backends: backend specs readers may choose besides the default and
            ``extractive``; no other spec is accepted from the page or ``/ask``.

    Raises:
        NewsdeskError: an allowed backend spec is unknown or its model is missing.
    """
    settings = settings or Settings()
    factory = assistant_factory or (lambda spec: Assistant(settings, backend=spec))
    pool = AssistantPool(factory, settings.backend, allow_backends)
    for spec in pool.allowed:  # a bad spec fails now, not on a reader's question
        pool.get(spec)
    first = pool.get()
    desk = Desk(pool, Path(first.settings.data_dir) / "uploads")
    if sample_dir is not None and Path(sample_dir).is_dir() and not first.articles():
        sample = first.ingest([sample_dir], progress=False)
        log.info("empty store: ingested the sample articles (%s)", sample.summary())
    k_default = first.settings.retrieval.k

    def refresh() -> tuple[Any, ...]:
        try:
            rows, choices, sources, stats = desk.library()
        except NewsdeskError as exc:  # e.g. a Chroma server that went away
            rows, choices, sources, stats = [], [], [], str(exc)
        return (
            rows,
            gr.update(choices=choices, value=None),
            gr.update(choices=sources),
            header_html(stats),
        )

    def ingest(files: list[str] | None, progress: gr.Progress = PROGRESS) -> tuple[Any, ...]:
        return (desk.ingest_uploads(files, progress), None, *refresh())

    def delete(article_id: str | None) -> tuple[Any, ...]:
        try:
            message = desk.delete(article_id)
        except NewsdeskError as exc:
            message = error_html(str(exc))
        return (message, *refresh())

    with gr.Blocks(
        title="Newsdesk",
        analytics_enabled=False,
        fill_width=True,
        delete_cache=(3600, 3600),  # Gradio's own copies of uploads go after an hour
    ) as demo:
        header = gr.HTML(header_html(""), elem_id="nd-header-box")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chatbot = gr.Chatbot(
                        elem_id="nd-chat",
                        show_label=False,
                        height=560,
                        layout="bubble",
                        latex_delimiters=[],
                        allow_tags=False,
                        feedback_options=None,
                        buttons=[],  # a copy button would copy the HTML, not the answer
                        placeholder=(
                            "**Ask about the news articles in the library.**<br>"
                            "Every claim in an answer cites the passage it comes from."
                        ),
                        examples=[{"text": q} for q in EXAMPLES],
                    )
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            elem_id="nd-question",
                            show_label=False,
                            placeholder="Ask a question, e.g. Who disputed the withdrawal?",
                            scale=8,
                            autofocus=True,
                            max_lines=4,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                    with gr.Accordion("Answer settings", open=False, elem_id="nd-settings"):
                        with gr.Row():
                            backend = gr.Dropdown(
                                choices=list(pool.allowed),
                                value=pool.default,
                                allow_custom_value=False,  # the pool refuses others anyway
                                label="Backend",
                                info="the answer backends this server offers",
                                elem_id="nd-backend",
                            )
                            k = gr.Slider(
                                1, 12, value=k_default, step=1, label="Passages per answer"
                            )
                        with gr.Row():
                            date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD")
                            date_to = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD")
                            sources = gr.Dropdown(
                                choices=[],
                                multiselect=True,
                                label="Only these sources",
                                info="empty: all sources",
                            )
                with gr.Column(scale=2, min_width=320):
                    gr.Markdown("#### Sources")
                    panel = gr.HTML(SOURCES_EMPTY, elem_id="nd-sources", js_on_load=SOURCES_JS)
            with gr.Tab("Library", id="library"), gr.Row(equal_height=False):
                with gr.Column(scale=2, min_width=320):
                    files = gr.File(
                        label=f"Add articles: {' '.join(UPLOAD_TYPES)}, {MAX_UPLOAD_MB} MB each",
                        file_count="multiple",
                        file_types=list(UPLOAD_TYPES),
                        elem_id="nd-upload",
                    )
                    add = gr.Button("Add to library", variant="primary", elem_id="nd-add")
                    report = gr.HTML(elem_id="nd-report")
                with gr.Column(scale=3, min_width=420):
                    table = gr.Dataframe(
                        headers=["Title", "Published", "Source", "Passages"],
                        datatype=["str", "str", "str", "number"],
                        interactive=False,
                        wrap=True,
                        column_widths=["52%", "16%", "20%", "12%"],
                        elem_id="nd-articles",
                        label="Articles",
                    )
                    with gr.Row(equal_height=True):
                        chosen = gr.Dropdown(
                            choices=[], label="Article", scale=4, elem_id="nd-chosen"
                        )
                        remove = gr.Button("Delete article", variant="stop", scale=1)

        library_outputs = [table, chosen, sources, header]
        ask_inputs = [question, chatbot, turns, backend, k, date_from, date_to, sources]
        ask_outputs = [question, chatbot, panel, turns]
        chat: dict[str, Any] = {
            "fn": desk.chat,
            "inputs": ask_inputs,
            "outputs": ask_outputs,
            "api_visibility": "private",
            "concurrency_id": "answers",
            "show_progress": "hidden",
        }
        question.submit(**chat)
        send.click(**chat)
        chatbot.example_select(
            pick_example, None, question, api_visibility="private", queue=False
        ).then(**chat)
        chatbot.clear(
            lambda: ([], SOURCES_EMPTY), None, [turns, panel], api_visibility="private", queue=False
        )
        add.click(
            ingest,
            files,
            [report, files, *library_outputs],
            api_visibility="private",
            concurrency_id="library",
            concurrency_limit=1,
        )
        remove.click(
            delete,
            chosen,
            [report, *library_outputs],
            api_visibility="private",
            concurrency_id="library",
            concurrency_limit=1,
        )
        demo.load(refresh, None, library_outputs, api_visibility="private")
        gr.api(desk.ask, api_name="ask", concurrency_id="answers")
    demo.queue(default_concurrency_limit=4)  # llama.cpp itself takes one at a time
    return demo


def pick_example(event: gr.SelectData) -> str:
    """The text of the example question a reader clicked."""
    value = event.value
    return str(value.get("text", "")) if isinstance(value, dict) else str(value)


def launch(
    demo: gr.Blocks,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> tuple[Any, str, str]:
    """Serve the page (with its theme and styles); returns Gradio's (app, local url, share url)."""
    return demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Newsdesk: sign in to read the articles." if auth else None,
        share=False,
        inbrowser=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        max_file_size=f"{MAX_UPLOAD_MB}mb",
        footer_links=["api"],
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        mcp_server=False,
    )


# -- command line ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk serve", description="Serve the Newsdesk chat page."
    )
    parser.add_argument("--host", help=f"address to bind (NEWSDESK_HOST; default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, help=f"port (NEWSDESK_PORT; default {DEFAULT_PORT})")
    parser.add_argument("--data-dir", type=Path, help="store folder (NEWSDESK_DATA_DIR)")
    parser.add_argument(
        "--backend",
        help="default answer backend (NEWSDESK_BACKEND): local (default), gguf:PATH, "
        "openai:MODEL, ollama:MODEL, extractive",
    )
    parser.add_argument(
        "--allow-backend",
        action="append",
        metavar="SPEC",
        help="also let readers choose this backend (repeatable; NEWSDESK_PAGE_BACKENDS="
        "SPEC,SPEC); they may always choose the default backend and extractive, nothing else",
    )
    parser.add_argument("--auth", help="require sign-in, USER:PASSWORD (NEWSDESK_AUTH)")
    return parser


def page_backends(flags: Sequence[str] | None, env: str | None) -> list[str]:
    """The --allow-backend specs, else NEWSDESK_PAGE_BACKENDS split at commas."""
    specs = flags if flags else (env or "").split(",")
    return [spec.strip() for spec in specs if spec.strip()]


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` -> (user, password); empty -> None."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth / NEWSDESK_AUTH must be USER:PASSWORD")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Serve the page until interrupted; 0 on a clean stop, 1 on an error, 2 on bad flags."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build
    try:
        host = args.host or os.environ.get("NEWSDESK_HOST") or DEFAULT_HOST
        port = args.port or int(os.environ.get("NEWSDESK_PORT") or DEFAULT_PORT)
    except ValueError:
        print("newsdesk serve: NEWSDESK_PORT must be a port number", file=sys.stderr)
        return 2
    try:
        auth = parse_auth(args.auth or os.environ.get("NEWSDESK_AUTH"))
    except ValueError as exc:
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return 2
    if not is_loopback(host) and not auth:
        print(
            f"newsdesk serve: listening on {host} without --auth: anyone who can reach this "
            "machine can read and change the library (add --auth USER:PASSWORD to stop that)",
            file=sys.stderr,
        )
    try:
        overrides: dict[str, Any] = {}
        if args.data_dir is not None:
            overrides["data_dir"] = args.data_dir
        if args.backend:
            overrides["backend"] = args.backend
        settings = Settings()
        settings = settings.model_copy(update=overrides) if overrides else settings
        allow = page_backends(args.allow_backend, os.environ.get("NEWSDESK_PAGE_BACKENDS"))
        demo = build_app(settings, allow_backends=allow)
        launch(demo, host=host, port=port, auth=auth)
    except ValidationError as exc:  # a NEWSDESK_* variable with a bad value
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        print(f"newsdesk serve: setting {where}: {first['msg']}", file=sys.stderr)
        return 1
    except (NewsdeskError, OSError) as exc:  # OSError: the port is taken, say
        print(f"newsdesk serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
