"""Background jobs that never hang: queueing without importing the task's module, a heartbeat while a
worker works, and recovery when a worker dies or the broker is down.

Tasks are looked up by their fixed names in Celery's registry; every tasks module is imported when the
apps are ready (`PortalConfig.ready`, `CertificationConfig.ready`), so a missing task fails loudly.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
# What a job that sorts and hashes millions of rows (a city's import, the nightly snapshot) may use, in
# memory rather than in temporary files, for its own transaction only, whatever the server's defaults.
BULK_WORK_MEM = "256MB"
BULK_MAINTENANCE_WORK_MEM = "512MB"
# No sign of life for this long: the worker was killed, lost its machine or its database connection.
STALE_AFTER = timedelta(seconds=60)
WAITING_FOR_QUEUE = "waiting_for_queue"
# Fail fast when the broker is down: the page must answer, not wait for retries.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def enqueue_after_commit(task_name: str, *args, on_unreachable=None) -> None:
    """Queue the task once the surrounding transaction commits (a rolled-back job is never run). If the
    broker cannot be reached, the job stays saved and `on_unreachable()` marks it; `jobs_recover` sends
    it when the broker is back."""
    task = current_app.tasks[task_name]

    def send() -> None:
        try:
            task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
        except (BrokerUnreachable, OSError) as error:
            logger.warning("broker unreachable, %s %s waits: %s", task_name, args, error)
            if on_unreachable is not None:
                on_unreachable()

    transaction.on_commit(send)


class Beat:
    """What the heartbeat thread writes next: `report(stage=..., rows_done=...)` from the worker's code."""

    def __init__(self) -> None:
        self.pending: dict = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()

    def report(self, **fields) -> None:
        with self.lock:
            self.pending.update(fields)
        self.wake.set()

    def take(self) -> dict:
        with self.lock:
            fields, self.pending = self.pending, {}
        self.wake.clear()
        return fields


def use_bulk_memory(cursor, *, builds_indexes: bool = False, work_mem: str = BULK_WORK_MEM) -> None:
    """Raise work_mem (and maintenance_work_mem, for index builds) for the current transaction; never
    lower them: a server tuned for the city may already give more (bench/pg_tune.py)."""
    raised = [("work_mem", work_mem)]
    if builds_indexes:
        raised.append(("maintenance_work_mem", BULK_MAINTENANCE_WORK_MEM))
    for name, size in raised:
        cursor.execute(
            "SELECT set_config(%s, %s, true) WHERE pg_size_bytes(current_setting(%s)) < pg_size_bytes(%s)",
            [name, size, name, size],
        )


@contextmanager
def heartbeat(model, job_id: int):
    """While the block runs, a thread with its own database connection stamps the job's heartbeat_at
    every few seconds, and writes the progress the block reports (yields a Beat). The worker's own
    connection may be deep in one long statement or transaction: a roster import checks and writes its
    millions of rows in one transaction, and progress written there would show only at its end."""
    stop = threading.Event()
    beat = Beat()
    model.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())

    def run() -> None:
        try:
            while not stop.is_set():
                beat.wake.wait(HEARTBEAT_SECONDS)
                model.objects.filter(pk=job_id).update(heartbeat_at=timezone.now(), **beat.take())
            if last := beat.take():  # reported while the last write ran
                model.objects.filter(pk=job_id).update(**last)
        finally:
            connection.close()  # this thread's connection

    thread = threading.Thread(target=run, name=f"heartbeat-{model.__name__}-{job_id}", daemon=True)
    thread.start()
    try:
        yield beat
    finally:
        stop.set()
        beat.wake.set()
        thread.join(timeout=HEARTBEAT_SECONDS + 5)


def stale_running(queryset, *, now=None):
    """Running jobs with no sign of life for STALE_AFTER."""
    from django.db.models import Q

    cutoff = (now or timezone.now()) - STALE_AFTER
    return queryset.filter(status="running").filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def jobs_recover(*, now=None) -> dict:
    """Fail the jobs whose worker died (visibly, with "run again"), and send again the jobs that waited
    for an unreachable broker. Runs every minute (Celery beat) and whenever a job's page is looked at."""
    from django.utils.translation import gettext, override

    from portal.models import ExportJob, ImportJob

    now = now or timezone.now()
    counts = {"failed": 0, "sent_again": 0}
    with override(settings.LANGUAGE_CODE):
        message = gettext(
            "The worker stopped while working on this job (it was stopped, or lost its machine). "
            "Nothing was written. Run it again."
        )
    for model in (ImportJob, ExportJob):
        counts["failed"] += stale_running(model.objects.all(), now=now).update(
            status="failed", error=message, finished_at=now
        )
    waiting = ImportJob.objects.filter(status="queued", stage=WAITING_FOR_QUEUE)
    for job_id in waiting.values_list("pk", flat=True):
        try:
            current_app.tasks["portal.tasks.run_import_job"].apply_async(
                args=(job_id,), retry=True, retry_policy=PUBLISH_RETRY
            )
        except (BrokerUnreachable, OSError):
            break  # still down: the next run tries again
        ImportJob.objects.filter(pk=job_id, stage=WAITING_FOR_QUEUE).update(stage="")
        counts["sent_again"] += 1
    return counts
