"""Where the roster import spends its time: the same roster_import(), with each phase timed.

    .venv/bin/python bench/import_phases.py FILE [--json OUT]

Run against an EMPTY registry in the bench database (bench_registry.py --import-phases does that). The
application code is not changed: the module's own functions are wrapped for the duration of the run.
Phases: read+decode file, row checks in Python (incl. CSV parsing, ID rules, pinyin), each SQL statement
of roster_rows_apply (COPY is the gap not covered by statements), then audit + COMMIT (the deferred
foreign-key checks run at COMMIT).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=lambda text: str(Path(text).resolve()))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--auto-explain", action="store_true", help="print the plans PostgreSQL used for statements > 2 s"
    )
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import pensioners.roster_import as ri

    marks: dict[str, float] = {}
    statements: list[tuple[str, float]] = []
    original_open, original_apply = ri.open_table, ri.roster_rows_apply

    def timed_open(*a, **k):
        marks["open_start"] = time.perf_counter()
        table = original_open(*a, **k)
        marks["open_end"] = time.perf_counter()
        return table

    def timed_apply(rows):
        marks["apply_start"] = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = original_apply(rows)
        marks["apply_end"] = time.perf_counter()
        for query in captured.captured_queries:
            sql = " ".join(query["sql"].split())
            statements.append((sql[:90], float(query["time"])))
        return result

    ri.open_table, ri.roster_rows_apply = timed_open, timed_apply
    connection.ensure_connection()
    notices: list[str] = []
    with connection.cursor() as cursor:
        if args.auto_explain:  # this session only; plans come back as NOTICEs
            connection.connection.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
            for sql in (
                "LOAD 'auto_explain'",
                "SET auto_explain.log_min_duration = '2s'",
                "SET auto_explain.log_analyze = on",
                "SET auto_explain.log_timing = off",
                "SET auto_explain.log_buffers = on",
                "SET auto_explain.log_level = 'notice'",
            ):
                cursor.execute(sql)
        cursor.execute(
            "SELECT pg_current_wal_lsn(), checkpoints_req, checkpoints_timed, buffers_backend FROM pg_stat_bgwriter"
        )
        wal_before, req_before, timed_before, backend_before = cursor.fetchone()
    started = time.perf_counter()
    summary = ri.roster_import(path=args.file)
    ended = time.perf_counter()
    ri.open_table, ri.roster_rows_apply = original_open, original_apply

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s), checkpoints_req - %s, checkpoints_timed - %s, "
            "buffers_backend - %s FROM pg_stat_bgwriter",
            [wal_before, req_before, timed_before, backend_before],
        )
        wal_bytes, req, timed_checkpoints, backend = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'pensioners_pensioner'")
        index_count = cursor.fetchone()[0]
    statement_total = sum(seconds for _, seconds in statements)
    phases = [
        ("setup (community codes)", marks["open_start"] - started),
        ("read + decode file", marks["open_end"] - marks["open_start"]),
        ("row checks in Python (csv, ID rules, pinyin)", marks["apply_start"] - marks["open_end"]),
        (
            "COPY into roster_stage + Python between statements",
            marks["apply_end"] - marks["apply_start"] - statement_total,
        ),
    ]
    for sql, seconds in statements:
        label = sql
        if "INSERT INTO pensioners_pensioner" in sql:
            label = f"upsert 1: pensioners_pensioner (+ RETURNING, {index_count} indexes)"
        elif "INSERT INTO pensioners_benefitline" in sql:
            label = "upsert 2: pensioners_benefitline"
        elif "INSERT INTO pensioners_certificationstate" in sql:
            label = "upsert 3: pensioners_certificationstate"
        phases.append((f"SQL: {label}", seconds))
    phases.append(("audit + COMMIT (deferred FK checks)", ended - marks["apply_end"]))
    total = ended - started
    print(f"roster_import: {summary.as_line()} in {total:.1f}s")
    for label, seconds in phases:
        print(f"  {seconds:8.2f}s  {100 * seconds / total:5.1f}%  {label}")
    print(
        f"  WAL written {int(wal_bytes) / 1e9:.2f} GB; checkpoints forced by max_wal_size {req}, timed "
        f"{timed_checkpoints}; buffers written by backends {backend} (server-wide counters)"
    )
    for notice in notices:
        print(notice)
    if args.json:
        args.json.write_text(json.dumps({"total": total, "phases": phases}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
