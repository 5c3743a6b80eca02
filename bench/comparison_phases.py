"""Time each SQL statement of a data-comparison import (dry run: everything runs, then rolls back).

BENCH_DB=pension_bench .venv/bin/python bench/comparison_phases.py FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_setup


def main() -> None:
    path = Path(sys.argv[1]).resolve()
    django_setup()
    from django.db import connection

    from certification.comparison.importer import comparison_import

    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, " ".join(sql.split())[:110]))

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        summary = comparison_import(path=path, dry_run=True)
    total = time.perf_counter() - started
    print(f"{summary.as_line()} in {total:.1f}s (SQL {sum(t for t, _ in timings):.1f}s)")
    for seconds, sql in sorted(timings, reverse=True)[:12]:
        print(f"  {seconds:7.2f}s  {sql}")


if __name__ == "__main__":
    main()
