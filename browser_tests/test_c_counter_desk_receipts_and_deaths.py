"""The counter desk by keyboard alone, the banner against the receipt and the card, pages that record once
however they are clicked, the receipt (printed and voided), and the card of a person who has died.

Set SHOTS_DIR to keep screenshots (and the receipt's PDF) of each screen at desktop and phone width.
"""

import os
import re
from datetime import date
from pathlib import Path

import pytest

from browser_tests.conftest import DESKTOP, PHONE
from certification.decisions.services import death_case_confirm, death_case_open
from certification.models import Certification
from pensioners.models import CertificationState, Pensioner
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

SHOTS = Path(os.environ["SHOTS_DIR"]) if os.environ.get("SHOTS_DIR") else None


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_counter_desk_by_keyboard_alone_and_the_banner_agrees_with_receipt_and_card(
    staff, new_page, log_in, live_server, viewport
):
    # Lives in 江北区 and is overdue since 2026-01-08; certified today at a 渝中区 counter.
    person = make_pensioner(
        name="江北人", id_number="500105195309301054", community="500105001001", certified_on=date(2025, 1, 8)
    )
    page = new_page(viewport)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/counter/")
    assert focused_id(page) == "id_id_number"  # the ID field has focus on load
    shot(page, "counter-desk")
    page.keyboard.type("500105195309301054")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=person-summary]")
    assert focused_id(page) == "id_certified_on"  # the keyboard moves on to the form
    assert page.is_checked("input[name=id_document][value=id_card]")
    assert page.is_checked("input[name=method][value=in_person]")
    shot(page, "counter-form")
    page.keyboard.press("Enter")  # the defaults are right: Enter records
    page.wait_for_selector("[data-testid=receipt]")
    shot(page, "receipt")

    new_deadline = CertificationState.objects.get(pensioner=person).next_due_on
    banner = page.locator(".alert-success").inner_text()
    receipt_deadline = page.locator("[data-testid=receipt-deadline]").inner_text()
    assert new_deadline.isoformat() in banner
    assert "2026-01-08" not in banner
    assert receipt_deadline == chinese_date(new_deadline)

    # The person's own street office sees the same deadline on the card.
    other = new_page(viewport)
    log_in(other, "t_other_street", TEST_PASSWORD)
    other.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert other.locator("[data-testid=deadline]").inner_text() == chinese_date(new_deadline)


def test_an_exact_id_number_typed_in_search_opens_the_card(staff, new_page, log_in, live_server):
    person = make_pensioner(name="马桂英", id_number="500103194702141029", born=date(1947, 2, 14), male=False)
    make_pensioner(name="马桂兰", community="500103003002")
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/")
    assert focused_id(page) == "" or page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("500103194702141029")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=card-name]")
    assert page.url.endswith(f"/pensioners/{person.pk}/")


