"""Two staff asking for a home visit for the same person at the same moment open one visit, not two."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection

from certification.models import HomeVisit
from certification.visits.services import home_visit_request
from pensioners.tests.factories import make_pensioner


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_open_one_visit(areas, staff):
    """Two real database connections race past the "already waiting?" check at the same time."""
    person = make_pensioner(name="刘奶奶", certified_on=date(2025, 10, 1))
    start = threading.Barrier(2)
    results, errors = [], []

    def request(actor):
        try:
            start.wait()
            results.append(
                home_visit_request(pensioner=person, actor=actor, requested_via="hotline", reason="age")
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(staff[role],)) for role in ("street", "community")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert HomeVisit.objects.filter(pensioner=person).count() == 1
    assert sorted(created for _visit, created in results) == [False, True]
    assert {visit.pk for visit, _created in results} == {HomeVisit.objects.get().pk}


def test_the_database_refuses_a_second_open_visit_for_one_person(areas, staff):
    person = make_pensioner()
    home_visit_request(pensioner=person, actor=staff["street"], requested_via="hotline", reason="age")
    with pytest.raises(IntegrityError):
        HomeVisit.objects.create(
            pensioner=person,
            area_code=person.community_id,
            requested_via="family",
            reason="age",
            requested_by=staff["street"],
        )


def test_a_closed_visit_does_not_stop_a_new_request(areas, staff):
    person = make_pensioner()
    first, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
    )
    HomeVisit.objects.filter(pk=first.pk).update(status="cancelled")
    second, created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="hotline", reason="age"
    )
    assert created and second.pk != first.pk
