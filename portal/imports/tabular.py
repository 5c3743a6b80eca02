"""Reading the files agencies send: CSV (UTF-8 with or without BOM, or GB18030) and XLSX.

Headers may be English or Chinese; each import names its columns and their aliases. A file that cannot
be read at all raises UnreadableFile with a message for staff; a readable file yields its rows numbered
as a spreadsheet shows them (the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
UTF8_BOM = b"\xef\xbb\xbf"
# A spreadsheet's XML packs 5-30 times; a zip bomb packs hundreds or thousands of times.
XLSX_MAX_RATIO = 150


class RowRejected(Exception):
    """One row cannot be imported; the message, in the staff's language, goes to the rejects file."""


class RawRow(dict):
    """One row's cells by field name. `problem` says why the row's structure cannot be trusted (a stray
    quotation mark, the wrong number of columns, a formula instead of a value): such a row is rejected
    with that reason before any field is looked at."""

    problem: str | None = None


def reject_if_malformed(raw: RawRow) -> None:
    if getattr(raw, "problem", None):
        raise RowRejected(raw.problem)


def within_limit(text: str, *, limit: int, label) -> str:
    """The text as given, or a rejection naming the field and its limit: never cut silently."""
    if len(text) > limit:
        raise RowRejected(
            _(
                "%(field)s is longer than %(limit)s characters (%(length)s); nothing was cut, fix it and import again"
            )
            % {"field": label, "limit": limit, "length": len(text)}
        )
    return text


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
        # A CSV row with another number of values than the header had a comma or quote go astray. An
        # XLSX row is cells in their columns: a row may simply stop at its last filled cell.
        self.width = len(header) if encoding != "xlsx" else 0

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

    def __iter__(self) -> Iterator[tuple[int, RawRow]]:
        width = self.width
        for row_number, cells, problem in self._rows:
            values = RawRow(
                (field, _cell_text(cells[position]) if position < len(cells) else "")
                for field, position in self.positions.items()
            )
            if not problem and not any(values.values()) and not any(_cell_text(cell) for cell in cells):
                continue  # a blank line: nothing to import and nothing to reject
            if not problem and width and len(cells) != width:
                problem = _(
                    "this row has %(found)s columns, the header has %(expected)s: a comma or quotation mark "
                    "inside a value? Nothing from this row was imported"
                ) % {"found": len(cells), "expected": width}
            formulas = [field for field, position in self.positions.items() if position < len(cells)
                        and isinstance(cells[position], Formula)]  # fmt: skip
            if not problem and formulas:
                problem = _(
                    "the %(field)s cell holds a formula (%(formula)s), not a value: paste the values instead"
                ) % {
                    "field": self.label(formulas[0]),
                    "formula": str(cells[self.positions[formulas[0]]])[:40],
                }
            if not problem and any("\x00" in value for value in values.values()):
                # A database text cannot hold it: one such row would otherwise fail the whole import.
                problem = _("this row holds a NUL control character; nothing from this row was imported")
            values.problem = problem
            yield row_number, values

    def label(self, field: str) -> str:
        return self.columns[field][0] if self.columns.get(field) else field


