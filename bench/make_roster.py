"""Write an N-row roster CSV (UTF-8) of generated pensioners spread over every community in the DB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pension_bench \
        .venv/bin/python bench/make_roster.py [--count 1000000] [--seed 2026] [--today YYYY-MM-DD] [--out PATH]

The database only supplies the community codes (run `seed_demo --pensioners 0 --force` first). The same
count/seed/today always gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

HEADER = [
    "id_number", "name", "phone", "address", "area_code", "benefit_type", "first_benefit_date",
    "monthly_amount", "last_certified_on", "abroad_country",
]  # fmt: skip


def default_path(count: int, seed: int) -> Path:
    return ROOT / "bench" / "data" / f"roster_{count}_seed{seed}.csv"


def write_roster(path: Path, *, count: int, seed: int, today: date) -> float:
    import django

    django.setup()
    from pensioners.demo import demo_people
    from pensioners.models import Area, AreaLevel

    communities = list(
        Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code").values_list("code", flat=True)
    )
    if not communities:
        raise SystemExit("no communities in the database: run `manage.py seed_demo --pensioners 0 --force`")
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in demo_people(
            count=count, seed=seed, today=today, community_codes=communities, home_communities=[]
        ):
            writer.writerow(
                [
                    row.id_number,
                    row.name,
                    row.phone,
                    row.address,
                    row.area_code,
                    row.scheme,
                    row.first_benefit_date.isoformat(),
                    "" if row.monthly_amount is None else str(row.monthly_amount),
                    "" if row.last_certified_on is None else row.last_certified_on.isoformat(),
                    row.abroad_country,
                ]
            )
    partial.replace(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    path = args.out or default_path(args.count, args.seed)
    seconds = write_roster(path, count=args.count, seed=args.seed, today=args.today or date.today())
    print(f"wrote {args.count} rows to {path} in {seconds:.1f}s ({path.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
