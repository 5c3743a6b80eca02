"""The forms no other browser test submits, each filled and sent in Chromium as staff do, its effect then read
on another screen: log in and out, the language switch, registering and editing a pensioner, revealing an ID
number, the roster upload, recomputing the city report, data sources, message templates, dismissing a death
case. Together with the other browser tests they satisfy the form-coverage gate (conftest.py)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from certification.decisions.services import death_case_open
from certification.models import DataSource, ReportSnapshot
from certification.reports.queries import report_snapshot_refresh
from pensioners.models import Pensioner
from pensioners.tests.factories import make_pensioner, valid_id_number
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


def _open_user_menu(page):
    page.click("[data-testid=current-user]")
    page.wait_for_selector("#language-select", state="visible")


def _search(page, live_server, text):
    page.goto(f"{live_server.url}/pensioners/")
    page.fill("[data-testid=search-box]", text)
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_load_state()


def test_staff_log_in_with_the_form_and_log_out_from_the_menu(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    assert page.locator("[data-testid=greeting]").is_visible()
    _open_user_menu(page)
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()
    # Logged out for real: the registry now sends the visitor to the login page.
    page.goto(f"{live_server.url}/pensioners/")
    assert "/accounts/login/" in page.url
    assert page.locator("#id_username").is_visible()


def test_the_language_switch_turns_every_screen_to_english(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    assert page.get_attribute("html", "lang") == "zh-hans"
    _open_user_menu(page)
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    page.goto(f"{live_server.url}/pensioners/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("link", name="Register a pensioner").is_visible()


def test_a_registered_pensioner_is_found_in_search_and_an_edit_shows_on_the_card(
    staff, new_page, log_in, live_server
):
    id_number = valid_id_number(date(1958, 6, 15), male=False)
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/")
    page.get_by_role("link", name="登记领待人员").click()
    page.wait_for_selector("[data-testid=pensioner-form]")
    page.fill("#id_id_number", id_number)
    page.fill("#id_name", "欧阳秀兰")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_address", "重庆市渝中区和平路12号")
    page.select_option("#id_community", "500103003002")
    page.select_option("#id_lines-0-scheme", "enterprise")
    page.fill("#id_lines-0-first_benefit_date", "2013-07-01")
    page.fill("#id_lines-0-monthly_amount", "2860.50")
    page.click("[data-testid=pensioner-form] button[type=submit]")
    page.wait_for_selector("[data-testid=card-name]")
    assert page.locator("[data-testid=card-name]").inner_text().startswith("欧阳秀兰")

    _search(page, live_server, "欧阳秀兰")
    page.get_by_role("link", name="欧阳秀兰").click()
    page.wait_for_selector("[data-testid=card-name]")
    assert "和平社区" in page.content()

    page.click(f"a[href='/pensioners/{Pensioner.objects.get(id_number=id_number).pk}/edit/']")
    page.wait_for_selector("[data-testid=pensioner-form]")
    page.fill("#id_address", "重庆市渝中区中山一路88号")
    page.fill("#id_phone", "13987654321")
    page.click("[data-testid=pensioner-form] button[type=submit]")
    page.wait_for_selector("[data-testid=card-name]")
    # Read back from a fresh search: the new phone finds her, and her card has the new address.
    _search(page, live_server, "13987654321")
    page.get_by_role("link", name="欧阳秀兰").click()
    page.wait_for_selector("[data-testid=card-name]")
    assert "重庆市渝中区中山一路88号" in page.content()
    assert Pensioner.objects.get(id_number=id_number).phone == "13987654321"


def test_revealing_a_full_id_number_is_shown_in_the_audit_log(staff, new_page, log_in, live_server):
    person = make_pensioner(name="马桂英", id_number="500103194702141029", born=date(1947, 2, 14), male=False)
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    page.fill("[data-testid=reveal-form] input[name=reason]", "核对身份证原件")
    page.click("[data-testid=reveal-form] button[type=submit]")
    page.wait_for_selector("[data-testid=full-id]")
    assert page.locator("[data-testid=full-id]").inner_text() == "500103194702141029"

    supervisor = new_page()
    log_in(supervisor, "t_supervisor", TEST_PASSWORD)
    supervisor.goto(f"{live_server.url}/audit/")
    rows = supervisor.locator("table tbody tr", has_text="核对身份证原件")
    assert rows.count() == 1
    assert "马桂英" in rows.first.inner_text()


def test_an_uploaded_roster_imports_its_good_rows_and_lists_the_rejects(
    staff, new_page, log_in, live_server, settings, tmp_path, eager_celery
):
    settings.MEDIA_ROOT = tmp_path / "media"
    good = valid_id_number(date(1956, 3, 8), male=True)
    valid = valid_id_number(date(1957, 4, 9), male=False)
    bad_checksum = valid[:-1] + ("1" if valid[-1] == "0" else "0")
    roster = tmp_path / "街道花名册.csv"
    roster.write_text(
        "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇,最近认证日期\n"
        f"{good},谭德胜,13800005678,重庆市渝中区新华路5号,500103003003,企业职工基本养老保险,2016-04-01,3050.00,2026-03-01\n"
        f"{bad_checksum},错号码,13800005679,x,500103003003,企业职工基本养老保险,2016-04-01,3050.00,2026-03-01\n",
        encoding="utf-8",
    )
    page = new_page()
    log_in(page, "t_admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/import/")
    page.set_input_files("#id_file", str(roster))
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=import-status][data-status=done]", timeout=20_000)
    with page.expect_download() as download:
        page.click("a[href*='/rejects/']")
    rejects = download.value.path().read_text(encoding="utf-8-sig")
    assert bad_checksum in rejects and good not in rejects

    page.goto(f"{live_server.url}/pensioners/import/")
    assert "街道花名册.csv" in page.locator("[data-testid=import-history]").inner_text()
    _search(page, live_server, "谭德胜")
    assert page.get_by_role("link", name="谭德胜").is_visible()


def test_recomputing_the_city_report_updates_its_figures_and_their_age(
    staff, areas, new_page, log_in, live_server
):
    make_pensioner(name="第一位", certified_on=date(2026, 6, 1))
    report_snapshot_refresh(area=areas["500000"])
    early_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 0, 30)))
    ReportSnapshot.objects.update(computed_at=early_today)
    make_pensioner(name="第二位", certified_on=date(2026, 6, 1))

    page = new_page()
    log_in(page, "t_admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    headline = page.locator("[data-testid=coverage-headline] .stat-value").first
    assert headline.inner_text() == "1"
    stale = page.locator("[data-testid=snapshot-age]").inner_text()
    assert early_today.strftime("%Y-%m-%d 00:00") in stale
    page.click("[data-testid=snapshot-age] button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("[data-testid=coverage-headline] .stat-value").first.inner_text() == "2"
    assert page.locator("[data-testid=snapshot-age]").inner_text() != stale


def test_the_administrator_adds_and_edits_a_data_source(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/comparison/sources/")
    page.get_by_role("link", name="新增数据来源").click()
    page.wait_for_selector("#id_code")
    page.fill("#id_code", "tax_bureau")
    page.fill("#id_name", "市税务局")
    page.check("#id_carries_alive")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/comparison/sources/")
    row = page.locator("[data-testid=data-sources] tr", has_text="市税务局")
    assert row.count() == 1

    row.get_by_role("link", name="修改").click()
    page.wait_for_selector("#id_name")
    page.fill("#id_name", "市税务局个税数据")
    page.check("#id_carries_death")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/comparison/sources/")
    row = page.locator("[data-testid=data-sources] tr", has_text="市税务局个税数据")
    assert row.count() == 1
    assert DataSource.objects.get(code="tax_bureau").carries_death


def test_the_city_administrator_edits_a_message_template(staff, new_page, log_in, live_server):
    text = "{signature}{name},您好,您的养老待遇资格认证将于{deadline}到期,请到社区或社保所办理,咨询12333。"
    page = new_page()
    log_in(page, "t_admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/messages/templates/")
    page.locator("[data-testid=template-first_reminder] a").click()
    page.wait_for_selector("#id_text")
    page.fill("#id_text", text)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/messages/templates/")
    page.goto(f"{live_server.url}/certification/messages/templates/")
    card = page.locator("[data-testid=template-first_reminder]").inner_text()
    assert text in card
    assert "请到社区或社保所办理" in card


def test_a_dismissed_death_case_leaves_the_open_list_and_the_card(staff, new_page, log_in, live_server):
    person = make_pensioner(name="陈志明", certified_on=date(2026, 3, 1))
    death_case_open(pensioner=person, origin="contact", actor=staff["street"], source="邻居告知")
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert page.locator("[data-testid=open-death-case]").count() == 1

    page.goto(f"{live_server.url}/certification/death-cases/")
    page.get_by_role("link", name="陈志明").click()
    page.wait_for_load_state()
    page.fill("#id_reason", "本人到社保所办理业务,确认健在")
    page.click("form:has(input[name=decision][value=dismiss]) button[type=submit]")
    page.wait_for_url("**/death-cases/")
    page.goto(f"{live_server.url}/certification/death-cases/")
    assert page.get_by_role("link", name="陈志明").count() == 0

    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert page.locator("[data-testid=open-death-case]").count() == 0
    assert "已报死亡" not in page.locator("[data-testid=card-name]").locator("..").inner_text()
