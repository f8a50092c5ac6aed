"""The page as a server: the /ask API over a real Gradio app on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from tests.assistant.web.conftest import QUESTION

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
