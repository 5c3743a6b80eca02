"""Exports over settings.EXPORT_INLINE_MAX_ROWS go to a background job (issue 11, item 18).

The list redirects to the job's page, which shows progress and then the download link; the file is served
only to its owner, in scope, and every download is audited. XLSX longer than one Excel sheet is refused
with a link to the CSV export.
"""

import csv
import io
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import portal.exports.files
import portal.exports.services
from pensioners.tests.factories import make_pensioner, overdue_by
from portal.celery import app
from portal.exports.services import export_files_expire
from portal.models import AuditEvent, ExportJob, ExportStatus


def _three_overdue():
    today = timezone.localdate()
    return [make_pensioner(name=name, certified_on=overdue_by(days, today)) for name, days in
            (("甲", 5), ("乙", 40), ("丙", 100))]  # fmt: skip


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_long_export_is_written_by_a_job_and_downloaded_by_its_owner(
    client_for, staff, settings, eager_celery, django_capture_on_commit_callbacks, make_staff, tmp_path,
    monkeypatch,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_MAX_ROWS = 2
    copies = []  # the queue's CSV is written by the database (COPY), as a city's would be
    write_csv_copy = portal.exports.services.write_csv_copy
    monkeypatch.setattr(
        portal.exports.services,
        "write_csv_copy",
        lambda *args, **kwargs: copies.append(1) or write_csv_copy(*args, **kwargs),
    )
    _three_overdue()
    client = client_for(staff["street"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("queue-overdue"), {"_export": "csv", "bucket": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-job", args=[job.pk])
    assert job.created_by == staff["street"] and job.area_code == "500103003"
    assert AuditEvent.objects.filter(action="export.queued", object_id=str(job.pk)).exists()

    page = client.get(reverse("export-job", args=[job.pk]))
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_total == 3
    assert reverse("export-job-download", args=[job.pk]) in page.content.decode()
    assert 'href="/certification/overdue/?bucket="' in page.content.decode()  # back, without exporting again

    download = client.get(reverse("export-job-download", args=[job.pk]))
    assert download.status_code == 200
    rows = _csv(b"".join(download.streaming_content))
    assert [row[0] for row in rows[1:]] == ["丙", "乙", "甲"]
    assert copies == [1]
    assert AuditEvent.objects.filter(action="export.downloaded", object_id=str(job.pk)).count() == 1

    # Nobody else gets the file, not even a colleague of the same street.
    colleague = make_staff(username="t_street_colleague")
    for other in (colleague, staff["other_street"], staff["supervisor"]):
        client.force_login(other)
        assert client.get(reverse("export-job", args=[job.pk])).status_code == 404
        assert client.get(reverse("export-job-download", args=[job.pk])).status_code == 404


def test_the_job_page_shows_progress_until_the_file_is_ready(client_for, staff, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    _three_overdue()
    client = client_for(staff["street"])
    response = client.get(reverse("queue-overdue"), {"_export": "xlsx"})  # no worker: the job waits
    job = ExportJob.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("export-job", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert 'data-status="queued"' in page.content.decode()
    assert client.get(reverse("export-job-download", args=[job.pk])).status_code == 404


def test_an_xlsx_longer_than_a_sheet_is_refused_with_a_link_to_csv(client_for, staff, settings, monkeypatch):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    monkeypatch.setattr(portal.exports.files, "XLSX_MAX_DATA_ROWS", 2)
    _three_overdue()
    client = client_for(staff["street"])
    response = client.get(reverse("queue-overdue"), {"_export": "xlsx", "abroad": "no"}, follow=True)
    assert response.status_code == 200
    assert not ExportJob.objects.exists()
    text = response.content.decode()
    assert "Excel" in text and "_export=csv" in text
    assert response.redirect_chain[0][0] == "/certification/overdue/?abroad=no"


def test_an_export_within_the_limit_streams_at_once(client_for, staff, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    _three_overdue()
    response = client_for(staff["street"]).get(reverse("queue-overdue"), {"_export": "xlsx"})
    assert response.status_code == 200 and not ExportJob.objects.exists()
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.max_row == 4


@pytest.fixture
def real_worker(settings):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL, "tests run with portal.test_settings"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_export(client, staff, settings, real_worker, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_MAX_ROWS = 2
    _three_overdue()
    client.force_login(staff["street"])
    response = client.get(reverse("queue-overdue"), {"_export": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export-job", args=[job.pk])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == ExportStatus.DONE, job.error
    download = client.get(reverse("export-job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 4 and sheet.freeze_panes == "A2"


def test_export_files_are_deleted_after_some_days(client_for, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_KEEP_DAYS = 7
    (tmp_path / "exports").mkdir()
    old, recent = tmp_path / "exports" / "old.csv", tmp_path / "exports" / "recent.csv"
    old.write_text("x")
    recent.write_text("x")
    now = timezone.now()
    jobs = [
        ExportJob.objects.create(
            path="/certification/overdue/",
            export_format="csv",
            filename=name,
            area_code="500103003",
            status=ExportStatus.DONE,
            file=f"exports/{name}.csv",
            created_by=staff["street"],
            finished_at=now - timedelta(days=days),
        )  # fmt: skip
        for name, days in (("old", 8), ("recent", 1))
    ]
    assert export_files_expire() == 1
    assert not old.exists() and recent.exists()
    client = client_for(staff["street"])
    page = client.get(reverse("export-job", args=[jobs[0].pk]))
    assert 'data-testid="export-expired"' in page.content.decode()
    assert client.get(reverse("export-job-download", args=[jobs[0].pk])).status_code == 404
    assert client.get(reverse("export-job-download", args=[jobs[1].pk])).status_code == 200
