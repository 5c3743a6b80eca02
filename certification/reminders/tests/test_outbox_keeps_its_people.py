"""The outbox's link to the registry is not a database constraint (a city's first plan inserts millions of
messages, and checking each one at commit took a third of it): the portal still never loses a message's
person, and the plan only ever names people who exist."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import ProtectedError

from certification.models import OutboxMessage
from certification.reminders.services import reminders_plan
from pensioners.models import Pensioner
from pensioners.tests.factories import make_pensioner

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def test_a_person_with_messages_cannot_be_deleted(areas):
    person = make_pensioner(certified_on=TODAY - timedelta(days=400))
    reminders_plan()
    assert OutboxMessage.objects.filter(pensioner=person).exists()
    with pytest.raises(ProtectedError):
        person.delete()
    assert Pensioner.objects.filter(pk=person.pk).exists()


def test_every_planned_message_names_a_person_of_the_registry(areas):
    for days in (400, 370, 350, 340, 10):
        make_pensioner(certified_on=TODAY - timedelta(days=days))
    reminders_plan()
    planned = OutboxMessage.objects.values_list("pensioner_id", flat=True)
    assert planned.count() == 4
    assert set(planned) <= set(Pensioner.objects.values_list("pk", flat=True))
