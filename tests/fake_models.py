"""A scripted chat model that counts what was read of its replies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import FakeListChatModel
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field


class CountingModel(FakeListChatModel):
    """Writes its replies in turn, a character at a time, as FakeListChatModel does, and
    counts the characters of each that were read."""

    read: list[int] = Field(default_factory=list)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.read.append(0)
        for chunk in super()._stream(*args, **kwargs):
            self.read[-1] += 1
            yield chunk
