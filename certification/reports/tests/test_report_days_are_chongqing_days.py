"""The activity report cuts days at midnight in Chongqing (Asia/Shanghai), not at midnight UTC."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.queues.services import contact_attempt_record
from certification.reports.queries import activity
from certification.tests.helpers import record_counter
from pensioners.models import Area
from pensioners.tests.factories import make_pensioner

CHONGQING = ZoneInfo("Asia/Shanghai")
# 23:30 on 30 November in Chongqing is 15:30 UTC the same day; 00:30 on 1 December is 16:30 UTC on the
# 30th: a UTC cut puts both on 30 November.
LATE_ON_THE_30TH = datetime(2026, 11, 30, 23, 30, tzinfo=CHONGQING)
EARLY_ON_THE_1ST = datetime(2026, 12, 1, 0, 30, tzinfo=CHONGQING)


@pytest.fixture
def two_nights(areas, staff):
    first = make_pensioner(name="深夜一", certified_on=date(2025, 11, 1))
    second = make_pensioner(name="凌晨二", certified_on=date(2025, 11, 1))
    with time_machine.travel(LATE_ON_THE_30TH, tick=False):
        record_counter(first, staff["street"], date(2026, 11, 30))
        contact_attempt_record(
            pensioner=first, actor=staff["street"], kind="phone_call", outcome="not_reachable"
        )
    with time_machine.travel(EARLY_ON_THE_1ST, tick=False):
        record_counter(second, staff["street"], date(2026, 12, 1))
        contact_attempt_record(
            pensioner=second, actor=staff["street"], kind="phone_call", outcome="not_reachable"
        )
    return first, second


def counted(done) -> tuple[int, int]:
    return sum(row[-1] for row in done["by_staff"]), sum(row[-1] for row in done["contacts"])


def test_an_event_at_half_past_eleven_at_night_belongs_to_that_local_day(two_nights):
    district = Area.objects.get(code="500103")
    assert counted(activity(district, date(2026, 11, 30), date(2026, 11, 30))) == (1, 1)


def test_an_event_at_half_past_midnight_belongs_to_the_next_local_day(two_nights):
    district = Area.objects.get(code="500103")
    assert counted(activity(district, date(2026, 12, 1), date(2026, 12, 1))) == (1, 1)
    assert counted(activity(district, date(2026, 11, 1), date(2026, 11, 30))) == (1, 1)


def test_the_report_page_shows_each_day_its_own_work(two_nights, client_for, staff):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=CHONGQING), tick=False):
        response = client_for(staff["supervisor"]).get(
            reverse("reports"), {"since": "2026-11-30", "until": "2026-11-30"}
        )
    assert response.status_code == 200
    assert sum(row["count"] for row in response.context["tables"]["staff"].data) == 1


def test_staff_read_as_real_name_and_login(two_nights, staff):
    done = activity(Area.objects.get(code="500103"), date(2026, 11, 30), date(2026, 12, 1))
    street = staff["street"]
    assert {row[0] for row in done["by_staff"]} == {f"{street.full_name} ({street.username})"}
