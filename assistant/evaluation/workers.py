"""Questions answered side by side, their records handed on in question order.

An evaluation against a model server spends its time waiting for replies, so a few
threads asking at once finish sooner; the records still come out in question order, so
``results.jsonl`` is the file one worker writes, timings apart. The in-process llama.cpp
model answers one question at a time whatever the number of threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from assistant.errors import ConfigError
from assistant.evaluation.questions import Question

Record = dict[str, Any]


def check_workers(workers: object) -> int:
    """``workers`` if it is a whole number of at least 1.

    Raises:
        ConfigError: anything else.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers must be a whole number of at least 1, not {workers!r}")
    return workers


def in_order(
    answer: Callable[[Question], Record], questions: Sequence[Question], *, workers: int
) -> Iterator[Record]:
    """``answer(q)`` for each question, on ``workers`` threads, yielded in question order.

    When a question fails, or the run is interrupted while waiting, questions not yet
    started are dropped, those under way finish, and every record that came back is
    yielded before the error goes on, so a resumed run answers only what is missing.

    Example:
        >>> records = in_order(lambda q: {"id": q.id}, questions, workers=3)
        >>> [r["id"] for r in records]  # doctest: +SKIP
        ['q1', 'q2', 'q3']
    """
    check_workers(workers)
    if workers == 1:  # in this thread: nothing to gain from another
        for q in questions:
            yield answer(q)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsdesk-eval")
    futures: list[Future[Record]] = [pool.submit(answer, q) for q in questions]
    handed = 0
    try:
        for future in futures:
            record = future.result()
            handed += 1
            yield record
    except GeneratorExit:  # the caller stopped reading: drop the rest
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures[handed:]:
            if not future.cancelled() and future.exception() is None:
                yield future.result()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
