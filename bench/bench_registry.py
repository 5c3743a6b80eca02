"""Registry benchmark at 1,000,000 pensioners: import time, then search latency over HTTP, then plans.

    .venv/bin/python bench/bench_registry.py                 # full run (fresh DB, import, search, EXPLAIN)
    .venv/bin/python bench/bench_registry.py --skip-import   # reuse the loaded bench DB: search + EXPLAIN
    .venv/bin/python bench/bench_registry.py --import-phases # also time each import phase (one more import)

Uses only the database `pension_bench` (BENCH_DB) and port 8100; never pension_portal or port 8000.
Writes bench/results/registry.md (figures) and bench/results/registry_explain.md (every search SQL with
EXPLAIN (ANALYZE, BUFFERS)); logs go to bench/results/*.log (not committed).

Targets (issue): import <= 120 s wall; search p95 <= 100 ms for every kind of query (city admin).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import (
    BENCH,
    BENCH_DB,
    DATA,
    GUNICORN,
    PYTHON,
    RESULTS,
    Stopwatch,
    bench_env,
    django_setup,
    ensure_roster,
    load_average,
    percentile,
    psql,
    recreate_database,
    run,
)

IMPORT_TARGET_S = 120.0
P95_TARGET_MS = 100.0
USERS = [
    ("demo_admin", "city admin (500000)", ""),
    ("demo_supervisor", "district supervisor (渝中区)", "500103"),
]
PASSWORD = "demo-password"
KINDS = [
    ("id18", "full 18-digit ID"),
    ("id18_lower_x", "ID ending in lower-case x"),
    ("legacy15", "legacy 15-digit ID"),
    ("last4_id", "last 4 digits of an ID"),
    ("last4_phone", "last 4 digits of a phone"),
    ("last6_id", "last 6 of an ID"),
    ("phone11", "full 11-digit mobile"),
    ("name_full", "full Chinese name"),
    ("surname", "surname only (王...)"),
    ("name_prefix2", "name prefix, 2 chars"),
    ("pinyin_full", "full pinyin"),
    ("pinyin_prefix", "pinyin prefix"),
    ("initials", "initials (wjg)"),
]


# --------------------------------------------------------------------------------------------------
# Sample values: real people from the loaded registry, chosen reproducibly.
# --------------------------------------------------------------------------------------------------
def sample_people(prefix: str, count: int, rng: random.Random) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        if prefix:
            cursor.execute(
                "SELECT id FROM pensioners_pensioner WHERE community_id LIKE %s ORDER BY id", [prefix + "%"]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            chosen = rng.sample(ids, min(count, len(ids)))
        else:
            cursor.execute("SELECT min(id), max(id) FROM pensioners_pensioner")
            low, high = cursor.fetchone()
            chosen = [rng.randint(low, high) for _ in range(count)]
        cursor.execute(
            "SELECT id_number, phone, name, name_pinyin FROM pensioners_pensioner WHERE id = ANY(%s)",
            [chosen],
        )
        rows = cursor.fetchall()
    rng.shuffle(rows)
    return rows


def build_queries(prefix: str, per_kind: int, rng: random.Random) -> dict[str, list[str]]:
    from pensioners.pinyin import pinyin_keys

    people = sample_people(prefix, 6000, rng)
    pools: dict[str, list[str]] = {kind: [] for kind, _ in KINDS}
    for id_number, phone, name, name_pinyin in people:
        pools["id18"].append(id_number)
        if id_number.endswith("X"):
            pools["id18_lower_x"].append(id_number.lower())
        pools["legacy15"].append(id_number[:6] + id_number[8:17])
        if id_number[-4:].isdigit():
            pools["last4_id"].append(id_number[-4:])
        if len(phone) >= 4:
            pools["last4_phone"].append(phone[-4:])
        pools["last6_id"].append(id_number[-6:])
        if len(phone) == 11 and phone.startswith("1"):
            pools["phone11"].append(phone)
        pools["name_full"].append(name)
        pools["surname"].append(name[0])  # as common as the surname is
        if len(name) >= 3:
            pools["name_prefix2"].append(name[:2])
        pools["pinyin_full"].append(name_pinyin)
        surname_pinyin = pinyin_keys(name[0])[0]
        cut = min(len(name_pinyin) - 1, len(surname_pinyin) + rng.randint(1, 3))
        if cut > len(surname_pinyin):
            pools["pinyin_prefix"].append(name_pinyin[:cut])
        pools["initials"].append(pinyin_keys(name)[1])
    return {kind: pool[:per_kind] for kind, pool in pools.items()}


# --------------------------------------------------------------------------------------------------
# HTTP: gunicorn on 127.0.0.1:PORT, a minimal cookie-keeping client.
# --------------------------------------------------------------------------------------------------
class Browser:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.split(";")[0].partition("=")
                self.cookies[key.strip()] = rest.strip()
        connection.close()
        return response.status, response.getheader("Location") or "", data

    def login(self, username: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"login page: HTTP {status}, no CSRF token")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        status, location, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "login" in location:
            raise SystemExit(f"login as {username} failed: HTTP {status} -> {location}")


_COUNT = re.compile(r'data-testid="match-count">(.*?)</p>', re.S)


def match_count(page: str) -> str:
    if 'data-testid="no-match"' in page:
        return "0"
    found = _COUNT.search(page)
    if not found:
        return "?"
    numbers = re.findall(r"[0-9]+", found.group(1))
    if not numbers:
        return "?"
    capped = "超过" in found.group(1) or "More than" in found.group(1)
    return "cap" if capped else numbers[0]  # SEARCH_COUNT_CAP: "more than N"


def start_server(
    port: int, workers: int, log: Path, *, module: str = "portal.wsgi", env: dict[str, str] | None = None
) -> subprocess.Popen:
    """gunicorn on the bench database, answering the login page within 30 s. `module` may name another
    WSGI module on bench/ (a what-if variant); `env` adds environment settings (a rate, say)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is already in use")
    handle = open(log, "a", encoding="utf-8")
    command = [GUNICORN, module, "--pythonpath", str(benchlib.BENCH), "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "-w", str(workers), "--timeout", "120"],
        cwd=benchlib.APP_ROOT,
        env=bench_env(**(env or {})),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            status, _, _ = Browser(port).request("GET", "/accounts/login/")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the gunicorn master we started; it stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def http_latencies(port: int, warm: dict, measured: dict, rng: random.Random) -> dict:
    """{username: {kind: [(ms, q, count), ...]}}. Users and kinds are interleaved in one shuffled
    sequence, so that background load on the machine hits every user and kind alike."""
    browsers = {}
    for username, _, _ in USERS:
        browsers[username] = Browser(port)
        browsers[username].login(username)
        for kind, _ in KINDS:  # warm both workers' code paths, not measured
            for q in warm[username][kind]:
                browsers[username].request("GET", "/pensioners/?" + urllib.parse.urlencode({"q": q}))
    order = [(u, kind, q) for u, _, _ in USERS for kind, _ in KINDS for q in measured[u][kind]]
    rng.shuffle(order)
    results: dict = {u: {kind: [] for kind, _ in KINDS} for u, _, _ in USERS}
    for username, kind, q in order:
        path = "/pensioners/?" + urllib.parse.urlencode({"q": q})
        started = time.perf_counter()
        status, location, page = browsers[username].request("GET", path)
        found = None
        if status == 302 and location.startswith("/pensioners/"):
            # An exact 18-digit ID opens the card directly: the user waits for the redirect and the card.
            status, location, page = browsers[username].request("GET", location)
            found = "1 (card)"
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"{username} {path}: HTTP {status} {location}")
        results[username][kind].append((elapsed, q, found or match_count(page)))
    return results


