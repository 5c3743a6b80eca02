"""A home visit is requested from the person's card and cancelled from the visit's page, through the
rendered forms; each effect is checked on another screen (the planning list, the card, the visitor's list)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from browser_tests.conftest import DESKTOP, PHONE
from certification.models import HomeVisit, VisitStatus, VisitTeam
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_street_staff_request_a_visit_from_the_card_and_it_waits_on_the_planning_list(
    staff, areas, new_page, log_in, live_server
):
    person = make_pensioner(name="卧床的赵奶奶", certified_on=timezone.localdate() - timedelta(days=340))
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    page.get_by_role("link", name="申请上门认证").click()
    page.wait_for_load_state()
    page.select_option("#id_requested_via", value="family")
    page.select_option("#id_reason", value="disability")
    page.fill("#id_reason_note", "卧床三年")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()

    visit = HomeVisit.objects.get(pensioner=person)
    assert visit.status == VisitStatus.REQUESTED
    page.goto(f"{live_server.url}/certification/visits/")
    row = page.locator("tr:has-text('卧床的赵奶奶')").inner_text()
    assert "残疾" in row or "Disability" in row
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert "已申请" in page.locator("body").inner_text()


def test_a_planner_cancels_a_scheduled_visit_and_it_leaves_the_visitors_list(
    staff, areas, new_page, log_in, live_server
):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    person = make_pensioner(name="搬走的钱大爷", certified_on=timezone.localdate() - timedelta(days=340))
    visit, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
    )
    day = timezone.localdate() + timedelta(days=1)
    home_visit_schedule(visits=[visit], team=team, visit_date=day, actor=staff["street"])

    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/{visit.pk}/")
    page.fill("#id_reason", "家属来电:已搬去成都")
    page.get_by_role("button", name="取消上门").click()
    page.wait_for_load_state()

    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    phone = new_page(PHONE)
    log_in(phone, "t_visit", TEST_PASSWORD)
    phone.goto(f"{live_server.url}/certification/visits/mine/?date={day.isoformat()}")
    row = phone.locator("[data-testid=my-visits] a:has-text('搬走的钱大爷')").inner_text()
    assert "已取消" in row
