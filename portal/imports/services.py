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

from portal.audit import audit_record
from portal.contracts import importer
from portal.imports.runner import write_rejects
from portal.imports.tabular import UnreadableFile
from portal.jobs import enqueue_after_commit
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
        enqueue_after_commit("portal.tasks.run_import_job", job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run one queued import. A file that cannot be read fails the job; nothing is written."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), stage="checking"
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job  # already run (a redelivered task): never import a file twice
    run_import = importer(job.kind).run

    def report(stage: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            stage=stage, rows_done=done, rows_total=total or job.rows_total
        )

    try:
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
