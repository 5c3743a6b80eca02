"""The supervisors' reports: coverage with drill-down, trends with charts, staff activity; exports."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import Channel, ReportSnapshot
from certification.reports.queries import (
    CHILD_LEVEL,
    activity,
    default_period,
    payment_decisions_by_month,
    report_data,
    report_snapshot_refresh,
    uses_snapshot,
)
from certification.reports.tables import (
    ChannelMixTable,
    ContactActivityTable,
    CoverageTable,
    MonthlyTable,
    PaymentDecisionsTable,
    StaffActivityTable,
    VisitActivityTable,
)
from pensioners.filters import AreaDrillDown
from pensioners.forms import DateInput
from portal.audit import audit_record
from portal.exports.files import export_response
from portal.forms import StyledFormMixin
from portal.jobs import enqueue_after_commit
from portal.roles import Capability
from portal.views_base import capability_required

# Activity is recorded from the portal's start; a period outside these years is a typing slip (and
# 9999-12-31 + 1 day is past what a date can hold).
EARLIEST_REPORT_DAY = date(2000, 1, 1)
LATEST_REPORT_YEARS_AHEAD = 1


class PeriodForm(StyledFormMixin, forms.Form):
    since = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    until = forms.DateField(label=gettext_lazy("To"), widget=DateInput())

    compact = True

    def _check_in_range(self, value: date) -> date:
        today = timezone.localdate()
        latest = today.replace(year=today.year + LATEST_REPORT_YEARS_AHEAD, day=min(today.day, 28))
        if not EARLIEST_REPORT_DAY <= value <= latest:
            raise forms.ValidationError(
                gettext_lazy("Choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_REPORT_DAY.isoformat(), "latest": latest.isoformat()}
            )
        return value

    def clean_since(self):
        return self._check_in_range(self.cleaned_data["since"])

    def clean_until(self):
        return self._check_in_range(self.cleaned_data["until"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError(gettext_lazy("The period ends before it starts."))
        return cleaned


def _channel_mix(total) -> list[dict]:
    values = total.values
    people = sum(values[f"channel_{channel}"] for channel in Channel.values) + values["channel_roster"]
    rows = [{"channel": label, "count": values[f"channel_{value}"]} for value, label in Channel.choices]
    rows.append({"channel": _("Legacy roster (channel unknown)"), "count": values["channel_roster"]})
    for row in rows:
        row["share"] = f"{round(100 * row['count'] / people, 1) if people else 0}%"
    return rows


def _monthly_rows(trend: dict) -> list[dict]:
    rows = []
    for index, month in enumerate(trend["months"]):
        row = {"month": month}
        for channel in Channel.values:
            row[f"c_{channel}"] = trend["certifications"][channel][index]
        row["newly_overdue"] = trend["newly_overdue"][index]
        row["reminders_sent"] = trend["reminders_sent"][index]
        row["reminders_failed"] = trend["reminders_failed"][index]
        rows.append(row)
    return rows


def _area_code_or_blank(value: str) -> str:
    """An area code is 6 to 12 digits; anything else (letters, NUL bytes) means "my own area"."""
    return value if value.isascii() and value.isdigit() and 6 <= len(value) <= 12 else ""


@capability_required(Capability.VIEW_REPORTS)
def reports(request):
    scope = request.scope
    drill = AreaDrillDown(scope, _area_code_or_blank(request.GET.get("area", "")))
    area = drill.chosen
    data = report_data(area)
    period = PeriodForm(
        request.GET if "since" in request.GET else None,
        initial=dict(zip(("since", "until"), default_period(), strict=True)),
    )
    since, until = (
        (period.cleaned_data["since"], period.cleaned_data["until"])
        if period.is_bound and period.is_valid()
        else default_period()
    )
    done = activity(area, since, until)
    tables = {
        "coverage": CoverageTable(
            [*data["rows"], data["total"]],
            drill_down=CHILD_LEVEL[area.level] is not None,
            total_code=area.code,
        ),
        "channels": ChannelMixTable(_channel_mix(data["total"])),
        "monthly": MonthlyTable(_monthly_rows(data["trends"])),
        "staff": StaffActivityTable(
            [dict(zip(("staff", "office", "channel", "count"), row, strict=True)) for row in done["by_staff"]]
        ),
        "visits": VisitActivityTable(
            [dict(zip(("status", "outcome", "count"), row, strict=True)) for row in done["visits"]]
        ),
        "contacts": ContactActivityTable(
            [dict(zip(("kind", "outcome", "count"), row, strict=True)) for row in done["contacts"]]
        ),
        "payments": PaymentDecisionsTable(payment_decisions_by_month(area, timezone.localdate())),
    }
    export_format = request.GET.get("_export")
    if export_format in ("csv", "xlsx"):
        which = request.GET.get("table", "coverage")
        table = tables.get(which, tables["coverage"])
        records = list(table.data)
        audit_record(
            actor=request.user,
            action="reports.exported",
            area_code=area.code,
            after={"table": which, "format": export_format, "since": since, "until": until},
        )
        return export_response(
            type(table),
            records,
            export_format=export_format,
            filename=f"report-{which}-{area.code}-{timezone.localdate():%Y%m%d}",
            table_kwargs={"total_code": area.code} if which == "coverage" else None,
        )
    chart = {
        "months": data["trends"]["months"],
        "channels": [
            {"label": str(label), "data": data["trends"]["certifications"][value]}
            for value, label in Channel.choices
        ],
        "newly_overdue": data["trends"]["newly_overdue"],
        "sent": data["trends"]["reminders_sent"],
        "failed": data["trends"]["reminders_failed"],
        "labels": {
            "newly_overdue": _("Newly overdue"),
            "sent": _("Reminders sent"),
            "failed": _("Reminders failed"),
        },
    }
    context = {
        "area": area,
        "drill_down": drill,
        "tables": tables,
        "total": data["total"],
        "snapshot": data["snapshot"],
        "trends_as_of": data["trends_as_of"],
        "chart": chart,
        "period": period,
        "since": since,
        "until": until,
        "can_refresh": uses_snapshot(area) and scope.can(Capability.DECIDE),
    }
    # A period that cannot be read is said so next to the dates (the activity falls back to this month).
    status = 400 if period.is_bound and not period.is_valid() else 200
    return render(request, "certification/reports/reports.html", context, status=status)


REFRESH_TASK = "certification.tasks.refresh_city_report"


@capability_required(Capability.DECIDE)
def reports_refresh(request):
    """Recompute the snapshot now: in this request for a small registry (a few seconds), by the nightly
    job's task for a big one (about a minute for 8 million people: longer than a page may take)."""
    if request.method == "POST" and request.scope.area is not None and uses_snapshot(request.scope.area):
        figures = ReportSnapshot.objects.figures_for(request.scope.area)
        if figures and figures[0]["pensioners"] > settings.SNAPSHOT_INLINE_MAX_PEOPLE:
            enqueue_after_commit(REFRESH_TASK)
            messages.info(
                request,
                _(
                    "The figures are being recomputed in the background (about a minute for a whole city). "
                    "Reload this page in a minute to see them."
                ),
            )
        else:
            snapshot = report_snapshot_refresh(area=request.scope.area)
            messages.success(
                request,
                _("The figures were recomputed in %(seconds)s seconds.") % {"seconds": snapshot.seconds},
            )
    return redirect("reports")
