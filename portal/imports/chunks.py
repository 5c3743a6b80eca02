"""Checking a big file's rows in worker processes, in file order, into COPY text.

The row checks are most of a big import's time (an 8-million-row roster: about 7 minutes on one core)
while the database waits. From the command line, a big file's rows are checked in chunks by
settings.IMPORT_CHECK_PROCESSES processes; the importer streams each checked chunk into its staging table
with COPY as it comes back. A Celery worker's pool child may not start processes (and uploads are
smaller): there the same chunks are checked in the process itself.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from datetime import date

from django.conf import settings
from django.utils import translation

from portal.imports.tabular import RawRow, RowRejected, Table

CHUNK_ROWS = 5_000
PROCESSES_FROM_ROWS = 200_000

# (row_number, raw row, **context) -> the staged values, or RowRejected with the reason.
RowCheck = Callable[..., tuple]


def checked_chunks(
    table: Table, *, check: RowCheck, context: dict, processes: int | None = None
) -> Iterator[tuple[bytes, int, list, int]]:
    """(COPY text of the accepted rows, how many, rejects (row, ID as typed, reason), last row number) per
    chunk, in file order. `check` must be a module-level function (it is handed to the processes)."""
    processes = settings.IMPORT_CHECK_PROCESSES if processes is None else processes
    setup = (check, context, translation.get_language())
    chunks = _chunks(table)
    if (
        processes <= 1
        or table.estimated_rows < PROCESSES_FROM_ROWS
        or multiprocessing.current_process().daemon
    ):
        _setup(*setup)
        yield from map(_check_chunk, chunks)
        return
    with multiprocessing.get_context("fork").Pool(processes, initializer=_setup, initargs=setup) as pool:
        waiting: deque = deque()
        for chunk in chunks:
            waiting.append(pool.apply_async(_check_chunk, (chunk,)))
            if len(waiting) > 2 * processes:  # read ahead a little, never the whole file
                yield waiting.popleft().get()
        while waiting:
            yield waiting.popleft().get()


def copy_checked_rows(
    cursor, table: Table, *, stage: str, columns, check: RowCheck, context: dict, rejects: list, progress
) -> int:
    """Check the file's rows (checked_chunks) and stream the accepted ones into `stage` with COPY as
    each chunk comes back; rejects are added to `rejects`, progress reported as ("checking", rows read,
    rows in the file). Returns how many rows were staged."""
    staged = 0
    with cursor.cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
        for text, accepted, rejected, last_row in checked_chunks(table, check=check, context=context):
            copy.write(text)
            staged += accepted
            rejects.extend(rejected)
            progress("checking", last_row - 1, table.estimated_rows)
    return staged


def _chunks(table: Table) -> Iterator[list]:
    chunk = []
    for row_number, raw in table:
        chunk.append((row_number, dict(raw), raw.problem))
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_context: dict = {}


def _setup(check: RowCheck, context: dict, language: str | None) -> None:
    _context.clear()
    _context.update(check=check, context=context)
    if language:
        translation.activate(language)  # the reasons are for the staff who read the rejects file


def _check_chunk(chunk: list) -> tuple[bytes, int, list, int]:
    check, context = _context["check"], _context["context"]
    lines, rejects = [], []
    for row_number, values, problem in chunk:
        raw = RawRow(values)
        raw.problem = problem
        try:
            staged = check(row_number, raw, **context)
        except RowRejected as rejection:
            rejects.append((row_number, values.get("id_number", ""), str(rejection)))
            continue
        lines.append("\t".join(map(copy_text, staged)))
    text = "\n".join(lines) + "\n" if lines else ""
    return text.encode("utf-8"), len(lines), rejects, chunk[-1][0]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # int, Decimal
