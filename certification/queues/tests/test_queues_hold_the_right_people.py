"""Each role's queues hold exactly the right people, on known dates."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from certification.queues.queries import DUE_SOON_QUEUE, OVERDUE_QUEUE, queue_rows
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def certified(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


@pytest.fixture
def population(areas):
    """Deadline = certified + 365: 366 days ago is 1 day overdue; 335 days ago is due in 30 days."""
    return {
        "overdue_1": make_pensioner(name="逾期一天", certified_on=certified(366)),
        "overdue_45": make_pensioner(name="逾期四五", certified_on=certified(410), community="500103003002"),
        "overdue_120": make_pensioner(name="逾期百二", certified_on=certified(485)),
        "due_today": make_pensioner(name="今日到期", certified_on=certified(365)),
        "due_30": make_pensioner(name="三十天后", certified_on=certified(335)),
        "current_31": make_pensioner(name="三十一天", certified_on=certified(334)),
        "suspended": make_pensioner(name="已暂停", certified_on=certified(500)),
        "terminated": make_pensioner(name="已终止", certified_on=certified(500)),
        "death_reported": make_pensioner(name="报死亡", certified_on=certified(500)),
        "snoozed": make_pensioner(name="暂缓中", certified_on=certified(400)),
        "elsewhere": make_pensioner(name="江北逾期", certified_on=certified(400), community="500105001001"),
    }


@pytest.fixture
def with_decisions(population):
    CertificationState.objects.filter(pensioner=population["suspended"]).update(
        status=PaymentStatus.SUSPENDED
    )
    CertificationState.objects.filter(pensioner=population["terminated"]).update(
        status=PaymentStatus.TERMINATED
    )
    CertificationState.objects.filter(pensioner=population["death_reported"]).update(death_reported=True)
    CertificationState.objects.filter(pensioner=population["snoozed"]).update(
        snoozed_until=TODAY + timedelta(days=10)
    )
    return population


def names(kind, base, **kwargs):
    return set(queue_rows(base, kind, TODAY, **kwargs).values_list("pensioner__name", flat=True))


def test_overdue_means_after_the_deadline_and_excludes_decided_people(with_decisions):
    assert names(OVERDUE_QUEUE, CertificationState.objects.all()) == {
        "逾期一天",
        "逾期四五",
        "逾期百二",
        "江北逾期",
    }


def test_due_soon_is_zero_to_thirty_days_left_inclusive(with_decisions):
    assert names(DUE_SOON_QUEUE, CertificationState.objects.all()) == {"今日到期", "三十天后"}


def test_snoozed_people_are_hidden_until_their_date_unless_asked(with_decisions):
    assert "暂缓中" not in names(OVERDUE_QUEUE, CertificationState.objects.all())
    assert "暂缓中" in names(OVERDUE_QUEUE, CertificationState.objects.all(), include_snoozed=True)
    on_the_date = queue_rows(CertificationState.objects.all(), OVERDUE_QUEUE, TODAY + timedelta(days=10))
    assert "暂缓中" in set(on_the_date.values_list("pensioner__name", flat=True))


def page_names(response):
    return {row.record.pensioner.name for row in response.context["table"].page.object_list}


def test_street_staff_see_their_street_only(client_for, staff, with_decisions):
    response = client_for(staff["street"]).get(reverse("queue-overdue"))
    assert page_names(response) == {"逾期一天", "逾期四五", "逾期百二"}


def test_community_worker_sees_their_community_only(client_for, staff, with_decisions):
    response = client_for(staff["community"]).get(reverse("queue-overdue"))
    assert page_names(response) == {"逾期一天", "逾期百二"}


def test_district_supervisor_sees_the_district(client_for, staff, with_decisions):
    response = client_for(staff["supervisor"]).get(reverse("queue-due-soon"))
    assert page_names(response) == {"今日到期", "三十天后"}


def test_bucket_counts_split_overdue_by_age(client_for, staff, with_decisions):
    response = client_for(staff["street"]).get(reverse("queue-overdue"))
    assert [(code, count) for code, _label, count in response.context["buckets"]] == [
        ("1-30", 1),
        ("31-90", 1),
        ("90+", 1),
    ]
    filtered = client_for(staff["street"]).get(reverse("queue-overdue"), {"bucket": "90+"})
    assert page_names(filtered) == {"逾期百二"}


def test_filters_for_community_and_phone_known_wrong(client_for, staff, with_decisions):
    client = client_for(staff["street"])
    assert page_names(client.get(reverse("queue-overdue"), {"area": "500103003002"})) == {"逾期四五"}
    from pensioners.models import Pensioner

    Pensioner.objects.filter(name="逾期一天").update(phone_known_wrong=True)
    assert page_names(client.get(reverse("queue-overdue"), {"phone_wrong": "yes"})) == {"逾期一天"}


def test_visit_team_members_have_no_desk_queues(client_for, staff):
    assert client_for(staff["visit"]).get(reverse("queue-overdue")).status_code == 403


def test_csv_export_is_masked_streamed_and_audited(client_for, staff, with_decisions):
    response = client_for(staff["street"]).get(reverse("queue-overdue"), {"_export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert len(lines) == 4  # header + three people
    assert "********" in content and "13800001234" not in content
    assert AuditEvent.objects.filter(action="queue.exported", actor=staff["street"]).exists()


def test_xlsx_export_opens_in_a_spreadsheet(client_for, staff, with_decisions):
    response = client_for(staff["street"]).get(reverse("queue-due-soon"), {"_export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert any("今日到期" in str(cell) for cell in rows[1] + rows[2])


def test_queue_pages_use_a_fixed_number_of_queries(
    client_for, staff, with_decisions, django_assert_max_num_queries
):
    client = client_for(staff["supervisor"])
    with django_assert_max_num_queries(14):
        client.get(reverse("queue-overdue"))