def test_a_double_click_on_record_records_one_certification(staff, new_page, log_in, live_server):
    person = make_pensioner(name="双击", certified_on=date(2025, 12, 20))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/record/{person.pk}/counter/")
    page.check("input[name=method][value=face]")
    page.dblclick("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    page.wait_for_timeout(500)  # let a second POST, if any, finish
    assert Certification.objects.filter(pensioner=person).count() == 1
    receipt = page.locator("[data-testid=receipt-number]").inner_text()
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert page.locator("[data-testid=certification-history]").inner_text().count(receipt) == 1


def test_the_rendered_page_sent_twice_at_once_records_once(staff, new_page, log_in, live_server):
    """The button's courtesy aside, the server records a page once: the browser sends the filled page's
    own form data twice at the same moment (as two tabs, a flaky network or a double Enter would)."""
    person = make_pensioner(name="重发", certified_on=date(2025, 12, 20))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/record/{person.pk}/counter/")
    page.check("input[name=method][value=face]")
    landed = page.evaluate(
        """async () => {
            const form = document.querySelector("[data-testid=record-form]");
            const send = () => fetch(form.action || location.href, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((answer) => [answer.status, new URL(answer.url).pathname]);
        }"""
    )
    certification = Certification.objects.get(pensioner=person)
    receipt_path = f"/certification/receipts/{certification.pk}/"
    assert landed == [[200, receipt_path], [200, receipt_path]]
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert page.locator("[data-testid=certification-history]").inner_text().count("RZ") == 1


def test_a_double_click_on_register_registers_one_person(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/new/")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_name", "李秀英")
    page.select_option("#id_community", "500103003001")
    page.select_option("#id_lines-0-scheme", "enterprise")
    page.fill("#id_lines-0-first_benefit_date", "2010-03-01")
    page.dblclick("[data-testid=pensioner-form] button[type=submit]")
    page.wait_for_selector("[data-testid=card-name]")
    assert Pensioner.objects.filter(id_number="11010519491231002X").count() == 1
    assert page.locator("[data-testid=card-name]").inner_text().startswith("李秀英")


def test_the_consular_form_starts_without_a_form_date(staff, new_page, log_in, live_server):
    person = make_pensioner(name="高德明", abroad_country="加拿大", certified_on=date(2025, 9, 30))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/record/{person.pk}/consular/")
    assert page.input_value("#id_certified_on") == ""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_voiding_from_the_receipt_marks_it_and_the_card_falls_back(
    staff, new_page, log_in, live_server, viewport, tmp_path
):
    person = make_pensioner(name="作废", certified_on=date(2025, 12, 20))
    page = new_page(viewport)
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/record/{person.pk}/counter/")
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    if SHOTS is not None and viewport is DESKTOP:
        page.emulate_media(media="print")
        page.pdf(path=str(SHOTS / "receipt.pdf"), format="A4")
        page.emulate_media(media="screen")
    page.get_by_role("link", name="作废").click()
    page.fill("#id_reason", "录错了人")
    page.click("button.btn-danger")
    page.wait_for_selector("[data-testid=card-name]")
    assert page.locator("[data-testid=deadline]").inner_text() == chinese_date(date(2026, 12, 20))
    certification = Certification.objects.get(pensioner=person)
    page.goto(f"{live_server.url}/certification/receipts/{certification.pk}/")
    assert page.locator("[data-testid=void-mark]").inner_text() == "已作废"
    assert "录错了人" in page.locator("[data-testid=receipt-void]").inner_text()
    shot(page, "receipt-voided")
    if SHOTS is not None and viewport is DESKTOP:
        page.emulate_media(media="print")
        page.pdf(path=str(SHOTS / "receipt-voided.pdf"), format="A4")
        page.emulate_media(media="screen")
    page.click("[data-testid=receipt-back]")
    page.wait_for_selector("[data-testid=card-name]")
    assert page.url.endswith(f"/pensioners/{person.pk}/")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_dead_persons_card_and_the_counter_offer_no_certification(
    staff, new_page, log_in, live_server, viewport
):
    person = make_pensioner(
        name="故人",
        id_number="500103194702141029",
        born=date(1947, 2, 14),
        male=False,
        certified_on=date(2025, 3, 1),
    )
    person.benefit_lines.update(monthly_amount=2000)
    case, _ = death_case_open(pensioner=person, origin="contact", actor=staff["community"])
    death_case_confirm(
        case=case, actor=staff["supervisor"], died_on=date(2026, 5, 10), paid_through=date(2026, 11, 1)
    )
    page = new_page(viewport)
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    shot(page, "card-dead")
    assert "2026" in page.locator("[data-testid=deadline-state]").inner_text()
    assert "逾期" not in page.locator("[data-testid=deadline-state]").inner_text()
    assert page.locator("[data-testid=stop-month]").inner_text() == "2026-06"
    assert "12000" in page.locator("[data-testid=overpayment]").inner_text()
    assert (
        page.get_by_role("link", name="认证").count() == 0 or not page.locator("a[href*='/record/']").count()
    )
    page.click("[data-testid=death-case-link]")
    page.wait_for_load_state()
    assert re.search(rf"/death-cases/{case.pk}/$", page.url)

    desk = new_page(viewport)
    log_in(desk, "t_street", TEST_PASSWORD)
    desk.goto(f"{live_server.url}/certification/counter/")
    # Filled, not typed: under a loaded CI machine typed keys raced the page's own focus handling (the
    # keyboard-only desk has its own test above).
    desk.fill("#id_id_number", person.id_number)
    desk.press("#id_id_number", "Enter")
    desk.wait_for_selector("[data-testid=death-confirmed]")
    assert desk.locator("[data-testid=record-form]").count() == 0
    shot(desk, "counter-dead")
