"""Issue 15 in a real browser, through the rendered forms: the whole suspension story (propose, be refused as
maker, approve as a second supervisor, download the payment file, certify at the counter, approve the
resumption, see the back pay on the card), then rejecting, excluding, an imprisonment stop, and a deadline
extension approved and revoked. Each effect is read on another screen."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.decisions.rules import first_of_month
from certification.models import (
    ContactKind,
    ContactOutcome,
    DecisionKind,
    MessageStage,
    OutboxMessage,
    PaymentDecision,
)
from certification.queues.services import contact_attempt_record
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner
from portal.models import Role
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def checker(make_staff):
    return make_staff(Role.DISTRICT_SUPERVISOR, "500103", username="t_supervisor2")


def unreachable(name, staff, *, days_overdue=150, amount=2400, **extra):
    today = timezone.localdate()
    person = make_pensioner(name=name, certified_on=today - timedelta(days=365 + days_overdue), **extra)
    person.benefit_lines.update(monthly_amount=amount)
    for kind in (ContactKind.PHONE_CALL, ContactKind.ASKED_COMMUNITY):
        contact_attempt_record(
            pensioner=person, actor=staff["street"], kind=kind, outcome=ContactOutcome.NOT_REACHABLE
        )
    return person


def status_of(person) -> str:
    return CertificationState.objects.get(pensioner=person).status


def open_candidates(page, live_server):
    page.goto(f"{live_server.url}/certification/payments/candidates/")
    page.wait_for_selector("[data-testid=candidate-row]")


def test_the_whole_suspension_story_from_candidate_to_back_pay(staff, checker, new_page, log_in, live_server):
    suspended = unreachable("欧阳明", staff)
    kept_out = unreachable("司马青", staff)

    # The maker (the district supervisor) sees both, keeps one out with a reason, proposes the rest.
    maker = new_page()
    log_in(maker, "t_supervisor", TEST_PASSWORD)
    open_candidates(maker, live_server)
    assert maker.locator("[data-testid=eligible-count]").inner_text() == "2"
    maker.click(f"[data-pensioner='{kept_out.pk}'] [data-testid=exclude-link]")
    maker.fill("#id_reason", "住院治疗中,家属下周带来窗口")
    maker.click("form button[type=submit]:has-text('排除')")
    maker.wait_for_selector("[data-testid=candidate-row]")
    assert maker.locator("[data-testid=eligible-count]").inner_text() == "1"
    assert maker.locator(f"[data-pensioner='{kept_out.pk}'] [data-exclusion=staff_excluded]").count() == 1
    maker.fill("[data-testid=propose-form] input[name=name]", "2026年12月 解放碑 暂停发放 第1批")
    maker.click("[data-testid=propose-button]")
    maker.wait_for_selector("[data-testid=batch-status]")
    assert maker.locator("[data-testid=batch-people]").inner_text() == "1"
    assert maker.locator("[data-testid=batch-monthly]").inner_text() == "¥2400.00"
    # The maker is told, on the batch, that someone else decides; there is nothing to press.
    assert maker.locator("[data-testid=maker-notice]").is_visible()
    assert maker.locator("[data-testid=approve-button]").count() == 0
    batch_url = maker.url

    # The checker approves it from the rendered form.
    second = new_page()
    log_in(second, "t_supervisor2", TEST_PASSWORD)
    second.goto(f"{live_server.url}/")
    second.click("a:has-text('待您审批的决定')")
    second.wait_for_load_state()
    second.click("[data-testid=batch-row] a >> nth=0")
    second.wait_for_selector("[data-testid=approve-button]")
    assert second.url == batch_url
    second.fill("[data-field=note] input", "核实无误")
    second.click("[data-testid=approve-button]")
    second.wait_for_selector("[data-testid=payment-file]")
    assert "已批准:1人" in second.locator(".alert-success").inner_text()
    assert status_of(suspended) == PaymentStatus.SUSPENDED and status_of(kept_out) == PaymentStatus.ACTIVE
    assert (
        OutboxMessage.objects.filter(pensioner=suspended, stage=MessageStage.SUSPENSION_NOTICE).count() == 1
    )

    # The payment file, with Chinese headers, as the payment system gets it.
    with second.expect_download() as download:
        second.click("[data-testid=payment-file-csv-zh]")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["公民身份号码", "姓名", "决定"]
    assert rows[1][0] == suspended.id_number and rows[1][2] == "suspend"
    assert rows[-1][0] == "#checksum"

    # The card shows the decision and its batch.
    second.goto(f"{live_server.url}/pensioners/{suspended.pk}/")
    decision = second.locator("[data-testid=payment-decision][data-kind=suspend]")
    assert decision.get_attribute("data-status") == "approved"
    assert "第1批" in decision.inner_text()

    # Three months pass (the suspension took effect then); the person comes to the counter.
    PaymentDecision.objects.filter(pensioner=suspended, kind=DecisionKind.SUSPEND).update(
        effective_month=first_of_month(timezone.localdate() - timedelta(days=80))
    )
    counter = new_page()
    log_in(counter, "t_street", TEST_PASSWORD)
    counter.goto(f"{live_server.url}/certification/counter/")
    counter.fill("#id_id_number", suspended.id_number)
    counter.click("[data-testid=counter-lookup] button")
    counter.wait_for_selector("[data-testid=person-summary]")
    counter.check("input[name=id_document][value=id_card]")
    counter.check("input[name=method][value=face]")
    counter.click("[data-testid=record-form] button[type=submit]")
    counter.wait_for_selector("[data-testid=receipt]")
    assert status_of(suspended) == PaymentStatus.SUSPENDED  # until the resumption is approved

    # Street staff put the waiting resumption in a batch; the second supervisor approves it.
    counter.goto(f"{live_server.url}/certification/payments/resumptions/")
    counter.wait_for_selector("[data-testid=resumption-row]")
    counter.click("[data-testid=resumption-propose-button]")
    counter.wait_for_selector("[data-testid=batch-status]")
    second.goto(counter.url)
    second.click("[data-testid=approve-button]")
    second.wait_for_selector("[data-testid=payment-file]")
    assert status_of(suspended) == PaymentStatus.ACTIVE

    # The back pay on the card: every suspended month, listed, with the amount.
    second.goto(f"{live_server.url}/pensioners/{suspended.pk}/")
    back_pay = second.locator(
        "[data-testid=payment-decision][data-kind=resume] [data-testid=back-pay]"
    ).inner_text()
    resumption = PaymentDecision.objects.get(pensioner=suspended, kind=DecisionKind.RESUME)
    assert resumption.back_pay_months >= 3
    assert f"¥{resumption.back_pay_amount}" in back_pay
    assert resumption.back_pay_amount == 2400 * resumption.back_pay_months


def test_a_batch_is_rejected_with_a_reason_and_no_one_is_suspended(
    staff, checker, new_page, log_in, live_server
):
    person = unreachable("上官云", staff)
    maker = new_page()
    log_in(maker, "t_street", TEST_PASSWORD)
    open_candidates(maker, live_server)
    maker.click("[data-testid=propose-button]")
    maker.wait_for_selector("[data-testid=batch-status]")
    second = new_page()
    log_in(second, "t_supervisor2", TEST_PASSWORD)
    second.goto(maker.url)
    second.click("[data-testid=reject-button]")  # no reason yet: refused with a message
    second.wait_for_load_state()
    assert second.locator(".alert-danger").is_visible()
    second.fill("[data-field=reason] input", "名单需社区复核")
    second.click("[data-testid=reject-button]")
    second.wait_for_load_state()
    assert second.locator("[data-testid=batch-status]").inner_text() == "已驳回"
    assert status_of(person) == PaymentStatus.ACTIVE
    # Back on the candidate list, the person can be proposed again.
    open_candidates(second, live_server)
    assert second.locator("[data-testid=eligible-count]").inner_text() == "1"


def test_an_imprisonment_stop_is_entered_on_the_card_and_approved(
    staff, checker, new_page, log_in, live_server
):
    person = make_pensioner(name="服刑人", certified_on=timezone.localdate() - timedelta(days=30))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    page.click("a:has-text('停发待遇(服刑)')")
    page.fill("#id_reference", "(2026)渝0103刑初123号")
    page.fill("#id_court_date", (timezone.localdate() - timedelta(days=5)).isoformat())
    page.click("[data-testid=stop-submit]")
    page.wait_for_selector("[data-testid=batch-status]")
    second = new_page()
    log_in(second, "t_supervisor2", TEST_PASSWORD)
    second.goto(page.url)
    second.click("[data-testid=approve-button]")
    second.wait_for_selector("[data-testid=payment-file]")
    assert status_of(person) == PaymentStatus.STOPPED
    second.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert (
        "(2026)渝0103刑初123号"
        in second.locator("[data-testid=payment-decision][data-kind=stop]").inner_text()
    )


def test_a_deadline_extension_is_proposed_approved_shown_on_the_card_and_revoked(
    staff, checker, new_page, log_in, live_server
):
    person = make_pensioner(name="受灾户", certified_on=timezone.localdate() - timedelta(days=350))
    other = make_pensioner(
        name="没受灾", community="500105001001", certified_on=timezone.localdate() - timedelta(days=350)
    )
    due = CertificationState.objects.get(pensioner=person).next_due_on
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/payments/extensions/")
    page.click("[data-testid=extension-new]")
    page.select_option("#id_area", "500103003")
    page.fill("#id_due_from", (due - timedelta(days=5)).isoformat())
    page.fill("#id_due_until", (due + timedelta(days=5)).isoformat())
    page.fill("#id_days", "30")
    page.fill("#id_reason", "洪水导致街道便民服务中心停办")
    page.click("[data-testid=extension-submit]")
    page.wait_for_selector("[data-testid=extension-status]")
    assert page.locator("[data-testid=maker-notice]").is_visible()
    assert page.locator("[data-testid=extension-people]").inner_text() == "1"

    second = new_page()
    log_in(second, "t_supervisor2", TEST_PASSWORD)
    second.goto(page.url)
    second.click("[data-testid=extension-approve]")
    second.wait_for_load_state()
    assert CertificationState.objects.get(pensioner=person).next_due_on == due + timedelta(days=30)
    assert CertificationState.objects.get(pensioner=other).next_due_on == due
    second.goto(f"{live_server.url}/pensioners/{person.pk}/")
    assert "顺延" in second.locator("[data-testid=deadline-extended]").inner_text()

    page.goto(f"{live_server.url}/certification/payments/extensions/")
    page.click("[data-testid=extension-row] a >> nth=0")
    page.fill("[data-field=reason] input", "洪水已退,恢复原期限")
    page.click("[data-testid=extension-revoke]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=extension-status]").inner_text() == "已撤销"
    assert CertificationState.objects.get(pensioner=person).next_due_on == due


def test_an_extension_is_rejected_by_the_second_supervisor(staff, checker, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/payments/extensions/new/")
    today = timezone.localdate()
    page.fill("#id_due_from", today.isoformat())
    page.fill("#id_due_until", (today - timedelta(days=1)).isoformat())  # backwards: refused on the page
    page.fill("#id_days", "10")
    page.fill("#id_reason", "停电")
    page.click("[data-testid=extension-submit]")
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() >= 1
    page.fill("#id_due_until", (today + timedelta(days=10)).isoformat())
    page.click("[data-testid=extension-submit]")
    page.wait_for_selector("[data-testid=extension-status]")
    second = new_page()
    log_in(second, "t_supervisor2", TEST_PASSWORD)
    second.goto(page.url)
    second.fill("[data-field=reason] input", "范围过大")
    second.click("form:has(input[value=reject]) button[type=submit]")
    second.wait_for_load_state()
    assert second.locator("[data-testid=extension-status]").inner_text() == "已驳回"
