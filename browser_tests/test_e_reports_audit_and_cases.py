"""Part E's screens driven as staff drive them: the death-case confirm form, the SMS templates, the audit
log's person filter, the report's period, and the overdue figure on the dashboard and the report."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from certification.decisions.services import death_case_open
from certification.models import MessageTemplate, PaymentDecision
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.audit import audit_record
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_supervisor_confirms_a_death_with_the_month_picker_and_the_card_shows_it(
    staff, new_page, log_in, live_server
):
    today = timezone.localdate()
    person = make_pensioner(name="罗淑华", certified_on=today - timedelta(days=200))
    person.benefit_lines.update(monthly_amount=2000)
    case, _ = death_case_open(pensioner=person, origin="contact", actor=staff["community"])
    died_on = (today.replace(day=1) - timedelta(days=70)).replace(day=10)  # two or three months back
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/death-cases/")
    page.click("table a:has-text('罗淑华')")
    page.wait_for_load_state()
    month = page.locator("input[name=paid_through]")
    assert month.get_attribute("type") == "month"
    page.fill("input[name=died_on]", died_on.isoformat())
    month.fill(f"{today:%Y-%m}")
    page.click("button:has-text('确认并终止发放')")
    page.wait_for_load_state()
    decision = PaymentDecision.objects.get()
    assert decision.overpaid_months >= 1
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    with translation.override("zh-hans"):
        terminated = str(PaymentStatus.TERMINATED.label)
    assert terminated in page.content()
    assert CertificationState.objects.get(pensioner=person).status == PaymentStatus.TERMINATED


def test_junk_typed_in_the_month_is_refused_on_the_page(staff, new_page, log_in, live_server):
    person = make_pensioner(name="误填", certified_on=date(2026, 1, 1))
    case, _ = death_case_open(pensioner=person, origin="contact", actor=staff["community"])
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/death-cases/{case.pk}/")
    page.fill("input[name=died_on]", "2026-05-10")
    # A browser without a month picker shows a text box: people type what they like.
    page.evaluate("document.querySelector('input[name=paid_through]').type = 'text'")
    page.fill("input[name=paid_through]", "2026年13月")
    page.click("button:has-text('确认并终止发放')")
    page.wait_for_load_state()
    assert "年-月" in page.content()
    assert not PaymentDecision.objects.exists()


def test_only_the_city_administrator_changes_an_sms_template(staff, new_page, log_in, live_server):
    supervisor = new_page()
    log_in(supervisor, "t_supervisor", TEST_PASSWORD)
    supervisor.goto(f"{live_server.url}/certification/messages/templates/")
    assert supervisor.locator("[data-testid=templates-read-only]").is_visible()
    assert supervisor.locator("[data-testid=template-first_reminder] a:has-text('修改')").count() == 0

    admin = new_page()
    log_in(admin, "t_admin", TEST_PASSWORD)
    admin.goto(f"{live_server.url}/certification/messages/templates/")
    admin.click("[data-testid=template-first_reminder] a:has-text('修改')")
    admin.wait_for_load_state()
    text = "{signature}{name},您好,请于{deadline}前办理养老待遇资格认证。"
    admin.fill("textarea[name=text]", text)
    admin.click("button[type=submit]:has-text('保存')")
    admin.wait_for_load_state()
    assert MessageTemplate.objects.get(key="first_reminder").text == text
    # The supervisor reads the new text on her (read-only) page.
    supervisor.reload()
    assert "办理养老待遇资格认证" in supervisor.locator("[data-testid=template-first_reminder]").inner_text()


def test_the_audit_log_finds_everything_about_one_person_by_id_number(staff, new_page, log_in, live_server):
    wang = make_pensioner(name="王建国", certified_on=date(2026, 1, 1))
    other = make_pensioner(name="李秀英", certified_on=date(2026, 1, 1))
    audit_record(actor=staff["street"], action="pensioner.revealed", target=wang, note="核对王建国")
    audit_record(actor=staff["street"], action="pensioner.revealed", target=other, note="核对李秀英")
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    page.select_option("select[name=action]", "pensioner.revealed")
    page.fill("input[name=person]", wang.id_number)
    page.click("form.filter-form button[type=submit]")
    page.wait_for_load_state()
    table = page.locator("table").inner_text()
    assert "核对王建国" in table and "核对李秀英" not in table
    assert "查看完整身份证号" in table and "pensioner.revealed" not in table
    assert f"{staff['street'].full_name} ({staff['street'].username})" in table
    assert page.locator("[data-testid=audit-person]").is_visible()


def test_the_dashboard_and_the_report_show_one_overdue_figure(staff, new_page, log_in, live_server):
    today = timezone.localdate()
    people = [make_pensioner(name=f"逾期{n}", certified_on=today - timedelta(days=380 + n)) for n in range(3)]
    CertificationState.objects.filter(pensioner=people[0]).update(snoozed_until=today + timedelta(days=10))
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/")
    on_dashboard = page.locator("[data-testid=panel-queue-overdue] .stat-value").inner_text().strip()
    assert "含暂时隐藏的人员" in page.locator("[data-testid=panel-queue-overdue]").inner_text()
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("[data-testid=coverage-overdue]").inner_text().strip() == on_dashboard == "3"
    assert page.locator("[data-testid=overdue-definition]").is_visible()


def test_a_period_typed_out_of_range_on_the_report_is_explained(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/?since=2026-11-01&until=9999-12-31")
    assert page.locator("[data-testid=period-errors]").is_visible()
    assert "请选择 2000-01-01 至" in page.locator("[data-testid=period-errors]").inner_text()
    page.fill("input[name=until]", timezone.localdate().isoformat())
    page.click("#report-activity button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=period-errors]").count() == 0
