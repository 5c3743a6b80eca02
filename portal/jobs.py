"""Queueing background work without importing the task's module (the task module imports the service).

Tasks are looked up by their fixed names in Celery's registry; every tasks module is imported when the
apps are ready (`PortalConfig.ready`, `CertificationConfig.ready`), so a missing task fails loudly.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue_after_commit(task_name: str, *args) -> None:
    """Queue the task once the surrounding transaction commits (a rolled-back job is never run)."""
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.delay(*args))
