"""City-wide SMS templates: the city administrator edits them; district supervisors read them only."""

from django.urls import reverse

from certification.models import MessageTemplate
from portal.models import AuditEvent

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
