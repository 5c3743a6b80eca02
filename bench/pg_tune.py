"""PostgreSQL settings for a city on one machine (2 cores, 24 GB, SSD), applied with ALTER SYSTEM.

    .venv/bin/python bench/pg_tune.py            # show the settings now in force next to the city's
    .venv/bin/python bench/pg_tune.py --apply    # ALTER SYSTEM SET each, then restart PostgreSQL
    .venv/bin/python bench/pg_tune.py --reset    # ALTER SYSTEM RESET each (back to the machine's own)

The stock settings stay a valid baseline: the portal works on them and the tests run on either. These are
what an operator gives the database server of a city (issue 17); bench/bench_city.py prints the ones in force
with its figures. Why each one:

- shared_buffers 6GB, effective_cache_size 18GB: the registry at 8M is about 7 GB of tables and 3 GB of
  indexes; a quarter of the memory for PostgreSQL's own cache, and the planner told the OS caches the rest.
- max_wal_size 16GB, checkpoint_timeout 30min: a whole-city import or feed writes several GB. With 1 GB the
  server checkpoints every few seconds, and each checkpoint makes the next change of every page write the
  whole 8 kB page to the WAL again (full-page writes): the WAL grows several times over.
- wal_compression lz4: the full-page images that remain are compressed (cheap on CPU).
- work_mem 32MB: sorts and hash aggregates of the reports stay in memory; bulk jobs raise their own.
- maintenance_work_mem 1GB: index builds after a first load sort in memory.
- random_page_cost 1.1, effective_io_concurrency 200: the disk is an SSD; random reads cost about as much
  as sequential ones, so the planner should not shy away from index scans.
- jit off: the JIT compiles a query the planner thinks is expensive (a city-wide count, the snapshot) and
  that compile costs 50-200 ms on a page that should answer in under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("BENCH_DB", "postgres")  # ALTER SYSTEM is server-wide; any database will do
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import psql

CITY_SETTINGS = {
    "shared_buffers": "6GB",
    "effective_cache_size": "18GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "16GB",
    "min_wal_size": "2GB",
    "checkpoint_timeout": "30min",
    "checkpoint_completion_target": "0.9",
    "wal_buffers": "64MB",
    "wal_compression": "lz4",
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "jit": "off",
}


def settings_in_force() -> dict[str, str]:
    names = ",".join(f"'{name}'" for name in CITY_SETTINGS)
    rows = psql(f"SELECT name, current_setting(name) FROM pg_settings WHERE name IN ({names}) ORDER BY name")
    return dict(line.split("|", 1) for line in rows.splitlines() if line)


def restart_postgres() -> None:
    """Debian's cluster tools when present (this machine), else the service."""
    version = psql("SHOW server_version_num")[:2]
    for command in (["pg_ctlcluster", version, "main", "restart"], ["service", "postgresql", "restart"]):
        try:
            subprocess.run(command, check=True)
            return
        except (FileNotFoundError, subprocess.CalledProcessError):
            continue
    raise SystemExit("could not restart PostgreSQL: restart it yourself for shared_buffers to take effect")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--apply", action="store_true", help="ALTER SYSTEM SET the city's settings, restart")
    action.add_argument("--reset", action="store_true", help="ALTER SYSTEM RESET them, restart")
    args = parser.parse_args()
    if args.apply or args.reset:
        for name, value in CITY_SETTINGS.items():
            psql(f"ALTER SYSTEM SET {name} = '{value}'" if args.apply else f"ALTER SYSTEM RESET {name}")
        restart_postgres()
    now = settings_in_force()
    width = max(map(len, CITY_SETTINGS))
    for name, value in CITY_SETTINGS.items():
        mark = "" if now.get(name) == value else "   (city: " + value + ")"
        print(f"{name:<{width}}  {now.get(name, '?')}{mark}")


if __name__ == "__main__":
    main()
