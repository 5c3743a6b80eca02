"""The queue's fast export reader gives exactly what the table's per-record export gives, row for row."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from certification.models import ContactOutcome
from certification.queues.queries import OVERDUE_QUEUE, queue_rows
from certification.queues.tables import QueueTable
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.exports.files import cell_value, write_csv, write_csv_copy

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def queue(areas, staff):
    people = [
        make_pensioner(name="=SUM(A1)", certified_on=TODAY - timedelta(days=400)),
        make_pensioner(name='王"引号,逗号', certified_on=TODAY - timedelta(days=370)),
        make_pensioner(name="-1", certified_on=TODAY - timedelta(days=366), phone=""),
        make_pensioner(name="李秀英", certified_on=TODAY - timedelta(days=700)),
    ]
    CertificationState.objects.filter(pensioner=people[1]).update(
        assigned_to=staff["street"],
        last_contact_outcome=ContactOutcome.WRONG_NUMBER,
        last_contact_on=TODAY - timedelta(days=3),
    )
    return people


def test_the_fast_reader_matches_the_per_record_export_row_for_row(queue):
    rows = queue_rows(CertificationState.objects.all(), OVERDUE_QUEUE, TODAY).order_by("next_due_on")
    fast = list(QueueTable.export_rows(rows))
    reference = [[cell_value(title) for title in QueueTable.export_header()]] + [
        [cell_value(value) for value in QueueTable.export_values(record)]
        for record in rows.select_related("pensioner__community", "assigned_to")
    ]
    assert fast == reference
    assert len(fast) == 5


def test_the_downloaded_file_holds_every_person_with_formulas_made_inert(queue, client_for, staff):
    response = client_for(staff["street"]).get(reverse("queue-overdue") + "?_export=csv&snoozed=1")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[0] for row in rows[1:]}
    assert names == {"'=SUM(A1)", '王"引号,逗号', "'-1", "李秀英"}
    wrong_number = next(row for row in rows if row[0] == '王"引号,逗号')
    assert wrong_number[8] == "号码错误" and wrong_number[9] == "2026-11-24"
    assert wrong_number[6] == "逾期5天" and wrong_number[7] == "5"


def test_the_database_writes_the_same_file_as_python(queue, staff):
    """A queue long enough for the background job is written by COPY (portal/exports/cells.py): the same
    rows, cell for cell, as the Python reader gives, hostile names, struck phones and labels included."""
    CertificationState.objects.filter(pensioner=queue[3]).update(
        assigned_to=staff["community"],
        last_contact_outcome=ContactOutcome.NOT_REACHABLE,
        last_contact_on=TODAY,
    )
    rows = queue_rows(CertificationState.objects.all(), OVERDUE_QUEUE, TODAY).order_by("next_due_on")
    python = io.StringIO()
    write_csv(QueueTable.export_rows(rows), python, cell_ready=True)
    database = io.BytesIO()
    written = write_csv_copy(QueueTable.export_header(), QueueTable.export_copy(rows), database)
    assert written == 4
    assert database.getvalue().startswith("\ufeff".encode())
    from_database = list(csv.reader(io.StringIO(database.getvalue().decode("utf-8-sig"))))
    assert from_database == list(csv.reader(io.StringIO(python.getvalue().lstrip("\ufeff"))))
    assert [row[0] for row in from_database[1:]] == ["李秀英", "'=SUM(A1)", '王"引号,逗号', "'-1"]
