"""Issue 16 in a real browser and over real HTTP: the city administrator registers a channel client through
the rendered form and copies the token shown once; the "app" posts with it; a street clerk on a phone
works the review queue of certifications from abroad (accept one, reject one with a reason) and sees the
effect on the card; the token is rotated and revoked from the screen, and the old one stops working."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.api.models import ChannelClient, ChannelRecord, ReviewStatus
from certification.models import Certification
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

PHONE = {"width": 390, "height": 844}


def post_records(live_server, token: str, records: list[dict]) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/certifications",
        data=json.dumps({"records": records}, ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def abroad(person, reference, days_ago=3):
    return {
        "reference": reference,
        "id_number": person.id_number,
        "name": person.name,
        "channel": "abroad_app",
        "certified_on": (timezone.localdate() - timedelta(days=days_ago)).isoformat(),
        "evidence": {"country": "加拿大", "city": "温哥华"},
    }


def deadline_of(person):
    return CertificationState.objects.get(pensioner=person).next_due_on


def test_a_client_is_registered_reports_from_abroad_and_a_clerk_reviews_on_a_phone(
    staff, new_page, log_in, live_server
):
    today = timezone.localdate()
    accepted_person = make_pensioner(name="欧阳海外", certified_on=today - timedelta(days=400))
    rejected_person = make_pensioner(name="司马海外", certified_on=today - timedelta(days=400))
    at_home = make_pensioner(name="上官本地", certified_on=today - timedelta(days=350))
    rejected_deadline = deadline_of(rejected_person)

    # The city administrator registers the consular gateway through the rendered form.
    admin = new_page()
    log_in(admin, "t_admin", TEST_PASSWORD)
    admin.goto(f"{live_server.url}/")
    admin.click(".nav-link.dropdown-toggle:has-text('审核监督')")
    admin.click("a.dropdown-item:has-text('渠道接口客户端')")
    admin.click("[data-testid=client-new]")
    admin.fill("#id_name", "中国领事App网关")
    admin.check("input[name=channels][value=abroad_app]")
    admin.check("input[name=channels][value=app_self]")
    admin.check("#id_may_read_status")
    # A double click registers once and still shows the token.
    admin.dblclick("[data-testid=client-create]")
    admin.wait_for_selector("[data-testid=client-state]")
    token = admin.locator("[data-testid=token-value]").inner_text().strip()
    assert token.startswith("pcc_")
    assert admin.locator("[data-testid=client-state]").inner_text() == "使用中"
    # Shown once: a reload shows it no more.
    assert ChannelClient.objects.count() == 1
    admin.reload()
    assert admin.locator("[data-testid=token-value]").count() == 0

    # The gateway reports: two from abroad wait for review; one at home is certified at once.
    status, body = post_records(
        live_server,
        token,
        [
            abroad(accepted_person, "LS-1"),
            abroad(rejected_person, "LS-2"),
            {
                "reference": "APP-1",
                "id_number": at_home.id_number,
                "name": at_home.name,
                "channel": "app_self",
                "certified_on": today.isoformat(),
            },
        ],
    )
    assert status == 200
    assert [r["status"] for r in body["results"]] == ["pending_review", "pending_review", "accepted"]
    assert deadline_of(at_home) == today + timedelta(days=365)

    # The client's page lists what it sent.
    admin.reload()
    assert admin.locator("[data-testid=record-row]").count() == 3

    # A street clerk, on a phone: the dashboard says two wait; the queue opens them.
    clerk = new_page(viewport=PHONE)
    log_in(clerk, "t_street", TEST_PASSWORD)
    clerk.goto(f"{live_server.url}/")
    clerk.click("a:has-text('境外认证待审核')")
    clerk.wait_for_selector("[data-testid=review-row]")
    assert clerk.locator("[data-testid=review-row]").count() == 2
    clerk.locator("[data-testid=review-row]", has_text="欧阳海外").locator(
        "[data-testid=review-open]"
    ).click()
    assert clerk.locator("[data-testid=review-date]").inner_text() == (today - timedelta(days=3)).isoformat()
    clerk.click("[data-testid=review-accept]")
    clerk.wait_for_selector(".alert-success")
    assert "审核通过" in clerk.locator(".alert-success").inner_text()
    assert clerk.locator("[data-testid=review-row]").count() == 1

    # The other one is rejected, with the reason typed into the rendered form (an empty reason is refused).
    clerk.locator("[data-testid=review-row]", has_text="司马海外").locator(
        "[data-testid=review-open]"
    ).click()
    clerk.click("[data-testid=review-reject]")
    assert clerk.locator(".invalid-feedback, .errorlist, .text-danger").first.is_visible()
    clerk.fill("#id_reason", "视频中不是本人")
    clerk.click("[data-testid=review-reject]")
    clerk.wait_for_selector(".alert-success")
    assert clerk.locator("[data-testid=review-row]").count() == 0
    # The filter shows the rejected one, with who rejected it.
    clerk.select_option("select[name=review_status]", "rejected")
    clerk.locator("form:has(select[name=review_status]) button[type=submit]").first.click()
    clerk.wait_for_selector("[data-testid=review-row]")
    assert "司马海外" in clerk.locator("[data-testid=review-row]").inner_text()

    # The effects, on the cards: the accepted one is certified on the date from abroad; the other is not.
    clerk.goto(f"{live_server.url}/pensioners/{accepted_person.pk}/")
    certification = Certification.objects.get(pensioner=accepted_person)
    assert certification.channel == "abroad_app" and certification.recorded_by.username == "t_street"
    assert certification.receipt_number in clerk.content()
    assert deadline_of(accepted_person) == today - timedelta(days=3) + timedelta(days=365)
    assert deadline_of(rejected_person) == rejected_deadline
    assert not Certification.objects.filter(pensioner=rejected_person).exists()
    assert ChannelRecord.objects.get(reference="LS-2").review_status == ReviewStatus.REJECTED

    # Its rights are edited on the rendered form: no more 本人认; the API then refuses that channel.
    admin.uncheck("input[name=channels][value=app_self]")
    admin.click("[data-testid=client-save]")
    admin.wait_for_selector(".alert-success")
    assert admin.locator("input[name=channels][value=app_self]").is_checked() is False
    status, body = post_records(
        live_server,
        token,
        [
            {
                "reference": "APP-2",
                "id_number": at_home.id_number,
                "name": at_home.name,
                "channel": "app_self",
                "certified_on": today.isoformat(),
            }
        ],
    )
    assert status == 403 and body["results"][0]["reason"]["code"] == "channel_forbidden"

    # Rotation from the screen: the old token stops at once, the new one (shown once) works.
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("[data-testid=client-rotate]")
    new_token = admin.locator("[data-testid=token-value]").inner_text().strip()
    assert new_token != token
    assert post_records(live_server, token, [abroad(accepted_person, "LS-3")])[0] == 401
    assert post_records(live_server, new_token, [abroad(accepted_person, "LS-3")])[0] == 200

    # Revocation needs a reason, then every call gets 401.
    admin.fill("[data-field=reason] input, #id_reason", "网关下线")
    admin.click("[data-testid=client-revoke]")
    admin.wait_for_selector(".alert-success")
    assert admin.locator("[data-testid=client-state]").inner_text() == "令牌已吊销"
    status, body = post_records(live_server, new_token, [abroad(accepted_person, "LS-4")])
    assert status == 401 and body["code"] == "unauthorized"


def test_the_api_documentation_page_renders_from_the_portals_own_files(new_page, live_server):
    page = new_page()
    blocked = []
    page.on("requestfailed", lambda request: blocked.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/certifications").first.wait_for()
    assert not [url for url in blocked if not url.startswith(live_server.url)]
