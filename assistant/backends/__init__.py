"""Chat-model backends: llama.cpp in process, OpenAI-compatible servers and Ollama, each a
LangChain ``BaseChatModel`` chosen by a spec string (:func:`make_chat_model`)."""

from assistant.backends.llamacpp import LlamaCppChat
from assistant.backends.registry import BACKENDS, CHAT_BACKENDS, make_chat_model
from assistant.backends.servers import backend_errors

__all__ = ["BACKENDS", "CHAT_BACKENDS", "LlamaCppChat", "backend_errors", "make_chat_model"]
