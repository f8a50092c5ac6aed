"""Batch evaluation: question sets, metrics, the runner that writes results as it goes,
and the reports (Markdown, HTML, run comparisons)."""

from assistant.evaluation.questions import BadRow, Question, load_questions
from assistant.evaluation.runner import RunResult, read_results, run_evaluation
from assistant.evaluation.summary import METRICS, summarize

__all__ = [
    "METRICS",
    "BadRow",
    "Question",
    "RunResult",
    "load_questions",
    "read_results",
    "run_evaluation",
    "summarize",
]
