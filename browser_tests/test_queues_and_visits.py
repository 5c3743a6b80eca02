"""Queue work and the visitor's phone screen in a real browser; the visit sheet printed to PDF."""

from datetime import date

import pytest
from django.utils import timezone

from browser_tests.conftest import ARTIFACTS, PHONE
from certification.models import ContactAttempt, HomeVisit, VisitTeam
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_street_staff_log_a_contact_attempt_from_the_overdue_queue(staff, new_page, log_in, live_server):
    make_pensioner(name="逾期老人", certified_on=date(2025, 1, 10))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/overdue/")
    assert page.locator("[data-testid=queue-total]").inner_text() == "1"
    page.click("[data-testid=log-contact]")
    page.wait_for_selector("[data-testid=contact-form]")
    page.check("input[name=kind][value=phone_call]")
    page.select_option("#id_outcome", "not_reachable")
    page.fill("#id_note", "无人接听")
    page.click("[data-testid=contact-form] button[type=submit]")
    page.wait_for_url("**/certification/overdue/**")
    assert ContactAttempt.objects.get().note == "无人接听"
    assert "联系不上" in page.content()


def test_the_visitor_records_an_outcome_on_a_phone(staff, new_page, log_in, live_server, areas):
    team = VisitTeam.objects.create(name="一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    person = make_pensioner(name="刘奶奶", male=False, certified_on=date(2025, 10, 1), address="民生路8号")
    visit, _ = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="illness"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=timezone.localdate(), actor=staff["street"])
    page = new_page(PHONE)
    log_in(page, "t_visit", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/mine/")
    page.get_by_text("刘奶奶").click()
    page.wait_for_selector("[data-testid=visit-person]")
    assert page.locator("[data-testid=certify-here]").is_visible()
    page.check("input[name=outcome][value=hospitalised]")
    page.fill("#id_note", "在市第一人民医院住院")
    page.click("[data-testid=outcome-form] button[type=submit]")
    page.wait_for_url("**/visits/mine/")
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("visited", "hospitalised")


def test_the_visit_sheet_prints_to_a_clean_pdf(staff, new_page, log_in, live_server, areas):
    team = VisitTeam.objects.create(name="一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    for number in range(3):
        person = make_pensioner(
            name=f"老人{number}", certified_on=date(2025, 10, 1), address=f"民生路{number}号"
        )
        visit, _ = home_visit_request(
            pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
        )
        home_visit_schedule(visits=[visit], team=team, visit_date=timezone.localdate(), actor=staff["street"])
    page = new_page()
    log_in(page, "t_visit", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/sheet/?team={team.pk}")
    page.emulate_media(media="print")
    assert not page.locator("nav.portal-navbar").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "visit-sheet.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    assert HomeVisit.objects.count() == 3
