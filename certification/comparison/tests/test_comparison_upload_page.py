from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pensioners.roster_import import roster_import
from portal.models import ImportJob, ImportStatus

DATA = Path(__file__).resolve().parents[3]


def test_the_city_administrator_uploads_a_comparison_file_and_sees_totals(
    client_for, staff, settings, tmp_path, eager_celery, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    roster_import(path=DATA / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv")
    content = (DATA / "certification" / "tests" / "data" / "comparison-sample-utf8bom.csv").read_bytes()
    client = client_for(staff["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comparison-import"), {"file": SimpleUploadedFile("feed.csv", content)}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import-job", args=[job.pk])
    assert job.status == ImportStatus.DONE
    assert job.summary == {"certified": 1, "death_cases": 1, "evidence_only": 1, "ignored": 2, "rejected": 2}
    page = client.get(reverse("comparison-import")).content.decode()
    assert "feed.csv" in page and reverse("import-job-rejects", args=[job.pk]) in page


def test_other_roles_cannot_upload_comparison_files(client_for, staff):
    for who in ("supervisor", "street", "community", "visit"):
        assert client_for(staff[who]).get(reverse("comparison-import")).status_code == 403
