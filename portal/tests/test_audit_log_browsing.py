from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_record


def test_supervisor_browses_events_of_their_district_only(client_for, staff):
    audit_record(
        actor=staff["street"], action="pensioner.revealed", area_code="500103003001", note="in district"
    )
    audit_record(
        actor=staff["other_street"], action="pensioner.revealed", area_code="500105001001", note="elsewhere"
    )
    body = client_for(staff["supervisor"]).get(reverse("audit-log")).content.decode()
    assert "in district" in body
    assert "elsewhere" not in body


def test_audit_log_filters_by_user_action_and_date(client_for, staff):
    audit_record(
        actor=staff["street"], action="pensioner.revealed", area_code="500103003001", note="reveal by street"
    )
    audit_record(
        actor=staff["community"], action="certification.recorded", area_code="500103003001", note="record"
    )
    client = client_for(staff["supervisor"])
    by_user = client.get(reverse("audit-log"), {"actor": staff["community"].pk}).content.decode()
    assert "record" in by_user and "reveal by street" not in by_user
    by_action = client.get(reverse("audit-log"), {"action": "pensioner.revealed"}).content.decode()
    assert "reveal by street" in by_action and ">record<" not in by_action
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = client.get(reverse("audit-log"), {"since": tomorrow}).content.decode()
    assert "reveal by street" not in future


def test_street_staff_may_not_browse_the_audit_log(client_for, staff):
    assert client_for(staff["street"]).get(reverse("audit-log")).status_code == 403
