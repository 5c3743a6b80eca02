"""The registry list: masked ID and phone, always (domain.md, "Privacy")."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from pensioners.models import Area, AreaLevel, Gender, PaymentStatus, Pensioner
from pensioners.rules import age_on
from portal.deadlines import deadline_state
from portal.exports.cells import AgeOn, CellText, CsvText, IsoDate, Labelled, MaskedIdNumber, MaskedPhone
from portal.exports.files import csv_text
from portal.masking import mask_id_number, mask_phone
from portal.tables import NO_WRAP, WIDE_ONLY, ListTable

# Columns that a phone screen can do without.
# The search list at phone width (390 px): name with the masked ID under it, phone, deadline badge;
# nothing may wrap a name one character per line or push the phone off the screen.
WIDE_ONLY_MASKED = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "masked d-none d-md-table-cell"},
}

STATE_BADGES = {
    "current": ("text-bg-success", _("Current")),
    "due_soon": ("text-bg-warning", _("Due soon")),
    "overdue": ("text-bg-danger", _("Overdue")),
}


def deadline_badge(deadline) -> str:
    css, label = STATE_BADGES[deadline_state(deadline, timezone.localdate())]
    return format_html('<span class="badge state-badge {}">{}</span>', css, label)


def community_csv_labels() -> dict[str, str]:
    """Every community's name as CSV text, by code: the labels of a COPY export's community column."""
    return {
        code: csv_text(name)
        for code, name in Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", "name")
    }


# One row of the search list; at phone width the masked ID goes under the name (its column is hidden).
_ROW_HTML = (
    "<tr>"
    '<td><a href="{url}" class="text-nowrap">{name}</a>'
    '<div class="d-md-none small text-body-secondary masked text-nowrap">{id_number}</div></td>'
    '<td class="masked d-none d-md-table-cell">{id_number}</td>'
    '<td class="d-none d-md-table-cell">{gender}</td>'
    '<td class="d-none d-md-table-cell">{age}</td>'
    '<td class="masked text-nowrap">{phone}</td>'
    '<td class="d-none d-md-table-cell">{community}</td>'
    '<td class="text-nowrap"><span class="d-none d-md-inline">{deadline}</span> '
    '<span class="badge state-badge {badge_css}">{badge_label}</span></td>'
    '<td class="d-none d-md-table-cell">{status}</td>'
    "</tr>"
)


class PensionerTable(ListTable):
    name = tables.Column(verbose_name=_("Name"), attrs={"th": {"class": "text-nowrap"}})
    id_number = tables.Column(verbose_name=_("ID number"), attrs=WIDE_ONLY_MASKED)
    gender = tables.Column(verbose_name=_("Gender"), attrs=WIDE_ONLY)
    age = tables.Column(
        verbose_name=_("Age"), accessor="birth_date", order_by=("-birth_date",), attrs=WIDE_ONLY
    )
    phone = tables.Column(
        verbose_name=_("Phone"), attrs={"th": {"class": "text-nowrap"}, "td": {"class": "masked text-nowrap"}}
    )
    community = tables.Column(
        verbose_name=_("Community"), accessor="community__name", order_by=("community_id",), attrs=WIDE_ONLY
    )
    deadline = tables.Column(verbose_name=_("Deadline"), accessor="state__next_due_on", attrs=NO_WRAP)
    status = tables.Column(verbose_name=_("Payment"), accessor="state__status", attrs=WIDE_ONLY)

    class Meta(ListTable.Meta):
        model = Pensioner
        template_name = "pensioners/includes/_pensioner_table.html"
        fields = ("name", "id_number", "gender", "age", "phone", "community", "deadline", "status")
        empty_text = " "

    @property
    def page_rows(self) -> list[dict]:
        """The page's rows as plain values: django-tables2's cell-by-cell rendering cost about 4 ms a row
        (a search page of 25: half its time at city scale)."""
        rows = self.page.object_list if self.page is not None else self.rows
        today = timezone.localdate()
        card_prefix = reverse("pensioner-card", args=[0]).removesuffix("0/")
        genders = {value: str(label) for value, label in Gender.choices}
        statuses = {value: str(label) for value, label in PaymentStatus.choices}
        badges = {state: (css, str(label)) for state, (css, label) in STATE_BADGES.items()}
        found = []
        for row in rows:
            record = row.record
            deadline = record.state.next_due_on
            css, label = badges[deadline_state(deadline, today)]
            found.append(
                {
                    "url": f"{card_prefix}{record.pk}/",
                    "name": record.name,
                    "id_number": mask_id_number(record.id_number),
                    "gender": genders.get(record.gender, record.gender),
                    "age": age_on(record.birth_date, today),
                    "phone": mask_phone(record.phone),
                    "community": record.community.name,
                    "deadline": deadline.isoformat(),
                    "badge_css": css,
                    "badge_label": label,
                    "status": statuses.get(record.state.status, record.state.status),
                }
            )
        return found

    @property
    def page_rows_html(self) -> str:
        """The page's rows as HTML in one pass (every value escaped by format_html): through the template,
        25 rows cost a tenth of a search page's 50 ms budget."""
        return format_html_join(
            "\n", _ROW_HTML, ({**row, "phone": row["phone"] or "—"} for row in self.page_rows)
        )

    # Exports of long lists skip django-tables2's cell-by-cell work (see portal/exports.py).
    EXPORT_HEADERS = (
        _("Name"),
        _("ID number"),
        _("Gender"),
        _("Age"),
        _("Phone"),
        _("Community"),
        _("Deadline"),
        _("Payment"),
    )

    @classmethod
    def export_header(cls) -> list[str]:
        return [str(header) for header in cls.EXPORT_HEADERS]

    @classmethod
    def export_values(cls, record) -> list:
        return [
            record.name,
            mask_id_number(record.id_number),
            record.get_gender_display(),
            age_on(record.birth_date, timezone.localdate()),
            mask_phone(record.phone),
            record.community.name,
            record.state.next_due_on,  # a date cell in the spreadsheet
            record.state.get_status_display(),
        ]

    @classmethod
    def export_copy(cls, queryset):
        """The rows of export_values as SQL cells, for COPY (portal/exports/cells.py): browsing a city's
        whole registry exports eight million rows. tests/test_registry_export.py holds the two together."""
        today = timezone.localdate()
        cells = {
            "c_name": CellText("name"),
            "c_id": CsvText(MaskedIdNumber("id_number")),
            "c_gender": Labelled(
                "gender", labels={value: csv_text(label) for value, label in Gender.choices}
            ),
            "c_age": AgeOn("birth_date", today=today),
            "c_phone": CsvText(MaskedPhone("phone")),
            "c_community": Labelled("community_id", labels=community_csv_labels()),
            "c_deadline": IsoDate("state__next_due_on"),
            "c_status": Labelled(
                "state__status", labels={value: csv_text(label) for value, label in PaymentStatus.choices}
            ),
        }
        return queryset.select_related(None).prefetch_related(None).annotate(**cells).values_list(*cells)

    def render_name(self, record):
        # On a phone the ID column is hidden: its masked number goes under the name instead.
        return format_html(
            '<a href="{}" class="text-nowrap">{}</a>'
            '<div class="d-md-none small text-body-secondary masked text-nowrap">{}</div>',
            reverse("pensioner-card", args=[record.pk]),
            record.name,
            mask_id_number(record.id_number),
        )

    def value_name(self, record):
        return record.name

    def render_id_number(self, value):
        return mask_id_number(value)

    def value_id_number(self, value):
        return mask_id_number(value)

    def render_phone(self, value):
        return mask_phone(value) or "—"

    def value_phone(self, value):
        return mask_phone(value)

    def render_age(self, value):
        return age_on(value, timezone.localdate())

    def value_age(self, value):
        return age_on(value, timezone.localdate())

    def render_deadline(self, value):
        return format_html(
            '<span class="d-none d-md-inline">{}</span> {}', value.isoformat(), deadline_badge(value)
        )

    def value_deadline(self, value):
        return value.isoformat()

    def render_status(self, record):
        return record.state.get_status_display()

    def value_status(self, record):
        return record.state.get_status_display()
