"""The upload page: administrators upload, a Celery task imports, the page shows progress and history."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pensioners.models import Pensioner
from portal.models import ImportJob, ImportStatus

SAMPLE = Path(__file__).parent / "data" / "roster-sample-gb18030.csv"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, content: bytes, name="roster.csv", dry_run=False):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("roster-import"), data)


def test_administrator_uploads_a_roster_and_sees_the_result(
    client_for, staff, eager_celery, django_capture_on_commit_callbacks
):
    client = client_for(staff["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-job", args=[job.pk])
    assert job.status == ImportStatus.DONE
    assert job.summary == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 4}
    assert Pensioner.objects.count() == 5
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'data-status="done"' in page
    rejects = client.get(reverse("import-job-rejects", args=[job.pk]))
    assert b"".join(rejects.streaming_content).decode("utf-8-sig").splitlines()[0] == "row,id_number,reason"
    history = client.get(reverse("roster-import")).content.decode()
    assert "roster.csv" in history


def test_progress_is_polled_while_the_import_runs(client_for, staff):
    client = client_for(staff["admin"])
    job = ImportJob.objects.create(
        kind="roster",
        original_name="big.csv",
        created_by=staff["admin"],
        status=ImportStatus.RUNNING,
        stage="checking",
        rows_done=250,
        rows_total=1000,
    )
    fragment = client.get(reverse("import-job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "25%" in fragment


def test_a_file_that_cannot_be_read_is_refused_at_upload_and_nothing_is_stored(client_for, staff):
    response = upload(client_for(staff["admin"]), b"\x89PNG\r\n\x1a\n\x00\x00\x00", name="photo.png")
    assert response.status_code == 400
    assert "不是CSV或XLSX文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_without_an_id_column_is_refused_at_upload(client_for, staff):
    response = upload(client_for(staff["admin"]), "姓名,手机号\n马桂英,1\n".encode("gb18030"))
    assert "缺少以下列" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "street", "community", "visit"])
def test_only_the_city_administrator_imports_rosters(client_for, staff, who):
    assert client_for(staff[who]).get(reverse("roster-import")).status_code == 403
