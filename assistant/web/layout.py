"""The page's layout: Gradio Blocks wired to :class:`~assistant.web.actions.PageActions`,
and :func:`launch`. Programs call the ``/ask`` endpoint:

    >>> from gradio_client import Client  # doctest: +SKIP
    >>> Client("http://127.0.0.1:7860/").predict("Who disputed the withdrawal?", api_name="/ask")

which returns the object ``newsdesk ask --json`` prints.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.desk import Assistant
from assistant.errors import NewsdeskError
from assistant.settings import Settings
from assistant.web.actions import MB, UPLOAD_TYPES, PageActions
from assistant.web.pool import AssistantFactory, AssistantPool
from assistant.web.views import CSS, SOURCES_EMPTY, SOURCES_JS, error_html, header_html
from ingest.fetch import is_loopback_host

log = logging.getLogger("newsdesk.web")

EXAMPLES = (
    "Who disputed the withdrawal?",
    "What did NATO's secretary-general say?",
    "How many troops did Russia add near the border?",
    "What did Zelensky tell the BBC?",
)
PROGRESS = gr.Progress()  # Gradio finds a handler's progress tracker by this default
# The sample article a new store starts with, in the source tree beside the package.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"


THEME = gr.themes.Soft(
    primary_hue="blue",
    neutral_hue="slate",
    # System fonts only: the default theme fetches Google Fonts, and nothing may download.
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)


def _warm_up(bot: Assistant) -> None:
    try:
        bot.warm_up()
    except NewsdeskError as exc:  # a reader's first question reports it again
        log.warning("could not load the models ahead of the first question: %s", exc)


def build_app(
    settings: Settings | None = None,
    *,
    assistant_factory: AssistantFactory | None = None,
    sample_dir: Path | None = SAMPLE_DIR,
    allow_backends: Sequence[str] | None = None,
    warm_up: bool = False,
) -> gr.Blocks:
    """The Newsdesk page as Gradio Blocks; start it with :func:`launch`.

    Args:
        settings: where the store is and the default backend; by default ``NEWSDESK_*``.
        assistant_factory: makes the Assistant for a backend spec (tests pass their own);
            by default ``Assistant(settings, backend=spec)``.
        sample_dir: articles ingested when the store is empty, so a new reader sees
            something; None to start empty.
        allow_backends: backend specs readers may choose besides the default and
            ``extractive``; no other spec is accepted from the page or ``/ask``. By
            default ``settings.page_backends``.
        warm_up: load the default backend's models in a background thread while the page
            starts (:meth:`Assistant.warm_up`), so the first question does not wait for
            them; a question asked meanwhile waits for the model as it would anyway.

    Raises:
        NewsdeskError: an allowed backend spec is unknown or its model is missing.
    """
    settings = settings or Settings()
    factory = assistant_factory or (lambda spec: Assistant(settings, backend=spec))
    allow = settings.page_backends if allow_backends is None else allow_backends
    pool = AssistantPool(factory, settings.backend, allow)
    for spec in pool.allowed:  # a bad spec fails now, not on a reader's question
        pool.get(spec)
    first = pool.get()
    desk = PageActions(
        pool,
        Path(first.settings.data_dir) / "uploads",
        fetch_private=is_loopback_host(settings.host),  # beyond loopback: public urls only
    )
    if sample_dir is not None and Path(sample_dir).is_dir() and not first.articles():
        sample = first.ingest([sample_dir], progress=False)
        log.info("empty store: ingested the sample articles (%s)", sample.summary())
    if warm_up:
        threading.Thread(
            target=_warm_up, args=(first,), name="newsdesk-warm-up", daemon=True
        ).start()
    k_default = first.settings.retrieval.k
    max_file_mb = first.settings.max_file_mb

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

    def fetch(urls: str | None, progress: gr.Progress = PROGRESS) -> tuple[Any, ...]:
        return (desk.ingest_urls(urls, progress), "", *refresh())

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
                        label=f"Add articles: {' '.join(UPLOAD_TYPES)}, {max_file_mb:g} MB each",
                        file_count="multiple",
                        file_types=list(UPLOAD_TYPES),
                        elem_id="nd-upload",
                    )
                    add = gr.Button("Add to library", variant="primary", elem_id="nd-add")
                    urls = gr.Textbox(
                        label="Or fetch from the web: articles or RSS/Atom feeds, one per line",
                        placeholder="https://example.org/news/story.html",
                        lines=2,
                        max_lines=8,
                        elem_id="nd-urls",
                    )
                    fetch_urls = gr.Button("Fetch and add", elem_id="nd-fetch")
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
        # One library change at a time: uploads, fetches and deletes take turns.
        library: dict[str, Any] = {
            "api_visibility": "private",
            "concurrency_id": "library",
            "concurrency_limit": 1,
        }
        add.click(
            ingest,
            files,
            [report, files, *library_outputs],
            **library,
        )
        fetch_urls.click(
            fetch,
            urls,
            [report, urls, *library_outputs],
            **library,
        )
        remove.click(
            delete,
            chosen,
            [report, *library_outputs],
            **library,
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
    host: str,
    port: int,
    max_file_mb: float,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> tuple[Any, str, str]:
    """Serve the page (with its theme and styles); returns Gradio's (app, local url, share url).

    ``host``, ``port`` and ``max_file_mb`` (the upload limit, which Gradio enforces as the
    file arrives) come from Settings: ``newsdesk serve`` passes them.
    """
    return demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Newsdesk: sign in to read the articles." if auth else None,
        share=False,
        inbrowser=False,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        max_file_size=int(max_file_mb * MB),
        footer_links=["api"],
        theme=THEME,
        css=CSS,
        ssr_mode=False,
        mcp_server=False,
    )
