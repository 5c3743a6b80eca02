"""The 各月新增逾期 chart counts each missed deadline once, in the month after the deadline passed.

It used to read the planned overdue notices, which exist only for days the reminder job ran: a city whose
people went overdue before the job started (or on a day it did not run) showed zero for 24 months.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.recording.services import certification_void
from certification.reports.queries import trends
from certification.tests.helpers import record_counter
from pensioners.models import Area
from pensioners.tests.factories import make_pensioner

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def histories(areas, staff):
    """Known lives: who missed which deadline, and who did not."""
    make_pensioner(name="六月逾期", certified_on=date(2025, 6, 1))  # deadline 2026-06-01: overdue in June
    late = make_pensioner(name="迟认证", certified_on=date(2024, 9, 10))  # missed 2025-09-10
    record_counter(late, staff["street"], date(2025, 10, 5))  # late; then missed 2026-10-05 too
    on_time = make_pensioner(name="当天认证", certified_on=date(2025, 3, 1))
    record_counter(on_time, staff["street"], date(2026, 3, 1))  # on the deadline day: on time
    make_pensioner(name="先去世", certified_on=date(2025, 5, 1), death_date=date(2026, 1, 15))
    voided = make_pensioner(name="作废", certified_on=date(2025, 1, 10))  # deadline 2026-01-10
    certification_void(
        certification=record_counter(voided, staff["street"], date(2025, 12, 20)),
        actor=staff["street"],
        reason="录错人",
    )
    make_pensioner(name="新退休", first_benefit_date=date(2025, 8, 1))  # first deadline 2026-08-01
    make_pensioner(name="江北逾期", community="500105001001", certified_on=date(2025, 4, 1))


def test_each_missed_deadline_counts_once_in_the_month_after_it(histories):
    trend = trends(Area.objects.get(code="500103"), TODAY)
    by_month = dict(zip(trend["months"], trend["newly_overdue"], strict=True))
    expected = {"2025-09": 1, "2026-01": 1, "2026-06": 1, "2026-08": 1, "2026-10": 1}
    assert {month: count for month, count in by_month.items() if count} == expected


def test_the_city_counts_every_district(histories):
    trend = trends(Area.objects.get(code="500000"), TODAY)
    by_month = dict(zip(trend["months"], trend["newly_overdue"], strict=True))
    assert by_month["2026-04"] == 1  # 江北: certified 2025-04-01, overdue from 2026-04-02
    assert sum(trend["newly_overdue"]) == 6


def test_the_chart_on_the_report_page_gets_the_counts(histories, client_for, staff):
    response = client_for(staff["supervisor"]).get(reverse("reports"))
    assert sum(response.context["chart"]["newly_overdue"]) == 5
    assert "每次错过认证期限计一次" in response.content.decode()


def test_the_same_day_known_twice_counts_once(areas, staff):
    """The known days are not de-duplicated by the query (a UNION over millions of rows): the roster's
    day recorded again at the counter, or two benefit lines starting on one day, still miss one deadline."""
    from pensioners.models import BenefitLine, Scheme

    twice = make_pensioner(name="同日两次", certified_on=date(2025, 6, 1))
    record_counter(twice, staff["street"], date(2025, 6, 1))  # the same day again: deadline 2026-06-01
    two_lines = make_pensioner(name="两条待遇", first_benefit_date=date(2025, 8, 1))
    BenefitLine.objects.create(
        pensioner=two_lines, scheme=Scheme.URBAN_RURAL, first_benefit_date=date(2025, 8, 1)
    )
    trend = trends(Area.objects.get(code="500103"), TODAY)
    by_month = {m: n for m, n in zip(trend["months"], trend["newly_overdue"], strict=True) if n}
    assert by_month == {"2026-06": 1, "2026-08": 1}


def test_only_the_first_benefit_line_starts_the_first_period(areas, staff):
    """A second benefit line that starts later is not a certification: the first period runs from the
    earliest line, so only that deadline can be missed."""
    from pensioners.models import BenefitLine, Scheme

    person = make_pensioner(name="先后两条", first_benefit_date=date(2025, 2, 1))  # missed 2026-02-01
    BenefitLine.objects.create(
        pensioner=person, scheme=Scheme.URBAN_RURAL, first_benefit_date=date(2025, 9, 1)
    )
    trend = trends(Area.objects.get(code="500103"), TODAY)
    by_month = {m: n for m, n in zip(trend["months"], trend["newly_overdue"], strict=True) if n}
    assert by_month == {"2026-02": 1}
