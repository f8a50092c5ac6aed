"""`newsdesk serve`: settings and flags, sign-in, where it listens, what it never loads."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant import Answer, Assistant, Citation, Passage, Settings
from assistant.web import layout, serve
from assistant.web import views as page
from tests.assistant.web.conftest import FERRY
from tests.conftest import ROOT, SAMPLE_DIR
from tests.servers import free_port, stop_process


@pytest.fixture()
def launched(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `newsdesk serve` builds and launches, recorded instead of served."""
    seen: dict[str, Any] = {}

    def build_app(settings: Settings, *, allow_backends: list[str], warm_up: bool) -> str:
        seen.update(settings=settings, allow_backends=allow_backends, warm_up=warm_up)
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
    assert launched["warm_up"]  # the models load while the page starts
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
