"""Exports that stream: a street's whole queue (or a district's) never sits in memory at once.

Rows are read from the database in chunks and turned into values by the same django-tables2 table the
screen shows (its `value_*` methods mask personal data), so an export holds exactly what the screen does.

Every value passes through `cell_value()` on its way out: tables may hand over lazy translations, dates as
text, model instances or None, and a spreadsheet only takes plain values (openpyxl refuses anything else,
which answered 500 for a whole queue). XLSX files get real date cells, column widths from the first rows
and a frozen header row; they are written in openpyxl's write-only mode, a row at a time, to a temporary
file on disk.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.db import connections
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from portal.counting import count_at_most

CHUNK_ROWS = 2000
# The most data rows one Excel sheet holds (1,048,576 rows, one of them the header).
XLSX_MAX_DATA_ROWS = 1_048_575
# Column widths are measured on this many rows, read before the sheet is written (write-only sheets
# take their column widths before the first row).
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "2026-03-01 08:30", and str() of a stored time: "2026-03-01 00:30:05.804778+00:00" (UTC, shown local).
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
# What the screen shows in an empty cell; in a spreadsheet an empty cell is empty (and filters as blank).
_EMPTY_MARKS = {"—", "-"}
# Characters XML 1.0 (and so XLSX) cannot hold: openpyxl raises IllegalCharacterError on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A text cell starting with one of these is run as a formula by spreadsheet programs (CSV/formula
# injection, OWASP): "=", "+", "-", "@", a tab, a carriage return, and their fullwidth forms, which
# Chinese input methods type and some spreadsheet programs take as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(value) -> bool:
    """Whether a value is text that a spreadsheet program could run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_formula(value):
    """The value made inert for a spreadsheet: text that could run as a formula gets a leading apostrophe
    (shown as text, never run); numbers, dates and other text are returned as they are.

    Every file the portal writes for download passes its cells through here (CSV exports, background
    exports, import rejects files); XLSX cells are stored as typed strings instead (write_xlsx).
    A name such as "-1" is text, and gets its apostrophe too: real numbers reach the writers as numbers.
    """
    if looks_like_formula(value):
        return "'" + value
    return value


