"""Hostile roster files (pensioners/tests/data/hostile/, written by make_fixtures.py there): no row is lost
or bent. Malformed structure gives reject rows with row numbers; a file that is not Chinese text is
refused whole; nothing is cut to fit; one bad value rejects its row, not the file."""

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pensioners.models import Pensioner
from pensioners.roster_import import roster_import
from portal.imports.tabular import UnreadableFile, sniff_table

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def reasons(summary) -> dict[int, str]:
    return {row: reason for row, _id, reason in summary.rejects}


def test_a_stray_quotation_mark_rejects_every_row_it_swallowed_and_merges_nothing(db):
    summary = roster_import(path=HOSTILE / "roster-stray-quote.csv")
    assert (summary.created, summary.rejected) == (3, 3)
    assert sorted(reasons(summary)) == [3, 4, 5]
    assert "3–5" in reasons(summary)[3]
    assert "row 3" in reasons(summary)[4] or "第 3 行" in reasons(summary)[4] or "3" in reasons(summary)[4]
    # Nobody got another person's text as an address, and the three people around the quote are not there.
    assert sorted(Pensioner.objects.values_list("name", flat=True)) == sorted(["马桂英", "刘志强", "陈淑华"])
    assert not Pensioner.objects.filter(address__contains="\n").exists()
    assert not Pensioner.objects.filter(address__contains="500103003001").exists()


def test_a_quote_inside_a_value_and_an_extra_comma_reject_their_rows_only(db):
    summary = roster_import(path=HOSTILE / "roster-inner-quote-and-extra-comma.csv")
    assert sorted(reasons(summary)) == [2, 4]
    assert summary.created == 4
    assert not Pensioner.objects.filter(name__contains='"').exists()


@pytest.mark.parametrize("name", ["roster-big5.csv", "roster-shift-jis.csv"])
def test_big5_and_shift_jis_files_are_refused_with_what_to_do(db, name):
    with pytest.raises(UnreadableFile) as refused:
        roster_import(path=HOSTILE / name)
    assert "UTF-8" in str(refused.value) and "GB18030" in str(refused.value)
    assert not Pensioner.objects.exists()


@pytest.mark.parametrize("name", ["roster-big5.csv", "roster-shift-jis.csv"])
def test_the_upload_page_refuses_them_at_once(client_for, staff, name):
    content = (HOSTILE / name).read_bytes()
    response = client_for(staff["admin"]).post(
        reverse("roster-import"), {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "GB18030" in response.content.decode()


def test_over_long_fields_are_reject_rows_naming_the_field_and_its_limit(db):
    summary = roster_import(path=HOSTILE / "roster-long-fields.csv")
    assert summary.created == 0
    found = reasons(summary)
    assert "40" in found[2] and "47" in found[2]
    assert "200" in found[3] and "260" in found[3]
    assert "40" in found[4] and "50" in found[4]


def test_nan_amounts_reject_their_rows_and_the_rest_import(db):
    summary = roster_import(path=HOSTILE / "roster-nan-amounts.csv")
    assert sorted(reasons(summary)) == [2, 3]
    assert summary.created == 1


def test_formula_cells_say_so_and_reject_only_their_rows(db):
    summary = roster_import(path=HOSTILE / "roster-formulas.xlsx")
    found = reasons(summary)
    assert sorted(found) == [2, 3]
    assert all("=" in reason for reason in found.values())
    assert summary.created == 1


def test_a_zip_bomb_is_refused_unread(db):
    with pytest.raises(UnreadableFile) as refused:
        roster_import(path=HOSTILE / "zip-bomb.xlsx")
    assert "MB" in str(refused.value)


def test_the_upload_page_never_parses_an_xlsx_itself(monkeypatch):
    """Only the zip's table of contents is read in the web request; the sheet is for the worker."""
    import openpyxl

    def fail(*args, **kwargs):
        raise AssertionError("the web request opened the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", fail)
    upload = SimpleUploadedFile("roster.xlsx", (HOSTILE / "roster-formulas.xlsx").read_bytes())
    sniff_table(upload, {"id_number": ()}, ("id_number",))
    bomb = SimpleUploadedFile("bomb.xlsx", (HOSTILE / "zip-bomb.xlsx").read_bytes())
    with pytest.raises(UnreadableFile):
        sniff_table(bomb, {"id_number": ()}, ("id_number",))


def test_an_xlsx_whose_rows_stop_at_their_last_filled_cell_imports_every_row(db, tmp_path):
    """Spreadsheets written in streaming mode store no empty trailing cells: fewer cells than the header
    is not a malformed row there (it is in a CSV)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    header = "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇,最近认证日期,境外居住国".split(
        ","
    )
    sheet.append(header)
    source = (HOSTILE / "roster-nan-amounts.csv").read_text(encoding="utf-8").splitlines()[3]
    sheet.append(source.split(",")[:8])  # no latest certification, no country: the row stops early
    workbook.save(tmp_path / "streamed.xlsx")
    summary = roster_import(path=tmp_path / "streamed.xlsx")
    assert (summary.created, summary.rejected) == (1, 0), summary.rejects


def test_an_xlsx_that_states_no_size_is_still_held_to_the_row_limit(db, tmp_path, settings):
    from openpyxl import Workbook

    settings.IMPORT_MAX_ROWS = 2
    workbook = Workbook(write_only=True)  # streamed: no <dimension>, so the size is known only by reading
    sheet = workbook.create_sheet()
    sheet.append(["身份证号", "姓名"])
    for number in range(3):
        sheet.append([f"50010319450101{number:03d}1", "某人"])
    workbook.save(tmp_path / "long.xlsx")
    with pytest.raises(UnreadableFile):
        roster_import(path=tmp_path / "long.xlsx")
    assert not Pensioner.objects.exists()
