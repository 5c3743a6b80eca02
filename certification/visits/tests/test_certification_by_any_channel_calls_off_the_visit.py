"""Certified by any channel: the person's open home visit is called off, with the reason on the lists."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from certification.comparison.importer import comparison_import
from certification.models import Certification, Channel, VisitTeam
from certification.recording.services import certification_record, certification_record_external
from certification.tests.helpers import PDF, record_counter, scan
from certification.visits.services import (
    certified_elsewhere_note,
    home_visit_close,
    home_visit_request,
    home_visit_schedule,
)
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent

TODAY = date(2026, 11, 30)
HEADER = "id_number,name,signal,source,evidence_date,reference"


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "console"
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        yield


@pytest.fixture
def team(areas, staff):
    team = VisitTeam.objects.create(name="解放碑一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    return team


@pytest.fixture
def person(areas):
    return make_pensioner(
        name="刘奶奶", male=False, certified_on=date(2025, 10, 1), address="民生路8号", born=date(1940, 3, 5)
    )


@pytest.fixture
def visit(person, staff, team):
    visit, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="illness"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=date(2026, 12, 2), actor=staff["street"])
    return visit


def note_for(channel: str, day: date) -> str:
    return certified_elsewhere_note(channel_label=str(Channel(channel).label), certified_on=day)


def assert_called_off(visit, channel: str, day: date):
    visit.refresh_from_db()
    certification = Certification.objects.filter(pensioner_id=visit.pensioner_id, channel=channel).get()
    assert visit.status == "cancelled"
    assert visit.outcome_note == note_for(channel, day)
    assert visit.certification_id == certification.pk
    assert visit.closed_at is not None
    event = AuditEvent.objects.get(action="home_visit.cancelled", object_id=str(visit.pk))
    assert event.note == visit.outcome_note


def test_a_counter_certification_calls_off_the_scheduled_visit(visit, person, staff):
    record_counter(person, staff["street"], TODAY)
    assert_called_off(visit, "counter", TODAY)
    assert "2026-11-30" in visit.outcome_note


def test_a_consular_form_calls_off_the_visit(visit, person, staff):
    certification_record(
        pensioner=person,
        channel=Channel.CONSULAR_PAPER,
        certified_on=date(2026, 11, 20),
        actor=staff["street"],
        evidence={
            "form_serial": "CSL-1",
            "body_kind": "embassy",
            "issuing_body": "驻多伦多总领事馆",
            "country": "加拿大",
            "received_on": "2026-11-28",
            "proxy": False,
        },
        reference="CSL-1",
        files=[scan(PDF)],
    )
    assert_called_off(visit, "consular_paper", date(2026, 11, 20))


def test_a_rejected_consular_form_leaves_the_visit_open(visit, person, staff):
    certification_record(
        pensioner=person,
        channel=Channel.CONSULAR_PAPER,
        certified_on=date(2026, 11, 20),
        actor=staff["street"],
        evidence={
            "form_serial": "CSL-2",
            "body_kind": "embassy",
            "issuing_body": "驻多伦多总领事馆",
            "country": "加拿大",
            "received_on": "2026-11-28",
            "proxy": False,
        },
        outcome="failed",
        reference="CSL-2",
        files=[scan(PDF)],
    )
    visit.refresh_from_db()
    assert visit.status == "scheduled"


def test_a_channel_feed_record_calls_off_the_visit(visit, person):
    certification_record_external(
        pensioner=person,
        channel=Channel.APP_SELF,
        certified_on=date(2026, 11, 29),
        reference="APP-77",
        evidence={},
    )
    assert_called_off(visit, "app_self", date(2026, 11, 29))
    assert visit.closed_by is None


def test_a_home_visit_recorded_from_the_card_calls_off_the_other_open_visit(visit, person, staff):
    certification_record(
        pensioner=person,
        channel=Channel.HOME_VISIT,
        certified_on=TODAY,
        actor=staff["street"],
        evidence={
            "visit_request": None,
            "address_visited": "民生路8号",
            "visitors": [{"id": staff["street"].pk, "name": "x"}],
            "signer": "本人",
            "reason": "illness",
        },
        files=[scan(PDF)],
    )
    assert_called_off(visit, "home_visit", TODAY)


def test_the_visit_that_certified_is_closed_as_visited_not_cancelled(visit, person, staff):
    certification = certification_record(
        pensioner=person,
        channel=Channel.HOME_VISIT,
        certified_on=TODAY,
        actor=staff["visit"],
        evidence={
            "visit_request": visit.pk,
            "address_visited": "民生路8号",
            "visitors": [{"id": staff["visit"].pk, "name": "x"}],
            "signer": "本人",
            "reason": "illness",
        },
        files=[scan(PDF)],
    )
    visit.refresh_from_db()
    assert visit.status == "scheduled"  # still open for its own closing, in the same transaction
    home_visit_close(visit=visit, actor=staff["visit"], outcome="certified", certification=certification)
    visit.refresh_from_db()
    assert (visit.status, visit.outcome) == ("visited", "certified")


def test_the_data_comparison_import_calls_off_the_visit(visit, person, staff, tmp_path):
    other = make_pensioner(name="陈大爷", certified_on=date(2025, 10, 1), born=date(1941, 6, 7))
    untouched, _created = home_visit_request(
        pensioner=other, actor=staff["street"], requested_via="family", reason="age"
    )
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "\n".join([HEADER, f"{person.id_number},刘奶奶,alive,civil_affairs,2026-11-25,R-9"]) + "\n",
        encoding="utf-8",
    )
    summary = comparison_import(path=feed)
    assert summary.certified == 1
    assert_called_off(visit, "data_match", date(2026, 11, 25))
    untouched.refresh_from_db()
    assert untouched.status == "requested"


def test_the_reason_shows_on_the_visitors_list_and_the_planning_list(visit, person, staff, client):
    record_counter(person, staff["street"], TODAY)
    note = note_for("counter", TODAY)
    client.force_login(staff["visit"])
    mine = client.get(reverse("my-visits") + "?date=2026-12-02")
    assert note in mine.content.decode()
    client.force_login(staff["street"])
    planning = client.get(reverse("home-visits") + "?status=cancelled")
    assert "刘奶奶" in planning.content.decode() and note in planning.content.decode()
    sheet = client.get(reverse("visit-sheet") + "?date=2026-12-02")
    assert note in sheet.content.decode()
