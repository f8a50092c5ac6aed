"""The chat page without a browser: the /ask API, backends, uploads, errors, its HTML."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from assistant import Answer, Assistant, Citation, ConfigError, Passage, Settings
from assistant.web import actions, layout, serve, uploads
from assistant.web import views as page
from assistant.web.pool import AssistantPool
from tests.conftest import ROOT, SAMPLE_DIR
from tests.servers import free_port, served_page, stop_process

QUESTION = "Who disputed the withdrawal?"
FERRY = (
    "Harbour ferry returns to Northpoint\n\n"
    "The Northpoint harbour ferry will carry passengers again from Monday, the port "
    "authority said, after engineers replaced twelve steel beams in the landing stage.\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The page on a free loopback port over a fresh store (the sample goes in on start)."""
    data_dir = tmp_path_factory.mktemp("app-store")
    with served_page(data_dir, "extractive") as url:
        yield url, data_dir


@pytest.fixture()
def desk(make_assistant: Any, tmp_path: Path) -> actions.PageActions:
    """The page's behaviour over its own empty store, without a server."""
    pool = AssistantPool(lambda spec: make_assistant(backend=spec), "extractive")
    return actions.PageActions(pool, tmp_path / "store" / "uploads")


# -- the API ---------------------------------------------------------------------------------


def test_ask_endpoint_returns_the_ask_json_object(served: tuple[str, Path]) -> None:
    from gradio_client import Client

    url, data_dir = served
    got = Client(url, verbose=False).predict(QUESTION, api_name="/ask")

    assert got["question"] == QUESTION and got["backend"] == "extractive"
    assert not got["refused"]
    assert any("we now know it was false" in c["text"] for c in got["citations"])
    # The same object `newsdesk ask --json` prints, timings apart.
    direct = Assistant(data_dir=data_dir, backend="extractive").ask(QUESTION).as_dict()
    got.pop("timings"), direct.pop("timings")
    assert got == direct


def test_ask_endpoint_reports_errors_in_one_line(served: tuple[str, Path]) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="date_from must be a date like 2022-02-16") as caught:
        Client(served[0], verbose=False).predict(QUESTION, date_from="soon", api_name="/ask")
    assert "\n" not in str(caught.value)


def test_ask_endpoint_bounds_k(served: tuple[str, Path]) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as caught:
        Client(served[0], verbose=False).predict(QUESTION, k=10**6, api_name="/ask")
    assert str(caught.value) == "k must be a whole number from 1 to 50, not 1000000"


