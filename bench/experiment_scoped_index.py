"""What-if: name/pinyin/initials indexes that also carry community_id, so that the scope filter
(`community_id LIKE '500103%'`) is checked in the index (Index Only Scan) instead of on the heap row.

    .venv/bin/python bench/experiment_scoped_index.py

For the broadest probes, EXPLAIN (ANALYZE, BUFFERS) with the migrated indexes, then again after
CREATE INDEX ... (name, id) INCLUDE (community_id) (and the same for pinyin / initials) inside a
transaction that is rolled back. Bench database only; nothing is kept.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_setup

CASES = [
    ("demo_supervisor", "王"),
    ("demo_supervisor", "李"),
    ("demo_supervisor", "王建"),
    ("demo_supervisor", "wang"),
    ("demo_supervisor", "wj"),
    ("demo_admin", "王"),
    ("demo_admin", "wang"),
    ("demo_admin", "wj"),
]
NEW_INDEXES = [
    "CREATE INDEX bench_name_scope ON pensioners_pensioner (name, id) INCLUDE (community_id)",
    "CREATE INDEX bench_pinyin_scope ON pensioners_pensioner (name_pinyin, id) INCLUDE (community_id)",
    "CREATE INDEX bench_initials_scope ON pensioners_pensioner (name_initials, id) INCLUDE (community_id)",
]


def main() -> None:
    django_setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from pensioners.models import Pensioner
    from pensioners.search import _probe, plan_search, probes_for
    from portal.models import User
    from portal.scoping import Scope

    cap = settings.SEARCH_COUNT_CAP

    def explain_all(label):
        print(f"\n== {label}")
        with connection.cursor() as cursor:
            for username, q in CASES:
                base = Scope(User.objects.get(username=username)).restrict(Pensioner.objects.all())
                plan = plan_search(q, today=timezone.localdate())
                for kind in probes_for(plan):
                    sql, params = _probe(base, kind, plan)[: cap + 1].query.sql_with_params()
                    for _ in range(2):  # the second run is the warm one
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        lines = [line for (line,) in cursor.fetchall()]
                    text = "\n".join(lines)
                    scan = re.search(r"(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)[^(]*", text)
                    ms = re.search(r"Execution Time: ([0-9.]+)", text).group(1)
                    rows = re.search(r"actual time=[0-9.]+\.\.[0-9.]+ rows=([0-9]+)", text).group(1)
                    buffers = re.search(r"Buffers: shared hit=([0-9]+)", text)
                    print(
                        f"  {username:16} q={q:6} {kind:8} {float(ms):7.2f} ms  rows={rows:5} "
                        f"buffers={buffers.group(1) if buffers else '?':6} {scan.group(0).strip() if scan else ''}"
                    )

    explain_all("indexes as migrated")
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in NEW_INDEXES:
            cursor.execute(sql)
        cursor.execute("ANALYZE pensioners_pensioner")
        explain_all("with (name|name_pinyin|name_initials, id) INCLUDE (community_id)")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