def cell_value(value):
    """A value a spreadsheet can hold: str, int, float, Decimal, date, naive datetime, or ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return value
    text = str(value)  # lazy translations, labels, model instances
    text = _ILLEGAL_XML.sub("", text).strip()
    if text in _EMPTY_MARKS:
        return ""
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    if _ISO_DATETIME.match(text):
        try:
            return cell_value(datetime.fromisoformat(text.replace(" ", "T")))
        except ValueError:
            return text
    return text


def csv_text(value) -> str:
    return csv_cell(cell_value(value))


def csv_cell(value) -> str:
    """A value already made cell-ready (cell_value, as every row of table_rows is) as CSV text. The exact
    types first: a city's export passes 20 million values through here."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if kind is int:
        return str(value)
    if kind is date:
        return value.isoformat()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise_formula(str(value))
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a streaming response."""

    def write(self, value):
        return value


def count_rows(data, *, at_most: int) -> int:
    """How many rows an export would hold, counting no further than `at_most + 1`."""
    if isinstance(data, QuerySet):
        return count_at_most(data, at_most + 1)
    return len(data)


def table_rows(table_class, queryset: QuerySet | list, *, table_kwargs: dict | None = None) -> Iterator[list]:
    """The header, then one list of exported values per record, reading `CHUNK_ROWS` at a time."""
    if hasattr(table_class, "export_rows") and isinstance(queryset, QuerySet):
        # The table's own reader for long lists: plain columns straight from the database, labels and
        # masks applied in one loop, values already cell-ready (50,000+ rows a second instead of 2,000).
        yield from table_class.export_rows(queryset)
        return
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
            yield [cell_value(title) for title in table_class.export_header()]
        for record in records:
            yield [cell_value(value) for value in table_class.export_values(record)]
        return
    table = table_class(records, **table_kwargs)
    values = table.as_values()
    header = next(values)
    if with_header:
        yield [cell_value(title) for title in header]
    for row in values:
        yield [cell_value(value) for value in row]


def _display_width(value) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    # Chinese characters take two columns' width in Excel.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def write_csv(rows: Iterable[list], out: IO[str], *, cell_ready: bool = False) -> int:
    """Write rows to a text file (UTF-8 with a BOM, for Excel); return the number of data rows.
    `cell_ready`: the values went through cell_value already (table_rows), so only CSV text is made."""
    writer = csv.writer(out)
    out.write("\ufeff")
    written = -1
    text = csv_cell if cell_ready else csv_text
    for row in rows:
        writer.writerow([text(value) for value in row])
        written += 1
    return max(written, 0)


def write_csv_copy(header: list[str], cells: QuerySet, out: IO[bytes], *, progress=None) -> int:
    """Write a CSV file (UTF-8 with a BOM, for Excel) whose rows PostgreSQL makes: `cells` is a values_list
    of CSV-ready text (portal/exports/cells.py), sent as one COPY ... TO STDOUT and written as it comes,
    a few kB at a time. Returns the number of data rows, as the database counted them."""
    sql, params = cells.query.sql_with_params()
    heading = io.StringIO()
    csv.writer(heading, lineterminator="\n").writerow([csv_cell(cell_value(title)) for title in header])
    out.write(("\ufeff" + heading.getvalue()).encode("utf-8"))
    lines = reported = 0
    with connections[cells.db].cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                out.write(block)
                lines += bytes(block).count(b"\n")
                if progress is not None and lines - reported >= 50_000:
                    progress(lines)  # about: a quoted cell may hold a line break
                    reported = lines
        return raw.rowcount


def write_xlsx(rows: Iterable[list], out, *, title: str = "", progress=None) -> int:
    """Write rows to an XLSX file: real dates, widths from the first rows, a frozen header row.

    Returns the number of data rows. `progress(done)` is called every CHUNK_ROWS rows.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    rows = iter(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Sheet1")[:31])
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) > WIDTH_SAMPLE_ROWS:
            break
    widths: dict[int, int] = {}
    for row in sample:
        for position, value in enumerate(row):
            widths[position] = max(widths.get(position, 0), _display_width(value))
    for position, width in widths.items():
        sheet.column_dimensions[get_column_letter(position + 1)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    sheet.freeze_panes = "A2"
    # Printed, a list is as wide as the page, landscape, with the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:1"
    bold = Font(bold=True)

    def cells(row):
        out_row = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                # openpyxl makes any text starting with "=" a formula (and "#N/A" an error): every text
                # cell is stored as a string. One that could run as a formula when someone edits it
                # also gets Excel's own leading apostrophe (quotePrefix): the name shows exactly as it
                # is, as text, and stays text after editing.
                cell.data_type = "s"
                if looks_like_formula(value):
                    cell.quotePrefix = True
            out_row.append(cell)
        return out_row

    written = -1
    try:
        for row in _chain(sample, rows):
            if written == -1:
                header = cells(row)
                for cell in header:
                    cell.font = bold
                sheet.append(header)
            else:
                if written >= XLSX_MAX_DATA_ROWS:
                    raise TooManyRowsForExcel
                sheet.append(cells(row))
            written += 1
            if progress is not None and written and written % CHUNK_ROWS == 0:
                progress(written)
    except BaseException:
        sheet.close()  # the write-only sheet's temporary file, which save() would otherwise have closed
        raise
    workbook.save(out)
    return max(written, 0)


class TooManyRowsForExcel(Exception):
    """More rows than one Excel sheet holds; CSV has no limit."""


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def export_response(table_class, queryset: QuerySet, *, export_format: str, filename: str, table_kwargs=None):
    rows = table_rows(table_class, queryset, table_kwargs=table_kwargs)
    if export_format == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # a BOM, so that Excel reads the Chinese text as UTF-8
            for row in rows:
                yield writer.writerow([csv_cell(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if export_format == "xlsx":
        spool = tempfile.TemporaryFile()
        write_xlsx(rows, spool)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
        )
    raise ValueError(export_format)
