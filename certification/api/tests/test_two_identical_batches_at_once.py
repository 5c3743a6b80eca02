"""Idempotency under concurrency: the same batch posted twice at the same moment (a client retrying on a
timeout) records each reference once, answers it `accepted` once and `duplicate` once, and deadlocks on
nothing, even when the second copy lists the records in the opposite order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from certification.api.models import ChannelRecord
from certification.models import Certification, MessageStage, OutboxMessage
from pensioners.tests.factories import make_pensioner

pytestmark = pytest.mark.django_db(transaction=True)


def _batch(people):
    today = timezone.localdate()
    return [
        {
            "reference": f"SAME-{n}",
            "id_number": person.id_number,
            "name": person.name,
            "channel": "app_self",
            "certified_on": (today - timedelta(days=n % 3)).isoformat(),
        }
        for n, person in enumerate(people)
    ]


@pytest.mark.parametrize("reverse_second", [False, True])
def test_two_identical_batches_at_once_record_each_reference_once(make_client, areas, reverse_second):
    people = [make_pensioner(name=f"并发{n}") for n in range(40)]
    _client, app = make_client()
    batch = _batch(people)
    answers: list = [None, None]
    start = threading.Barrier(2)

    def post(slot, records):
        try:
            start.wait()
            answers[slot] = app.post(records)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(0, batch)),
        threading.Thread(target=post, args=(1, list(reversed(batch)) if reverse_second else batch)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [answer.status_code for answer in answers] == [200, 200]
    by_reference: dict[str, list[str]] = {}
    for answer in answers:
        for result in answer.json()["results"]:
            by_reference.setdefault(result["reference"], []).append(result["status"])
    assert len(by_reference) == 40
    assert all(sorted(statuses) == ["accepted", "duplicate"] for statuses in by_reference.values())
    assert Certification.objects.count() == 40
    assert ChannelRecord.objects.count() == 40
    assert OutboxMessage.objects.filter(stage=MessageStage.CONFIRMATION).count() == 40


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_batch_cancelled_by_a_deadlock_runs_again_whole(make_client, areas, monkeypatch, wrapped):
    """Raised by psycopg's own cursor (the stored records) or through Django's (the certifications)."""
    import psycopg.errors
    from django.db import OperationalError

    from certification.api import services

    person = make_pensioner(name="重试")
    _client, app = make_client()
    real_report, calls = services._report, []

    def deadlock_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            real_report(**kwargs)  # everything written, then PostgreSQL cancels the transaction
            cause = psycopg.errors.DeadlockDetected("deadlock detected")
            if wrapped:
                raise OperationalError("deadlock detected") from cause
            raise cause
        return real_report(**kwargs)

    monkeypatch.setattr(services, "_report", deadlock_once)
    answers = app.post(_batch([person]))
    assert answers.status_code == 200 and answers.json()["results"][0]["status"] == "accepted"
    assert len(calls) == 2
    # The first attempt's rows were rolled back with it: one record, one certification.
    assert ChannelRecord.objects.count() == 1 and Certification.objects.count() == 1
