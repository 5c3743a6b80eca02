"""Every number of the coverage report on a known population, and agreement with the queues."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from certification.decisions.services import death_case_open
from certification.models import Channel, ReportSnapshot
from certification.queues.queries import DUE_SOON_QUEUE, OVERDUE_QUEUE, queue_rows
from certification.queues.services import contact_attempt_record
from certification.recording.services import certification_record_external
from certification.reminders.services import reminders_dispatch, reminders_plan
from certification.reports.queries import coverage, report_data, trends
from certification.tests.helpers import record_counter
from pensioners.models import Area, CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent

TODAY = date(2026, 11, 27)
MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SMS_BACKEND = "console"
    with time_machine.travel(MORNING, tick=False):
        yield


def certified_days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def population(areas, staff):
    """解放碑 001: 7 people; 解放碑 002: 2 people; 七星岗: 1 person; 江北: 1 person (outside 渝中区)."""
    people = {
        "current": make_pensioner(name="正常", certified_on=certified_days_ago(120)),
        "due_soon": make_pensioner(name="将到期", certified_on=certified_days_ago(350)),
        "overdue_10": make_pensioner(
            name="逾期十天", certified_on=certified_days_ago(375), born=date(1940, 1, 1)
        ),
        "overdue_50": make_pensioner(
            name="逾期五十天", certified_on=certified_days_ago(415), born=date(1930, 6, 1)
        ),
        "overdue_200": make_pensioner(name="逾期二百天", certified_on=certified_days_ago(565)),
        "suspended": make_pensioner(name="已暂停", certified_on=certified_days_ago(600)),
        "terminated": make_pensioner(name="已终止", certified_on=certified_days_ago(600)),
        "street2_current": make_pensioner(
            name="和平正常", community="500103003002", certified_on=certified_days_ago(20)
        ),
        "street2_dead": make_pensioner(
            name="和平报死亡", community="500103003002", certified_on=certified_days_ago(400)
        ),
        "qixinggang": make_pensioner(
            name="七星岗逾期", community="500103001001", certified_on=certified_days_ago(380)
        ),
        "jiangbei": make_pensioner(
            name="江北逾期", community="500105001001", certified_on=certified_days_ago(380)
        ),
    }
    CertificationState.objects.filter(pensioner=people["suspended"]).update(status=PaymentStatus.SUSPENDED)
    CertificationState.objects.filter(pensioner=people["terminated"]).update(status=PaymentStatus.TERMINATED)
    death_case_open(pensioner=people["street2_dead"], origin="contact", actor=staff["street"])
    record_counter(people["current"], staff["street"], TODAY - timedelta(days=100))
    certification_record_external(
        pensioner=people["street2_current"],
        channel=Channel.DATA_MATCH,
        certified_on=TODAY - timedelta(days=10),
        reference="YB-1",
        evidence={"source": "medical_insurance", "source_record_date": "2026-11-17"},
    )
    return people


def values_of(rows, code):
    return next(row for row in rows if row.code == code).values


def test_every_coverage_number_of_the_district(population):
    district = Area.objects.get(code="500103")
    rows, total = coverage(district, TODAY)
    assert [row.code for row in rows] == ["500103001", "500103003"]
    jiefangbei = values_of(rows, "500103003")
    expected = {
        "pensioners": 9,
        "certified": 3,  # current, due soon, 和平正常
        "due_soon": 1,
        "overdue_1_30": 1,
        "overdue_31_90": 1,
        "overdue_90_plus": 1,
        "overdue": 3,
        "suspended": 1,
        "stopped": 0,
        "terminated": 1,
        "death_reported": 1,
        "overdue_80_plus": 2,  # born 1940 and 1930
        "overdue_90_plus_age": 1,  # born 1930
        "channel_counter": 1,
        "channel_data_match": 1,
    }
    for field, value in expected.items():
        assert jiefangbei[field] == value, field
    assert values_of(rows, "500103001")["overdue"] == 1
    assert total.values["pensioners"] == 10 and total.values["overdue"] == 4
    assert round(total.certified_percent, 1) == round(100 * 3 / 7, 1)


def test_the_report_agrees_with_the_queues(population, staff):
    street = Area.objects.get(code="500103003")
    _rows, total = coverage(street, TODAY)
    base = CertificationState.objects.within(street)
    assert total.values["overdue"] == queue_rows(base, OVERDUE_QUEUE, TODAY, include_snoozed=True).count()
    assert total.values["due_soon"] == queue_rows(base, DUE_SOON_QUEUE, TODAY, include_snoozed=True).count()


def test_the_city_reads_a_snapshot_that_says_how_fresh_it_is(population, client_for, staff):
    body = client_for(staff["admin"]).get(reverse("reports")).content.decode()
    assert 'data-testid="snapshot-age"' in body
    # One refresh stores the city's snapshot and each district's, at the same time.
    snapshot = ReportSnapshot.objects.get(area_code="500000")
    assert snapshot.payload["total"]["values"]["pensioners"] == 11
    district = ReportSnapshot.objects.get(area_code="500103")
    assert district.computed_at == snapshot.computed_at
    assert district.payload["total"]["values"]["pensioners"] == next(
        row["values"]["pensioners"] for row in snapshot.payload["rows"] if row["code"] == "500103"
    )
    make_pensioner(name="新来的", certified_on=certified_days_ago(5))
    assert (
        report_data(Area.objects.get(code="500000"))["total"].values["pensioners"] == 11
    )  # still the snapshot
    client_for(staff["admin"]).post(reverse("reports-refresh"))
    assert report_data(Area.objects.get(code="500000"))["total"].values["pensioners"] == 12


def test_trends_count_certifications_newly_overdue_and_reminders(population):
    reminders_plan(at=MORNING)
    reminders_dispatch(at=MORNING)
    street = Area.objects.get(code="500103003")
    trend = trends(street, TODAY)
    months = trend["months"]
    assert len(months) == 24 and months[-1] == "2026-11"
    assert trend["certifications"]["data_match"][-1] == 1  # 10 days ago: November
    august = months.index("2026-08")
    assert trend["certifications"]["counter"][august] == 1  # 100 days ago: 19 August
    # From the certification histories: the 3 overdue in 解放碑, plus the suspended and the terminated
    # person and the one with a death report (no date of death): each missed one deadline.
    assert sum(trend["newly_overdue"]) == 6
    assert trend["reminders_sent"][-1] >= 3


def test_activity_counts_what_staff_did(population, client_for, staff):
    contact_attempt_record(
        pensioner=population["overdue_10"], actor=staff["street"], kind="phone_call", outcome="not_reachable"
    )
    response = client_for(staff["supervisor"]).get(
        reverse("reports"), {"since": "2026-11-01", "until": "2026-11-30"}
    )
    contacts = list(response.context["tables"]["contacts"].data)
    assert contacts[0]["count"] == 1


def test_exports_open_in_a_spreadsheet_and_are_audited(population, client_for, staff):
    client = client_for(staff["supervisor"])
    response = client.get(reverse("reports"), {"table": "coverage", "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # header, two streets, total
    csv_response = client.get(reverse("reports"), {"table": "monthly", "_export": "csv"})
    assert len(b"".join(csv_response.streaming_content).decode("utf-8-sig").strip().splitlines()) == 25
    assert AuditEvent.objects.filter(action="reports.exported").count() == 2


def test_a_street_user_sees_their_street_only_and_cannot_widen_it(population, client_for, staff):
    response = client_for(staff["street"]).get(reverse("reports"), {"area": "500105"})
    assert response.context["area"].code == "500103003"
    assert response.context["total"].values["pensioners"] == 9


def test_the_page_issues_no_query_per_area(population, client_for, staff, django_assert_max_num_queries):
    client = client_for(staff["supervisor"])  # logging in (session, audit, second factor) is not the page
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(30):
        client.get(reverse("reports"))


def test_visit_team_members_have_no_reports(client_for, staff):
    assert client_for(staff["visit"]).get(reverse("reports")).status_code == 403


def test_recompute_now_for_a_big_city_is_queued_not_run_in_the_request(
    population, client_for, staff, settings, django_capture_on_commit_callbacks
):
    """A whole city of millions takes about a minute: longer than a page may take. Past
    SNAPSHOT_INLINE_MAX_PEOPLE the button queues the nightly job's task and says so."""
    client = client_for(staff["admin"])
    client.get(reverse("reports"))  # the first snapshot: 11 people
    settings.SNAPSHOT_INLINE_MAX_PEOPLE = 10
    before = ReportSnapshot.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = client.post(reverse("reports-refresh"), follow=True)
    assert len(queued) == 1  # the task, sent once the request's work commits
    assert ReportSnapshot.objects.count() == before  # nothing recomputed in the request
    assert "正在后台重新计算" in page.content.decode()
