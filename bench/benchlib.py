"""Shared helpers of the registry benchmark: the bench database, Django setup, EXPLAIN parsing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
BENCH_DB = os.environ.get("BENCH_DB", "pension_bench")
if BENCH_DB == "pension_portal":
    raise SystemExit("refusing to use the developers' database pension_portal")
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{BENCH_DB}"

# The application code under test: the working tree (default), or a `git archive` snapshot of one commit
# in bench/data/src-<sha> (bench_registry.py --rev), so that a run is not disturbed by edits in progress.
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT") or ROOT)


def use_revision(rev: str) -> str:
    """Export `rev` (read-only `git archive`) to bench/data/src-<sha> and run everything from there."""
    global APP_ROOT
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", rev + "^{commit}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = DATA / f"src-{sha[:10]}"
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", "archive", sha], cwd=ROOT, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True)
        archive.wait()
    APP_ROOT = target
    os.environ["BENCH_APP_ROOT"] = str(target)
    return sha


def describe_source() -> str:
    if APP_ROOT != ROOT:
        return f"git snapshot {APP_ROOT.name.removeprefix('src-')} ({APP_ROOT.relative_to(ROOT)})"
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return f"working tree at {head.stdout.strip()}" + (
        " + uncommitted changes" if dirty.stdout.strip() else ""
    )


# BENCH_DEBUG=0: run the portal as in production (DEBUG off, no per-query logging) through
# bench/bench_settings.py; BENCH_DEBUG=1 (default): plain portal.settings with DEBUG on.
DEBUG_MODE = os.environ.get("BENCH_DEBUG", "1") not in ("0", "false", "no")


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for every child process: always the bench database, never the default one."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PYTHONUNBUFFERED="1",
        BENCH_APP_ROOT=str(APP_ROOT),
    )
    if DEBUG_MODE:
        env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="portal.settings")
    else:
        env.update(
            DEBUG="0",
            DJANGO_SETTINGS_MODULE="bench_settings",
            SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(BENCH), str(APP_ROOT), os.environ.get("PYTHONPATH", "")])
            ),
        )
    env.update(extra)
    return env


def django_setup() -> None:
    os.environ.update(bench_env())
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(APP_ROOT))
    # Celery's Django fix-up puts the current directory first on sys.path: make that the code under test.
    os.chdir(APP_ROOT)
    import django

    django.setup()


def run(cmd: list[str], *, log: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=APP_ROOT, env=bench_env(), capture_output=True, text=True)
    if log is not None:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(cmd)}\n{result.stdout}{result.stderr}\n")
    if check and result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result


def psql(sql: str) -> str:
    cmd = ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", BENCH_DB, "-XAtq", "-c", sql]
    return run(cmd).stdout.strip()


def recreate_database(log: Path) -> None:
    """Drop and create the bench database, migrate, load areas, communities and demo logins."""
    base = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    run(["dropdb", *base, "--if-exists", "--force", BENCH_DB], log=log)
    run(["createdb", *base, BENCH_DB], log=log)
    run([PYTHON, "manage.py", "migrate", "--noinput"], log=log)
    run([PYTHON, "manage.py", "seed_demo", "--pensioners", "0", "--force"], log=log)


def ensure_roster(rows: int, seed: int, log: Path) -> Path:
    path = DATA / f"roster_{rows}_seed{seed}.csv"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        run(
            [
                PYTHON,
                str(BENCH / "make_roster.py"),
                "--count",
                str(rows),
                "--seed",
                str(seed),
                "--out",
                str(path),
            ],
            log=log,
        )
    return path


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.started


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 50 samples is the 48th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), -(-int(round(fraction * 1000)) * len(ordered) // 1000)))
    return ordered[rank - 1]
