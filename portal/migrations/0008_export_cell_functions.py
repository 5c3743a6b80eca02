# The cells of a CSV export made by PostgreSQL itself, so that a city's list is written with
# COPY ... TO STDOUT instead of a Python loop (portal/exports/cells.py says why and how they are used).
# Each function is the twin of a Python function in portal/exports/files.py or portal/masking.py, and
# portal/tests/test_export_cells.py holds each pair to the same answer on hostile values.
# SQL-language, IMMUTABLE functions whose argument is used once (or is a plain column): the planner
# inlines them into the query, as if written out; a function it cannot inline costs a call per cell.

from django.db import migrations

# Characters XML 1.0 cannot hold (files._ILLEGAL_XML; PostgreSQL text never holds \x00), as E'' escapes.
_ILLEGAL = "".join(
    f"\\x{code:02x}" for code in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))
) + "\\ufffe\\uffff"
# What Python's str.strip() strips, once the characters above are gone.
_SPACE = (
    "\\t\\n\\r \\u0085\\u00a0\\u1680"
    + "".join(f"\\u{code:04x}" for code in range(0x2000, 0x200B))
    + "\\u2028\\u2029\\u202f\\u205f\\u3000"
)

FUNCTIONS = rf"""
-- files.csv_cell() for text: a cell that a spreadsheet could run as a formula gets a leading apostrophe
-- (=, +, -, @, tab, carriage return and their fullwidth forms).
CREATE OR REPLACE FUNCTION portal_csv_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(value, '^([=+@\t\r\uff1d\uff0b\uff0d\uff20-])', '''\1')
$$;

-- files.csv_cell(files.cell_value()) for text: characters XML cannot hold removed, spaces stripped,
-- the screen's empty marks ("—", "-") made empty, then csv_cell. translate() and btrim() rather
-- than regular expressions: a third of the cost, on every name of a city.
CREATE OR REPLACE FUNCTION portal_cell_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT portal_csv_text(coalesce(nullif(nullif(
    btrim(translate(coalesce(value, ''), E'{_ILLEGAL}', ''), E'{_SPACE}'), E'\u2014'), '-'), ''))
$$;

-- masking.mask_id_number(): 500103194702141029 -> 500103********1029.
CREATE OR REPLACE FUNCTION portal_mask_id_number(number text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN coalesce(number, '') = '' THEN ''
    WHEN length(number) <= 10 THEN repeat('*', length(number))
    ELSE left(number, 6) || repeat('*', length(number) - 10) || right(number, 4)
  END
$$;

-- masking.mask_phone(): 13812341234 -> 138****1234; short numbers keep only their last four digits.
CREATE OR REPLACE FUNCTION portal_mask_phone(phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN coalesce(phone, '') = '' THEN ''
    WHEN length(phone) >= 11 THEN left(phone, 3) || repeat('*', length(phone) - 7) || right(phone, 4)
    ELSE repeat('*', greatest(0, length(phone) - 4)) || right(phone, 4)
  END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS portal_cell_text(text);
DROP FUNCTION IF EXISTS portal_csv_text(text);
DROP FUNCTION IF EXISTS portal_mask_id_number(text);
DROP FUNCTION IF EXISTS portal_mask_phone(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_staff_accounts"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, reverse_sql=DROP)]
