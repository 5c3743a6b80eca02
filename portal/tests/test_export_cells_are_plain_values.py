"""One place turns every exported value into something a spreadsheet holds (portal.exports.files.cell_value)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from portal.exports.files import XLSX_MAX_DATA_ROWS, TooManyRowsForExcel, cell_value, write_csv, write_xlsx


def test_lazy_labels_dates_and_odd_values_become_plain():
    with translation.override("zh-hans"):
        assert cell_value(gettext_lazy("Reached: will certify")) == "已联系:将办理认证"
        assert cell_value(True) == "是"
    assert cell_value(None) == ""
    assert cell_value(Decimal("1234.50")) == Decimal("1234.50")
    assert cell_value("2026-03-01") == date(2026, 3, 1)
    assert cell_value("2026-02-30") == "2026-02-30"  # not a date: left as the text it is
    assert cell_value("2026-03-01 08:30") == datetime(2026, 3, 1, 8, 30)
    # Aware times are shown as Beijing time, without a zone (Excel has none).
    assert cell_value(datetime(2026, 3, 1, 0, 30, tzinfo=UTC)) == datetime(2026, 3, 1, 8, 30)
    assert cell_value("王\x0b建国\x00") == "王建国"  # characters XML cannot hold


def test_xlsx_has_date_cells_widths_a_frozen_header_and_no_formulas():
    out = io.BytesIO()
    rows = [
        ["姓名", "认证截止日", "天数"],
        ['=HYPERLINK("http://x")', date(2026, 3, 1), "逾期31天"],
        ["王建国", date(2026, 4, 1), "剩5天"],
    ]
    assert write_xlsx(rows, out) == 2
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["A2"].data_type == "s"
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["C"].width >= 6


def test_csv_cells_never_run_as_formulas():
    out = io.StringIO()
    write_csv([["姓名", "天数"], ["=1+2", -31], ["@SUM(A1)", "-5"]], out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[1] == ["'=1+2", "-31"]
    # -31 is a number and stays one; "-5" is text (a name, a note) and is made inert like any other.
    assert rows[2] == ["'@SUM(A1)", "'-5"]


def test_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch):
    import portal.exports.files

    monkeypatch.setattr(portal.exports.files, "XLSX_MAX_DATA_ROWS", 2)
    try:
        write_xlsx([["a"], [1], [2], [3]], io.BytesIO())
    except TooManyRowsForExcel:
        pass
    else:
        raise AssertionError("a third row was written to a two-row sheet")
    assert XLSX_MAX_DATA_ROWS == 1_048_575
