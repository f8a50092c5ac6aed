"""What the page does when a reader asks: streaming, errors, escaping."""

from __future__ import annotations

import pytest

from assistant import Assistant, Passage
from assistant.web import actions
from assistant.web import views as page
from assistant.web.pool import AssistantPool
from tests.assistant.web.conftest import QUESTION, run_chat
from tests.conftest import SAMPLE_DIR


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
