"""The reminder job's Celery tasks. Names are fixed, so beat entries and queued messages survive moves."""

from celery import shared_task
from django.utils import timezone

from certification.models import JobRun
from certification.reminders.services import reminders_dispatch, reminders_plan


@shared_task(name="certification.tasks.plan_reminders", acks_late=True)
def plan_reminders() -> dict:
    return reminders_plan().counts


@shared_task(name="certification.tasks.dispatch_reminders", acks_late=True)
def dispatch_reminders() -> dict:
    # A portal started after 07:30 (or a beat that was down) still plans today's reminders.
    now = timezone.localtime()
    if (
        now.hour * 60 + now.minute >= 7 * 60 + 30
        and not JobRun.objects.filter(kind="plan", moment__date=now.date()).exists()
    ):
        reminders_plan()
    return reminders_dispatch().counts
