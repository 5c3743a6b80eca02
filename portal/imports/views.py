"""The upload page shared by both imports, the progress page, and the rejects download."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from portal.audit import audit_record
from portal.contracts import importer
from portal.errors import Refused
from portal.forms import StyledFormMixin
from portal.imports.services import import_job_again, import_job_start
from portal.imports.tabular import UnreadableFile, sniff_table
from portal.jobs import jobs_recover, stale_running
from portal.models import ImportJob, ImportKind, ImportStatus
from portal.views_base import is_htmx, require_capability


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File (CSV in UTF-8 or GB18030, or XLSX)"))
    dry_run = forms.BooleanField(label=_("Dry run: check and count only, write nothing"), required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        registered = importer(self.kind)
        try:
            sniff_table(upload, registered.columns, registered.required)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


class ImportUploadView(View):
    kind: str = ""  # the registered importer's kind; it says who may upload (portal.contracts.Importer)
    upload_limit_setting = "IMPORT_MAX_BYTES"
    template_name = "portal/import_upload.html"

    def dispatch(self, request, *args, **kwargs):
        require_capability(request, importer(self.kind).capability)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(ImportUploadForm(kind=self.kind))

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES, kind=self.kind)
        if not form.is_valid():
            return self.render(form, status=400)
        job = import_job_start(
            actor=request.user,
            kind=self.kind,
            uploaded_file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("import-job", pk=job.pk)

    def render(self, form, status=200):
        history = self.request.scope.restrict(ImportJob.objects.filter(kind=self.kind)).select_related(
            "created_by"
        )[:20]
        context = {
            "form": form,
            "kind": self.kind,
            "kind_label": ImportKind(self.kind).label,
            "history": history,
        }
        return render(self.request, self.template_name, context, status=status)


def _job_for(request, pk: int) -> ImportJob:
    job = request.scope.get_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    require_capability(request, importer(job.kind).capability)
    return job


def import_job_detail(request, pk: int):
    job = _job_for(request, pk)
    if job.status == ImportStatus.RUNNING and stale_running(ImportJob.objects.filter(pk=job.pk)).exists():
        jobs_recover()  # the worker died: say so now, even if the beat that checks every minute is down
        job.refresh_from_db()
    template = "portal/includes/_import_progress.html" if is_htmx(request) else "portal/import_job.html"
    return render(request, template, {"job": job})


def import_job_rejects(request, pk: int):
    job = _job_for(request, pk)
    if not job.rejects_file:
        raise Http404
    # The rejects file carries full ID numbers as typed: its download is on the record.
    audit_record(
        actor=request.user,
        action="import.rejects_downloaded",
        target=job,
        area_code=request.user.area_id or "",
    )
    return FileResponse(job.rejects_file.open("rb"), as_attachment=True, filename=f"rejects-{job.pk}.csv")


def import_job_again_view(request, pk: int):
    job = _job_for(request, pk)  # in scope and allowed, or 404 / 403, before anything else
    if request.method != "POST":
        return redirect("import-job", pk=job.pk)
    try:
        again = import_job_again(actor=request.user, job=job)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("import-job", pk=job.pk)
    messages.success(request, _("The file is being imported again."))
    return redirect("import-job", pk=again.pk)


def import_job_credentials(request, pk: int):
    """A staff import's temporary passwords: for the uploader only, downloaded once, then deleted."""
    job = _job_for(request, pk)
    if request.method != "POST":
        return redirect("import-job", pk=job.pk)
    if job.created_by_id != request.user.pk or not job.credentials_file:
        raise Http404
    content = job.credentials_file.read()
    job.credentials_file.delete(save=True)
    audit_record(
        actor=request.user,
        action="import.credentials_downloaded",
        target=job,
        area_code=request.user.area_id or "",
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="temporary-passwords-{job.pk}.csv"'
    return response
