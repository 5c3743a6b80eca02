"""A background export's page (progress, then the download link) and the download itself.

Only the person who asked for the export sees either, and only while the list's area is still in their
scope; anyone else gets 404, as for any record out of scope. Every download is audited.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render

from portal.audit import audit_record
from portal.models import ExportJob, ExportStatus
from portal.views_base import is_htmx


def _own_job(request, pk: int) -> ExportJob:
    return request.scope.get_or_404(ExportJob.objects.filter(created_by=request.user), pk=pk)


def export_job_detail(request, pk: int):
    job = _own_job(request, pk)
    template = "portal/includes/_export_progress.html" if is_htmx(request) else "portal/export_job.html"
    return render(request, template, {"job": job})


def export_job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    audit_record(
        actor=request.user,
        action="export.downloaded",
        target=job,
        after={"format": job.export_format, "rows": job.rows_total},
    )
    return FileResponse(handle, as_attachment=True, filename=f"{job.filename}.{job.export_format}")