def open_table(path: str | Path, columns: dict[str, tuple[str, ...]]) -> Table:
    """The file's rows, read as they are consumed: a CSV of millions of rows is never held in memory
    (an 8-million-row roster is 1.3 GB of text). XLSX files are small by nature (at most 1,048,576 rows)."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    if not head.strip():
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(path.read_bytes(), columns)
    if head.startswith(OLD_EXCEL_MAGIC):
        raise UnreadableFile(_("This is an old Excel (.xls) file. Save it as .xlsx or CSV and try again."))
    if b"\x00" in head[:4096]:
        raise UnreadableFile(_("This is not a CSV or XLSX file."))
    encoding, breaks = _csv_encoding(path)
    handle = open(path, encoding=encoding, newline="")  # closed by _closing_rows when read to the end
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        handle.close()
        raise UnreadableFile(_("The file has no header row.")) from error
    return Table(
        header, _closing_rows(_csv_rows(reader), handle), columns, encoding, estimated_rows=max(0, breaks - 1)
    )


def _closing_rows(rows: Iterator, handle) -> Iterator:
    try:
        yield from rows
    finally:
        handle.close()


# Read in blocks: the whole file is checked before any row is imported, without holding it in memory.
_BLOCK = 16 * 1024 * 1024
_SAMPLE_CHARACTERS = 1_000_000


def _csv_encoding(path: Path) -> tuple[str, str]:
    """(encoding, number of line breaks): UTF-8 (with or without BOM) if every byte of the file decodes as UTF-8,
    else GB18030; UnreadableFile if neither, or if the text does not read as Chinese."""
    with open(path, "rb") as handle:
        has_bom = handle.read(len(UTF8_BOM)) == UTF8_BOM
    candidates = ("utf-8-sig",) if has_bom else ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            breaks, sample = _decode_whole(path, encoding)
        except UnicodeDecodeError:
            continue
        if not plausible_chinese(sample):
            raise UnreadableFile(
                _(
                    "This file does not read as Chinese in UTF-8 or GB18030 (it may be Big5, Shift-JIS or "
                    "a damaged conversion). Save it as UTF-8 or GB18030 and upload it again."
                )
            )
        return encoding, breaks
    if has_bom:
        raise UnreadableFile(_("The file says it is UTF-8 but is not."))
    raise UnreadableFile(_("The file's encoding is not UTF-8 or GB18030. Save it as CSV (UTF-8)."))


def _decode_whole(path: Path, encoding: str) -> tuple[int, str]:
    """Decode every block (raises UnicodeDecodeError); returns the number of line breaks and a sample of
    the text: its first and last million characters (a small file is its own sample)."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    breaks = length = 0
    head = tail = ""
    with open(path, "rb") as handle:
        while True:
            block = handle.read(_BLOCK)
            text = decoder.decode(block, final=not block)
            breaks += block.count(b"\n")
            length += len(text)
            if len(head) < _SAMPLE_CHARACTERS:
                head += text[: _SAMPLE_CHARACTERS - len(head)]
            tail = (tail + text)[-_SAMPLE_CHARACTERS:]
            if not block:
                break
    return breaks, head if length <= _SAMPLE_CHARACTERS else head + tail


def _decode(raw: bytes) -> tuple[str, str]:
    """The first lines of an upload (sniff_table): decoded, and checked to read as Chinese."""
    text, encoding = _decode_as_sent(raw)
    if not plausible_chinese(text):
        raise UnreadableFile(
            _(
                "This file does not read as Chinese in UTF-8 or GB18030 (it may be Big5, Shift-JIS or "
                "a damaged conversion). Save it as UTF-8 or GB18030 and upload it again."
            )
        )
    return text, encoding


def _decode_as_sent(raw: bytes) -> tuple[str, str]:
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


# Never in Chinese names or addresses: kana, Hangul, box drawing, Cyrillic and Greek, CJK compatibility
# squares, halfwidth katakana, private use, and the replacement character of a failed conversion.
_NOT_CHINESE = re.compile(
    "[\u3040-\u30ff\uac00-\ud7af\u2500-\u257f\u0370-\u04ff\u3300-\u33ff\uff61-\uff9f\ue000-\uf8ff\ufffd]"
)
_NON_ASCII = re.compile("[^\x00-\x7f]")


@functools.lru_cache(maxsize=65536)
def _rare(character: str) -> bool:
    """Neither simplified (GB2312) nor traditional (Big5) everyday Chinese."""
    for codec in ("gb2312", "big5"):
        try:
            character.encode(codec)
            return False
        except UnicodeEncodeError:
            continue
    return True


def plausible_chinese(text: str) -> bool:
    """Whether decoded text reads as Chinese. A Big5 or Shift-JIS file decoded as GB18030 turns nearly
    half its characters into kana, box drawing, Cyrillic or rare ideographs; real rosters have almost none
    (measured: Big5 44%, Shift-JIS 48%, GB18030 and UTF-8 rosters 0%)."""
    counts = Counter(_NON_ASCII.findall(text))
    total = sum(counts.values())
    if total < 4:
        return True
    odd = sum(
        count for character, count in counts.items() if _NOT_CHINESE.match(character) or _rare(character)
    )
    return odd * 20 <= total  # at most 5%


