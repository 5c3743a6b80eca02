"""Jobs never hang: a worker that dies leaves a job marked failed (visibly, with "run again") instead of
"running" forever; running again applies the file exactly once; with the broker down the upload page still
answers, the job is saved and says it waits, and it is sent when the broker is back. The fault test kills
a real worker process with SIGKILL in the middle of an import."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pensioners.models import Pensioner
from portal.celery import app
from portal.errors import Refused
from portal.imports.services import import_job_again, import_job_run
from portal.jobs import WAITING_FOR_QUEUE, jobs_recover
from portal.models import ImportJob

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv"
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(born: date, serial: int) -> str:
    body = f"500103{born:%Y%m%d}{serial:03d}"
    return body + "10X98765432"[sum(int(digit) * weight for digit, weight in zip(body, W, strict=True)) % 11]


@pytest.fixture
def broker_refusing():
    """The app publishes to a port where nothing listens (a broker that is down)."""
    previous = app.conf.broker_url

    def use(url):
        app.conf.broker_url = url
        app._pool = None  # connections and producers are pooled per broker: start afresh
        app.amqp._producer_pool = None

    use("redis://127.0.0.1:9/0")
    try:
        yield
    finally:
        use(previous)


def test_with_the_broker_down_the_upload_page_answers_and_the_job_waits(
    client_for, staff, broker_refusing, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(staff["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("roster-import"), {"file": SimpleUploadedFile("roster.csv", SAMPLE.read_bytes())}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.stage) == ("queued", WAITING_FOR_QUEUE)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-waiting"' in page


def test_a_waiting_job_is_sent_when_the_broker_is_back(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ImportJob.objects.create(kind="roster", file="x.csv", original_name="x.csv", created_by=staff["admin"],
                                   stage=WAITING_FOR_QUEUE)  # fmt: skip
    assert jobs_recover()["sent_again"] == 1
    assert ImportJob.objects.get(pk=job.pk).stage == ""


def test_a_running_job_without_a_heartbeat_is_failed_and_runs_again_once(
    client_for, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = ImportJob(kind="roster", original_name="roster.csv", created_by=staff["admin"], status="running")
    job.file.save("roster.csv", SimpleUploadedFile("roster.csv", SAMPLE.read_bytes()), save=False)
    job.started_at = job.heartbeat_at = timezone.now() - timedelta(minutes=3)
    job.stage = "writing"
    job.save()
    page = client_for(staff["admin"]).get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in page and 'data-testid="import-again"' in page
    again = import_job_again(actor=staff["admin"], job=ImportJob.objects.get(pk=job.pk))
    import_job_run(job_id=again.pk)
    import_job_run(job_id=again.pk)  # a redelivered task: the claim lets it run once
    assert ImportJob.objects.get(pk=again.pk).status == "done"
    assert Pensioner.objects.count() == 5
    with pytest.raises(Refused):
        import_job_again(actor=staff["admin"], job=ImportJob.objects.get(pk=again.pk))


def test_a_live_heartbeat_keeps_a_long_job_running(staff):
    job = ImportJob.objects.create(kind="roster", file="x.csv", original_name="x.csv", created_by=staff["admin"],
                                   status="running", started_at=timezone.now() - timedelta(hours=1),
                                   heartbeat_at=timezone.now())  # fmt: skip
    assert jobs_recover()["failed"] == 0
    assert ImportJob.objects.get(pk=job.pk).status == "running"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_writes_nothing_and_the_job_says_so(areas, staff, tmp_path, settings):
    """A real worker process, killed with SIGKILL while it imports: no partial write, a visible state."""
    settings.MEDIA_ROOT = tmp_path
    header = "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇"
    rows = [
        f"{id_number(date(1940 + n // 3000, 1 + n // 250 % 12, 1 + n % 28), n % 1000)},张{n},13800000000,"
        f"民生路{n}号,500103003001,企业职工基本养老保险,2010-01-01,3000"
        for n in range(60_000)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    job = ImportJob(kind="roster", original_name="big.csv", created_by=staff["admin"])
    job.file.save("big.csv", SimpleUploadedFile("big.csv", path.read_bytes()), save=True)
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "solo", "--without-heartbeat",
         "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        app.send_task("portal.tasks.run_import_job", args=(job.pk,))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.stage == "writing":
                break
            time.sleep(0.05)
        assert job.stage == "writing", f"the worker never started writing ({job.status} {job.stage})"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        # The killed worker's message waits, unacknowledged, to be delivered again in an hour: not to a
        # later test's worker.
        redis.Redis.from_url(app.conf.broker_url).delete("unacked", "unacked_index")
    time.sleep(1)  # the killed worker's database session ends; its transaction rolls back
    assert Pensioner.objects.count() == 0  # nothing half-applied
    counts = jobs_recover(now=timezone.now() + timedelta(minutes=5))
    assert counts["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error
