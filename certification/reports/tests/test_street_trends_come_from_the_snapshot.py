"""A street's or community's coverage is counted live; its monthly trends come from the street's part of the
nightly snapshot (counting the history of a street of eight thousand people took 200 ms of the page), and
the page says when they were computed. Without a snapshot of this month they are counted live."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.models import ReportSnapshot
from certification.reports.queries import report_data, report_snapshot_refresh, street_trends, trends
from certification.tests.helpers import record_counter
from pensioners.models import Area
from pensioners.tests.factories import make_pensioner

# The same day as the newly-overdue tests, and the same clock fixture (autouse where it is imported).
from .test_newly_overdue_per_month import TODAY, _today  # noqa: F401


@pytest.fixture
def street_people(areas, staff):
    make_pensioner(name="六月逾期", certified_on=date(2025, 6, 1))  # overdue from 2026-06-02
    make_pensioner(name="邻社区", community="500103003002", certified_on=date(2025, 8, 3))
    late = make_pensioner(name="迟认证", certified_on=date(2024, 9, 10))
    record_counter(late, staff["street"], date(2025, 10, 5))
    make_pensioner(name="江北逾期", community="500105001001", certified_on=date(2025, 4, 1))
    return late


def test_the_snapshot_holds_each_street_and_community_as_counted_live(street_people):
    live = {code: trends(Area.objects.get(code=code), TODAY) for code in ("500103003", "500103003001")}
    city_and_districts = {
        code: trends(Area.objects.get(code=code), TODAY) for code in ("500000", "500103", "500105")
    }
    report_snapshot_refresh(area=Area.objects.get(code="500000"))
    # The city's and each district's trends are the sums of their communities' (one pass, grouped by community).
    for code, expected in city_and_districts.items():
        assert ReportSnapshot.objects.latest_for(code).payload["trends"] == expected
    for code, expected in live.items():
        stored, as_of = street_trends(Area.objects.get(code=code), TODAY)
        assert as_of is not None
        assert stored == expected
    # A community with nobody in it has all months at zero.
    empty, _as_of = street_trends(Area.objects.get(code="500103003003"), TODAY)
    assert not any(empty["newly_overdue"]) and not any(sum(empty["certifications"].values(), []))


def test_the_page_counts_coverage_live_and_says_when_the_trends_were_made(street_people, client_for, staff):
    report_snapshot_refresh(area=Area.objects.get(code="500000"))
    record_counter(street_people, staff["street"], TODAY)  # after the snapshot
    data = report_data(Area.objects.get(code="500103003"))
    assert data["total"].values["certified"] == 1  # coverage: live
    assert sum(data["trends"]["certifications"]["counter"]) == 1  # trends: last night's (the 2025 one)
    body = client_for(staff["street"]).get(reverse("reports")).content.decode()
    assert 'data-testid="trends-age"' in body
    assert 'data-testid="snapshot-age"' not in body


def test_without_a_snapshot_of_this_month_the_trends_are_counted_now(street_people, client_for, staff):
    street = Area.objects.get(code="500103003")
    _trend, as_of = street_trends(street, TODAY)
    assert as_of is None
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        report_snapshot_refresh(area=Area.objects.get(code="500000"))  # last month's
    trend, as_of = street_trends(street, TODAY)
    assert as_of is None and trend["months"][-1] == "2026-11"
    body = client_for(staff["street"]).get(reverse("reports")).content.decode()
    assert 'data-testid="trends-age"' not in body


def test_only_the_latest_street_snapshot_is_kept(street_people):
    city = Area.objects.get(code="500000")
    report_snapshot_refresh(area=city)
    report_snapshot_refresh(area=city)
    assert ReportSnapshot.objects.filter(area_code="500103003").count() == 1
    assert ReportSnapshot.objects.filter(area_code="500000").count() == 2  # the city's history stays
