"""The database role the portal runs as, and what it may do to the audit log.

The app's role may read and add audit events and seals, and nothing else on those two tables: no UPDATE,
DELETE or TRUNCATE (privileges), no disabling of their triggers (only the table owner may ALTER TABLE), no
`session_replication_role` (superuser only). It needs no more than that on any table: a role that owns
the tables (the migrating role) runs migrations and is never the one the web server or workers use.

`ensure_app_role` is idempotent; `manage.py ensure_app_role` runs it (after `migrate`, as the owner), and
the tests run it too.
"""

from __future__ import annotations

APP_ROLE = "portal_app"
AUDIT_TABLES = ("portal_auditevent", "portal_auditseal")


def ensure_app_role(connection, role: str = APP_ROLE) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION')
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        cursor.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        for table in AUDIT_TABLES:
            cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM "{role}"')
