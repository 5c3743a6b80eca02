"""At city scale a queue counts up to the list cap and says "at least": the page never counts millions."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from pensioners.tests.factories import make_pensioner

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def seven_overdue(areas):
    return [make_pensioner(name=f"逾期{n}", certified_on=TODAY - timedelta(days=380 + n)) for n in range(7)]


def test_a_queue_longer_than_the_cap_says_at_least_and_pages_only_that_far(
    seven_overdue, client_for, staff, settings
):
    settings.LIST_COUNT_CAP = 3
    page = client_for(staff["street"]).get(reverse("queue-overdue"), {"per_page": 2})
    body = page.content.decode()
    assert page.context["table"].paginator.count == 3 and page.context["table"].paginator.capped
    # The badge and the bucket say "3+", and the page says why the list stops there.
    assert 'data-testid="queue-total">3+<' in body
    assert 'data-testid="list-capped"' in body and "超过3人" in body
    assert page.context["table"].paginator.num_pages == 2
    # A page number past the cap shows the last page there is, never an error.
    assert client_for(staff["street"]).get(reverse("queue-overdue"), {"page": 99}).status_code == 200


def test_under_the_cap_the_counts_are_exact_and_nothing_is_said(seven_overdue, client_for, staff, settings):
    settings.LIST_COUNT_CAP = 10
    page = client_for(staff["street"]).get(reverse("queue-overdue"))
    body = page.content.decode()
    assert 'data-testid="queue-total">7<' in body
    assert 'data-testid="list-capped"' not in body
    assert not page.context["table"].paginator.capped


def test_the_dashboard_says_at_least_for_a_street_past_the_cap(seven_overdue, client_for, staff, settings):
    settings.LIST_COUNT_CAP = 5
    body = client_for(staff["street"]).get(reverse("dashboard")).content.decode()
    assert ">5+<" in body