# --------------------------------------------------------------------------------------------------
# In-process: the exact SQL each search runs (Django test client + CaptureQueriesContext), EXPLAINed.
# --------------------------------------------------------------------------------------------------
_SCAN = re.compile(
    r"(Seq Scan|Parallel Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)"
    r"(?: Backward)? (?:using (\S+) )?on (\S+)"
)


def scans(plan: str) -> list[str]:
    found = []
    for node, index, relation in _SCAN.findall(plan):
        found.append(f"{node} {index} on {relation}" if index else f"{node} on {relation}")
    return found


def explain_searches(worst: dict) -> tuple[list[dict], list[str]]:
    """For each user and kind, run the slowest value seen over HTTP in-process and EXPLAIN its SQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pensioners.search import plan_search
    from portal.models import User

    rows, dump = [], []
    for username, _, _ in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get("/pensioners/?q=warm")
        for kind, kind_label in KINDS:
            q = worst[username][kind]
            plan = plan_search(q, today=datetime.now().date())
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/pensioners/", {"q": q}, follow=True)  # an exact ID opens the card
                total_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            db_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
            dump.append(f"\n## {username} · {kind} ({kind_label}) · q=`{q}` · plan kinds {plan.kinds}\n")
            dump.append(
                f"In-process request {total_ms:.1f} ms, {len(captured.captured_queries)} queries, "
                f"DB {db_ms:.1f} ms.\n"
            )
            registry_queries = []
            for number, query in enumerate(captured.captured_queries, 1):
                sql = query["sql"]
                if "pensioners_pensioner" not in sql or not sql.lstrip().upper().startswith(
                    ("SELECT", "(SELECT")
                ):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan_text = "\n".join(line for (line,) in cursor.fetchall())
                exec_ms = re.search(r"Execution Time: ([0-9.]+) ms", plan_text)
                registry_queries.append(
                    {
                        "number": number,
                        "ms": float(query["time"]) * 1000,
                        "explain_ms": float(exec_ms.group(1)) if exec_ms else None,
                        "scans": scans(plan_text),
                        "sql": sql,
                    }
                )
                dump.append(f"\n### query {number} ({float(query['time']) * 1000:.1f} ms in request)\n")
                dump.append(f"```sql\n{sql}\n```\n```\n{plan_text}\n```\n")
            rows.append(
                {
                    "user": username,
                    "kind": kind,
                    "q": q,
                    "plan_kinds": list(plan.kinds),
                    "request_ms": total_ms,
                    "db_ms": db_ms,
                    "queries": len(captured.captured_queries),
                    "registry_queries": registry_queries,
                }
            )
    return rows, dump


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------
def fmt(ms: float) -> str:
    return f"{ms:.0f}" if ms >= 10 else f"{ms:.1f}"


def write_report(meta: dict, latencies: dict, explained: list[dict], phases: str) -> str:
    lines = [
        "# Registry benchmark: 1,000,000 pensioners",
        "",
        f"Run {meta['started']} · code: {meta['source']} · DB `{BENCH_DB}` · {meta['rows']:,} roster rows · "
        "load average before/after "
        f"import {meta.get('load_before', '-')} / {meta.get('load_after', '-')} · "
        f"gunicorn -w {meta['workers']} on 127.0.0.1:{meta['port']} (DEBUG={meta['debug']}) · "
        f"{meta['per_kind']} requests "
        "per kind and user, kinds interleaved, sequential, after warm-up.",
        "",
        "Rerun: `.venv/bin/python bench/bench_registry.py` (add `--import-phases` for the phase breakdown, "
        "`--skip-import` to re-measure search on the loaded DB).",
        "",
        "## Import (`manage.py import_pensioners`, fresh empty registry)",
        "",
    ]
    if "import_s" in meta:
        ok = "✅" if meta["import_s"] <= IMPORT_TARGET_S else "❌"
        lines += [
            f"- wall clock **{meta['import_s']:.1f} s** ({meta['rows'] / meta['import_s']:,.0f} rows/s) "
            f"{ok} target ≤ {IMPORT_TARGET_S:.0f} s · output `{meta['import_line']}`",
            f"- then `VACUUM (ANALYZE)` of the registry tables: {meta['analyze_s']:.1f} s "
            "(sets the visibility map as autovacuum would, so index-only scans are possible)",
            f"- sizes after import: {meta['sizes']}",
        ]
    else:
        lines.append("- not run (`--skip-import`)")
    if phases:
        lines += [
            "",
            "Phases (`--import-phases`, a separate instrumented import into a fresh DB):",
            "",
            "```",
            phases,
            "```",
        ]
    lines += [
        "",
        f"## Search over HTTP: `GET /pensioners/?q=...` (ms, client-side wall clock; target p95 ≤ {P95_TARGET_MS:.0f})",
        "",
        f"Load average before/after the search phase: {meta['search_load_before']} / {meta['search_load_after']} "
        "(2 cores; other work on the machine shows up as tail latency).",
        "",
    ]
    header = (
        "| kind | " + " | ".join(f"{label} p50 / p95 / max" for _, label, _ in USERS) + " | matches (admin) |"
    )
    lines += [header, "|---|" + "---|" * (len(USERS) + 1)]
    for kind, kind_label in KINDS:
        cells = []
        for username, _, _ in USERS:
            samples = latencies[username][kind]
            values = [ms for ms, _, _ in samples]
            if not values:
                cells.append("n/a")
                continue
            p95 = percentile(values, 0.95)
            flag = " ❌" if p95 > P95_TARGET_MS else ""
            cells.append(f"{fmt(percentile(values, 0.5))} / **{fmt(p95)}**{flag} / {fmt(max(values))}")
        counts = sorted({c for _, _, c in latencies[USERS[0][0]][kind]}, key=lambda c: (len(c), c))
        count_text = counts[0] if len(counts) == 1 else f"{counts[0]}…{counts[-1]}"
        lines.append(f"| {kind_label} (`{kind}`) | " + " | ".join(cells) + f" | {count_text} |")
    lines += [
        "",
        "## Plans (slowest value of each kind, in-process request with CaptureQueriesContext, then "
        "EXPLAIN (ANALYZE, BUFFERS) of each registry SELECT; full text in `registry_explain.md`)",
        "",
        "| user | kind | q | request ms | queries | DB ms | registry SELECTs: EXPLAIN ANALYZE ms → scans |",
        "|---|---|---|---|---|---|---|",
    ]
    no_index = []
    for row in explained:
        parts = []
        for query in row["registry_queries"]:
            parts.append(
                f"#{query['number']} {query['explain_ms']:.2f} ms → {', '.join(query['scans']) or '-'}"
            )
            seq = [scan for scan in query["scans"] if "Seq Scan" in scan]
            if seq:
                no_index.append(f"{row['user']} · {row['kind']} · query #{query['number']}: {', '.join(seq)}")
        lines.append(
            f"| {row['user']} | {row['kind']} | `{row['q']}` | {row['request_ms']:.0f} | {row['queries']} | "
            f"{row['db_ms']:.1f} | {'<br>'.join(parts)} |"
        )
    lines += [
        "",
        "Sequential scans in those SELECTs (pensioners_area is the 4,163-row division table joined for the "
        "community name): " + ("none" if not no_index else ""),
    ]
    lines += [f"- {item}" for item in no_index]
    report = "\n".join(lines) + "\n"
    (RESULTS / "registry.md").write_text(report, encoding="utf-8")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="Registry benchmark (import + search) on pension_bench.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-kind", type=int, default=50, help="measured requests per kind and user")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per kind and user")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-import", action="store_true", help="reuse the loaded bench DB")
    parser.add_argument("--import-phases", action="store_true", help="also run an instrumented import")
    parser.add_argument(
        "--rev", help="benchmark this commit (git archive snapshot) instead of the working tree"
    )
    args = parser.parse_args()
    if args.rev:
        benchlib.use_revision(args.rev)
    if args.port == 8000:
        raise SystemExit("port 8000 belongs to the developers' portal")
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "bench_registry.log"
    log.write_text("")
    meta: dict = {
        "started": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "rows": args.rows,
        "workers": args.workers,
        "port": args.port,
        "per_kind": args.per_kind,
        "source": benchlib.describe_source(),
        "debug": int(benchlib.DEBUG_MODE),
    }
    phases = ""
    if not args.skip_import:
        if args.import_phases:
            print("[phases] fresh DB + instrumented import ...", flush=True)
            recreate_database(log)
            roster = ensure_roster(args.rows, args.seed, log)
            out = run([PYTHON, str(BENCH / "import_phases.py"), str(roster)], log=log).stdout
            phases = out.strip()
            print(phases, flush=True)
        print("[import] fresh DB ...", flush=True)
        recreate_database(log)
        roster = ensure_roster(args.rows, args.seed, log)
        run(["sync"])
        meta["load_before"] = load_average()
        clock = Stopwatch()
        result = run([PYTHON, "manage.py", "import_pensioners", str(roster)], log=log)
        meta["import_s"] = clock()
        meta["load_after"] = load_average()
        meta["import_line"] = result.stdout.strip().splitlines()[-1]
        print(f"[import] {meta['import_s']:.1f}s  {meta['import_line']}", flush=True)
        clock = Stopwatch()
        for table in ("pensioners_pensioner", "pensioners_benefitline", "pensioners_certificationstate"):
            psql(f"VACUUM (ANALYZE) {table}")
        psql("ANALYZE")  # the small tables too (areas, users), as autovacuum would
        meta["analyze_s"] = clock()
        meta["sizes"] = psql(
            "SELECT string_agg(relname || ' ' || pg_size_pretty(pg_total_relation_size(oid)), ', ' ORDER BY relname) "
            "FROM pg_class WHERE relname IN ('pensioners_pensioner','pensioners_benefitline',"
            "'pensioners_certificationstate')"
        )
    django_setup()
    rng = random.Random(args.seed)
    queries = {
        username: build_queries(prefix, args.per_kind + args.warmup, rng) for username, _, prefix in USERS
    }
    # Measured values come after the warm-up ones.
    measured = {u: {k: v[args.warmup :] for k, v in per.items()} for u, per in queries.items()}
    warm = {u: {k: v[: args.warmup] for k, v in per.items()} for u, per in queries.items()}
    print(f"[search] gunicorn on :{args.port} ...", flush=True)
    server = start_server(args.port, args.workers, RESULTS / "gunicorn.log")
    meta["search_load_before"] = load_average()
    try:
        latencies = http_latencies(args.port, warm, measured, rng)
    finally:
        stop_server(server)
    meta["search_load_after"] = load_average()
    (RESULTS / "registry_latencies.json").write_text(json.dumps(latencies, ensure_ascii=False))
    worst = {
        username: {kind: max(samples)[1] if samples else "" for kind, samples in per_kind.items()}
        for username, per_kind in latencies.items()
    }
    print("[explain] ...", flush=True)
    explained, dump = explain_searches(worst)
    (RESULTS / "registry_explain.md").write_text(
        "# EXPLAIN (ANALYZE, BUFFERS) of every registry SELECT of each search\n" + "".join(dump),
        encoding="utf-8",
    )
    print(write_report(meta, latencies, explained, phases))


if __name__ == "__main__":
    main()
