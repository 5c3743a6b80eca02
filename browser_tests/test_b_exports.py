"""Exports from the screens staff use: a long list goes to a background job whose page shows the download
link; an Excel export longer than one sheet is refused with a link to CSV; ?per_page= is capped."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

import portal.exports.files
from browser_tests.conftest import DESKTOP, PHONE
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent, ExportJob
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")
SHOTS = Path("/work/notes/shots/b")


def _shoot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _overdue_people():
    for name, certified in (
        ("甲老人", date(2025, 1, 10)),
        ("乙老人", date(2025, 3, 1)),
        ("丙老人", date(2025, 6, 1)),
    ):
        make_pensioner(name=name, certified_on=certified)


def _export_through_the_job(page, live_server, button: str, *, shot: str = "") -> bytes:
    """Click the overdue queue's export button, wait on the job's page for the link, download the file."""
    page.goto(f"{live_server.url}/certification/overdue/")
    page.get_by_role("link", name=button).click()
    page.wait_for_url("**/exports/*/")
    link = page.locator("[data-testid=export-download]")
    link.wait_for()
    if shot:
        _shoot(page, shot)
    with page.expect_download() as download_info:
        link.click()
    return Path(download_info.value.path()).read_bytes()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_long_excel_export_is_prepared_in_the_background_and_downloaded(
    staff, new_page, log_in, live_server, settings, eager_celery, tmp_path, viewport
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.MEDIA_ROOT = tmp_path
    _overdue_people()
    page = new_page(viewport)
    log_in(page, "t_street", TEST_PASSWORD)
    content = _export_through_the_job(
        page, live_server, "Excel", shot=f"export-job-{'phone' if viewport == PHONE else 'desktop'}"
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲老人", "乙老人", "丙老人"]
    assert sheet.freeze_panes == "A2"
    job = ExportJob.objects.get()
    assert AuditEvent.objects.filter(action="export.downloaded", object_id=str(job.pk)).exists()
    page.click("[data-testid=back-to-list]")  # back to the queue, without exporting again
    page.wait_for_url("**/certification/overdue/")
    assert ExportJob.objects.count() == 1


def test_a_long_csv_export_is_written_by_the_database_and_downloaded(
    staff, new_page, log_in, live_server, settings, eager_celery, tmp_path
):
    """Past the inline limit the job writes the CSV with COPY (portal/exports/cells.py): what downloads
    holds every person, masked, with a formula made inert, as the per-record export would."""
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.MEDIA_ROOT = tmp_path
    _overdue_people()
    formula = make_pensioner(name="=SUM(A1)", certified_on=date(2025, 2, 1), phone="+8613812345678")
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    content = _export_through_the_job(page, live_server, "CSV")
    assert content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["姓名", "身份证号", "年龄"]
    assert [row[0] for row in rows[1:]] == ["甲老人", "'=SUM(A1)", "乙老人", "丙老人"]
    inert = rows[2]
    assert inert[1] == formula.id_number[:6] + "********" + formula.id_number[-4:]
    assert inert[3] == "'+86*******5678"
    assert ExportJob.objects.get().rows_total == 4


def test_an_excel_export_longer_than_a_sheet_offers_csv(
    staff, new_page, log_in, live_server, settings, monkeypatch
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    monkeypatch.setattr(portal.exports.files, "XLSX_MAX_DATA_ROWS", 2)
    _overdue_people()
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_page(viewport)
        log_in(page, "t_street", TEST_PASSWORD)
        page.goto(f"{live_server.url}/certification/overdue/")
        page.get_by_role("link", name="Excel").click()
        page.wait_for_url("**/certification/overdue/")
        offer = page.locator(".alert a.alert-link")
        assert "_export=csv" in offer.get_attribute("href")
        _shoot(page, f"excel-refused-{name}")
    assert not ExportJob.objects.exists()


def test_per_page_of_a_million_shows_one_ordinary_page(staff, new_page, log_in, live_server):
    for number in range(30):
        make_pensioner(name=f"测试{number:02d}")
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/?per_page=1000000")
    assert page.locator("table tbody tr").count() == 25
