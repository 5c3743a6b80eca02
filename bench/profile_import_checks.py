"""cProfile the Python half of the roster import (reading + row checks), no database writes.

    .venv/bin/python bench/profile_import_checks.py [FILE] [--rows 200000] [--top 25]

Same loop as roster_import(): open_table() then check_roster_row() per row with the duplicate check.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import DATA, django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "file",
        nargs="?",
        default=str(DATA / "roster_1000000_seed2026.csv"),
        type=lambda t: str(Path(t).resolve()),
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    django_setup()
    from django.utils import timezone

    from pensioners.models import Area, AreaLevel
    from pensioners.pinyin import pinyin_keys
    from pensioners.roster_import import ROSTER_COLUMNS, check_roster_row
    from portal.imports.tabular import open_table

    today = timezone.localdate()
    codes = set(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", flat=True))

    def checks():
        table = open_table(args.file, ROSTER_COLUMNS)
        seen = {}
        for row_number, raw in islice(table, args.rows):
            row = check_roster_row(row_number, raw, today=today, community_codes=codes)
            seen.setdefault(row.id_number, row_number)

    started = time.perf_counter()
    checks()
    plain = time.perf_counter() - started
    print(f"{args.rows} rows without profiler: {plain:.1f}s ({args.rows / plain:,.0f} rows/s)")
    print(f"pinyin_keys cache: {pinyin_keys.cache_info()}")
    pinyin_keys.cache_clear()
    profiler = cProfile.Profile()
    profiler.enable()
    checks()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
