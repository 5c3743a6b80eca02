"""Exports too long to wait for: a Celery task writes the file, a page shows progress and the link.

The job stores the list page and its query. The worker runs that same list view as the job's owner (with
the owner's scope as it is when the job runs), and the view's AuditedExportMixin writes into the job's file
instead of answering the browser. So a background export holds exactly what an inline one would.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone, translation

from portal.audit import audit_record
from portal.exports.files import TooManyRowsForExcel, table_rows, write_csv, write_csv_copy, write_xlsx
from portal.jobs import enqueue_after_commit, heartbeat
from portal.models import ExportJob, ExportStatus
from portal.scoping import Scope

logger = logging.getLogger(__name__)


def export_job_start(*, actor, scope, path: str, query: QueryDict, export_format: str, filename: str,
                     rows_total: int) -> ExportJob:  # fmt: skip
    """Record the request and queue the job (after commit, so the worker finds it)."""
    with transaction.atomic():
        job = ExportJob.objects.create(
            path=path,
            query=query.urlencode(),
            export_format=export_format,
            filename=filename[:200],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            area_code=scope.area.code if scope.area else "",
            rows_total=rows_total,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="export.queued",
            target=job,
            after={"format": export_format, "query": job.query, "rows": rows_total},
        )
        enqueue_after_commit("portal.run_export_job", job.pk)
    return job


def export_files_expire() -> int:
    """Delete the files of exports finished more than EXPORT_KEEP_DAYS ago: lists of people's personal
    data should not pile up on the server. Their pages stay, saying the file has expired."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_KEEP_DAYS)
    expired = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file="")
    count = 0
    for job in expired:
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def export_job_run(*, job_id: int) -> ExportJob:
    """Run one queued export as its owner. A redelivered task finds the job claimed and does nothing."""
    export_files_expire()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    request = RequestFactory().get(job.path, data=QueryDict(job.query))
    request.user = job.created_by
    request.scope = Scope(job.created_by)
    request.export_job = job
    match = resolve(job.path)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), heartbeat(ExportJob, job_id):
            response = match.func(request, *match.args, **match.kwargs)
        if response.status_code != 204:
            raise RuntimeError(f"the list answered {response.status_code}")
    except TooManyRowsForExcel:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _fail(job_id, translation.gettext("More rows than one Excel sheet holds. Export as CSV instead."))
        return ExportJob.objects.get(pk=job_id)
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _fail(job_id, translation.gettext("The export failed. Try again, or tell the administrator."))
        raise error
    return ExportJob.objects.get(pk=job_id)


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )


def export_job_write(job: ExportJob, table_class, data, *, table_kwargs=None) -> ExportJob:
    """Write the list into the job's file, reporting progress; called by AuditedExportMixin in the worker."""
    relative = f"exports/{job.pk}/{job.filename}.{job.export_format}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    if job.export_format == "csv" and hasattr(table_class, "export_copy") and isinstance(data, QuerySet):
        # The table's cells in SQL: the database writes the rows (cells.py): 130,000 rows a second at 8M,
        # where the Python loop below wrote 41,000.
        with target.open("wb") as out, _side_connection() as side:
            written = write_csv_copy(
                table_class.export_header(),
                table_class.export_copy(data),
                out,
                progress=lambda done: _progress_elsewhere(side, job.pk, done),
            )
        return _done(job, relative, written)
    rows = table_rows(table_class, data, table_kwargs=table_kwargs)
    # The whole list is read: plan for all of it (hash joins, one sort), not for its first rows, which is
    # what a cursor is planned for by default (a city's queue: 7,000 rows/s that way). Not in a
    # transaction: the progress written as it goes must show on the job's page.
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        if job.export_format == "xlsx":
            with target.open("wb") as out:
                written = write_xlsx(rows, out, progress=progress)
        else:
            with target.open("w", encoding="utf-8", newline="") as out:
                written = write_csv(_counting(rows, progress), out, cell_ready=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")
    return _done(job, relative, written)


def _done(job: ExportJob, relative: str, written: int) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        file=relative,
        rows_done=written,
        rows_total=written,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


@contextmanager
def _side_connection():
    """A second connection to the same database, for progress written while the first one is busy
    sending a COPY (a connection does one thing at a time)."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield side
    finally:
        side.close()


def _progress_elsewhere(side, job_id: int, done: int) -> None:
    with side.cursor() as cursor:
        cursor.execute(f"UPDATE {ExportJob._meta.db_table} SET rows_done = %s WHERE id = %s", [done, job_id])


def _counting(rows, progress):
    for number, row in enumerate(rows):
        if number and number % 2000 == 0:
            progress(number)
        yield row
