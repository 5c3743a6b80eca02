"""The nightly report snapshot. The task name is fixed, so the beat entry survives moves."""

from celery import shared_task

from certification.reports.queries import report_snapshot_refresh
from pensioners.models import Area, AreaLevel


@shared_task(name="certification.tasks.refresh_city_report", acks_late=True)
def refresh_city_report() -> float:
    city = Area.objects.filter(level=AreaLevel.CITY).first()
    return report_snapshot_refresh(area=city).seconds if city else 0.0
