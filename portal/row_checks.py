"""Checking the rows of a big file on every core.

The database is idle while an import checks its rows in Python, so a file of a million rows is checked
by a pool of forked processes (they inherit the loaded code and the check itself), in file order. Small
files, work inside a transaction, and daemons (a Celery worker cannot fork a pool) check in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connection
from django.utils import translation

CHUNK_ROWS = 20_000
PARALLEL_FROM_ROWS = 50_000

# The check of the current import: set before the pool forks, so every child has it.
_current_check: Callable | None = None


def _check_chunk(chunk: list[tuple[int, dict]]) -> list:
    return [_current_check(row_number, raw) for row_number, raw in chunk]


def _start_worker(language: str) -> None:
    translation.activate(language)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def checked_rows(table, check: Callable, *, progress: Callable, parallel_from: int | None = None) -> Iterator:
    """`check(row_number, raw)` for every row of `table`, in file order."""
    global _current_check
    threshold = PARALLEL_FROM_ROWS if parallel_from is None else parallel_from
    parallel = (
        table.estimated_rows >= threshold
        and not connection.in_atomic_block
        and not multiprocessing.current_process().daemon
        and (os.cpu_count() or 1) > 1
    )
    done = 0
    if not parallel:
        for row_number, raw in table:
            yield check(row_number, raw)
            done += 1
            if done % CHUNK_ROWS == 0:
                progress("checking", done, table.estimated_rows)
        return
    _current_check = check
    connection.close()  # a forked child must not share the parent's database socket
    language = translation.get_language() or settings.LANGUAGE_CODE
    workers = min(2, os.cpu_count() or 1)
    try:
        with multiprocessing.get_context("fork").Pool(
            workers, initializer=_start_worker, initargs=(language,)
        ) as pool:
            for results in pool.imap(_check_chunk, _chunks(table, CHUNK_ROWS)):
                yield from results
                done += len(results)
                progress("checking", done, table.estimated_rows)
    finally:
        _current_check = None
