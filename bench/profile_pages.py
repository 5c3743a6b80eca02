"""Where a page's time goes: each request in process, its SQL statements by time (the slowest first).

BENCH_DB=pension_bench_city .venv/bin/python bench/profile_pages.py demo_admin / /certification/overdue/
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib


def main() -> None:
    username, *paths = sys.argv[1:]
    benchlib.django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    for path in paths:
        client.get(path)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            total = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
        print(
            f"\n== {username} {path}: HTTP {response.status_code}, {total:.0f} ms, "
            f"{len(queries.captured_queries)} queries, {sql_ms:.0f} ms in SQL"
        )
        slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:6]
        for query in slowest:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {' '.join(query['sql'].split())[:400]}")


if __name__ == "__main__":
    main()
