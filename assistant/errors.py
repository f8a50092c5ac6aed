"""Every error Newsdesk raises on purpose, under one base class.

    NewsdeskError                 base: catch this at a boundary (CLI, chat page)
    ├── ConfigError               a setting or spec is wrong (unknown backend, bad value)
    ├── QuestionError             a question that cannot be asked (empty, far too long)
    ├── ModelError                a model file or package is missing or does not check out
    ├── StoreError                the Chroma store cannot be opened or used
    │   ├── CollectionMismatch    the collection was built with other model/chunk settings
    │   └── EmbeddingError        an embedding server failed (gone, erring, bad reply)
    └── BackendError              a chat-model backend failed (server down, bad reply)

Messages say what happened and how to fix it, in one line, so a boundary can print
``str(error)`` and nothing else.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class of every error Newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """A setting, flag or spec string is wrong."""


class QuestionError(NewsdeskError):
    """A question that cannot be asked as it is: empty, only punctuation, far too long."""


class ModelError(NewsdeskError):
    """A model file or the package that carries it is missing or fails its check."""


class StoreError(NewsdeskError):
    """The Chroma store cannot be opened, reached or written."""


class CollectionMismatch(StoreError):
    """The collection was built with a different embedding model or chunking."""


class EmbeddingError(StoreError):
    """An embedding server could not be reached, kept failing, or sent a bad reply."""


class BackendError(NewsdeskError):
    """A chat-model backend failed while answering."""
