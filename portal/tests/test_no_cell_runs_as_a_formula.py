"""Formula injection (issue 14 item 5): a cell that a spreadsheet would run as a formula is made inert in
every file the portal writes for download. One rule, portal.exports.files.neutralise_formula; every table
export is walked in portal/tests/test_every_export_opens.py, the import rejects files here."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports.files import looks_like_formula, neutralise_formula, write_csv, write_xlsx
from portal.imports.runner import write_rejects
from portal.models import ImportJob

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_run_gets_a_leading_apostrophe(text):
    assert looks_like_formula(text)
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["王建国", "已联系=逾期", "13800001111", "'=already", " ", "", "a-b", "#N/A"]
)
def test_other_text_is_left_as_it_is(text):
    assert not looks_like_formula(text)
    assert neutralise_formula(text) == text


@pytest.mark.parametrize(
    "value", [-1, -1.5, Decimal("-3.20"), 0, date(2026, 3, 1), datetime(2026, 3, 1, 8), None]
)
def test_numbers_and_dates_stay_what_they_are(value):
    assert neutralise_formula(value) is value


def test_csv_and_xlsx_writers_make_every_hostile_cell_inert():
    rows = [["姓名", "金额"], *[[text, -31] for text in HOSTILE]]
    out = io.StringIO()
    write_csv(rows, out)
    written = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))[1:]
    # cell_value trims the edges first: "\t=1+1" is exported as "=1+1", which is then made inert.
    assert all(name.startswith("'") and amount == "-31" for name, amount in written)
    book = io.BytesIO()
    write_xlsx(rows, book)
    sheet = load_workbook(io.BytesIO(book.getvalue())).worksheets[0]
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert all(name.data_type == "s" and name.quotePrefix for name, _amount in cells)
    assert all(amount.data_type == "n" and amount.value == -31 for _name, amount in cells)
    assert cells[0][0].value == '=HYPERLINK("http://x","y")'  # the name as it is, shown as text


def test_the_rejects_file_makes_the_echoed_input_inert(tmp_path):
    path = tmp_path / "rejects.csv"
    write_rejects(path, [(2, '=HYPERLINK("http://x","y")', "身份证号格式不对"), (3, "-1", "-")])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["row", "id_number", "reason"],
        ["2", '\'=HYPERLINK("http://x","y")', "身份证号格式不对"],
        ["3", "'-1", "'-"],
    ]


ROSTER_HEADER = "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇,最近认证日期,境外居住国"


def hostile_roster() -> bytes:
    lines = [ROSTER_HEADER]
    for text in ['=HYPERLINK(""http://x"",""y"")', "+1", "-1", "@SUM(A1)"]:
        lines.append(f'"{text}","{text}",13800000001,x,500103003001,企业职工基本养老保险,2002-03-01,,,')
    return ("\r\n".join(lines) + "\r\n").encode()


def assert_inert(rows: list[list[str]]) -> None:
    echoed = [row[1] for row in rows[1:]]
    assert echoed == ['\'=HYPERLINK("http://x","y")', "'+1", "'-1", "'@SUM(A1)"]
    assert not any(looks_like_formula(cell) for row in rows for cell in row)


@pytest.mark.usefixtures("areas")
def test_the_roster_commands_rejects_file_is_inert(tmp_path):
    source = tmp_path / "roster.csv"
    source.write_bytes(hostile_roster())
    rejects = tmp_path / "rejects.csv"
    call_command("import_pensioners", str(source), "--rejects", str(rejects))
    assert_inert(list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig")))))


def test_the_upload_pages_rejects_download_is_inert(
    client_for, staff, settings, tmp_path, eager_celery, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(staff["admin"])
    upload = SimpleUploadedFile("roster.csv", hostile_roster(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster-import"), {"file": upload})
    job = ImportJob.objects.get()
    response = client.get(reverse("import-job-rejects", args=[job.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert_inert(list(csv.reader(io.StringIO(text))))
