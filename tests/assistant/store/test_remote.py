"""Embeddings from a server: llama.cpp's server in embedding mode on loopback, in front of
it a proxy that fails on purpose, and for counting requests a fake server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import numpy as np
import pytest

from assistant import Assistant, CollectionMismatch, ConfigError, Settings
from assistant.cli import eval_store_dir, main
from assistant.errors import EmbeddingError
from assistant.store import RemoteEmbedder
from tests.servers import LlamaServer, free_port

ARTICLES = {
    "volcano.txt": "Volcano erupts near Reykjavik\n\nA volcano on the Reykjanes peninsula "
    "erupted on Monday, sending lava towards the town of Grindavik. Residents were "
    "evacuated and the Blue Lagoon closed.",
    "bank.txt": "Central bank raises interest rates\n\nThe central bank raised its main "
    "interest rate by a quarter point to fight inflation, its governor said on Thursday.",
    "football.txt": "Norway wins the football final\n\nNorway beat Spain two goals to one in "
    "the final of the women's football tournament, with a late header from the captain.",
}


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def embedding_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """SmolLM2 on llama.cpp's server with /v1/embeddings (one vector per token: no pooling)."""
    server = LlamaServer(
        tmp_path_factory.mktemp("llama") / "server.log", n_threads=1, embedding=True
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_ingest_and_search_with_a_servers_embeddings(
    embedding_server: LlamaServer, tmp_path: Path
) -> None:
    options = {
        "data_dir": tmp_path / "store",
        "backend": "extractive",
        "embeddings": "openai:smollm2",
        "embeddings_base_url": embedding_server.url,
    }
    bot = Assistant(**options)
    report = bot.ingest([_articles(tmp_path / "articles")], progress=False)
    assert len(report.added) == 3

    assert bot.search("Which volcano erupted near Reykjavik?", 1)[0].title.startswith("Volcano")
    assert bot.search("Who won the football final?", 1)[0].title.startswith("Norway")
    # SmolLM2 is a chat model, not an embedding model: its dense ranking of paraphrases is
    # weak. That the question's vector comes from the same server as the chunks' is shown
    # by an article's own text finding itself with a similarity of 1.
    own = ARTICLES["bank.txt"].split("\n\n", 1)[1]
    best = bot.search(own, 1, mode="dense")[0]
    assert best.title.startswith("Central bank") and best.score == pytest.approx(1.0, abs=1e-3)

    stats = bot.stats()
    assert stats["embedding_model"] == "openai:smollm2"
    assert stats["embedder"] == embedding_server.url
    assert stats["dimensions"] == 576  # SmolLM2-135M's hidden size

    reopened = Assistant(**options)  # the same embeddings: no mismatch
    assert reopened.search("central bank interest rates", 1)[0].title.startswith("Central bank")
    with pytest.raises(CollectionMismatch) as caught:
        Assistant(data_dir=options["data_dir"], backend="extractive").search("volcano")
    message = str(caught.value)
    assert "embedding_model='openai:smollm2'" in message
    assert "NEWSDESK_EMBEDDINGS=openai:smollm2" in message and "\n" not in message


@pytest.mark.slow
def test_a_killed_server_is_one_line_naming_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LlamaServer(tmp_path / "server.log", n_threads=1, embedding=True)
    server.start()
    try:
        bot = Assistant(
            data_dir=tmp_path / "store",
            backend="extractive",
            embeddings="openai:smollm2",
            embeddings_base_url=server.url,
        )
        bot.ingest([_articles(tmp_path / "articles")], progress=False)
        server.kill()
        with pytest.raises(EmbeddingError) as caught:
            bot.search("Which volcano erupted?")
        message = str(caught.value)
        assert server.url in message and "NEWSDESK_EMBEDDINGS_BASE_URL" in message
        assert "3 tries" in message and "\n" not in message

        monkeypatch.setenv("NEWSDESK_EMBEDDINGS", "openai:smollm2")
        monkeypatch.setenv("NEWSDESK_EMBEDDINGS_BASE_URL", server.url)
        code = main(["search", "volcano", "--data-dir", str(tmp_path / "store")])
        err = capsys.readouterr().err
        assert code == 1
        assert err.startswith(f"newsdesk: the embedding server at {server.url} failed")
        assert err.count("\n") == 1 and "Traceback" not in err
    finally:
        server.stop()


class _Flaky(BaseHTTPRequestHandler):
    """Forwards to the real server, after failing the ways the class lists, in turn."""

    upstream = ""
    failures: ClassVar[list[str]] = []
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        failure = type(self).failures.pop(0) if type(self).failures else "forward"
        type(self).seen.append(failure)
        if failure == "drop":  # the connection closes with no reply
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if failure == "503":
            self._reply(503, b'{"error": "loading"}')
            return
        reply = httpx.post(
            self.upstream + self.path.removeprefix("/v1"),
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        self._reply(reply.status_code, reply.content)

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a free loopback port in a thread; yields its /v1 URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.slow
def test_a_dropped_connection_and_a_503_are_tried_again(embedding_server: LlamaServer) -> None:
    _Flaky.upstream = embedding_server.url
    _Flaky.failures = ["drop", "503"]
    _Flaky.seen = []
    with _serve(_Flaky) as url:
        embedder = RemoteEmbedder(
            "openai:smollm2", base_url=url, batch_size=8, timeout=30, backoff_s=0.01
        )
        vectors = embedder.encode(["a volcano erupted", "the bank raised rates"])
        assert _Flaky.seen == ["drop", "503", "forward"]
        assert vectors.shape == (2, 576) and vectors.dtype == np.float32
        assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)

        _Flaky.failures = ["503", "drop", "503"]  # one more failure than tries
        with pytest.raises(EmbeddingError, match=r"failed 3 tries \(HTTP 503\)") as caught:
            embedder.encode(["again"])
        assert url in str(caught.value)


class _Fake(BaseHTTPRequestHandler):
    """A fake embedding server, for counting requests only: each text's vector is
    (its length, 1, 0); the model 'missing' gets a 404 as an unknown model would."""

    batches: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).batches.append(len(payload["input"]))
        if payload["model"] == "missing":
            status, reply = 404, {"error": {"message": "model 'missing' not found"}}
        else:
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                for i, t in reversed(list(enumerate(payload["input"])))  # any order
            ]
            status, reply = 200, {"object": "list", "data": data}
        body = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_batches_are_respected_and_a_refusal_is_not_retried() -> None:
    _Fake.batches = []
    with _serve(_Fake) as url:
        embedder = RemoteEmbedder("openai:fake", base_url=url, batch_size=4, timeout=10)
        texts = [f"text {'x' * i}" for i in range(10)]
        vectors = embedder.encode(texts)
        assert _Fake.batches == [4, 4, 2]
        expected = np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)
        expected /= np.linalg.norm(expected, axis=1, keepdims=True)
        assert vectors == pytest.approx(expected)  # in the order asked, normalised
        assert embedder.dimensions == 3
        assert embedder.embed_query("q") == pytest.approx(embedder.encode(["q"])[0].tolist())

        _Fake.batches = []
        missing = RemoteEmbedder("openai:missing", base_url=url, batch_size=4, timeout=10)
        with pytest.raises(EmbeddingError, match="HTTP 404: model 'missing' not found"):
            missing.encode(["a"])
        assert _Fake.batches == [1]


