"""Exports that stream: a street's whole queue (or a district's) never sits in memory at once.

Rows are read from the database in chunks and turned into values by the same django-tables2 table the
screen shows (its `value_*` methods mask personal data), so an export holds exactly what the screen does.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse

CHUNK_ROWS = 2000


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a streaming response."""

    def write(self, value):
        return value


def table_rows(table_class, queryset: QuerySet | list, *, table_kwargs: dict | None = None) -> Iterator[list]:
    """The header, then one list of exported values per record, reading `CHUNK_ROWS` at a time."""
    table_kwargs = table_kwargs or {}
    header_done = False
    chunk = []
    records = queryset.iterator(chunk_size=CHUNK_ROWS) if hasattr(queryset, "iterator") else iter(queryset)
    for record in records:
        chunk.append(record)
        if len(chunk) == CHUNK_ROWS:
            yield from _chunk_values(table_class, chunk, table_kwargs, with_header=not header_done)
            header_done = True
            chunk = []
    if chunk or not header_done:
        yield from _chunk_values(table_class, chunk, table_kwargs, with_header=not header_done)


def _chunk_values(table_class, records: list, table_kwargs: dict, *, with_header: bool) -> Iterator[list]:
    if hasattr(table_class, "export_values"):  # the table's own fast path, for long lists
        if with_header:
            yield table_class.export_header()
        for record in records:
            yield table_class.export_values(record)
        return
    table = table_class(records, **table_kwargs)
    values = table.as_values()
    header = next(values)
    if with_header:
        yield header
    yield from values


def export_response(table_class, queryset: QuerySet, *, export_format: str, filename: str, table_kwargs=None):
    rows = table_rows(table_class, queryset, table_kwargs=table_kwargs)
    if export_format == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # a BOM, so that Excel reads the Chinese text as UTF-8
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if export_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        spool = tempfile.TemporaryFile()
        workbook.save(spool)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise ValueError(export_format)
