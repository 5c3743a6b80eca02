"""City-wide SMS templates: the city administrator edits them; district supervisors read them only."""

import pytest
from django.urls import reverse

from certification.models import MessageTemplate
from certification.reminders.services import may_edit_city_templates, message_template_save
from portal.errors import Refused
from portal.models import AuditEvent
from portal.roles import Role
from portal.scoping import scope_for

GOOD_TEXT = "{signature}{name},您好,请于{deadline}前办理认证。"


def test_a_district_supervisor_sees_the_templates_without_an_edit_button(client_for, staff):
    response = client_for(staff["supervisor"]).get(reverse("message-templates"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="template-first_reminder"' in body
    assert reverse("message-template-edit", args=["first_reminder"]) not in body
    assert 'data-testid="templates-read-only"' in body
    assert "只有市级管理员可以修改" in body


def test_a_district_supervisor_cannot_open_or_post_the_edit_form(client_for, staff):
    client = client_for(staff["supervisor"])
    url = reverse("message-template-edit", args=["first_reminder"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": GOOD_TEXT}).status_code == 403
    assert not MessageTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="message_template.changed").exists()


def test_the_city_administrator_sees_edit_buttons_and_saves(client_for, staff):
    client = client_for(staff["admin"])
    body = client.get(reverse("message-templates")).content.decode()
    assert reverse("message-template-edit", args=["first_reminder"]) in body
    assert 'data-testid="templates-read-only"' not in body
    response = client.post(reverse("message-template-edit", args=["first_reminder"]), {"text": GOOD_TEXT})
    assert response.status_code == 302
    assert MessageTemplate.objects.get(key="first_reminder").text == GOOD_TEXT


def test_street_staff_see_no_templates_at_all(client_for, staff):
    assert client_for(staff["street"]).get(reverse("message-templates")).status_code == 403


def test_a_supervisors_post_is_refused_with_the_reason_and_on_the_record(client_for, staff):
    client = client_for(staff["supervisor"])
    url = reverse("message-template-edit", args=["overdue_notice"])
    response = client.post(url, {"text": GOOD_TEXT})
    assert response.status_code == 403
    assert "只有市级管理员可以修改" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    refusal = AuditEvent.objects.get(action="message_template.edit_refused")
    assert refusal.actor == staff["supervisor"] and refusal.note == "overdue_notice"
    assert refusal.actor_area_code == "500103"


def test_opening_the_form_is_refused_but_not_logged_as_an_attempt(client_for, staff):
    client = client_for(staff["other_supervisor"])
    response = client.get(reverse("message-template-edit", args=["first_reminder"]))
    assert response.status_code == 403
    assert "只有市级管理员可以修改" in response.content.decode()
    assert not AuditEvent.objects.filter(action="message_template.edit_refused").exists()


def test_the_refusal_reads_in_english_for_english_users(client_for, staff, settings):
    client = client_for(staff["supervisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("message-template-edit", args=["first_reminder"]), {"text": GOOD_TEXT})
    assert response.status_code == 403
    assert "only the city administrator can change them" in response.content.decode()


def test_the_save_service_refuses_anyone_whose_scope_is_not_the_city(staff):
    for who in ("supervisor", "street", "visit"):
        with pytest.raises(Refused):
            message_template_save(actor=staff[who], key="first_reminder", text=GOOD_TEXT)
    assert not MessageTemplate.objects.exists()


def test_a_city_administrator_without_an_area_may_not_edit(client_for, make_staff):
    adrift = make_staff(Role.CITY_ADMIN, "500103", username="t_admin_adrift")  # wrong level: no scope
    assert not may_edit_city_templates(scope_for(adrift))
    with pytest.raises(Refused):
        message_template_save(actor=adrift, key="first_reminder", text=GOOD_TEXT)


def test_the_city_administrators_disguised_link_is_refused_on_the_form(client_for, staff):
    client = client_for(staff["admin"])
    url = reverse("message-template-edit", args=["first_reminder"])
    response = client.post(url, {"text": "{signature}{name},您好,请登录cq12333。top于{deadline}前认证。"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "短信不得包含链接或网址" in body and "cq12333.top" in body
    assert not MessageTemplate.objects.exists()
    for text, words in [
        ("{signature}{name},加微信cqrs2024,于{deadline}前认证。", "微信cqrs2024"),
        ("{signature}{name},请致电023-6389 1234,于{deadline}前认证。", "023-6389 1234"),
    ]:
        body = client.post(url, {"text": text}).content.decode()
        assert words in body
    assert not MessageTemplate.objects.exists()
    assert client.post(url, {"text": GOOD_TEXT.replace("。", ",咨询请拨打12333。")}).status_code == 302


def test_a_text_longer_than_an_sms_template_may_be_is_refused_on_the_form(client_for, staff):
    url = reverse("message-template-edit", args=["first_reminder"])
    response = client_for(staff["admin"]).post(url, {"text": "您好" * 400})
    assert response.status_code == 400 and response.context["form"].errors["text"]
    assert not MessageTemplate.objects.filter(key="first_reminder").exists()
