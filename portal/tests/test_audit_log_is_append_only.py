import pytest
from django.db import DatabaseError, transaction

from portal.audit import audit_record
from portal.models import AuditEvent


def test_audit_event_records_actor_action_and_change(staff):
    event = audit_record(
        actor=staff["street"],
        action="pensioner.changed",
        area_code="500103003001",
        before={"phone": "1"},
        after={"phone": "2"},
    )
    event.refresh_from_db()
    assert event.actor_username == "t_street"
    assert event.action == "pensioner.changed"
    assert event.before == {"phone": "1"} and event.after == {"phone": "2"}
    assert event.at is not None


def test_database_refuses_to_update_an_audit_event(staff):
    audit_record(actor=staff["street"], action="pensioner.revealed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(action="something.else")


def test_database_refuses_to_delete_an_audit_event(staff):
    event = audit_record(actor=staff["street"], action="pensioner.revealed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_keeps_the_client_address_of_the_request(client_for, staff):
    client = client_for(staff["supervisor"])
    response = client.get("/audit/?_export=csv", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="audit.exported")
    assert event.client_address == "10.1.2.3"
    assert event.actor == staff["supervisor"]
