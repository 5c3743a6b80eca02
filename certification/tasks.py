"""Celery tasks: load what they need, call the service. Retries live here."""

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def plan_reminders() -> dict:
    from certification.reminders import reminders_plan

    return reminders_plan().counts


@shared_task(acks_late=True)
def dispatch_reminders() -> dict:
    from certification.models import JobRun
    from certification.reminders import reminders_dispatch, reminders_plan

    # A portal started after 07:30 (or a beat that was down) still plans today's reminders.
    now = timezone.localtime()
    if (
        now.hour * 60 + now.minute >= 7 * 60 + 30
        and not JobRun.objects.filter(kind="plan", moment__date=now.date()).exists()
    ):
        reminders_plan()
    return reminders_dispatch().counts


@shared_task(acks_late=True)
def refresh_city_report() -> float:
    from certification.reports import report_snapshot_refresh
    from pensioners.models import Area, AreaLevel

    city = Area.objects.filter(level=AreaLevel.CITY).first()
    return report_snapshot_refresh(area=city).seconds if city else 0.0
