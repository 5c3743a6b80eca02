"""The audit log cannot be rewritten without it showing: a hash chain seals every event, `verify_audit`
recomputes it and names what was edited, deleted or slipped in with an old date. The app's database role
(created here, as `make run` and production do) can add events but cannot truncate the log, disable its
triggers or switch them off for the session. The client address is not taken from a header anyone sends."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from portal.audit import audit_record
from portal.audit_chain import audit_seal, audit_verify
from portal.db_roles import APP_ROLE, ensure_app_role
from portal.middleware import client_address
from portal.models import AuditEvent

LATER = timezone.now() + timedelta(hours=1)  # seal everything written in the test


def events(n=3):
    return [audit_record(actor=None, action="test.event", note=f"n{i}") for i in range(n)]


def superuser_sql(sql, params=None):
    """What an intruder with the database owner's rights could do: triggers off, then change the row."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_an_intact_log_verifies_and_the_command_says_so(capsys):
    events()
    assert audit_seal(now=LATER) == 3
    assert audit_verify().intact
    call_command("verify_audit", "--no-seal")
    assert "problems=0" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_edit_behind_the_triggers_is_found():
    first, second, _third = events()
    audit_seal(now=LATER)
    superuser_sql("UPDATE portal_auditevent SET note = 'nothing happened' WHERE id = %s", [second.pk])
    result = audit_verify()
    assert not result.intact
    assert any(f"event {second.pk}" in problem and "changed" in problem for problem in result.problems)
    assert not any(f"event {first.pk}" in problem for problem in result.problems)
    with pytest.raises(SystemExit):
        call_command("verify_audit", "--no-seal")


@pytest.mark.django_db
def test_a_deleted_event_is_found():
    _first, second, _third = events()
    audit_seal(now=LATER)
    superuser_sql("DELETE FROM portal_auditevent WHERE id = %s", [second.pk])
    assert any(f"event {second.pk}" in problem and "gone" in problem for problem in audit_verify().problems)


@pytest.mark.django_db
def test_a_forged_old_event_is_found():
    events()
    audit_seal(now=LATER)
    forged = AuditEvent.objects.create(action="test.event", note="backdated")
    superuser_sql(
        "UPDATE portal_auditevent SET at = %s WHERE id = %s", [timezone.now() - timedelta(days=30), forged.pk]
    )
    audit_seal(now=LATER)
    assert any(f"event {forged.pk}" in problem and "dated" in problem for problem in audit_verify().problems)


@pytest.mark.django_db(transaction=True)
def test_the_apps_role_can_write_events_but_not_rewrite_or_truncate_the_log():
    ensure_app_role(connection)
    audit_record(actor=None, action="test.event")
    refused = [
        "TRUNCATE portal_auditevent",
        "DELETE FROM portal_auditevent",
        "UPDATE portal_auditevent SET note = 'x'",
        "ALTER TABLE portal_auditevent DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "TRUNCATE portal_auditseal",
    ]
    for statement in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            cursor.execute(statement)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(
            "INSERT INTO portal_auditevent (at, actor_username, action, object_type, object_id, object_repr,"
            " area_code, actor_area_code, note) VALUES (now(), '', 'test.by_app', '', '', '', '', '', '')"
        )
    assert AuditEvent.objects.filter(action="test.by_app").exists()


def test_x_real_ip_is_believed_only_from_a_trusted_proxy(settings):
    request = RequestFactory().get("/", HTTP_X_REAL_IP="10.9.8.7", REMOTE_ADDR="203.0.113.5")
    settings.TRUSTED_PROXY_ADDRESSES = []
    assert client_address(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_ADDRESSES = ["203.0.113.5"]
    assert client_address(request) == "10.9.8.7"
    junk = RequestFactory().get("/", HTTP_X_REAL_IP="<script>", REMOTE_ADDR="203.0.113.5")
    assert client_address(junk) == "203.0.113.5"
