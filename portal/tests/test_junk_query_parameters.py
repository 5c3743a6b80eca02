"""Junk gate: junk in any GET parameter of any page never answers 500 (issue 11, "Close the gap").

Every page is found by walking the URL patterns (those without parameters, and a few records by pk). Each is
opened as an in-scope user of a role that may see it; the parameter names come from the page's own
<form method=get> fields, plus the ones every list understands (page, per_page, sort, _export...). Each
parameter then gets each junk value on its own, and all of them at once, with and without an export.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from certification.decisions.services import death_case_open
from certification.models import VisitTeam
from certification.queues.services import contact_attempt_record, queue_assign
from certification.tests.helpers import record_counter
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner, overdue_by
from portal.models import ExportJob, ImportJob
from portal.scoping import Scope

ROLES = ("street", "supervisor", "admin", "community", "visit")
SKIP = {"logout", "set_language", "login", "healthz"}
# Parameters every list reads (django-tables2, exports, report periods, drill-down, search).
COMMON = (
    "page",
    "per_page",
    "sort",
    "date",
    "team",
    "since",
    "until",
    "q",
    "area",
    "table",
    "status",
    "_export",
)
# Each field of the page's form, and each list parameter, gets each of these on its own.
JUNK = (
    "2026-02-30",
    "9999-99-99",
    "9999-12-31",
    "abc",
    "1.5",
    "-1",
    "99999999999999999999",
    "x" * 5000,
    "'\"<script>alert(1)</script>",
    "\x00",
    "%00",
)
# And every parameter at once gets each of these, shown and exported.
JUNK_EVERYWHERE = (*JUNK, "0001-01-01", "0", "")
LIST_PARAMETERS = {"page", "per_page", "sort", "_export"}


class _GetFormFields(HTMLParser):
    """The names of the fields of every form that submits with GET (a form without method is GET)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _patterns(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "channel-api":
                continue  # the systems' JSON API: certification/api/tests walks its own junk
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


PAGES_WITHOUT_PARAMETERS = sorted(
    pattern.name
    for pattern in _patterns()
    if not pattern.pattern.regex.groupindex and pattern.name not in SKIP
)
RECORD_PAGES = (
    "pensioner-card",
    "home-visit",
    "death-case",
    "certification-receipt",
    "record-counter",
    "contact-attempt",
    "export-job",
    "import-job",
)


@pytest.fixture
def records(staff):
    """One record of each kind in 解放碑街道, with the state the pages read (contacts, visits, cases)."""
    today = timezone.localdate()
    street = staff["street"]
    team = VisitTeam.objects.create(name="解放碑一组", street_id="500103003")
    team.members.add(staff["visit"])
    person = make_pensioner(name="王芳", certified_on=overdue_by(20, today), needs_home_service=True)
    other = make_pensioner(name="李强", certified_on=today - timedelta(days=300))
    queue_assign(actor=street, scope=Scope(street), pensioner_ids=[person.pk], assignee=staff["community"])
    contact_attempt_record(pensioner=person, actor=staff["community"], kind="phone_call", outcome="refused")
    visit, _created = home_visit_request(pensioner=person, actor=street, requested_via="family", reason="age")
    home_visit_schedule(visits=[visit], team=team, visit_date=today, actor=street)
    case, _opened = death_case_open(pensioner=other, origin="contact", actor=street)
    receipt = record_counter(make_pensioner(name="赵敏"), street, today)
    export = ExportJob.objects.create(
        path="/certification/overdue/", query="_export=csv", export_format="csv", filename="queue",
        area_code="500103003", created_by=street,
    )  # fmt: skip
    import_job = ImportJob.objects.create(kind="roster", original_name="x.csv", created_by=staff["admin"])
    return {
        "pensioner-card": person.pk,
        "home-visit": visit.pk,
        "death-case": case.pk,
        "certification-receipt": receipt.pk,
        "record-counter": person.pk,
        "contact-attempt": person.pk,
        "export-job": export.pk,
        "import-job": import_job.pk,
    }


def _open_as_someone(client, staff, url):
    """The first role the page answers 200; for an action URL that only redirects a GET, street staff."""
    for role in ROLES:
        client.force_login(staff[role])
        response = client.get(url)
        if response.status_code == 200:
            return role, response
    client.force_login(staff["street"])
    return "street", client.get(url)


def _field_names(response) -> set[str]:
    if "html" not in response.get("Content-Type", ""):
        return set()
    parser = _GetFormFields()
    parser.feed(response.content.decode())
    return parser.names - {"csrfmiddlewaretoken"}


def _send_junk(client, url, form_names: set[str], *, is_list: bool) -> list[tuple]:
    failures = []

    def get(query):
        try:
            response = client.get(url, query)
        except Exception as error:  # noqa: BLE001 - the test client re-raises what would be a 500
            return f"{type(error).__name__}: {str(error)[:200]}"
        return response.status_code if response.status_code >= 500 else None

    for name in sorted(form_names | (LIST_PARAMETERS if is_list else set())):
        for junk in JUNK:
            problem = get({name: junk})
            if problem:
                failures.append((url, name, junk[:40], problem))
    every_name = form_names | set(COMMON)
    for junk in JUNK_EVERYWHERE:
        for export in (None, "csv", "xlsx") if is_list else (None,):
            query = {name: junk for name in every_name}
            if export:
                query["_export"] = export
            problem = get(query)
            if problem:
                failures.append((url, "*", junk[:40], export, problem))
    return failures


def _check(client, staff, url):
    role, page = _open_as_someone(client, staff, url)
    assert page.status_code < 500, url
    # A list (a table, or export links) also reads paging, sorting and export parameters.
    is_list = bool(page.context and page.context.get("table")) or b"_export=" in page.content
    failures = _send_junk(client, url, _field_names(page), is_list=is_list)
    assert not failures, f"{url} as {role}: {failures[:10]}"


@pytest.mark.parametrize("name", PAGES_WITHOUT_PARAMETERS)
def test_junk_in_the_query_never_answers_500(client, staff, records, name):
    _check(client, staff, reverse(name))


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_junk_in_the_query_of_a_record_page_never_answers_500(client, staff, records, name):
    _check(client, staff, reverse(name, args=[records[name]]))
