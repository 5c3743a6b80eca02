"""Reading the files agencies send: CSV (UTF-8 with or without BOM, or GB18030) and XLSX.

Headers may be English or Chinese; each import names its columns and their aliases. A file that cannot
be read at all raises UnreadableFile with a message for staff; a readable file yields its rows numbered
as a spreadsheet shows them (the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext_lazy as _

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
UTF8_BOM = b"\xef\xbb\xbf"


class UnreadableFile(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _header_key(text) -> str:
    return re.sub(r"[\s\ufeff_\-/()（）]+", "", str(text or "")).lower()


class Table:
    """The rows of one file, with columns renamed to the import's own field names."""

    def __init__(
        self,
        header: list,
        rows: Iterator[list],
        columns: dict[str, tuple[str, ...]],
        encoding: str,
        estimated_rows: int,
    ):
        self.encoding = encoding
        self.estimated_rows = estimated_rows  # for progress bars; blank lines make it a little high
        self.columns = columns
        aliases = {_header_key(alias): field for field, names in columns.items() for alias in (field, *names)}
        self.positions: dict[str, int] = {}
        for position, title in enumerate(header):
            field = aliases.get(_header_key(title))
            if field and field not in self.positions:
                self.positions[field] = position
        self._rows = rows

    def require(self, *fields: str) -> None:
        missing = [
            f"{field} / {self.columns[field][0]}" if self.columns.get(field) else field
            for field in fields
            if field not in self.positions
        ]
        if missing:
            raise UnreadableFile(
                _("The file has no column for: %(columns)s. Check the header row.")
                % {"columns": ", ".join(missing)}
            )

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for row_number, cells in enumerate(self._rows, start=2):
            values = {
                field: _cell_text(cells[position]) if position < len(cells) else ""
                for field, position in self.positions.items()
            }
            if not any(values.values()) and not any(_cell_text(cell) for cell in cells):
                continue  # a blank line: nothing to import and nothing to reject
            yield row_number, values


def open_table(path: str | Path, columns: dict[str, tuple[str, ...]]) -> Table:
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise UnreadableFile(_("The file is empty."))
    if raw.startswith(XLSX_MAGIC):
        return _open_xlsx(raw, columns)
    if raw.startswith(OLD_EXCEL_MAGIC):
        raise UnreadableFile(_("This is an old Excel (.xls) file. Save it as .xlsx or CSV and try again."))
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(_("This is not a CSV or XLSX file."))
    text, encoding = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise UnreadableFile(_("The file has no header row.")) from error
    return Table(header, _csv_rows(reader), columns, encoding, estimated_rows=max(0, text.count("\n") - 1))


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(UTF8_BOM):
        try:
            return raw[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise UnreadableFile(_("The file says it is UTF-8 but is not.")) from error
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("The file's encoding is not UTF-8 or GB18030. Save it as CSV (UTF-8).")
        ) from error


def _csv_rows(reader) -> Iterator[list]:
    try:
        yield from reader
    except csv.Error as error:
        raise UnreadableFile(_("The CSV file is malformed: %(error)s") % {"error": error}) from error


def _open_xlsx(raw: bytes, columns) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds; all mean "cannot read"
        raise UnreadableFile(_("The Excel file cannot be opened.")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = list(next(rows))
    except StopIteration as error:
        raise UnreadableFile(_("The file has no header row.")) from error
    estimated = max(0, (sheet.max_row or 1) - 1)
    return Table(header, (list(row) for row in rows), columns, "xlsx", estimated_rows=estimated)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date_text(text: str) -> date:
    """A date as agencies write it (2025-05-20, 2025/5/20, 20250520, 2025年5月20日); ValueError if not."""
    cleaned = (text or "").strip()
    if " " in cleaned:  # "2025-05-20 00:00:00" from spreadsheets
        cleaned = cleaned.split(" ", 1)[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)  # raises ValueError for 2025-02-30
    raise ValueError(f"not a date: {text!r}")


def sniff_table(upload, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> None:
    """Refuse an upload at once if it cannot be read or lacks a required column (nothing is stored)."""
    head = upload.read(64 * 1024)
    upload.seek(0)
    if not head.strip():
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(XLSX_MAGIC):
        table = _open_xlsx(upload.read(), columns)
        upload.seek(0)
    elif head.startswith(OLD_EXCEL_MAGIC):
        raise UnreadableFile(_("This is an old Excel (.xls) file. Save it as .xlsx or CSV and try again."))
    elif b"\x00" in head[:4096]:
        raise UnreadableFile(_("This is not a CSV or XLSX file."))
    else:
        # Only the first lines: cut at the last complete line, so no character is split.
        cut = head.rfind(b"\n")
        text, encoding = _decode(head[: cut + 1] if cut > 0 else head)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as error:
            raise UnreadableFile(_("The file has no header row.")) from error
        table = Table(header, iter(()), columns, encoding, estimated_rows=0)
    table.require(*required)
