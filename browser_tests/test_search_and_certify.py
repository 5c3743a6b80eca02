"""Main journeys in a real browser: search and open a card; certify at the counter, at home, by consular form."""

from datetime import date

import pytest

from browser_tests.conftest import PHONE
from certification.models import Certification
from certification.tests.helpers import JPEG, PDF
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_counter_staff_search_by_pinyin_initials_and_open_a_card(staff, new_page, log_in, live_server):
    make_pensioner(name="马桂英", id_number="500103194702141029", born=date(1947, 2, 14), male=False)
    make_pensioner(name="王建国", community="500103003002")
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/")
    page.fill("[data-testid=search-box]", "mgy")
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_load_state()
    page.get_by_role("link", name="马桂英").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=card-name]").inner_text().startswith("马桂英")
    assert page.locator("[data-testid=masked-id]").inner_text() == "500103********1029"
    page.fill("#id_reason", "窗口核对身份证")
    page.click("[data-testid=reveal-form] button")
    page.wait_for_selector("[data-testid=full-id]")
    assert page.locator("[data-testid=full-id]").inner_text() == "500103194702141029"


def test_counter_certification_end_to_end(staff, new_page, log_in, live_server):
    person = make_pensioner(
        name="江北人", id_number="500105195309301054", community="500105001001", certified_on=date(2025, 1, 8)
    )
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/counter/")
    page.fill("#id_id_number", "500105195309301054")
    page.click("[data-testid=counter-lookup] button")
    page.wait_for_selector("[data-testid=person-summary]")
    page.check("input[name=id_document][value=id_card]")
    page.check("input[name=method][value=face]")
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    receipt = page.locator("[data-testid=receipt-number]").inner_text()
    assert Certification.objects.get(receipt_number=receipt).pensioner_id == person.pk
    assert CertificationState.objects.get(pensioner=person).latest_certified_on is not None


def test_home_visit_certification_with_a_photo_at_phone_width(
    staff, new_page, log_in, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_pensioner(
        name="刘奶奶", male=False, certified_on=date(2025, 9, 1), address="重庆市渝中区民生路8号"
    )
    photo = tmp_path / "sign.jpg"
    photo.write_bytes(JPEG)
    page = new_page(PHONE)
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/record/{person.pk}/home-visit/")
    page.check(f"input[name=visitors][value='{staff['visit'].pk}']")
    page.fill("#id_signer", "本人")
    page.select_option("#id_reason", "illness")
    page.set_input_files("#id_photo", str(photo))
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    certification = Certification.objects.get(pensioner=person)
    assert certification.channel == "home_visit" and certification.files.count() == 1


def test_consular_paper_form_end_to_end(staff, new_page, log_in, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_pensioner(name="高德明", abroad_country="加拿大", certified_on=date(2025, 9, 30))
    scan = tmp_path / "form.pdf"
    scan.write_bytes(PDF)
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    page.get_by_role("link", name="境外纸质认证表").click()
    page.wait_for_load_state()
    page.fill("#id_certified_on", "2026-10-20")
    page.fill("#id_form_serial", "CSL-0099")
    page.fill("#id_issuing_body", "中华人民共和国驻多伦多总领事馆")
    page.fill("#id_received_on", "2026-11-20")
    page.check("input[name=filed][value=in_person]")
    page.set_input_files("#id_scan", str(scan))
    page.click("[data-testid=record-form] button[type=submit]")
    page.wait_for_selector("[data-testid=receipt]")
    assert Certification.objects.get(pensioner=person).reference == "CSL-0099"
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert "CSL-0099" in page.locator("[data-testid=certification-history]").inner_text()
