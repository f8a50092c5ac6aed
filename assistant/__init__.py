"""Newsdesk: answers about news articles, every claim citing its passage.

The public API; everything else is internal and may change.
"""

from assistant.assistant import BACKENDS, Assistant
from assistant.chain import Passages, Token, Turn
from assistant.citations import CANNOT_ANSWER, Answer, Citation
from assistant.errors import (
    BackendError,
    CollectionMismatch,
    ConfigError,
    ModelError,
    NewsdeskError,
    QuestionError,
    StoreError,
)
from assistant.llms import make_chat_model
from assistant.retrieval import Filters, Passage
from assistant.settings import Settings
from assistant.store import StoredArticle
from ingest.documents import Article, Chunk, IngestReport, Skipped

__all__ = [
    "BACKENDS",
    "CANNOT_ANSWER",
    "Answer",
    "Article",
    "Assistant",
    "BackendError",
    "Chunk",
    "Citation",
    "CollectionMismatch",
    "ConfigError",
    "Filters",
    "IngestReport",
    "ModelError",
    "NewsdeskError",
    "Passage",
    "Passages",
    "QuestionError",
    "Settings",
    "Skipped",
    "StoreError",
    "StoredArticle",
    "Token",
    "Turn",
    "make_chat_model",
]
