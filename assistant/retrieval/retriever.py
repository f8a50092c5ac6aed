"""The hybrid search as a LangChain retriever (Documents carry the Passage fields)."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval.search import HybridSearcher
from assistant.types import NO_FILTERS, Filters


class HybridRetriever(BaseRetriever):
    """The hybrid searcher as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int
    filters: Filters = NO_FILTERS

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [p.to_document() for p in self.searcher.search(query, self.k, self.filters)]
