"""The page's assistants: one per backend a reader may choose, shared by every session."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from assistant.desk import Assistant
from assistant.errors import ConfigError

AssistantFactory = Callable[[str], Assistant]


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
