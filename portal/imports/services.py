"""Imports run from the upload page: the file is stored, a Celery task imports it, the page shows progress.

Both imports (roster and data comparison) go through here. The importers live in their apps and are
registered in their AppConfig.ready() (portal.contracts), so the portal does not depend on the apps.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.contracts import importer
from portal.errors import Refused
from portal.imports.runner import write_rejects
from portal.imports.tabular import UnreadableFile
from portal.jobs import WAITING_FOR_QUEUE, enqueue_after_commit, heartbeat
from portal.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


def import_job_start(*, actor, kind: str, uploaded_file, dry_run: bool) -> ImportJob:
    """Store the upload and queue its import (after commit, so the worker finds the job)."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            file=uploaded_file,
            original_name=uploaded_file.name[:200],
            dry_run=dry_run,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=f"{kind}.uploaded",
            target=job,
            after={"file": job.original_name, "dry_run": dry_run},
        )
        _queue(job)
    return job


def _queue(job: ImportJob) -> None:
    def wait_for_the_broker() -> None:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(stage=WAITING_FOR_QUEUE)

    enqueue_after_commit("portal.tasks.run_import_job", job.pk, on_unreachable=wait_for_the_broker)


def import_job_again(*, actor, job: ImportJob) -> ImportJob:
    """Run a failed import's file again, as a new job (the failed one stays, as it ended). The failed run
    wrote nothing (its transaction never committed), so the file is applied exactly once."""
    if job.status != ImportStatus.FAILED:
        raise Refused(_("Only a failed import can be run again."))
    with transaction.atomic():
        again = ImportJob.objects.create(
            kind=job.kind,
            file=job.file.name,
            original_name=job.original_name,
            dry_run=job.dry_run,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=f"{job.kind}.uploaded",
            target=again,
            after={"file": again.original_name, "dry_run": again.dry_run, "again_of": job.pk},
        )
        _queue(again)
    return again


def import_job_run(*, job_id: int) -> ImportJob:
    """Run one queued import. A file that cannot be read fails the job; nothing is written."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), stage="checking"
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job  # already run (a redelivered task): never import a file twice
    run_import = importer(job.kind).run

    try:
        with heartbeat(ImportJob, job_id) as beat:

            def report(stage: str, done: int, total: int) -> None:
                beat.report(stage=stage, rows_done=done, rows_total=total or job.rows_total)

            summary = run_import(
                path=job.file.path, actor=job.created_by, dry_run=job.dry_run, progress=report, job=job
            )
    except UnreadableFile as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=str(error), finished_at=timezone.now(), stage=""
        )
        return ImportJob.objects.get(pk=job_id)
    except Exception as error:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
            stage="",
        )
        raise
    job.refresh_from_db()
    if summary.rejects:
        rejects_path = Path(job.file.path).with_suffix(".rejects.csv")
        write_rejects(rejects_path, summary.rejects)
        job.rejects_file.save(
            f"{Path(job.original_name).stem}-rejects.csv", ContentFile(rejects_path.read_bytes()), save=False
        )
        rejects_path.unlink(missing_ok=True)
    job.summary = summary.as_dict()
    job.status = ImportStatus.DONE
    job.stage = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["summary", "status", "stage", "finished_at", "rejects_file"])
    return job
