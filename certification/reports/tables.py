"""The report tables (display and CSV/XLSX export). Reports hold counts only: nothing to mask."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certification.models import Channel, ContactKind, ContactOutcome, VisitOutcome, VisitStatus
from portal.tables import ReportTable


class CoverageTable(ReportTable):
    name = tables.Column(verbose_name=_("Area"), accessor="name", orderable=False)
    pensioners = tables.Column(verbose_name=_("Pensioners"), accessor="values__pensioners")
    certified = tables.Column(verbose_name=_("Certified in period"), accessor="values__certified")
    percent = tables.Column(verbose_name=_("%"), accessor="certified_percent")
    due_soon = tables.Column(verbose_name=_("Due soon"), accessor="values__due_soon")
    overdue_1_30 = tables.Column(verbose_name=_("Overdue 1-30"), accessor="values__overdue_1_30")
    overdue_31_90 = tables.Column(verbose_name=_("Overdue 31-90"), accessor="values__overdue_31_90")
    overdue_90_plus = tables.Column(verbose_name=_("Overdue 90+"), accessor="values__overdue_90_plus")
    overdue_80_plus = tables.Column(verbose_name=_("Overdue aged 80+"), accessor="values__overdue_80_plus")
    overdue_90_plus_age = tables.Column(
        verbose_name=_("Overdue aged 90+"), accessor="values__overdue_90_plus_age"
    )
    suspended = tables.Column(verbose_name=_("Suspended"), accessor="values__suspended")
    terminated = tables.Column(verbose_name=_("Terminated"), accessor="values__terminated")
    death_reported = tables.Column(verbose_name=_("Open death cases"), accessor="values__death_reported")

    class Meta(ReportTable.Meta):
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle bg-white text-end report-table"}
        row_attrs = {
            "class": lambda table, record: (
                "table-light fw-semibold" if record.code == table.total_code else ""
            )
        }

    def __init__(self, *args, drill_down: bool = False, total_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.drill_down = drill_down
        self.total_code = total_code

    def render_name(self, record):
        if record.code == self.total_code:
            return format_html("{} · {}", _("Total"), record.name)
        if self.drill_down:
            return format_html('<a href="{}?area={}">{}</a>', reverse("reports"), record.code, record.name)
        return record.name

    def value_name(self, record):
        return f"{record.name} ({record.code})"

    def render_percent(self, value):
        return f"{value}%"


class ChannelMixTable(ReportTable):
    channel = tables.Column(verbose_name=_("Channel of the latest certification"))
    count = tables.Column(verbose_name=_("People"))
    share = tables.Column(verbose_name=_("%"))

    class Meta(ReportTable.Meta):
        orderable = False


class MonthlyTable(ReportTable):
    """A month per row: certifications by channel, newly overdue, reminders sent and failed."""

    month = tables.Column(verbose_name=_("Month"))

    class Meta(ReportTable.Meta):
        orderable = False
        attrs = {"class": "table table-sm align-middle bg-white text-end report-table"}

    def __init__(self, *args, **kwargs):
        extra = [(f"c_{value}", tables.Column(verbose_name=label)) for value, label in Channel.choices]
        extra += [
            ("newly_overdue", tables.Column(verbose_name=_("Newly overdue"))),
            ("reminders_sent", tables.Column(verbose_name=_("Reminders sent"))),
            ("reminders_failed", tables.Column(verbose_name=_("Reminders failed"))),
        ]
        super().__init__(*args, extra_columns=extra, **kwargs)


class LabelColumn(tables.Column):
    """A column of stored codes shown (and exported) as their labels."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = dict(choices)

    def render(self, value):
        return self.labels.get(value, value or "—")

    def value(self, value):
        return self.render(value)


class StaffActivityTable(ReportTable):
    staff = tables.Column(verbose_name=_("Staff member"))
    office = tables.Column(verbose_name=_("Office"))
    channel = LabelColumn(verbose_name=_("Channel"), choices=Channel.choices)
    count = tables.Column(verbose_name=_("Certifications recorded"))

    class Meta(ReportTable.Meta):
        orderable = False


class VisitActivityTable(ReportTable):
    status = LabelColumn(verbose_name=_("Visit status"), choices=VisitStatus.choices)
    outcome = LabelColumn(verbose_name=_("Outcome"), choices=VisitOutcome.choices, empty_values=())
    count = tables.Column(verbose_name=_("Visits"))

    class Meta(ReportTable.Meta):
        orderable = False


class ContactActivityTable(ReportTable):
    kind = LabelColumn(verbose_name=_("How"), choices=ContactKind.choices)
    outcome = LabelColumn(verbose_name=_("Outcome"), choices=ContactOutcome.choices)
    count = tables.Column(verbose_name=_("Attempts"))

    class Meta(ReportTable.Meta):
        orderable = False


class PaymentDecisionsTable(ReportTable):
    """Suspended, resumed, stopped and extended per area and month, with the money beside the counts."""

    month = tables.Column(verbose_name=_("Month"))
    area = tables.Column(verbose_name=_("Area"))
    suspended = tables.Column(verbose_name=_("Suspended"))
    suspended_monthly = tables.Column(verbose_name=_("Suspended monthly amount (yuan)"))
    resumed = tables.Column(verbose_name=_("Resumed"))
    back_pay = tables.Column(verbose_name=_("Back pay (yuan)"))
    stopped = tables.Column(verbose_name=_("Stopped (imprisonment)"))
    extended = tables.Column(verbose_name=_("Deadlines extended"))

    class Meta(ReportTable.Meta):
        orderable = False
        attrs = {"class": "table table-sm align-middle bg-white text-end report-table"}
        empty_text = _("No payment decisions in the last 24 months.")
        row_attrs = {"data-testid": "payment-report-row"}
