"""The audit log is append-only: the database itself refuses UPDATE and DELETE on it."""

from django.db import migrations

FORBID_CHANGES = """
CREATE FUNCTION portal_audit_event_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed on portal_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER portal_audit_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_audit_event_is_append_only();
"""

ALLOW_CHANGES = """
DROP TRIGGER IF EXISTS portal_audit_event_no_update_or_delete ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_audit_event_is_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_staff_and_audit")]

    operations = [migrations.RunSQL(FORBID_CHANGES, ALLOW_CHANGES)]
