"""The summary buckets of my queue and the due-soon queue: each label says what it counts, each count is
exactly the people its link lists."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def my_people(staff, areas):
    """Deadline = certified + 365."""
    people = {
        "逾期五十": TODAY - timedelta(days=365 + 50),
        "逾期一天": TODAY - timedelta(days=366),
        "今天到期": TODAY - timedelta(days=365),
        "七天到期": TODAY - timedelta(days=358),
        "八天到期": TODAY - timedelta(days=357),
        "三十天到期": TODAY - timedelta(days=335),
    }
    for name, certified_on in people.items():
        person = make_pensioner(name=name, certified_on=certified_on)
        CertificationState.objects.filter(pensioner=person).update(assigned_to=staff["community"])
    return people


def buckets(response):
    return {code: (str(label), count) for code, label, count in response.context["buckets"]}


def listed(client, url, bucket):
    response = client.get(url, {"bucket": bucket})
    return {row.record.pensioner.name for row in response.context["table"].page.object_list}


def test_my_queue_counts_overdue_people_as_overdue_not_as_due_this_week(client_for, staff, my_people):
    client = client_for(staff["community"])
    url = reverse("queue-mine")
    response = client.get(url)
    assert buckets(response) == {
        "overdue": ("已逾期", 2),
        "this_week": ("0-7天内到期", 2),
        "later": ("8-30天内到期", 2),
    }
    assert listed(client, url, "overdue") == {"逾期五十", "逾期一天"}
    assert listed(client, url, "this_week") == {"今天到期", "七天到期"}
    assert listed(client, url, "later") == {"八天到期", "三十天到期"}
    body = response.content.decode()
    assert "7天内到期</div>" not in body.replace("0-7天内到期", "")


def test_the_due_soon_queue_has_no_overdue_bucket_and_its_counts_match_its_lists(
    client_for, staff, my_people
):
    client = client_for(staff["street"])
    url = reverse("queue-due-soon")
    response = client.get(url)
    assert buckets(response) == {"this_week": ("0-7天内到期", 2), "later": ("8-30天内到期", 2)}
    assert listed(client, url, "this_week") == {"今天到期", "七天到期"}
    assert listed(client, url, "later") == {"八天到期", "三十天到期"}
    assert response.context["total"] == 4
