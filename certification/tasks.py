"""certification's Celery tasks, found here by `app.autodiscover_tasks()`; each lives in its capability."""

from certification.reminders.tasks import dispatch_reminders, plan_reminders
from certification.reports.tasks import refresh_city_report

__all__ = ["dispatch_reminders", "plan_reminders", "refresh_city_report"]
