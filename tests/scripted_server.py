"""An OpenAI-compatible chat server on loopback whose "model" is a script.

The HTTP server and the protocol are real (``/v1/models``, ``/v1/chat/completions``,
streamed as server-sent events or not), so the client path under test is the one a real
server takes; only the replies are fixed in advance: ``answer`` turns the prompt the
server received into the answer text, ``judge`` turns a claim and its quoted sentences
into "Yes" or "No".
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answerer = Callable[[str], str]
Judge = Callable[[str, str], str]

# How the verification prompt (prompts/verify.txt) sets out the claim and its sentences.
_JUDGE_PROMPT = re.compile(r"Sentences:\n(?P<evidence>.*?)\n\nClaim: (?P<claim>.*?)\n\n", re.S)


class ScriptedServer:
    """Serves on a free loopback port while in use as a context manager."""

    def __init__(
        self, answer: Answerer, judge: Judge, model: str = "scripted", finish: str = "stop"
    ) -> None:
        self.answer = answer
        self.judge = judge
        self.model = model
        self.finish = finish  # the finish_reason of answers ("length": cut at max_tokens)
        self.prompts: list[str] = []  # every prompt received, in order
        self.judged: list[tuple[str, str]] = []  # (claim, reply) of every judge prompt

    def reply(self, prompt: str) -> str:
        match = _JUDGE_PROMPT.search(prompt)
        if match:
            verdict = self.judge(match["claim"], match["evidence"])
            self.judged.append((match["claim"], verdict))
            return verdict
        return self.answer(prompt)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Start the server; yields its base URL (``http://127.0.0.1:PORT/v1``)."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            server.shutdown()
            server.server_close()


def _handler(script: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json({"object": "list", "data": [{"id": script.model, "object": "model"}]})
            else:
                self._json({"error": {"message": "not found"}}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json({"error": {"message": "not found"}}, 404)
                return
            prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
            script.prompts.append(prompt)
            text = script.reply(prompt)
            finish = "stop" if _JUDGE_PROMPT.search(prompt) else script.finish
            created = int(time.time())
            if not request.get("stream"):
                self._json(
                    {
                        "id": "scripted",
                        "object": "chat.completion",
                        "created": created,
                        "model": script.model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": finish,
                            }
                        ],
                        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    }
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = re.findall(r"\S+\s*", text) or [""]
            for i, piece in enumerate([*pieces, None]):
                delta = {"content": piece} if piece is not None else {}
                if i == 0:
                    delta["role"] = "assistant"
                chunk = {
                    "id": "scripted",
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": script.model,
                    "choices": [
                        {
                            "index": 0,
                            "delta": delta,
                            "finish_reason": None if piece is not None else finish,
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
