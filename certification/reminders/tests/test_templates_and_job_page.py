from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from certification.models import JobRun, MessageTemplate
from portal.models import AuditEvent


def test_the_city_administrator_edits_a_template_and_placeholders_are_checked(client_for, staff):
    client = client_for(staff["admin"])
    bad = client.post(
        reverse("message-template-edit", args=["first_reminder"]),
        {"text": "{signature}{name}请点击 www.x.cn"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "链接" in body and "{deadline}" in body
    assert "www.x.cn" in body  # what was typed is kept
    assert not MessageTemplate.objects.exists()
    good = client.post(
        reverse("message-template-edit", args=["first_reminder"]),
        {"text": "{signature}{name},您好,请于{deadline}前办理认证。"},
    )
    assert good.status_code == 302
    assert MessageTemplate.objects.get(key="first_reminder").updated_by == staff["admin"]
    assert AuditEvent.objects.filter(action="message_template.changed").exists()


def test_a_text_longer_than_one_sms_is_flagged(client_for, staff):
    client = client_for(staff["admin"])
    long_text = "{signature}{name},您好," + "请于{deadline}前办理认证。" * 6
    response = client.post(
        reverse("message-template-edit", args=["first_reminder"]), {"text": long_text}, follow=True
    )
    assert "条短信" in response.content.decode()


def test_street_staff_cannot_edit_templates(client_for, staff):
    assert client_for(staff["street"]).get(reverse("message-templates")).status_code == 403


def test_the_job_page_lists_runs_and_warns_when_planning_is_stale(client_for, staff):
    client = client_for(staff["supervisor"])
    assert 'data-testid="plan-stale"' in client.get(reverse("reminder-jobs")).content.decode()
    JobRun.objects.create(kind="plan", moment=timezone.now(), counts={"first_reminder": 3})
    body = client.get(reverse("reminder-jobs")).content.decode()
    assert 'data-testid="plan-stale"' not in body
    assert "计划:首次提醒: <strong>3</strong>" in body
    JobRun.objects.update(started_at=timezone.now() - timedelta(hours=27))
    assert 'data-testid="plan-stale"' in client.get(reverse("reminder-jobs")).content.decode()
