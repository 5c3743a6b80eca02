"""What the doors cost a click: page time with issue 14's middleware (CSP, Permissions-Policy, no-store,
the second factor, the session limits, the lockout) against the same pages without it, in-process.

    .venv/bin/python bench/bench_doors.py            # database pension_bench_doors (created, demo-seeded)
    BENCH_DB=pension_portal_walk14 .venv/bin/python bench/bench_doors.py

The doors' cost does not grow with the registry (no query of theirs touches pensioners), so the demo's
3,000 people are enough. Writes bench/results/doors.md.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "pension_bench_doors")
os.environ.update(
    {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "testserver,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
)
sys.path.insert(0, str(ROOT))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
DOORS = {
    "csp.middleware.CSPMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.staff.middleware.StaffSessionMiddleware",
    "axes.middleware.AxesMiddleware",
}


def prepare() -> None:
    python = str(ROOT / ".venv/bin/python")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], capture_output=True)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "seed_demo", "--if-empty", "--force"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def timed(client, path: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def measure(middleware: list[str]) -> dict:
    from django.test import Client, override_settings

    results = {}
    with override_settings(MIDDLEWARE=middleware):
        client = Client(REMOTE_ADDR="10.0.0.1")
        logins = []
        for _ in range(20):
            client.logout()
            start = time.perf_counter()
            response = client.post(
                "/accounts/login/", {"username": "demo_street", "password": "demo-password"}
            )
            logins.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
        results["log-in (POST)"] = logins
        from django.urls import reverse

        for path in ["/", "/pensioners/?q=王", reverse("queue-overdue")]:
            results[path] = timed(client, path)
    return results


def main() -> None:
    prepare()
    import django

    django.setup()
    from django.conf import settings

    full = list(settings.MIDDLEWARE)
    bare = [name for name in full if name not in DOORS]
    measure(full)  # warm up (templates, connections, PostgreSQL's cache)
    measure(bare)
    # Alternate, and keep each variant's better half, so a background blip does not land on one side.
    runs = [(measure(full), measure(bare)) for _ in range(2)]
    with_doors = {path: min((run[0][path] for run in runs), key=statistics.median) for path in runs[0][0]}
    without = {path: min((run[1][path] for run in runs), key=statistics.median) for path in runs[0][1]}
    lines = [
        "# What the doors cost a click (bench/bench_doors.py)",
        "",
        f"In-process Django test client, DEBUG off, database `{DB}` (demo data), {ROUNDS} requests per page,"
        " logged in as demo_street; milliseconds.",
        "",
        "| page | p50 with | p50 without | p95 with | p95 without |",
        "|---|---|---|---|---|",
    ]
    for path in with_doors:
        a, b = with_doors[path], without[path]
        p95 = lambda values: statistics.quantiles(values, n=20)[18]  # noqa: E731
        lines.append(
            f"| `{path}` | {statistics.median(a):.1f} | {statistics.median(b):.1f} | {p95(a):.1f} | {p95(b):.1f} |"
        )
    out = ROOT / "bench" / "results" / "doors.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