@pytest.mark.parametrize("spec", ["gguf:/etc/passwd", "local", "nope:x"])
def test_ask_endpoint_refuses_backends_not_offered(served: tuple[str, Path], spec: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as caught:
        Client(served[0], verbose=False).predict(QUESTION, backend=spec, api_name="/ask")
    assert str(caught.value) == (
        f"backend {spec!r} is not offered here; choose one of: extractive "
        "(the server's operator can offer more with --allow-backend)"
    )


def test_several_readers_at_once(served: tuple[str, Path]) -> None:
    from gradio_client import Client

    client = Client(served[0], verbose=False)
    questions = [QUESTION, "What did NATO say?", "What did Zelensky tell the BBC?"]
    jobs = [client.submit(q, api_name="/ask") for q in questions]
    assert [job.result(timeout=60)["question"] for job in jobs] == questions


# -- the chat --------------------------------------------------------------------------------


def run_chat(
    desk: actions.PageActions, question: str, backend: str = "extractive", **kw: Any
) -> list[Any]:
    """Every update the chat handler yields: (input box, messages, sources panel, turns)."""
    args = {"k": 5, "date_from": "", "date_to": "", "sources": [], **kw}
    return list(desk.chat(question, [], [], backend, **args))


def test_chat_streams_sources_before_the_answer(desk: actions.PageActions) -> None:
    desk.pool.get().ingest([SAMPLE_DIR], progress=False)
    updates = run_chat(desk, QUESTION)

    # The sources panel fills while the reply is still a status line, before any answer text.
    early = [u for u in updates if "nd-passage" in u[2] and "nd-status" in u[1][-1]["content"]]
    assert early, "the sources panel should fill as soon as retrieval is done"
    _, messages, panel, turns = updates[-1]
    reply = messages[-1]["content"]
    assert 'class="nd-cite" href="#nd-t0-p' in reply
    assert "<mark>" in panel and 'id="nd-t0-p1"' in panel
    assert turns[0]["question"] == QUESTION


@pytest.mark.parametrize(
    ("backend", "kw", "expected"),
    [
        ("gguf:/etc/passwd", {}, "backend &#39;gguf:/etc/passwd&#39; is not offered here"),
        ("extractive", {"date_from": "2022-13-45"}, "From must be a date like 2022-02-16"),
    ],
)
def test_errors_come_back_as_chat_messages(
    desk: actions.PageActions, backend: str, kw: dict[str, str], expected: str
) -> None:
    *_, (box, messages, _, turns) = run_chat(desk, QUESTION, backend, **kw)
    assert box == "" and turns == []
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "nd-error" in messages[-1]["content"]
    assert expected in messages[-1]["content"]


def test_unexpected_failures_are_logged_not_shown(
    desk: actions.PageActions, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(spec: str) -> Assistant:
        raise RuntimeError("secret internals")

    desk.pool = AssistantPool(broken, "extractive")
    *_, (_, messages, _, _) = run_chat(desk, QUESTION)
    assert actions.GENERIC_ERROR in messages[-1]["content"]
    assert "secret internals" not in messages[-1]["content"]
    assert "secret internals" in caplog.text


def test_article_text_is_escaped() -> None:
    text = 'Click <img src=x onerror="alert(1)"> or [here](javascript:alert(1)) *now*'
    passage = Passage(
        "c#0", "a", 0, text, 0, len(text), title="<b>T</b>", url="javascript:alert(1)"
    )
    panel = page.sources_section(0, "<script>q</script>", [passage], None)
    assert "<img" not in panel and "<script" not in panel and "<b>T" not in panel
    assert "javascript:" not in panel.split("nd-text")[0]  # no link built from a bad url
    assert "](" not in page.text_html(text) and "*now*" not in page.text_html(text)


# -- which backends readers may choose -------------------------------------------------------


def recording_pool(
    make_assistant: Any, default: str, allow: list[str]
) -> tuple[AssistantPool, list[str]]:
    """A pool whose every Assistant is extractive, and the specs it was asked to make."""
    made: list[str] = []

    def factory(spec: str) -> Assistant:
        made.append(spec)
        return make_assistant(backend="extractive")

    return AssistantPool(factory, default, allow), made


def test_readers_get_the_default_and_extractive_only(make_assistant: Any) -> None:
    pool, made = recording_pool(make_assistant, "local", [])
    assert pool.allowed == ("local", "extractive")
    assert pool.get(" ") is pool.get("local") is pool.get(None)
    pool.get("extractive")
    for spec in ("gguf:/etc/passwd", "openai:gpt-4o", "Extractive", "local:x", "ollama:llama3"):
        with pytest.raises(ConfigError) as caught:
            pool.get(spec)
        assert str(caught.value) == (
            f"backend {spec!r} is not offered here; choose one of: local, extractive "
            "(the server's operator can offer more with --allow-backend)"
        )
    assert made == ["local", "extractive"]  # a refused spec never reaches the factory


def test_backends_share_one_keyword_index_ready_after_an_upload(
    make_assistant: Any, tmp_path: Path
) -> None:
    pool, _ = recording_pool(make_assistant, "local", [])
    index = pool.get().searcher.bm25
    assert pool.get("extractive").searcher.bm25 is index  # one copy of every chunk's text
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")

    actions.PageActions(pool, tmp_path / "uploads").ingest_uploads([str(upload)])

    # Built by the upload, not left to the next reader's question.
    built = index._snapshot
    assert built.revision == pool.get().store.revision and len(built.ids) == 1


def test_the_operator_can_offer_more_backends(make_assistant: Any) -> None:
    pool, made = recording_pool(
        make_assistant, "extractive", [" gguf:/srv/models/x.gguf ", "", "extractive", "local"]
    )
    assert pool.allowed == ("extractive", "gguf:/srv/models/x.gguf", "local")
    pool.get("gguf:/srv/models/x.gguf")
    with pytest.raises(ConfigError, match=r"one of: extractive, gguf:/srv/models/x\.gguf, local "):
        pool.get("gguf:/srv/models/y.gguf")
    assert made == ["gguf:/srv/models/x.gguf"]


def test_chat_refuses_a_backend_not_offered_in_one_line(make_assistant: Any) -> None:
    pool, made = recording_pool(make_assistant, "extractive", ["local"])
    desk = actions.PageActions(pool, Path("unused"))
    *_, (_, messages, _, turns) = run_chat(desk, QUESTION, "gguf:/home/me/.ssh/id_rsa")
    reply = messages[-1]["content"]
    assert turns == [] and "\n" not in reply and made == []
    assert reply == page.error_html(
        "backend 'gguf:/home/me/.ssh/id_rsa' is not offered here; choose one of: extractive, "
        "local (the server's operator can offer more with --allow-backend)"
    )


def test_the_page_offers_only_the_allowed_backends(make_assistant: Any, tmp_path: Path) -> None:
    made: list[str] = []

    def factory(spec: str) -> Assistant:
        made.append(spec)
        return make_assistant(backend="extractive")

    demo = layout.build_app(
        Settings(data_dir=tmp_path / "store", backend="extractive"),
        assistant_factory=factory,
        sample_dir=None,
        allow_backends=["ollama:llama3"],
    )
    (dropdown,) = [
        b for b in demo.blocks.values() if isinstance(b, gr.Dropdown) and b.elem_id == "nd-backend"
    ]
    assert [value for _, value in dropdown.choices] == ["extractive", "ollama:llama3"]
    assert dropdown.value == "extractive" and not dropdown.allow_custom_value
    assert sorted(made) == ["extractive", "ollama:llama3"]  # each checked once, at start


@pytest.fixture()
def launched(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `newsdesk serve` builds and launches, recorded instead of served."""
    seen: dict[str, Any] = {}

    def build_app(settings: Settings, *, allow_backends: list[str]) -> str:
        seen.update(settings=settings, allow_backends=allow_backends)
        return "demo"

    def launch(demo: str, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(serve, "build_app", build_app)
    monkeypatch.setattr(serve, "launch", launch)
    return seen


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        ([], None, []),
        ([], " openai:gpt-4o-mini, ,local ", ["openai:gpt-4o-mini", "local"]),
        (["local", " ollama:llama3 "], "openai:gpt-4o-mini", ["local", "ollama:llama3"]),
    ],
)
def test_allow_backend_flags_override_the_environment(
    launched: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    flags: list[str],
    env: str | None,
    expected: list[str],
) -> None:
    if env is not None:
        monkeypatch.setenv("NEWSDESK_PAGE_BACKENDS", env)
    assert serve.main([x for spec in flags for x in ("--allow-backend", spec)]) == 0
    assert launched["allow_backends"] == expected


def test_serve_reads_its_settings_and_flags_override_them(
    launched: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert serve.main([]) == 0
    assert (launched["host"], launched["port"], launched["auth"]) == ("127.0.0.1", 7860, None)
    assert launched["max_file_mb"] == 20
    monkeypatch.setenv("NEWSDESK_HOST", "127.0.0.2")
    monkeypatch.setenv("NEWSDESK_PORT", "8123")
    monkeypatch.setenv("NEWSDESK_AUTH", "reader:s3cret")
    monkeypatch.setenv("NEWSDESK_MAX_FILE_MB", "3")
    assert serve.main([]) == 0
    assert (launched["host"], launched["port"]) == ("127.0.0.2", 8123)
    assert (launched["auth"], launched["max_file_mb"]) == (("reader", "s3cret"), 3)
    assert serve.main(["--port", "9000", "--auth", "editor:pw", "--data-dir", str(tmp_path)]) == 0
    assert (launched["port"], launched["auth"]) == (9000, ("editor", "pw"))
    assert launched["settings"].data_dir == tmp_path and launched["settings"].port == 9000


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--auth", "nopassword"], {}, "setting auth: "),
        ([], {"NEWSDESK_AUTH": "nopassword"}, "setting auth: "),
        ([], {"NEWSDESK_PORT": "http"}, "setting port: "),
        (["--port", "70000"], {}, "setting port=70000: "),
    ],
)
def test_bad_page_settings_stop_the_server_in_one_line(
    launched: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert serve.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"newsdesk serve: {expected}") and err.count("\n") == 1
    assert "s3cret" not in err and not launched


@pytest.mark.parametrize("how", ["flag", "env"])
def test_an_unknown_allowed_backend_stops_the_server_at_start(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data-dir", str(tmp_path), "--backend", "extractive", "--port", "1"]
    if how == "flag":
        argv += ["--allow-backend", "nope:x"]
    else:
        monkeypatch.setenv("NEWSDESK_PAGE_BACKENDS", "extractive,nope:x")
    assert serve.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsdesk serve: unknown backend 'nope:x'; known backends:")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_the_page_opens_a_collection_with_the_profile_it_was_built_with(tmp_path: Path) -> None:
    built = Assistant(data_dir=tmp_path, profile="accurate", backend="extractive")
    built.ingest([SAMPLE_DIR], progress=False)
    args = serve.build_parser().parse_args(["--data-dir", str(tmp_path), "--backend", "extractive"])
    seen: list[Assistant] = []

    def factory(spec: str) -> Assistant:
        seen.append(Assistant(settings, backend=spec))
        return seen[-1]

    settings = serve.page_settings(args)
    layout.build_app(settings, assistant_factory=factory)  # reads the library: no mismatch
    assert [bot.settings.profile for bot in seen] == ["accurate"]
    assert len(seen[0].articles()) == 1  # the sample was not added a second time


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


def test_only_the_latest_sources_show() -> None:
    sections = [page.sources_section(t, f"q{t}", [], None) for t in range(3)]
    panel = page.sources_panel(sections)
    assert panel.count("<section hidden ") == 2
    assert '<section class="nd-turn" data-turn="2"' in panel
    assert page.sources_panel([]) == page.SOURCES_EMPTY


# -- uploads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "..",
        ".",
        "",
        ".bashrc",
        "a/../../b.txt",
        "nul\x00byte.txt",
        "x" * 300 + ".txt",
        "report (final).txt",
    ],
)
def test_upload_names_stay_inside_their_folder(tmp_path: Path, name: str) -> None:
    target = uploads.upload_destination(tmp_path, name)
    assert target.parent == tmp_path.resolve()
    assert not target.name.startswith(".") and len(target.name) <= 120


def test_upload_is_copied_ingested_and_deleted(desk: actions.PageActions, tmp_path: Path) -> None:
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")
    bad = tmp_path / "incoming" / "notes.docx"
    bad.write_bytes(b"PK\x03\x04")
    empty = tmp_path / "incoming" / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")

    report = desk.ingest_uploads([str(upload), str(bad), str(empty)])
    assert "ferry.txt</b>: 1 added (1 passage)" in report
    assert "notes.docx</b>: skipped, not one of" in report
    assert re.search(
        r"empty.txt</b>: nothing added<ul><li class=\"nd-skip\">skipped: .+</li>", report
    )
    (kept,) = desk.upload_root.iterdir()
    assert kept.name == "ferry.txt" and kept.read_text(encoding="utf-8") == FERRY
    assert "already in the library" in desk.ingest_uploads([str(upload)])

    rows, choices, _, stats = desk.library()
    assert rows[0][0] == "Harbour ferry returns to Northpoint" and stats.startswith("1 article ")
    assert "fast profile (all-MiniLM-L6-v2)" in stats  # how the collection was built
    assert "Deleted <b>Harbour ferry" in desk.delete(choices[0][1])
    assert desk.library()[0] == [] and not kept.exists()


def test_oversized_uploads_are_skipped(desk: actions.PageActions, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    limit = Settings().max_file_mb
    with big.open("wb") as handle:  # sparse: no 21 MB written to disk
        handle.truncate(int(limit + 1) * 1024 * 1024)
    assert f"big.txt</b>: skipped, larger than {limit:g} MB" in desk.ingest_uploads([str(big)])
    assert not desk.upload_root.exists()


def test_the_upload_limit_is_max_file_mb(
    desk: actions.PageActions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_MAX_FILE_MB", "1")
    big = tmp_path / "two.txt"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    assert "two.txt</b>: skipped, larger than 1 MB" in desk.ingest_uploads([str(big)])
    assert not desk.upload_root.exists()


def test_an_edited_upload_replaces_the_earlier_one(
    desk: actions.PageActions, tmp_path: Path
) -> None:
    upload = tmp_path / "incoming" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(FERRY, encoding="utf-8")
    assert "ferry.txt</b>: 1 added" in desk.ingest_uploads([str(upload)])
    edited = FERRY.replace("twelve steel beams", "fourteen steel beams")
    upload.write_text(edited, encoding="utf-8")

    assert "ferry.txt</b>: 1 replaced" in desk.ingest_uploads([str(upload)])

    bot = desk.pool.get()
    (article,) = bot.articles()
    (passage,) = bot.search("How many steel beams were replaced?", 1)
    assert passage.article_id == article.id and "fourteen steel beams" in passage.text
    (kept,) = [p for p in desk.upload_root.rglob("*") if p.is_file()]
    assert kept.read_text(encoding="utf-8") == edited
    # Another name is another article, beside the first.
    other = tmp_path / "incoming" / "ferry-2.txt"
    other.write_text(FERRY.replace("Northpoint", "Southpoint"), encoding="utf-8")
    assert "ferry-2.txt</b>: 1 added" in desk.ingest_uploads([str(other)])
    assert len(bot.articles()) == 2


# -- the command line ------------------------------------------------------------------------


def test_auth_needs_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_AUTH", "reader:s3cret:x")
    assert serve.parse_auth(Settings().auth) == ("reader", "s3cret:x")
    assert serve.parse_auth(None) is None
    monkeypatch.setenv("NEWSDESK_AUTH", "nopassword")
    with pytest.raises(ValueError, match="USER:PASSWORD"):
        Settings()


# -- where the page listens, what it accepts, what it never loads ----------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port``, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(
                    socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)
                )
    return found


@pytest.mark.slow
def test_the_page_binds_to_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    command = [sys.executable, "app.py", "--port", str(port), "--backend", "extractive",
               "--data-dir", str(tmp_path / "store")]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 180
        while not listening_addresses(port):
            assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the page did not start in 180 s"
            time.sleep(0.5)
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        stop_process(server)
    assert b"without --auth" not in server.stderr.read()  # type: ignore[union-attr]


def test_the_server_refuses_uploads_over_the_size_limit(served: tuple[str, Path]) -> None:
    import httpx

    url = served[0].rstrip("/")
    big = b"x" * int(Settings().max_file_mb * 1024 * 1024 + 1)
    small = FERRY.encode()

    refused = httpx.post(f"{url}/gradio_api/upload", files={"files": ("big.txt", big)}, timeout=60)
    taken = httpx.post(
        f"{url}/gradio_api/upload", files={"files": ("ferry.txt", small)}, timeout=60
    )

    assert refused.status_code == 413, refused.text
    assert taken.status_code == 200 and taken.json()[0].endswith("ferry.txt")


# Calls that unpickle: a pickle from a file or the network can run any code.
UNPICKLING = re.compile(
    r"\bpickle\.|\bcPickle\b|\bdill\b|\bcloudpickle\b|\bjoblib\b|\bshelve\b|torch\.load\b"
    r"|allow_pickle\s*=\s*True|weights_only\s*=\s*False|\bBM25\.load\b"
)


def test_our_code_never_unpickles() -> None:
    files = [ROOT / "app.py", *(ROOT / "assistant").rglob("*.py"), *(ROOT / "ingest").rglob("*.py")]
    hits = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if UNPICKLING.search(line)
    ]
    assert hits == []


def test_embedding_models_load_from_safetensors_only() -> None:
    from assistant.models.offline import minilm_path

    folder = minilm_path()
    names = {p.name for p in folder.rglob("*") if p.is_file()}
    assert "model.safetensors" in names
    pickled = {n for n in names if n.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"))}
    assert pickled == set()  # nothing for transformers to fall back on with torch.load


GUARD = """
import pickle, sys
import torch

def refuse(*args, **kwargs):
    raise AssertionError("something unpickled")

pickle.load = pickle.loads = torch.load = refuse
from assistant import Assistant
bot = Assistant(data_dir=sys.argv[1], backend="extractive")
bot.ingest([sys.argv[2]], progress=False)
answer = bot.ask("Who disputed the withdrawal?")
assert not answer.refused, answer.text
print("answered without unpickling")
"""


@pytest.mark.slow
def test_ingest_and_answer_unpickle_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    done = subprocess.run(
        [sys.executable, "-c", GUARD, str(tmp_path / "store"), str(SAMPLE_DIR)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "answered without unpickling" in done.stdout


def test_answer_text_is_shown_as_text_never_as_links_or_html() -> None:
    text = "The ferry sails again."
    p = Passage("c#0", "a", 0, text, 0, len(text), title="Ferry")
    said = (
        'The ferry sails [1]. <img src=x onerror="alert(1)"> <a href="https://evil.example">'
        "go</a> [Check here](https://evil.example/login) ![i](https://evil.example/i.png) "
        "https://evil.example/raw *bold* `code`"
    )
    answer = Answer("q", said, (Citation(1, p, text, 0, len(text)),), (p,), "local")

    for shown in (page.answer_html(answer, 0), page.streaming_html(said), page.error_html(said)):
        assert "<img" not in shown and "<a href" not in shown and "](" not in shown
        assert "*bold*" not in shown and "`code`" not in shown
        assert "https://" not in shown  # the chat's markdown would autolink it
        # The only anchors are the citation markers, which open a passage on the page.
        assert re.findall(r"<a [^>]*>", shown) == re.findall(r'<a class="nd-cite"[^>]*>', shown)
    assert page.answer_html(answer, 0).count('class="nd-cite"') == 1
