"""Export gate: every table that offers an export, exported as every role that sees it, as CSV and XLSX.

The pages are found by walking the URL patterns and following the export links each page renders, so a new
list with an export is covered without touching this file; and every view built on AuditedExportMixin must
be among them. The rows have every column filled (a latest contact, an assignee, dates, a scheduled visit,
a death case...), which is what answered 500 before: a lazy translation reached openpyxl.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from certification.decisions.queries import states_of, suspension_candidates
from certification.decisions.rules import first_of_month
from certification.decisions.services import (
    batch_approve,
    death_case_open,
    extension_approve,
    extension_propose,
    resumption_batch_propose,
    suspension_batch_propose,
)
from certification.models import PaymentDecision, VisitTeam
from certification.queues.services import contact_attempt_record, queue_assign
from certification.tests.helpers import record_counter
from certification.visits.services import home_visit_cancel, home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner, overdue_by
from portal.models import AuditEvent
from portal.views_base import AuditedExportMixin

ROLES = ("admin", "supervisor", "street", "community", "visit")
SKIP = {"logout", "set_language", "login", "healthz"}
EXPORT_LINK = re.compile(r'href="([^"]*_export=(?:csv|xlsx)[^"]*)"')
# Every export is itself an audit event: the audit log's export holds a row or two more than its page did.
GROWS_AS_IT_IS_EXPORTED = {"audit-log"}
LOOKS_LIKE_A_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}.*)?$")
# Columns that the list's default view cannot fill: (URL name, header msgid) -> why.
NEVER_FILLED_BY_DEFAULT = {
    ("home-visits", "Outcome"): "the list shows open visits by default, and an open visit has no outcome yet",
}


def patterns(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "channel-api":
                continue  # the systems' JSON API: no staff lists there
            yield from patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


def list_pages() -> dict[str, type | None]:
    """URL name -> view class, for every page without parameters."""
    return {
        pattern.name: getattr(pattern.callback, "view_class", None)
        for pattern in patterns()
        if not pattern.pattern.regex.groupindex and pattern.name not in SKIP
    }


@pytest.fixture
def full_rows(staff, areas):
    """People whose rows fill every column of every list."""
    today = timezone.localdate()
    street, community = staff["street"], staff["community"]
    team = VisitTeam.objects.create(name="解放碑一组", street_id="500103003")
    team.members.add(staff["visit"])
    street.phone = "023-63000000"  # the staff list's phone column
    street.last_login = timezone.now()
    street.save(update_fields=["phone", "last_login"])
    overdue = make_pensioner(
        name="已联系=逾期",  # "=" at the start of a cell would be a formula: it must stay text
        certified_on=overdue_by(31, today),
        phone="13800001111",
        needs_home_service=True,
        home_service_reason="卧床不起",
        address="民族路1号",
    )
    due_soon = make_pensioner(name="将到期", certified_on=today - timedelta(days=350), phone="13800002222")
    dead = make_pensioner(name="已故人", certified_on=overdue_by(10, today), phone="13800003333")
    queue_assign(
        actor=street, scope=_scope(street), pensioner_ids=[overdue.pk, due_soon.pk], assignee=community
    )
    for person in (overdue, due_soon):
        contact_attempt_record(pensioner=person, actor=community, kind="phone_call", outcome="will_certify")
    visit, _created = home_visit_request(
        pensioner=overdue, actor=street, requested_via="family", reason="illness", reason_note="卧床"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=today + timedelta(days=1), actor=street)
    cancelled, _created = home_visit_request(
        pensioner=due_soon, actor=street, requested_via="family", reason="age"
    )
    home_visit_cancel(visit=cancelled, actor=street, reason="家属已带去柜台")  # an audit event with a note
    death_case_open(
        pensioner=dead,
        origin="contact",
        actor=street,
        reported_death_date=today - timedelta(days=3),
        source="社区报告",
        evidence={"note": "家属来电"},
    )
    # Payment decisions (issue 15): a suspension candidate, a suspension approved some months ago whose
    # person has since certified (a resumption waiting in a batch), and an approved deadline extension.
    candidate = make_pensioner(name="失联者", certified_on=overdue_by(150, today), phone="13800004444")
    suspended = make_pensioner(name="暂停者", certified_on=overdue_by(150, today), phone="13800005555")
    for person in (candidate, suspended):
        person.benefit_lines.update(monthly_amount=2000)
        for kind in ("phone_call", "sms"):
            contact_attempt_record(pensioner=person, actor=street, kind=kind, outcome="not_reachable")
    batch = suspension_batch_propose(
        actor=street,
        area=street.area,
        name="暂停发放第1批",
        candidates=suspension_candidates(states_of([suspended.pk]), today=today),
    )
    batch_approve(batch=batch, actor=staff["admin"])
    PaymentDecision.objects.filter(batch=batch).update(
        effective_month=first_of_month(today - timedelta(days=70))
    )
    record_counter(suspended, street, today)
    resumption_batch_propose(
        actor=street, area=street.area, name="恢复发放第1批", decisions=PaymentDecision.objects.all()
    )
    extension = extension_propose(
        actor=staff["supervisor"],
        area=staff["supervisor"].area,
        due_from=today + timedelta(days=100),
        due_until=today + timedelta(days=120),
        days=10,
        reason="停电",
    )
    extension_approve(extension=extension, actor=staff["admin"])
    # A channel client, and a certification from abroad waiting for review.
    from certification.api.services import channel_client_create, channel_records_report

    gateway, _token = channel_client_create(
        actor=staff["admin"],
        name='=HYPERLINK("http://x")',
        channels=["abroad_app", "app_self"],
        scopes=["status"],
    )
    gateway.last_used_at = timezone.now()
    gateway.save(update_fields=["last_used_at"])
    channel_records_report(
        client=gateway,
        records=[
            {
                "reference": "=1+1",
                "id_number": overdue.id_number,
                "name": overdue.name,
                "channel": "abroad_app",
                "certified_on": today.isoformat(),
                "evidence": {"country": "@SUM(A1)", "city": "温哥华"},
            }
        ],
    )
    return {"overdue": overdue, "due_soon": due_soon, "dead": dead}


def _scope(user):
    from portal.scoping import Scope

    return Scope(user)


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(response):
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_table_exports_as_csv_and_xlsx_that_open(client, staff, full_rows, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    pages = list_pages()
    exported_pages: dict[str, int] = {}  # url name -> most data rows any role exported
    dated_pages: set[str] = set()
    for name in pages:
        url = reverse(name)
        for role in ROLES:
            client.force_login(staff[role])
            page = client.get(url)
            if page.status_code != 200:
                continue
            links = sorted({html.unescape(link) for link in EXPORT_LINK.findall(page.content.decode())})
            for link in links:
                target = link if link.startswith("/") else url + link
                export = client.get(target)
                where = (name, role, target)
                assert export.status_code == 200, where
                if "_export=csv" in target:
                    rows = _csv_rows(export)
                    assert rows and all(title.strip() for title in rows[0]), where
                    table = page.context.get("table") if page.context else None
                    if table is not None and "table=" not in target:
                        if name in GROWS_AS_IT_IS_EXPORTED:
                            assert len(rows) - 1 >= len(table.data), where
                        else:
                            assert len(rows) - 1 == len(table.data), where
                    exported_pages[name] = max(exported_pages.get(name, 0), len(rows) - 1)
                    continue
                sheet, rows = _xlsx_rows(export)
                assert sheet.freeze_panes == "A2", where
                header = rows[0]
                assert header and all(isinstance(title, str) and title for title in header), where
                csv_rows = _csv_rows(client.get(target.replace("_export=xlsx", "_export=csv")))
                assert header == csv_rows[0], where
                if name not in GROWS_AS_IT_IS_EXPORTED:
                    assert len(rows) == len(csv_rows), where
                for letter_width in [sheet.column_dimensions[c].width for c in "ABC"[: len(header)]]:
                    assert letter_width and letter_width >= 6, where
                for row in rows[1:]:
                    for value in row:
                        assert not (isinstance(value, str) and LOOKS_LIKE_A_DATE.match(value)), (where, value)
                        if isinstance(value, date | datetime):
                            dated_pages.add(name)
                if rows[1:] and name in _mixin_views(pages):
                    filled = [any(row[i] not in (None, "") for row in rows[1:]) for i in range(len(header))]
                    with translation.override("zh-hans"):
                        allowed = {gettext(msgid) for page, msgid in NEVER_FILLED_BY_DEFAULT if page == name}
                    empty = [header[i] for i, ok in enumerate(filled) if not ok and header[i] not in allowed]
                    assert not empty, (where, "columns never filled", empty)
    mixin_views = _mixin_views(pages)
    assert mixin_views, "no list with an export was found"
    missing = sorted(mixin_views - set(exported_pages))
    assert not missing, f"lists with AuditedExportMixin whose page offers no export link: {missing}"
    assert "reports" in exported_pages  # report tables (a function view) are found by their links
    empty = sorted(name for name in mixin_views if not exported_pages[name])
    assert not empty, f"no role exported a single row of: {empty}"
    undated = sorted(mixin_views - dated_pages)
    assert not undated, f"lists whose XLSX has no date cell: {undated}"
    assert AuditEvent.objects.filter(action__endswith=".exported").exists()


def _mixin_views(pages) -> set[str]:
    return {
        name
        for name, view_class in pages.items()
        if view_class is not None and issubclass(view_class, AuditedExportMixin)
    }


COLUMNS = ("Last contact", "Deadline", "Days", "Days overdue")


@pytest.mark.parametrize("name", ["queue-overdue", "queue-mine"])
def test_a_queue_row_with_a_latest_contact_exports_to_excel(client_for, staff, full_rows, name):
    """Issue 11 item 2: '已联系:将办理认证' used to reach openpyxl as a lazy translation (500)."""
    response = client_for(staff["community"]).get(reverse(name), {"_export": "xlsx"})
    assert response.status_code == 200
    sheet, rows = _xlsx_rows(response)
    header = rows[0]
    translation.activate("zh-hans")
    column = {gettext(title): header.index(gettext(title)) for title in COLUMNS}
    person = next(row for row in rows[1:] if row[0] == "已联系=逾期")
    assert person[column[gettext("Last contact")]] == "已联系:将办理认证"
    deadline = full_rows["overdue"].state.next_due_on
    assert person[column[gettext("Deadline")]] == datetime.combine(deadline, datetime.min.time())
    assert sheet.cell(row=2, column=column[gettext("Deadline")] + 1).number_format == "yyyy-mm-dd"
    assert person[column[gettext("Days")]] == "逾期31天"  # as the screen says it
    assert person[column[gettext("Days overdue")]] == 31
    assert sheet.cell(row=2, column=1).data_type == "s"  # "=..." stays text, never a formula


# Names a spreadsheet would run (issue 14 item 5): =HYPERLINK is a live link in Excel, "+1" and "-1" are
# formulas, "@SUM(A1)" is a function call; the fullwidth "＝" is typed by Chinese input methods.
HOSTILE_NAMES = {
    "overdue": '=HYPERLINK("http://x","y")',
    "due_soon": "+1",
    "dead": "-1",
    "another": "@SUM(A1)",
}


@pytest.fixture
def hostile_rows(full_rows, staff):
    """full_rows' people renamed to formulas, and one more overdue person in the street's queue."""
    from pensioners.models import Pensioner

    today = timezone.localdate()
    another = make_pensioner(name="甲", certified_on=overdue_by(5, today), phone="13800004444")
    queue_assign(
        actor=staff["street"],
        scope=_scope(staff["street"]),
        pensioner_ids=[another.pk],
        assignee=staff["community"],
    )
    people = {**full_rows, "another": another}
    for key, name in HOSTILE_NAMES.items():
        Pensioner.objects.filter(pk=people[key].pk).update(name=name, address="＝1+1")
    return people


def test_no_export_holds_a_cell_that_runs_as_a_formula(client, staff, hostile_rows, settings):
    """Every export of every list, as every role: the XLSX has no formula cell (text that could run is a
    string with Excel's leading apostrophe) and no CSV cell starts with = + - @ (it starts with ')."""
    from portal.exports.files import looks_like_formula

    settings.LANGUAGE_CODE = "zh-hans"
    seen_in_csv, seen_in_xlsx = set(), set()
    exports = 0
    for name in list_pages():
        url = reverse(name)
        for role in ROLES:
            client.force_login(staff[role])
            page = client.get(url)
            if page.status_code != 200:
                continue
            for link in sorted({html.unescape(link) for link in EXPORT_LINK.findall(page.content.decode())}):
                target = link if link.startswith("/") else url + link
                export = client.get(target)
                where = (name, role, target)
                assert export.status_code == 200, where
                exports += 1
                if "_export=csv" in target:
                    for row in _csv_rows(export):
                        assert not any(looks_like_formula(cell) for cell in row), (where, row)
                        seen_in_csv.update(cell[1:] for cell in row if cell.startswith("'"))
                    continue
                content = b"".join(export.streaming_content)
                for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (where, cell.coordinate, cell.value)
                        if looks_like_formula(cell.value):
                            assert cell.data_type == "s" and cell.quotePrefix, (where, cell.coordinate)
                            seen_in_xlsx.add(cell.value)
    assert exports
    for key, hostile in HOSTILE_NAMES.items():
        assert hostile in seen_in_csv and hostile in seen_in_xlsx, (key, hostile)
