"""City-wide SMS templates in Chromium: a district supervisor reads them with no way to edit; the city
administrator edits one through the rendered form, a disguised link is refused on the form, a clean text
saves and shows on the list."""

import pytest

from certification.models import MessageTemplate
from portal.models import AuditEvent
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

TEMPLATES = "/certification/messages/templates/"


def test_a_supervisor_reads_the_city_texts_and_the_administrator_edits_them(
    staff, new_page, log_in, live_server
):
    supervisor = new_page()
    log_in(supervisor, "t_supervisor", TEST_PASSWORD)
    supervisor.goto(f"{live_server.url}{TEMPLATES}")
    card = supervisor.locator("[data-testid=template-overdue_notice]")
    assert card.is_visible()
    assert supervisor.locator("[data-testid=templates-read-only]").is_visible()
    assert "只有市级管理员可以修改" in supervisor.locator("[data-testid=templates-read-only]").inner_text()
    assert supervisor.locator("a[href*='/messages/templates/']:has-text('修改')").count() == 0
    assert supervisor.locator("main form textarea, form textarea[name=text]").count() == 0

    admin = new_page()
    log_in(admin, "t_admin", TEST_PASSWORD)
    admin.goto(f"{live_server.url}{TEMPLATES}")
    admin.click("[data-testid=template-overdue_notice] a:has-text('修改')")
    admin.wait_for_selector("textarea[name=text]")

    disguised = "{signature}{name},您好,您的认证期已于{deadline}到期,请登录cq12333。top办理。"
    admin.fill("textarea[name=text]", disguised)
    admin.click("form.card button[type=submit]")
    admin.wait_for_load_state()
    form = admin.locator("form.card").inner_text()
    assert "短信不得包含链接或网址" in form and "cq12333.top" in form
    assert admin.locator("textarea[name=text]").input_value() == disguised  # what was typed is kept
    assert not MessageTemplate.objects.exists()

    clean = "{signature}{name},您好,您的认证期已于{deadline}到期,请到就近社保所办理,咨询请拨打12333。"
    admin.fill("textarea[name=text]", clean)
    admin.click("form.card button[type=submit]")
    admin.wait_for_url(f"**{TEMPLATES}")
    assert clean in admin.locator("[data-testid=template-overdue_notice]").inner_text()
    assert MessageTemplate.objects.get(key="overdue_notice").updated_by == staff["admin"]

    # The supervisor's page shows the new text, still without an edit button.
    supervisor.reload()
    assert clean in supervisor.locator("[data-testid=template-overdue_notice]").inner_text()
    assert supervisor.locator("[data-testid=template-overdue_notice] a").count() == 0
    assert not AuditEvent.objects.filter(action="message_template.edit_refused").exists()
