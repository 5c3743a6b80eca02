"""The screens the city-scale work redrew, in Chromium through their rendered forms: queue rows drawn in one
pass (escaped, ticked and assigned, then found on the worker's own queue), and a street's report whose
trends come from the snapshot the city administrator recomputes with the page's own button."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from browser_tests.conftest import DESKTOP, PHONE
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

HOSTILE = '=HYPERLINK("x")<b>"\'' + "长" * 20  # as long as a name may be (40)


def overdue_since(days: int) -> date:
    return timezone.localdate() - timedelta(days=365 + days)


def test_queue_rows_drawn_in_one_pass_are_escaped_ticked_and_assigned(staff, new_page, log_in, live_server):
    hostile = make_pensioner(name=HOSTILE, certified_on=overdue_since(10), phone_known_wrong=True)
    plain = make_pensioner(name="民生甲", certified_on=overdue_since(40))
    worker = staff["community"]

    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/overdue/")
    # The name is text, not markup: no bold element appeared, and the whole name is the link's text.
    assert page.locator(f"a[href$='/{hostile.pk}/']").first.inner_text() == HOSTILE
    assert page.locator("tbody b").count() == 0
    # A phone known to be wrong is struck through, with its reason on hover.
    assert page.locator("tbody .text-decoration-line-through").count() == 1
    page.check(f"input[name=selected][value='{hostile.pk}']")
    page.check(f"input[name=selected][value='{plain.pk}']")
    page.select_option("#id_target", f"user:{worker.pk}")
    page.click("[data-testid=assign-form] button[type=submit]")
    page.wait_for_load_state()
    assert set(
        CertificationState.objects.filter(assigned_to=worker).values_list("pensioner_id", flat=True)
    ) == {
        hostile.pk,
        plain.pk,
    }

    # The other screen: the worker's own queue lists both, through the same row drawing.
    page.context.clear_cookies()
    log_in(page, "t_community", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/my-queue/")
    assert page.locator(f"input[name=selected][value='{hostile.pk}']").count() == 1
    assert page.locator(f"input[name=selected][value='{plain.pk}']").count() == 1
    assert page.locator("[data-testid=log-contact]").count() == 2


def test_a_streets_trends_come_from_the_snapshot_the_city_recomputes(staff, new_page, log_in, live_server):
    make_pensioner(name="六月逾期", certified_on=date(2025, 6, 1))
    make_pensioner(name="邻社区", community="500103003002", certified_on=overdue_since(5))

    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("[data-testid=trends-age]").count() == 0  # no snapshot yet: counted now

    page.context.clear_cookies()
    log_in(page, "t_admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.click("form[action$='/reports/refresh/'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=snapshot-age]").count() == 1

    page.context.clear_cookies()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("[data-testid=trends-age]").count() == 1
    # The street's coverage table: one row per community with people, and the total.
    assert page.locator("[data-testid=coverage-table] tbody tr").count() >= 3
    # Down to one community through the drill-down select: its trends still carry their age.
    with page.expect_navigation():
        page.select_option("#area-1", "500103003002")
    assert "area=500103003002" in page.url
    assert page.locator("[data-testid=trends-age]").count() == 1
    assert page.locator("[data-testid=coverage-table] tbody tr").count() == 2  # the community and its total


def test_search_rows_drawn_in_one_pass_are_escaped_and_open_the_card(staff, new_page, log_in, live_server):
    hostile = make_pensioner(name=HOSTILE, certified_on=overdue_since(3), phone="13812345678")
    for number in range(3):
        make_pensioner(name=f"长寿{number}", certified_on=overdue_since(-100))

    page = new_page(PHONE)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/")
    page.fill("[data-testid=search-box]", "5678")  # the last four digits of the phone
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_load_state()
    link = page.locator(f"tbody a[href$='/{hostile.pk}/']")
    assert link.inner_text() == HOSTILE  # text, not markup: no bold element appeared
    assert page.locator("tbody b").count() == 0
    # At phone width the ID column is hidden; the masked number is under the name, the phone masked.
    row = page.locator("tbody tr").first
    assert (
        row.locator(".d-md-none.masked").inner_text()
        == hostile.id_number[:6] + "********" + hostile.id_number[-4:]
    )
    assert "138****5678" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/pensioners/{hostile.pk}/")
    assert HOSTILE in page.inner_text("main")


def test_a_broad_search_says_to_type_more(staff, new_page, log_in, live_server, settings):
    settings.SEARCH_COUNT_CAP = 2
    for number in range(3):
        make_pensioner(name=f"长寿{number}", certified_on=overdue_since(-100))
    page = new_page(DESKTOP)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/")
    page.fill("[data-testid=search-box]", "长")
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_load_state()
    assert "匹配超过2人" in page.inner_text("[data-testid=match-count]")
    assert page.locator("tbody tr").count() == 2
