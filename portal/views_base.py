"""Building blocks every app's views use: capability checks, scoped lookups, exports that are audited."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_filters.filterset import filterset_factory
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export.views import ExportMixin

from portal.audit import audit_record
from portal.counting import CappedPaginator
from portal.exports.files import export_response


class CapabilityRequiredMixin:
    """Refuse (403) a user whose role lacks `capability` or who has no scope at all."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.capability:
            raise AssertionError(f"{type(self).__name__} must name the capability it needs")
        if not request.scope.can(self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def require_capability(request, capability: str) -> None:
    if not request.scope.can(capability):
        raise PermissionDenied


def capability_required(capability: str):
    """The permission check of a function view that shows no single record: 403 unless the user's role
    has `capability`. A view of one record looks it up in scope first and then calls require_capability,
    so that a record outside the user's area is "not found" whatever the role (no hint that it exists)."""

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            require_capability(request, capability)
            return view(request, *args, **kwargs)

        checked.capability = capability
        return checked

    return decorate


def page_number(text, *, default: int = 1) -> int:
    """A page number from the query string; junk (abc, -1, 1.5, 10**20) falls back to the first page."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return default
    return number if 1 <= number <= MAX_PAGE_NUMBER else default


def page_size(text, *, default: int) -> int:
    """Rows per page from ?per_page=: at most TABLE_PER_PAGE_MAX; anything else gives the default."""
    try:
        size = int(text)
    except (TypeError, ValueError):
        return default
    return size if 1 <= size <= settings.TABLE_PER_PAGE_MAX else default


# Past this, a page number is junk: it would only ask PostgreSQL for an OFFSET it cannot hold.
MAX_PAGE_NUMBER = 1_000_000


class CappedRequestConfig(RequestConfig):
    """django-tables2's RequestConfig, with the page size capped and junk page numbers ignored.

    Whole lists leave only through the audited export, never as one enormous page.
    """

    def configure(self, table):
        table.request = self.request
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if self.paginate:
            kwargs = dict(self.paginate) if hasattr(self.paginate, "items") else {}
            default = kwargs.get("per_page") or table._meta.per_page
            kwargs["per_page"] = page_size(
                self.request.GET.get(table.prefixed_per_page_field), default=default
            )
            kwargs["page"] = page_number(self.request.GET.get(table.prefixed_page_field))
            kwargs["paginator_class"] = CappedPaginator
            kwargs.pop("silent", None)
            try:
                table.paginate(**kwargs)
            except PageNotAnInteger:
                table.page = table.paginator.page(1)
            except EmptyPage:
                table.page = table.paginator.page(max(1, table.paginator.num_pages))
        return table


class AuditedExportMixin(ExportMixin):
    """Every list screen's table: pages of a capped size, and exports (?_export=csv|xlsx) that are audited.

    Short exports stream to the browser. Longer ones (settings.EXPORT_INLINE_MAX_ROWS) go to a background
    job whose page shows progress and the download link (portal/export_jobs.py). XLSX longer than one
    Excel sheet is refused with a link to the CSV export: split over sheets, a list can no longer be sorted
    or filtered as one, and staff would not notice that the second sheet exists.
    Tables mask personal data themselves; exports only ever hold what the screen shows.
    """

    export_formats = ("csv", "xlsx")
    export_action = "export"

    def get_table(self, **kwargs):
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return CappedRequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)

    def render_to_response(self, context, **kwargs):
        export_format = self.request.GET.get(self.export_trigger_param)
        if export_format in self.export_formats:
            return self.create_export(export_format)
        # Any other ?_export= (json, latex, junk) shows the page: only our formats are audited exports.
        return super(ExportMixin, self).render_to_response(context, **kwargs)

    def create_export(self, export_format):
        from portal.exports.files import XLSX_MAX_DATA_ROWS, count_rows
        from portal.exports.services import export_job_start, export_job_write

        table = self.get_table(**self.get_table_kwargs())
        data = table.data.data
        job = getattr(self.request, "export_job", None)
        if job is not None:  # the background worker, running this view for the job's owner
            export_job_write(job, type(table), data, table_kwargs=self.get_table_kwargs())
            return HttpResponse(status=204)
        inline_max = settings.EXPORT_INLINE_MAX_ROWS
        rows = count_rows(data, at_most=inline_max)
        if rows > inline_max:
            if export_format == "xlsx":
                rows = count_rows(data, at_most=XLSX_MAX_DATA_ROWS)
                if rows > XLSX_MAX_DATA_ROWS:
                    return self._refuse_excel()
            else:
                rows = count_rows(data, at_most=10 * XLSX_MAX_DATA_ROWS)
            job = export_job_start(
                actor=self.request.user,
                scope=self.request.scope,
                path=self.request.path,
                query=self.request.GET,
                export_format=export_format,
                filename=self.export_name,
                rows_total=rows,
            )
            return redirect("export-job", pk=job.pk)
        response = export_response(
            type(table),
            data,
            export_format=export_format,
            filename=self.export_name,
            table_kwargs=self.get_table_kwargs(),
        )
        audit_record(
            actor=self.request.user,
            action=f"{self.export_action}.exported",
            area_code=self.request.scope.area.code if self.request.scope.area else "",
            after={"format": export_format, "query": self.request.GET.urlencode()},
        )
        return response

    def _refuse_excel(self):
        query = self.request.GET.copy()
        query[self.export_trigger_param] = "csv"
        messages.error(
            self.request,
            format_html(
                '{} <a href="?{}" class="alert-link">{}</a>',
                _("This list has more rows than one Excel sheet holds (1,048,576)."),
                query.urlencode(),
                _("Export it as CSV instead"),
            ),
        )
        query.pop(self.export_trigger_param)
        return redirect(f"{self.request.path}?{query.urlencode()}" if query else self.request.path)


class ScopedListView(CapabilityRequiredMixin, AuditedExportMixin, SingleTableMixin, FilterView):
    """The one list-screen skeleton: the capability check, the user's area only (scope.restrict, which
    fails closed), the filters, a table with capped pages, and audited exports.

    A screen names its `capability`, `template_name`, `table_class`, `filterset_class` (none: no filters),
    `export_name` and `export_action`, and says which rows it lists in `base_queryset()`, before the
    area is applied. `scoped_rows()` may shape the scoped rows further (the queues do).
    """

    table_pagination = {"per_page": 50}

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say which rows it lists")

    def scoped_rows(self, scoped: QuerySet) -> QuerySet:
        return scoped

    def get_queryset(self) -> QuerySet:
        return self.scoped_rows(self.request.scope.restrict(self.base_queryset()))

    def get_filterset_class(self):
        if self.filterset_class is None:  # a list with no filters still goes through the same steps
            return filterset_factory(model=self.base_queryset().model, fields=[])
        return super().get_filterset_class()


def is_htmx(request) -> bool:
    """An htmx request wants only the fragment it will swap in."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request) -> str:
    """The page to go back to, if it is one of ours (never another site, never a script)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return ""


def redirect_back(request, fallback: str):
    return redirect(safe_next(request) or fallback)