def _csv_rows(reader) -> Iterator[tuple[int, list, str | None]]:
    """(row number, cells, problem) per record, rows numbered by the physical line they start on.

    The csv module's strict mode refuses a quotation mark inside an unquoted value (that row is rejected
    and reading goes on with the next line). A record that spans several lines means a quotation mark
    opened a value and a later one closed it: every line it swallowed is reported, none is merged."""
    line = reader.line_num
    while True:
        first = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            yield (
                first,
                [],
                _("a quotation mark in the middle of a value (%(error)s); nothing from this row was imported")
                % {"error": error},
            )
            continue
        line = reader.line_num
        if line == first:
            quoted = any('"' in cell for cell in cells)
            yield (
                first,
                cells,
                _("a quotation mark inside a value; nothing from this row was imported") if quoted else None,
            )
            continue
        yield (
            first,
            cells,
            _(
                "a quotation mark opens a value here that only closes on row %(last)s: rows %(first)s–%(last)s ran "
                "together and none of them was imported. Remove the stray quotation mark"
            )
            % {"first": first, "last": line},
        )
        swallowed = ",".join(str(cell) for cell in cells).split("\n")[1:]
        for offset, text in enumerate(swallowed[: line - first], start=1):
            yield (
                first + offset,
                text.split(","),
                _("ran together with row %(first)s (a stray quotation mark there); not imported")
                % {"first": first},
            )


class Formula(str):
    """An XLSX cell that holds a formula: the file carries the formula, not necessarily its value."""


def check_xlsx_package(source) -> None:
    """Refuse a zip bomb before anything unpacks it: too much unpacked data, or an entry that packs far
    tighter than a spreadsheet ever does. `source` is the file's bytes or an open file (only the zip's
    table of contents is read)."""
    try:
        entries = zipfile.ZipFile(source if hasattr(source, "read") else io.BytesIO(source)).infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableFile(_("The Excel file cannot be opened.")) from error
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    unpacked = sum(entry.file_size for entry in entries)
    squeezed = [
        e for e in entries if e.file_size > 1_000_000 and e.file_size > XLSX_MAX_RATIO * e.compress_size
    ]
    if unpacked > limit or squeezed:
        raise UnreadableFile(
            _(
                "The Excel file unpacks to more than %(limit)s MB (or packs like a zip bomb). Split it, or save it as CSV."
            )
            % {"limit": limit // (1024 * 1024)}
        )


def _open_xlsx(raw: bytes, columns) -> Table:
    from openpyxl import load_workbook

    check_xlsx_package(raw)
    try:
        # Not data_only: a formula cell must be seen as a formula, not as its cached (or missing) value.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds; all mean "cannot read"
        raise UnreadableFile(_("The Excel file cannot be opened.")) from error
    rows = sheet.iter_rows()
    try:
        header = [cell.value for cell in next(rows)]
    except StopIteration as error:
        raise UnreadableFile(_("The file has no header row.")) from error
    estimated = max(0, (sheet.max_row or 1) - 1)
    if estimated > settings.IMPORT_MAX_ROWS:
        raise UnreadableFile(
            _("The file has more than %(limit)s rows. Split it and import the parts.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )

    def cells() -> Iterator[tuple[int, list, None]]:
        for row_number, row in enumerate(rows, start=2):
            if row_number - 1 > settings.IMPORT_MAX_ROWS:  # a sheet that states no size is counted as read
                raise UnreadableFile(
                    _("The file has more than %(limit)s rows. Split it and import the parts.")
                    % {"limit": settings.IMPORT_MAX_ROWS}
                )
            yield (
                row_number,
                [Formula(cell.value) if cell.data_type == "f" else cell.value for cell in row],
                None,
            )

    return Table(header, cells(), columns, "xlsx", estimated_rows=estimated)


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
        # Only the package's table of contents is read here (cheap, and it refuses bombs); the sheet is
        # parsed by the worker, never in the web request.
        check_xlsx_package(upload)
        upload.seek(0)
        return
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
