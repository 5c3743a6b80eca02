"""A feed arrives every day, and most of its rows were seen before. "Seen before?" must be answered by the
unique (channel, reference) index of certifications (and the (source, reference) index of supporting
evidence). Compared under another collation than the column's, an index cannot be used: the benchmark found
a 1M-row feed sent a second time scanning the 1M-row certification table once per row (over 15 minutes
instead of 28 s). The staged references must therefore carry the database's own collation."""

from pathlib import Path

import pytest
from django.db import connection

from certification.comparison import importer
from pensioners.roster_import import roster_import

SAMPLES = Path(__file__).resolve().parents[3]
ROSTER = SAMPLES / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv"
COMPARISON = SAMPLES / "certification" / "tests" / "data" / "comparison-sample-utf8bom.csv"


@pytest.fixture
def collations_when_choosing_fates(monkeypatch):
    """Run the importer as it is, and stop it where it chooses the fates, reporting the collations of
    the staged reference it compares with the certification and evidence references."""
    found = {}
    choose = importer._choose_fates

    class Stopping:
        def __init__(self, cursor):
            self.cursor = cursor

        def __getattr__(self, name):  # fetchone() and the rest: the real cursor's
            return getattr(self.cursor, name)

        def execute(self, sql, params=None):
            if "CREATE TEMP TABLE comparison_fates" in sql:
                self.cursor.execute(
                    "SELECT pg_collation_for(s.source_code || ':' || s.reference), pg_collation_for(s.reference),"
                    " (SELECT pg_collation_for(c.reference) FROM certification_certification c LIMIT 1),"
                    " pg_collation_for(NULL::varchar) FROM comparison_stage s LIMIT 1"
                )
                found["certification"], found["evidence"], _existing, found["column"] = self.cursor.fetchone()
                raise LookupError("stopped")
            return self.cursor.execute(sql, params)

    monkeypatch.setattr(importer, "_choose_fates", lambda cursor: choose(Stopping(cursor)))
    return found


def test_staged_references_compare_under_the_columns_collation(areas, collations_when_choosing_fates):
    roster_import(path=ROSTER)
    with pytest.raises(LookupError), connection.cursor():
        importer.comparison_import(path=COMPARISON)
    found = collations_when_choosing_fates
    assert found["column"] == '"default"'  # certification and evidence references: the database's own
    assert found["certification"] == found["column"]
    assert found["evidence"] == found["column"]
