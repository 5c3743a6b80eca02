"""The dashboard and the coverage report count "overdue" the same way, and each page says what it counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.tests.helpers import record_counter
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def overdue_some_hidden(areas, staff):
    """Five overdue in 渝中区, two of them hidden from the queue for now; others that are not overdue."""
    overdue = [
        make_pensioner(name=f"逾期{n}", certified_on=TODAY - timedelta(days=370 + n)) for n in range(4)
    ]
    overdue.append(make_pensioner(name="七星岗逾期", community="500103001001", certified_on=date(2025, 1, 1)))
    CertificationState.objects.filter(pensioner__in=overdue[:2]).update(
        snoozed_until=TODAY + timedelta(days=20)
    )
    make_pensioner(name="按时", certified_on=TODAY - timedelta(days=30))
    stopped = make_pensioner(name="已终止", certified_on=date(2025, 1, 1))
    CertificationState.objects.filter(pensioner=stopped).update(status=PaymentStatus.TERMINATED)
    make_pensioner(name="江北逾期", community="500105001001", certified_on=date(2025, 1, 1))
    return overdue


def dashboard_overdue(client) -> int:
    panels = {panel.get("url"): panel for panel in client.get(reverse("dashboard")).context["panels"]}
    return panels["queue-overdue"]["value"]


@pytest.mark.parametrize("who", ["supervisor", "street", "admin"])
def test_the_dashboard_and_the_coverage_report_give_one_overdue_figure(
    overdue_some_hidden, client_for, staff, who
):
    client = client_for(staff[who])
    on_dashboard = dashboard_overdue(client)
    on_report = client.get(reverse("reports")).context["total"].values["overdue"]
    assert on_dashboard == on_report
    assert on_dashboard == {"supervisor": 5, "street": 4, "admin": 6}[who]


def test_the_dashboard_figure_opens_a_queue_of_the_same_length(overdue_some_hidden, client_for, staff):
    client = client_for(staff["street"])
    panels = {panel.get("url"): panel for panel in client.get(reverse("dashboard")).context["panels"]}
    queue = client.get(reverse("queue-overdue") + panels["queue-overdue"]["query"])
    assert queue.context["table"].paginator.count == panels["queue-overdue"]["value"] == 4


def test_both_pages_say_what_overdue_counts(overdue_some_hidden, client_for, staff):
    client = client_for(staff["supervisor"])
    for page in (reverse("dashboard"), reverse("reports")):
        assert "含暂时隐藏的人员" in client.get(page).content.decode(), page


def test_the_channel_mix_names_the_channel_of_a_certification_on_the_roster_date(areas, staff, client_for):
    person = make_pensioner(name="同日", certified_on=TODAY - timedelta(days=40))
    record_counter(person, staff["street"], TODAY - timedelta(days=40))
    assert CertificationState.objects.get(pensioner=person).latest_channel == "counter"
    mix = client_for(staff["supervisor"]).get(reverse("reports")).context["tables"]["channels"].data
    counts = {str(row["channel"]): row["count"] for row in mix}
    assert counts["线下现场认证"] == 1
    assert counts["原系统名册(方式不详)"] == 0


def test_the_city_dashboard_and_report_read_one_snapshot_say_its_age_and_move_together(
    overdue_some_hidden, client_for, staff
):
    """At city scale (8 million people) the city's figures come from the snapshot, on both pages: they
    agree, each says when the figures are from, and "Recompute now" moves both."""
    client = client_for(staff["admin"])
    client.get(reverse("reports"))  # no snapshot yet: computed now
    make_pensioner(name="刚逾期", certified_on=TODAY - timedelta(days=366))
    on_report = client.get(reverse("reports")).context["total"].values["overdue"]
    assert on_report == dashboard_overdue(client) == 6  # this morning's figure, on both pages
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="panel-note-queue-overdue"' in dashboard and "截至" in dashboard
    client.post(reverse("reports-refresh"))
    on_report = client.get(reverse("reports")).context["total"].values["overdue"]
    assert on_report == dashboard_overdue(client) == 7
    # A district reads its part of the same snapshot; a street counts live.
    make_pensioner(name="又逾期", certified_on=TODAY - timedelta(days=380))
    supervisor = client_for(staff["supervisor"])
    on_report = supervisor.get(reverse("reports")).context["total"].values["overdue"]
    assert on_report == dashboard_overdue(supervisor) == 6  # as of the recompute: not 又逾期
    street = client_for(staff["street"])
    on_report = street.get(reverse("reports")).context["total"].values["overdue"]
    assert on_report == dashboard_overdue(street) == 6
