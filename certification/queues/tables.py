"""The queue table: one row per person, the same on screen and in exports."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import django_tables2 as tables
from django.db.models import Case, Value, When
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from certification.models import ContactOutcome
from pensioners.models import Area, AreaLevel, CertificationState
from pensioners.rules import age_on
from pensioners.tables import community_csv_labels
from portal.exports.cells import (
    AgeOn,
    CellText,
    CsvText,
    DaysLeft,
    IsoDate,
    Labelled,
    MaskedIdNumber,
    MaskedPhone,
    Template,
)
from portal.exports.files import cell_value, csv_text
from portal.masking import mask_id_number, mask_phone
from portal.models import User
from portal.tables import WIDE_ONLY, ListTable


@functools.cache
def _card_url_prefix() -> str:
    """The card's address without the person's id (reverse() per row took 0.1 ms each, twice a row)."""
    return reverse("pensioner-card", args=[0]).removesuffix("0/")


def row_view(record) -> dict:
    """What one queue row shows (and exports): masked, labelled, computed once per record."""
    person = record.pensioner
    today = timezone.localdate()
    days = (record.next_due_on - today).days
    contact = record.last_contact_outcome
    return {
        "pensioner_id": record.pensioner_id,
        "name": person.name,
        "url": f"{_card_url_prefix()}{record.pensioner_id}/",
        "id_number": mask_id_number(person.id_number),
        "age": age_on(person.birth_date, today),
        "phone": mask_phone(person.phone),
        "phone_wrong": person.phone_known_wrong,
        "community": person.community.name,
        "deadline": record.next_due_on.isoformat(),
        "days": days,
        "days_label": (_("%(days)s overdue") % {"days": -days})
        if days < 0
        else (_("%(days)s left") % {"days": days}),
        "contact": ContactOutcome(contact).label if contact in ContactOutcome.values else "",
        "contact_on": record.last_contact_on.isoformat() if record.last_contact_on else "",
        "assigned": str(record.assigned_to) if record.assigned_to_id else "",
    }


_ROW_HTML = (
    "<tr>"
    '<td><input type="checkbox" name="selected" value="{pensioner_id}" form="assign-form" aria-label="{name}"></td>'
    '<td><a class="text-nowrap" href="{url}">{name}</a>'
    # On a phone the community and assignee columns are hidden: say them here, so nobody ticks people blind.
    '<div class="d-md-none small text-body-secondary">{community} · {age_label}{assigned_note}</div></td>'
    '<td class="masked text-nowrap d-none d-md-table-cell">{id_number}</td>'
    '<td class="d-none d-md-table-cell">{age}</td>'
    '<td class="masked d-none d-md-table-cell">{phone}</td>'
    '<td class="d-none d-md-table-cell">{community}</td>'
    '<td class="text-nowrap">{deadline}</td>'
    '<td class="text-nowrap">{days}</td>'
    '<td class="d-none d-md-table-cell">{contact}{contact_on}</td>'
    '<td class="d-none d-md-table-cell">{assigned}</td>'
    '<td><a class="btn btn-sm btn-outline-primary text-nowrap" href="{contact_url}" data-testid="log-contact">'
    '<i class="bi bi-telephone"></i><span class="d-none d-lg-inline"> {log_contact}</span></a></td>'
    "</tr>"
)


def _row_html(row: dict, labels: dict, *, mine: bool) -> str:
    """One queue row (row_view plus its links), as the queue page shows it."""
    phone = row["phone"] or "—"
    if row["phone_wrong"]:
        phone = format_html(
            '<span class="text-decoration-line-through" title="{}">{}</span>', labels["known_wrong"], phone
        )
    days = row["days_label"]
    if row["days"] < 0:
        days = format_html('<span class="text-danger fw-semibold">{}</span>', days)
    return format_html(
        _ROW_HTML,
        pensioner_id=row["pensioner_id"],
        name=row["name"],
        url=row["url"],
        community=row["community"],
        age_label=row["age_label"],
        assigned_note=format_html(" · {} {}", labels["assigned_to"], row["assigned"])
        if row["assigned"] and not mine
        else "",
        id_number=row["id_number"],
        age=row["age"],
        phone=phone,
        deadline=row["deadline"],
        days=days,
        contact=row["contact"] or "—",
        contact_on=format_html('<br><small class="text-body-secondary">{}</small>', row["contact_on"])
        if row["contact_on"]
        else "",
        assigned=row["assigned"] or "—",
        contact_url=row["contact_url"],
        log_contact=labels["log_contact"],
    )


class QueueTable(ListTable):
    """The columns give the headers, sorting and paging; the rows are drawn from row_view() by a plain
    template loop (django-tables2's cell-by-cell rendering cost about a millisecond a row)."""

    select = tables.CheckBoxColumn(
        accessor="pensioner_id",
        attrs={"th__input": {"data-select-all": "input[name=selected]", "aria-label": _("Select all")}},
        orderable=False,
    )
    name = tables.Column(verbose_name=_("Name"), accessor="pensioner__name")
    id_number = tables.Column(verbose_name=_("ID number"), orderable=False, attrs=WIDE_ONLY)
    age = tables.Column(
        verbose_name=_("Age"),
        accessor="pensioner__birth_date",
        order_by=("-pensioner__birth_date",),
        attrs=WIDE_ONLY,
    )
    phone = tables.Column(verbose_name=_("Phone"), orderable=False, attrs=WIDE_ONLY)
    community = tables.Column(verbose_name=_("Community"), order_by=("area_code",), attrs=WIDE_ONLY)
    next_due_on = tables.Column(verbose_name=_("Deadline"))
    days = tables.Column(verbose_name=_("Days"), order_by=("next_due_on",))
    last_contact = tables.Column(
        verbose_name=_("Last contact"), accessor="last_contact_outcome", attrs=WIDE_ONLY
    )
    assigned_to = tables.Column(verbose_name=_("Assigned to"), attrs=WIDE_ONLY)
    actions = tables.Column(verbose_name="", orderable=False, empty_values=())

    # Exported columns: (row_view key, header). "Days" reads as the screen does (逾期31天); the number
    # beside it is labelled, so nobody has to guess what a minus sign meant.
    EXPORT_COLUMNS = (
        ("name", _("Name")),
        ("id_number", _("ID number")),
        ("age", _("Age")),
        ("phone", _("Phone")),
        ("community", _("Community")),
        ("deadline", _("Deadline")),
        ("days_label", _("Days")),
        ("days_overdue", _("Days overdue")),
        ("contact", _("Last contact")),
        ("contact_on", _("Last contact date")),
        ("assigned", _("Assigned to")),
    )

    class Meta(ListTable.Meta):
        model = CertificationState
        template_name = "certification/queues/_queue_table.html"
        fields = (
            "select", "name", "id_number", "age", "phone", "community", "next_due_on", "days", "last_contact",
            "assigned_to", "actions",
        )  # fmt: skip
        order_by = ("next_due_on",)
        empty_text = _("Nobody in this queue.")

    @property
    def page_rows(self) -> list[dict]:
        """The page's rows, with what the template would otherwise work out per row (two links, a
        translated phrase) made here: a queue page of 50 rows spent a third of its time on them."""
        rows = self.page.object_list if self.page is not None else self.rows
        next_query = ""
        if getattr(self, "request", None) is not None:
            next_query = "?" + urlencode({"next": self.request.get_full_path()})
        contact_url = reverse("contact-attempt", args=[0]).removesuffix("0/")
        years_old = str(_("%(age)s years old"))
        found = []
        for row in rows:
            view = row_view(row.record)
            view["contact_url"] = f"{contact_url}{view['pensioner_id']}/{next_query}"
            view["age_label"] = years_old % {"age": view["age"]}
            found.append(view)
        return found

    @property
    def page_rows_html(self) -> str:
        """The page's rows as HTML, drawn here in one pass: through the template, 50 rows of a dozen cells
        each cost about 15 ms of a page with a 100 ms budget. Every value is escaped by format_html."""
        mine = getattr(self, "queue", None) == "mine"
        labels = {
            "assigned_to": _("Assigned to"),
            "known_wrong": _("known wrong"),
            "log_contact": _("Log contact"),
        }
        return format_html_join("\n", "{}", ((_row_html(row, labels, mine=mine),) for row in self.page_rows))

    @classmethod
    def export_header(cls) -> list[str]:
        return [str(label) for _key, label in cls.EXPORT_COLUMNS]

    @classmethod
    def export_rows(cls, queryset):
        """The header, then each row as export_values gives it, read as plain columns (no model
        instances, no per-row translation or URL): a city's two million overdue people in under a minute.
        tests/test_queue_export.py holds it to export_values, row for row."""
        today = timezone.localdate()
        overdue_label, left_label = str(_("%(days)s overdue")), str(_("%(days)s left"))
        contact_labels = {value: str(label) for value, label in ContactOutcome.choices}
        communities = {
            code: cell_value(name)
            for code, name in Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", "name")
        }
        staff: dict = {}
        yield [cell_value(title) for title in cls.export_header()]
        columns = (
            "pensioner__name", "pensioner__id_number", "pensioner__birth_date", "pensioner__phone",
            "area_code", "next_due_on", "last_contact_outcome", "last_contact_on", "assigned_to_id",
        )  # fmt: skip
        for (
            name,
            id_number,
            birth_date,
            phone,
            area_code,
            deadline,
            contact,
            contact_on,
            assigned_id,
        ) in queryset.prefetch_related(None).values_list(*columns).iterator(chunk_size=10_000):
            days = (deadline - today).days
            if assigned_id and assigned_id not in staff:
                staff[assigned_id] = str(User.objects.get(pk=assigned_id))
            yield [
                cell_value(name),
                mask_id_number(id_number),
                age_on(birth_date, today),
                mask_phone(phone),  # digits and asterisks: nothing to clean
                communities.get(area_code, area_code),
                deadline,
                overdue_label % {"days": -days} if days < 0 else left_label % {"days": days},
                max(0, -days),
                contact_labels.get(contact, ""),
                contact_on or "",
                cell_value(staff[assigned_id]) if assigned_id else "",
            ]

    @classmethod
    def export_copy(cls, queryset):
        """The rows of export_rows as SQL cells, for COPY (portal/exports/cells.py): a city's queue is
        written by the database. tests/test_queue_export.py holds it to export_values, row for row."""
        today = timezone.localdate()
        days_left = DaysLeft("next_due_on", today=today)
        cells = {
            "c_name": CellText("pensioner__name"),
            "c_id": CsvText(MaskedIdNumber("pensioner__id_number")),
            "c_age": AgeOn("pensioner__birth_date", today=today),
            "c_phone": CsvText(MaskedPhone("pensioner__phone")),
            "c_community": Labelled("area_code", labels=community_csv_labels(), or_code=True),
            "c_deadline": IsoDate("next_due_on"),
            "c_days": Case(
                When(next_due_on__lt=today, then=Template(str(_("%(days)s overdue")), -days_left)),
                default=Template(str(_("%(days)s left")), days_left),
            ),
            "c_overdue": Greatest(-days_left, Value(0)),
            "c_contact": Labelled(
                "last_contact_outcome",
                labels={value: csv_text(label) for value, label in ContactOutcome.choices},
            ),
            "c_contact_on": IsoDate("last_contact_on"),
            "c_assigned": Labelled(
                "assigned_to_id", labels={user.pk: csv_text(user) for user in User.objects.all()}
            ),
        }
        return queryset.prefetch_related(None).annotate(**cells).values_list(*cells)

    @classmethod
    def export_values(cls, record) -> list:
        view = row_view(record)
        # Real dates for the spreadsheet (the screen shows them as text).
        view["deadline"] = record.next_due_on
        view["contact_on"] = record.last_contact_on
        view["days_overdue"] = max(0, -view["days"])
        return [view[key] for key, _label in cls.EXPORT_COLUMNS]
