"""Reports with charts, and the comparison upload page with its progress and history, in a real browser."""

from datetime import date
from pathlib import Path

import pytest

from pensioners.roster_import import roster_import
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")
DATA = Path(__file__).resolve().parents[1]


def test_the_supervisor_sees_the_coverage_table_and_the_charts_render(staff, new_page, log_in, live_server):
    make_pensioner(name="逾期", certified_on=date(2025, 1, 1))
    make_pensioner(name="正常", certified_on=date(2026, 10, 1))
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    assert "解放碑街道" in page.locator("[data-testid=coverage-table]").inner_text()
    for canvas in ("chart-certifications", "chart-overdue", "chart-reminders"):
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{canvas}'))")
    page.click("[data-testid=coverage-table] a:has-text('解放碑街道')")
    page.wait_for_load_state()
    assert "民生社区" in page.locator("[data-testid=coverage-table]").inner_text()
    page.emulate_media(media="print")
    assert not page.locator("nav.portal-navbar").is_visible()


def test_the_administrator_uploads_a_comparison_file_and_watches_it_finish(
    staff, new_page, log_in, live_server, settings, tmp_path
):
    """A real Celery worker (on Redis) imports the file while the page polls for progress."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    roster_import(path=DATA / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page = new_page()
        log_in(page, "t_admin", TEST_PASSWORD)
        page.goto(f"{live_server.url}/certification/comparison/import/")
        page.set_input_files(
            "#id_file", str(DATA / "certification" / "tests" / "data" / "comparison-sample-utf8bom.csv")
        )
        page.click("[data-testid=import-form] button[type=submit]")
        page.wait_for_selector("[data-testid=import-status][data-status=done]", timeout=20_000)
        summary = page.locator("[data-testid=import-summary]").inner_text()
        assert "已认证" in summary and "拒收" in summary
        page.goto(f"{live_server.url}/certification/comparison/import/")
        assert "comparison-sample-utf8bom.csv" in page.locator("[data-testid=import-history]").inner_text()


def test_an_import_whose_worker_died_is_shown_failed_and_runs_again_once(
    staff, new_page, log_in, live_server, settings, tmp_path
):
    """A job left 'running' with no heartbeat (its worker was killed) shows as failed with "run again";
    the button queues the same file once more, and a real worker imports it exactly once."""
    from datetime import timedelta

    from celery.contrib.testing.worker import start_worker
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from pensioners.models import Pensioner
    from portal.celery import app
    from portal.models import ImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    sample = DATA / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv"
    job = ImportJob(kind="roster", original_name=sample.name, created_by=staff["admin"], status="running")
    job.file.save(sample.name, ContentFile(sample.read_bytes()), save=False)
    job.started_at = job.heartbeat_at = timezone.now() - timedelta(minutes=5)
    job.stage = "writing"
    job.save()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page = new_page()
        log_in(page, "t_admin", TEST_PASSWORD)
        page.goto(f"{live_server.url}/imports/{job.pk}/")
        assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "failed"
        assert "重新" in page.locator("[data-testid=import-error]").inner_text()
        page.click("[data-testid=import-again]")
        page.wait_for_selector("[data-testid=import-status][data-status=done]", timeout=20_000)
    assert Pensioner.objects.count() == 5  # the sample's five good rows, once
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
