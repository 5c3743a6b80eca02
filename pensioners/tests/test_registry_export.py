"""A registry list long enough for the background job is written by the database (COPY, portal/exports/
cells.py), and holds what the per-record export holds: the same people, masks, labels and dates."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pensioners.models import CertificationState, PaymentStatus, Pensioner
from pensioners.tables import PensionerTable
from pensioners.tests.factories import make_pensioner
from portal.exports.files import table_rows, write_csv, write_csv_copy
from portal.models import ExportJob, ExportStatus


@pytest.fixture
def registry(areas):
    today = timezone.localdate()
    people = [
        make_pensioner(
            name="=HYPERLINK(1)", phone="+8613812341234", certified_on=today - timedelta(days=400)
        ),
        make_pensioner(name=" 李秀英\u3000", born=date(1952, 2, 29), male=False, phone=""),
        make_pensioner(name="-", community="500103003002", certified_on=today - timedelta(days=10)),
        make_pensioner(name="王" * 20, phone="1234"),
    ]
    CertificationState.objects.filter(pensioner=people[0]).update(status=PaymentStatus.SUSPENDED)
    return people


def _parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_database_writes_what_the_per_record_export_writes(registry):
    people = Pensioner.objects.select_related("community", "state").order_by("name", "pk")
    python = io.StringIO()
    write_csv(table_rows(PensionerTable, people), python, cell_ready=True)
    database = io.BytesIO()
    written = write_csv_copy(PensionerTable.export_header(), PensionerTable.export_copy(people), database)
    assert written == 4
    rows = _parsed(database.getvalue().decode("utf-8"))
    assert rows == _parsed(python.getvalue())
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["'=HYPERLINK(1)"][4] == "'+86*******1234" and by_name["'=HYPERLINK(1)"][7] == "暂停发放"
    assert by_name["李秀英"][2] == "女" and by_name["李秀英"][4] == ""
    assert "" in by_name  # "-" is the screen's empty mark: its cell is empty, as in the per-record export


def test_browsing_the_whole_registry_exports_through_the_job(
    registry, client_for, staff, settings, eager_celery, django_capture_on_commit_callbacks, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_MAX_ROWS = 2
    client = client_for(staff["street"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("pensioner-search"), {"_export": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-job", args=[job.pk])
    assert job.status == ExportStatus.DONE and job.rows_total == 4
    download = client.get(reverse("export-job-download", args=[job.pk]))
    rows = _parsed(b"".join(download.streaming_content).decode("utf-8"))
    assert len(rows) == 5 and rows[0][0] == "姓名"
    assert {row[0] for row in rows[1:]} == {"'=HYPERLINK(1)", "李秀英", "", "王" * 20}
