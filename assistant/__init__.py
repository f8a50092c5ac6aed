"""Newsdesk: answers about news articles, every claim citing its passage.

The public API; everything else is internal and may change.
"""

from assistant.answering.citations import CANNOT_ANSWER
from assistant.backends import BACKENDS, make_chat_model
from assistant.desk import Assistant
from assistant.errors import (
    BackendError,
    CollectionMismatch,
    ConfigError,
    EmbeddingError,
    ModelError,
    NewsdeskError,
    QuestionError,
    StoreError,
)
from assistant.settings import Settings
from assistant.types import (
    Answer,
    Citation,
    Filters,
    Passage,
    Passages,
    RemovedClaim,
    StoredArticle,
    TimeWindow,
    Token,
    Turn,
)
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
    "EmbeddingError",
    "Filters",
    "IngestReport",
    "ModelError",
    "NewsdeskError",
    "Passage",
    "Passages",
    "QuestionError",
    "RemovedClaim",
    "Settings",
    "Skipped",
    "StoreError",
    "StoredArticle",
    "TimeWindow",
    "Token",
    "Turn",
    "make_chat_model",
]