def test_an_ingest_sends_the_batch_size_setting(tmp_path: Path) -> None:
    _Fake.batches = []
    with _serve(_Fake) as url:
        bot = Assistant(
            data_dir=tmp_path / "store",
            backend="extractive",
            embeddings="openai:fake",
            embeddings_base_url=url,
            embed_batch_size=2,
        )
        bot.ingest([_articles(tmp_path / "articles")], progress=False)
    assert _Fake.batches == [2, 1]  # three one-chunk articles, two at a time


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"embeddings": "bge-small"}, "expected openai:MODEL"),
        ({"embeddings": "openai:"}, "expected openai:MODEL"),
        ({"embeddings": "openai:bge-small"}, "NEWSDESK_EMBEDDINGS_BASE_URL"),
    ],
)
def test_a_wrong_embeddings_setting_is_a_config_error(
    tmp_path: Path, overrides: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        Assistant(data_dir=tmp_path / "store", backend="extractive", **overrides)


def test_an_eval_corpus_gets_its_own_store_per_embeddings(tmp_path: Path) -> None:
    corpus = [_articles(tmp_path / "articles")]
    packaged = eval_store_dir(corpus, Settings(data_dir=tmp_path / "d"), None)
    served = Settings(data_dir=tmp_path / "d", embeddings="openai:bge-small")
    assert eval_store_dir(corpus, served, None) != packaged
    assert eval_store_dir(corpus, Settings(data_dir=tmp_path / "d"), None) == packaged
