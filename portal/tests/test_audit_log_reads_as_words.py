"""The audit log in Chinese: labels for actions and stored codes, staff as "real name (login)", before and
after as labelled fields, an action filter of known actions and a filter by person."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.queues.services import contact_attempt_record, queue_assign
from certification.tests.helpers import record_counter
from pensioners.tests.factories import make_pensioner
from portal.audit import action_label, audit_record
from portal.models import AuditEvent
from portal.scoping import Scope

RAW_CODE = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")  # pensioner.revealed, next_due_on, not_reachable


def table_text(html: str) -> str:
    table = html[html.index("<table") : html.index("</table>")]
    return re.sub(r"<[^>]+>", " ", table)


@pytest.fixture
def a_working_day(areas, staff):
    """Real work through the services: a certification, a call, an assignment, an edit, a reveal."""
    wang = make_pensioner(name="王建国", certified_on=date(2025, 10, 1))
    li = make_pensioner(name="李秀英", certified_on=timezone.localdate() - timedelta(days=400))
    record_counter(wang, staff["street"], timezone.localdate())
    contact_attempt_record(pensioner=li, actor=staff["street"], kind="phone_call", outcome="not_reachable")
    queue_assign(
        actor=staff["street"],
        scope=Scope(staff["street"]),
        pensioner_ids=[li.pk],
        assignee=staff["community"],
    )
    audit_record(actor=staff["street"], action="pensioner.revealed", target=wang, note="核对身份证原件")
    audit_record(actor=None, action="something.brand_new", area_code="500103003001", note="未登记的操作")
    return {"wang": wang, "li": li}


def test_the_log_shows_no_raw_code_or_json_to_a_chinese_reader(a_working_day, client_for, staff):
    body = client_for(staff["supervisor"]).get(reverse("audit-log")).content.decode()
    text = table_text(body)
    for label in ("登记认证", "登记联系记录", "分派人员", "查看完整身份证号"):
        assert label in text, label
    assert "认证截止日:" in text and "认证方式:" in text and "线下现场认证" in text
    assert "{" not in text and '":' not in text
    logins = {user.username for user in staff.values()}
    raw = set(RAW_CODE.findall(text)) - logins - {"something.brand_new"}  # unknown: shown as it is
    assert not raw, raw


def test_staff_read_as_real_name_and_login_in_the_table_and_the_filter(a_working_day, client_for, staff):
    body = client_for(staff["supervisor"]).get(reverse("audit-log")).content.decode()
    street = staff["street"]
    expected = f"{street.full_name} ({street.username})"
    assert expected in table_text(body)
    assert f">{expected}</option>" in body
    assert "系统自动" in table_text(body)  # the event with no actor


def test_the_action_filter_is_a_list_of_known_actions(a_working_day, client_for, staff):
    client = client_for(staff["supervisor"])
    body = client.get(reverse("audit-log")).content.decode()
    assert '<select name="action"' in body
    assert '<option value="certification.recorded">登记认证</option>' in body
    only = client.get(reverse("audit-log"), {"action": "contact.recorded"})
    assert [event.action for event in only.context["table"].data] == ["contact.recorded"]
    assert client.get(reverse("audit-log"), {"action": "no.such.action"}).status_code == 200


def test_an_unknown_action_code_falls_back_to_the_code():
    assert action_label("something.brand_new") == "something.brand_new"


def test_filtering_by_exact_id_number_shows_that_person_and_is_audited(a_working_day, client_for, staff):
    li = a_working_day["li"]
    client = client_for(staff["supervisor"])
    response = client.get(reverse("audit-log"), {"person": li.id_number})
    actions = {event.action for event in response.context["table"].data}
    # The look-up itself is part of the person's history.
    assert actions == {"contact.recorded", "queue.assigned", "audit.person_searched"}
    assert 'data-testid="audit-person"' in response.content.decode()
    looked_up = AuditEvent.objects.get(action="audit.person_searched")
    assert looked_up.actor == staff["supervisor"] and looked_up.object_id == str(li.pk)


def test_filtering_by_record_number_works_too(a_working_day, client_for, staff):
    wang = a_working_day["wang"]
    response = client_for(staff["supervisor"]).get(reverse("audit-log"), {"person": str(wang.pk)})
    actions = {event.action for event in response.context["table"].data}
    assert actions == {"certification.recorded", "pensioner.revealed", "audit.person_searched"}


@pytest.mark.parametrize("typed", ["1234", "5001031950", "王建国", "' OR 1=1 --", "9" * 300])
def test_a_partial_id_number_or_a_name_finds_nobody(a_working_day, client_for, staff, typed):
    response = client_for(staff["supervisor"]).get(reverse("audit-log"), {"person": typed})
    assert response.status_code == 200
    assert list(response.context["table"].data) == []


def test_a_person_outside_the_area_is_not_found(areas, client_for, staff):
    elsewhere = make_pensioner(name="江北人", community="500105001001")
    audit_record(actor=staff["other_street"], action="pensioner.viewed", target=elsewhere)
    response = client_for(staff["supervisor"]).get(reverse("audit-log"), {"person": elsewhere.id_number})
    assert list(response.context["table"].data) == []
    assert not AuditEvent.objects.filter(action="audit.person_searched").exists()


def test_the_export_reads_as_words_too(a_working_day, client_for, staff):
    response = client_for(staff["supervisor"]).get(reverse("audit-log"), {"_export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "登记认证" in text and "certification.recorded" not in text
    assert "{" not in text
