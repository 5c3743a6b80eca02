"""What-if for the SQL half of the roster import, in rolled-back transactions on the bench database.

    .venv/bin/python bench/experiment_import_sql.py [--variants current,no_redundant,no_secondary]

Needs the bench DB loaded by bench_registry.py (1M pensioners). The exact statements are taken from the
application: roster_rows_apply([]) is run once with CaptureQueriesContext (in a rolled-back transaction).
Then, per variant, in ONE transaction that is rolled back at the end:
  TRUNCATE the registry tables (empty registry, as in the benchmark), fill roster_stage from a copy of
  the loaded data (bench_stage, built once), run the three upserts (timed), then
  SET CONSTRAINTS ALL IMMEDIATE (timed: the deferred foreign-key checks that COMMIT would run).
Variants: current = the indexes as migrated; no_redundant = without the 3 indexes that duplicate others
(community_id, community_id varchar_pattern_ops, id_number varchar_pattern_ops); no_secondary = without
all 11 non-unique secondary indexes, then rebuilding them (timed), the lower bound of a first load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_setup

REDUNDANT = (
    "pensioners_pensioner_community_id_86e9b1d7",
    "pensioners_pensioner_community_id_86e9b1d7_like",
    "pensioners_pensioner_id_number_b8d845ab_like",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="current,no_redundant,no_secondary")
    parser.add_argument("--explain-state", action="store_true", help="EXPLAIN ANALYZE upsert 3 (current)")
    args = parser.parse_args()
    django_setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from pensioners.roster_import import roster_rows_apply

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        roster_rows_apply([])
        transaction.set_rollback(True)
    upserts = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith(("WITH", "INSERT"))
    ]
    assert len(upserts) == 3, [q["sql"][:60] for q in captured.captured_queries]

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_stage') IS NOT NULL")
        if not cursor.fetchone()[0]:
            print("building bench_stage from the loaded registry ...", flush=True)
            cursor.execute(
                """
                CREATE TABLE bench_stage AS
                SELECT (row_number() OVER (ORDER BY p.id) + 1)::integer AS row_number, p.id_number::text,
                       p.legacy_id_number::text, p.name::text, p.name_pinyin::text, p.name_initials::text,
                       p.gender::text, p.birth_date, p.phone::text, p.address::text,
                       p.community_id::text AS area_code, b.scheme::text, b.first_benefit_date,
                       b.monthly_amount, s.roster_certified_on AS last_certified_on, p.abroad_country::text
                FROM pensioners_pensioner p
                JOIN pensioners_benefitline b ON b.pensioner_id = p.id
                JOIN pensioners_certificationstate s ON s.pensioner_id = p.id
                ORDER BY p.id
                """
            )
            cursor.execute("SELECT count(*) FROM bench_stage")
            print(f"bench_stage: {cursor.fetchone()[0]} rows")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'pensioners_pensioner' AND indexdef NOT LIKE "
            "'%UNIQUE%'"
        )
        secondary = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT string_agg(indexdef, ';' ORDER BY indexname) FROM pg_indexes "
            "WHERE tablename = 'pensioners_pensioner' AND indexname = ANY(%s)",
            [secondary],
        )
        rebuild_sql = cursor.fetchone()[0].split(";")

    for variant in args.variants.split(","):
        timings: list[tuple[str, float]] = []

        def timed(label, sql, cursor, timings=timings):
            started = time.perf_counter()
            cursor.execute(sql)
            timings.append((label, time.perf_counter() - started))

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE pensioners_certificationstate, pensioners_benefitline, pensioners_pensioner CASCADE"
            )
            if variant == "no_redundant":
                for name in REDUNDANT:
                    cursor.execute(f"DROP INDEX {name}")
            elif variant == "no_secondary":
                for name in secondary:
                    cursor.execute(f"DROP INDEX {name}")
            cursor.execute(
                "CREATE TEMP TABLE roster_stage ON COMMIT DROP AS SELECT * FROM bench_stage WITH NO DATA"
            )
            cursor.execute(
                'ALTER TABLE roster_stage ALTER id_number TYPE text COLLATE "C", '
                'ALTER name TYPE text COLLATE "C", ALTER name_pinyin TYPE text COLLATE "C", '
                'ALTER name_initials TYPE text COLLATE "C", ALTER phone TYPE text COLLATE "C", '
                'ALTER area_code TYPE text COLLATE "C"'
            )
            cursor.execute("INSERT INTO roster_stage SELECT * FROM bench_stage")
            cursor.execute("CREATE INDEX ON roster_stage (id_number)")
            cursor.execute("ANALYZE roster_stage")
            timed("upsert 1 pensioners_pensioner", upserts[0], cursor)
            if variant == "no_secondary":
                # CREATE INDEX refuses to run with deferred FK checks pending: run those first.
                timed(
                    "deferred FK checks so far (SET CONSTRAINTS ALL IMMEDIATE)",
                    "SET CONSTRAINTS ALL IMMEDIATE",
                    cursor,
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                started = time.perf_counter()
                for sql in rebuild_sql:
                    cursor.execute(sql)
                timings.append((f"rebuild {len(rebuild_sql)} indexes", time.perf_counter() - started))
            timed("upsert 2 pensioners_benefitline", upserts[1], cursor)
            if args.explain_state and variant == "current":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + upserts[2])
                print("\n".join(line for (line,) in cursor.fetchall()))
            else:
                timed("upsert 3 pensioners_certificationstate", upserts[2], cursor)
            timed(
                "deferred FK checks (SET CONSTRAINTS ALL IMMEDIATE)", "SET CONSTRAINTS ALL IMMEDIATE", cursor
            )
            transaction.set_rollback(True)
        total = sum(seconds for _, seconds in timings)
        print(f"\n{variant}: {total:.1f}s")
        for label, seconds in timings:
            print(f"  {seconds:7.1f}s  {label}")


if __name__ == "__main__":
    main()
