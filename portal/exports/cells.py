"""Export cells computed by PostgreSQL, for lists long enough to go to the background export job.

A city's overdue queue is a million and a half rows. Read into Python and turned into cells one by one it
was written at 40,000 rows a second, with the database waiting for Python half the time and Python for
the database the other half. Here each cell is an SQL expression, the whole list one
`COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`, and Python only moves the bytes to the file
(files.write_csv_copy).

The functions are the twins of the Python ones every other export uses (migration portal 0008 holds the
SQL): CellText is csv_cell(cell_value(text)), CsvText is csv_cell(text), MaskedIdNumber and MaskedPhone
the masks. tests/test_export_cells.py holds each pair to the same answer, and each table's tests hold its
COPY export to its per-record export, row for row.
"""

from __future__ import annotations

import json
from datetime import date

from django.db.models import Func, IntegerField, TextField, Value


class CsvText(Func):
    """files.csv_cell() of a text: an apostrophe before what a spreadsheet would run as a formula."""

    function = "portal_csv_text"
    output_field = TextField()


class CellText(Func):
    """files.csv_cell(files.cell_value()) of a text: cleaned, stripped, empty marks emptied, made inert."""

    function = "portal_cell_text"
    output_field = TextField()


class MaskedIdNumber(Func):
    function = "portal_mask_id_number"
    output_field = TextField()


class MaskedPhone(Func):
    function = "portal_mask_phone"
    output_field = TextField()


class IsoDate(Func):
    """A date as 2026-12-01 (what csv_cell writes), whatever the session's DateStyle."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


class AgeOn(Func):
    """rules.age_on(): whole years lived on `today` (a 29 February birthday counts from 1 March)."""

    template = "date_part('year', age(%(expressions)s))::int"
    output_field = IntegerField()

    def __init__(self, birth_date, *, today: date):
        super().__init__(Value(today), birth_date)


class DaysLeft(Func):
    """Days from `today` to a deadline: negative once it has passed (a date minus a date is a number of
    days in PostgreSQL; Django's own subtraction would make it an interval)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, deadline, *, today: date):
        super().__init__(deadline, Value(today))


class Labelled(Func):
    """The label of a code from a mapping handed over as one JSON parameter (a city's communities, the
    staff, the outcomes), or "" for a code it does not hold. The labels must already be CSV text."""

    output_field = TextField()

    def __init__(self, code, *, labels: dict, or_code: bool = False):
        self.labels_json = json.dumps({str(key): value for key, value in labels.items()}, ensure_ascii=False)
        self.or_code = or_code  # a code it does not hold shows as itself instead of ""
        super().__init__(code)

    def as_sql(self, compiler, connection, **extra_context):
        code_sql, code_params = compiler.compile(self.source_expressions[0])
        if self.or_code:
            sql = f"coalesce(%s::jsonb ->> ({code_sql})::text, ({code_sql})::text)"
            return sql, [self.labels_json, *code_params, *code_params]
        return f"coalesce(%s::jsonb ->> ({code_sql})::text, '')", [self.labels_json, *code_params]


class Template(Func):
    """A translated phrase with one number in it ("逾期%(days)s天"), filled in by the database."""

    output_field = TextField()

    def __init__(self, phrase: str, number, *, placeholder: str = "%(days)s"):
        before, _, after = phrase.partition(placeholder)
        self.before, self.after = before, after
        super().__init__(number)

    def as_sql(self, compiler, connection, **extra_context):
        number_sql, number_params = compiler.compile(self.source_expressions[0])
        return f"(%s || ({number_sql})::text || %s)", [self.before, *number_params, self.after]
