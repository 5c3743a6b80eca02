"""`make run` starts the web server and workers as portal_app (scripts/run_all.sh), the role that may add
audit events but never rewrite them. Every kind of daily write must work under that role: the imports
(temporary tables, COPY, set-based SQL), recording, queue work, decisions, reminders, reports, sealing."""

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from certification.comparison.importer import comparison_import
from certification.decisions.services import death_case_open
from certification.queues.services import contact_attempt_record
from certification.reminders.services import reminders_dispatch, reminders_plan
from certification.reports.queries import report_snapshot_refresh
from certification.tests.helpers import record_counter
from pensioners.models import Area, AreaLevel, Pensioner
from pensioners.roster_import import _loaded_tables, _owns, roster_import
from portal.audit_chain import audit_seal
from portal.db_roles import APP_ROLE, ensure_app_role
from portal.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def as_the_app(areas):
    ensure_app_role(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_a_days_work_runs_as_the_apps_role(staff, as_the_app, settings):
    settings.SMS_BACKEND = "console"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == APP_ROLE
        roster = roster_import(path=ROOT / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv")
        assert roster.created == 5
        feed = comparison_import(
            path=ROOT / "certification" / "tests" / "data" / "comparison-sample-utf8bom.csv"
        )
        assert feed.certified == 1
        person = Pensioner.objects.get(name="何国强")
        record_counter(person, staff["street"], date(2026, 11, 27))
        contact_attempt_record(pensioner=Pensioner.objects.get(name="罗淑华"), actor=staff["street"],
                               kind="phone_call", outcome="not_reachable")  # fmt: skip
        death_case_open(pensioner=person, origin="contact", actor=staff["street"])
        reminders_plan()
        reminders_dispatch()
        report_snapshot_refresh(area=Area.objects.get(level=AreaLevel.CITY))
        assert audit_seal() >= 0
        assert AuditEvent.objects.filter(action="roster.imported").exists()


def test_the_apps_role_keeps_the_indexes_on_a_first_bulk_load(as_the_app):
    """Dropping and rebuilding indexes needs the owner; as the app, a first big load keeps them."""
    with connection.cursor() as cursor:
        assert _owns(cursor, _loaded_tables()) is False


@pytest.mark.django_db
def test_the_owner_still_rebuilds_indexes_on_a_first_bulk_load():
    with connection.cursor() as cursor:
        assert _owns(cursor, _loaded_tables()) is True
