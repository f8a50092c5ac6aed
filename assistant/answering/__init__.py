"""Answering: the chain (condense, retrieve, select, prompt, model, check), its prompts,
the citations it parses back, the guards around the model, and the extractive answerer."""

from assistant.answering.chain import AnswerChain
from assistant.answering.citations import CANNOT_ANSWER, MARKER, resolve_citations
from assistant.answering.guards import check_question

__all__ = ["CANNOT_ANSWER", "MARKER", "AnswerChain", "check_question", "resolve_citations"]
