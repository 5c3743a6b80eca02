"""Suspension batches at 1,000,000 pensioners (issue 15): the candidate list and a 5,000-person batch.

    .venv/bin/python bench/bench_decisions.py                 # fresh database, roster import, measure
    .venv/bin/python bench/bench_decisions.py --skip-load     # reuse the loaded database (reset first)
    .venv/bin/python bench/bench_decisions.py --rev HEAD      # a `git archive` snapshot of the app code
    .venv/bin/python bench/bench_decisions.py --skip-load --prototype   # + what-if indexes, dropped after

Targets (issue 15, "Done when"), each under 2 s at 1M pensioners:
(a) the suspension candidate list of a district with its counts, over HTTP (gunicorn -w 2), as the
    district supervisor (the city administrator's list is measured for information);
(b) approving a 5,000-person suspension batch (batch_approve, in process); proposing the same 5,000
    (suspension_batch_propose) is timed too.

The roster spreads 1M people evenly over 3,093 communities, so district 500103 holds only ~10,700 of them.
To list ~20,000 candidates there, the script first moves a deterministic sample of people from other
districts into 500103's communities (--district-size, default 60,000: a big district), then makes
--district-candidates of them overdue by more than the grace period; elsewhere the roster's own
long-overdue people (~8 %) are the candidates. Every long-overdue person gets two failed contact attempts
of different kinds (a candidate); people overdue less long get one. A few hundred exclusions of each kind
(open home visit, snooze, staff exclusion, contact changed since, death reported, consular form posted)
make the exclusion subqueries find something.

Uses its own database (BENCH_DB, default pension_bench_decisions) and port 8102. App code is never
changed; --prototype creates candidate indexes in the bench database only, measures, and drops them.
Writes bench/results/decisions.md (+ decisions_explain.md, decisions.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "pension_bench_decisions")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import (
    PYTHON,
    RESULTS,
    Stopwatch,
    django_setup,
    ensure_roster,
    load_average,
    percentile,
    recreate_database,
    run,
)

if benchlib.BENCH_DB.startswith(("pension_portal", "test_")):
    raise SystemExit(f"refusing to use {benchlib.BENCH_DB}: use a bench database")

PORT = 8102
ROWS = 1_000_000
SEED = 2026
DISTRICT = "500103"
STREET = "500103003"
TARGET_S = 2.0
CHECKER = "bench_checker"  # a second district supervisor of 500103: the batch's checker

# Put the database back as the roster import (plus the district move, which is idempotent) left it.
RESET_SQL = (
    "TRUNCATE certification_paymentdecision, certification_decisionbatch, certification_paymentfile, "
    "certification_contactattempt, certification_homevisit, certification_suspensionexclusion, "
    "certification_sendattempt, certification_outboxmessage",
    "UPDATE pensioners_certificationstate SET status = 'active' WHERE status <> 'active'",
    "UPDATE pensioners_certificationstate SET snoozed_until = NULL WHERE snoozed_until IS NOT NULL",
    "UPDATE pensioners_certificationstate SET death_reported = false WHERE death_reported",
    "UPDATE pensioners_pensioner SET contact_changed_at = NULL WHERE contact_changed_at IS NOT NULL",
)

# Exclusions among the district's long-overdue people (and 4x as many elsewhere in the city).
EXCLUSIONS = {
    "home_visit_open": 300,
    "snoozed": 300,
    "staff_excluded": 150,
    "contact_changed": 150,
    "death_reported": 60,
    "form_posted": 40,
}


# ---------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------


def execute(cursor, sql: str, params=None) -> int:
    cursor.execute(sql, params)
    return cursor.rowcount


def prepare(args, facts: dict) -> None:
    """Grow the district, make its candidates, give everyone long overdue two failed contacts, add the
    exclusions. Deterministic: md5 of the pensioner id orders every sample."""
    from django.db import connection

    from pensioners.models import Area
    from portal.models import User
    from portal.roles import Role

    watch = Stopwatch()
    street_user = User.objects.get(username="demo_street")
    supervisor = User.objects.get(username="demo_supervisor")
    checker, _ = User.objects.update_or_create(
        username=CHECKER,
        defaults={
            "full_name": "核对员",
            "role": Role.DISTRICT_SUPERVISOR,
            "area": Area.objects.get(code=DISTRICT),
            "is_active": True,
        },
    )
    checker.set_unusable_password()
    checker.save()
    communities = list(
        Area.objects.filter(code__startswith=DISTRICT, level="community")
        .order_by("code")
        .values_list("code", flat=True)
    )
    with connection.cursor() as cursor:
        for statement in RESET_SQL:
            cursor.execute(statement)
        # 1. A big district: move people from elsewhere (idempotent: whoever was moved is in it now).
        cursor.execute(
            "SELECT count(*) FROM pensioners_certificationstate WHERE area_code LIKE %s", [DISTRICT + "%"]
        )
        in_district = cursor.fetchone()[0]
        missing = max(0, args.district_size - in_district)
        moved = 0
        if missing:
            cursor.execute(
                """
                CREATE TEMP TABLE bench_move AS
                SELECT pensioner_id, (%(communities)s::text[])[1 + pensioner_id %% %(n)s] AS community
                FROM pensioners_certificationstate
                WHERE area_code NOT LIKE %(prefix)s
                ORDER BY md5(pensioner_id::text) LIMIT %(missing)s
                """,
                {
                    "communities": communities,
                    "n": len(communities),
                    "prefix": DISTRICT + "%",
                    "missing": missing,
                },
            )
            moved = execute(
                cursor,
                "UPDATE pensioners_pensioner p SET community_id = m.community FROM bench_move m WHERE p.id = m.pensioner_id",
            )
            execute(
                cursor,
                "UPDATE pensioners_certificationstate s SET area_code = m.community FROM bench_move m "
                "WHERE s.pensioner_id = m.pensioner_id",
            )
            cursor.execute("DROP TABLE bench_move")
        facts["moved_into_district"] = moved
        # 2. Long overdue in the district: top up to --district-candidates (deadline 91-200 days ago).
        overdue_before = "current_date - %s" % (90 if args.grace is None else args.grace)
        cursor.execute(
            f"SELECT count(*) FROM pensioners_certificationstate WHERE area_code LIKE %s AND status = 'active' "
            f"AND next_due_on < {overdue_before}",
            [DISTRICT + "%"],
        )
        long_overdue = cursor.fetchone()[0]
        if long_overdue < args.district_candidates:
            facts["made_long_overdue"] = execute(
                cursor,
                f"""
                UPDATE pensioners_certificationstate s SET next_due_on = current_date - 91 - (s.pensioner_id %% 110)::int
                FROM (
                    SELECT pensioner_id FROM pensioners_certificationstate
                    WHERE area_code LIKE %s AND status = 'active' AND next_due_on >= {overdue_before}
                    ORDER BY md5(pensioner_id::text) LIMIT %s
                ) pick
                WHERE s.pensioner_id = pick.pensioner_id
                """,
                [DISTRICT + "%", args.district_candidates - long_overdue],
            )
        else:
            facts["made_long_overdue"] = 0
        # 3. Contact attempts: two failed kinds for the long overdue, one for the others overdue.
        common = "note, moved_to, snooze_until, snooze_reason, made_by_id, contacted_at, made_at) "
        facts["attempts_failed_two"] = 0
        for kind in ("phone_call", "asked_community"):
            facts["attempts_failed_two"] += execute(
                cursor,
                f"""
                INSERT INTO certification_contactattempt (pensioner_id, area_code, kind, outcome, {common}
                SELECT pensioner_id, area_code, %s, 'not_reachable', '', '', NULL, '', %s,
                       now() - interval '10 days', now()
                FROM pensioners_certificationstate
                WHERE status = 'active' AND next_due_on < {overdue_before}
                """,
                [kind, street_user.pk],
            )
        facts["attempts_failed_one"] = execute(
            cursor,
            f"""
            INSERT INTO certification_contactattempt (pensioner_id, area_code, kind, outcome, {common}
            SELECT pensioner_id, area_code, 'phone_call', 'not_reachable', '', '', NULL, '', %s,
                   now() - interval '5 days', now()
            FROM pensioners_certificationstate
            WHERE status = 'active' AND next_due_on >= {overdue_before} AND next_due_on < current_date
            """,
            [street_user.pk],
        )
        # 4. Exclusions: disjoint deterministic samples of the long overdue, in the district and elsewhere.
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_pick AS
            SELECT pensioner_id, area_code, next_due_on, area_code LIKE %s AS in_district,
                   row_number() OVER (PARTITION BY area_code LIKE %s ORDER BY md5('x' || pensioner_id)) AS n
            FROM pensioners_certificationstate
            WHERE status = 'active' AND next_due_on < {overdue_before}
            """,
            [DISTRICT + "%", DISTRICT + "%"],
        )
        picks: dict[str, str] = {}
        start = 0
        for name, count in EXCLUSIONS.items():
            picks[name] = (
                f"(in_district AND n > {start} AND n <= {start + count}) "
                f"OR (NOT in_district AND n > {4 * start} AND n <= {4 * (start + count)})"
            )
            start += count
        excluded = {}
        excluded["home_visit_open"] = execute(
            cursor,
            f"""
            INSERT INTO certification_homevisit (pensioner_id, area_code, requested_via, reason, reason_note,
                status, requested_by_id, requested_at, outcome, outcome_note)
            SELECT pensioner_id, area_code, 'staff', 'age', '', 'requested', %s, now() - interval '3 days', '', ''
            FROM bench_pick WHERE {picks["home_visit_open"]}
            """,
            [street_user.pk],
        )
        excluded["snoozed"] = execute(
            cursor,
            f"UPDATE pensioners_certificationstate s SET snoozed_until = current_date + 30 FROM bench_pick b "
            f"WHERE s.pensioner_id = b.pensioner_id AND ({picks['snoozed']})",
        )
        excluded["staff_excluded"] = execute(
            cursor,
            f"""
            INSERT INTO certification_suspensionexclusion (pensioner_id, area_code, deadline, reason, made_by_id, made_at)
            SELECT pensioner_id, area_code, next_due_on, 'bench: in hospital', %s, now()
            FROM bench_pick WHERE {picks["staff_excluded"]}
            """,
            [supervisor.pk],
        )
        excluded["contact_changed"] = execute(
            cursor,
            f"UPDATE pensioners_pensioner p SET contact_changed_at = now() - interval '1 day' FROM bench_pick b "
            f"WHERE p.id = b.pensioner_id AND ({picks['contact_changed']})",
        )
        excluded["death_reported"] = execute(
            cursor,
            f"UPDATE pensioners_certificationstate s SET death_reported = true FROM bench_pick b "
            f"WHERE s.pensioner_id = b.pensioner_id AND ({picks['death_reported']})",
        )
        # The consular form: only counts for people abroad, so pick among them.
        excluded["form_posted"] = execute(
            cursor,
            f"""
            INSERT INTO certification_contactattempt (pensioner_id, area_code, kind, outcome, {common}
            SELECT b.pensioner_id, b.area_code, 'letter', 'form_posted', '', '', NULL, '', %s,
                   now() - interval '2 days', now()
            FROM bench_pick b JOIN pensioners_pensioner p ON p.id = b.pensioner_id
            WHERE p.abroad_country <> '' AND b.n > {start} AND b.n <= {start + 40 * EXCLUSIONS["form_posted"]}
            """,
            [street_user.pk],
        )
        cursor.execute("DROP TABLE bench_pick")
        facts["exclusions_made"] = excluded
    benchlib.psql("VACUUM ANALYZE")
    facts["prepare_seconds"] = watch()


def row_counts(facts: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              (SELECT count(*) FROM pensioners_pensioner),
              (SELECT count(*) FROM pensioners_certificationstate WHERE area_code LIKE %(d)s),
              (SELECT count(*) FROM pensioners_certificationstate WHERE area_code LIKE %(s)s),
              (SELECT count(*) FROM pensioners_certificationstate WHERE status = 'active'
                 AND next_due_on < current_date - 90),
              (SELECT count(*) FROM pensioners_certificationstate WHERE status = 'active'
                 AND next_due_on < current_date - 90 AND area_code LIKE %(d)s),
              (SELECT count(*) FROM certification_contactattempt),
              (SELECT count(*) FROM certification_homevisit),
              (SELECT count(*) FROM certification_suspensionexclusion),
              (SELECT count(*) FROM pensioners_benefitline)
            """,
            {"d": DISTRICT + "%", "s": STREET + "%"},
        )
        keys = (
            "pensioners",
            "district_people",
            "street_people",
            "long_overdue_city",
            "long_overdue_district",
            "contact_attempts",
            "home_visits",
            "staff_exclusions",
            "benefit_lines",
        )
        facts["rows"] = dict(zip(keys, cursor.fetchone(), strict=True))


def candidates_in(states, area, today):
    """suspension_candidates as the app's views call it: newer code takes the user's area (`within`) to
    bound its set-based search; older code has no such parameter."""
    import inspect

    from certification.decisions.queries import suspension_candidates

    if "within" in inspect.signature(suspension_candidates).parameters:
        return suspension_candidates(states, today=today, within=area)
    return suspension_candidates(states, today=today)


def candidate_counts(facts: dict) -> None:
    """What the list itself says: candidates, eligible, excluded (district and city), by the app's query."""
    from django.utils import timezone

    from certification.decisions.queries import eligible_only, excluded_only
    from pensioners.models import Area, CertificationState

    today = timezone.localdate()
    for code in (DISTRICT, "500000"):
        area = Area.objects.get(code=code)
        candidates = candidates_in(CertificationState.objects.within(area), area, today)
        watch = Stopwatch()
        facts.setdefault("candidates", {})[code] = {
            "all": candidates.count(),
            "eligible": eligible_only(candidates).count(),
            "excluded": excluded_only(candidates).count(),
            "seconds_for_three_counts": round(watch(), 2),
        }


# ---------------------------------------------------------------------------------------------------
# (a) the list over HTTP
# ---------------------------------------------------------------------------------------------------

URL = "/certification/payments/candidates/"
_STAT = re.compile(r'data-testid="(eligible-count|excluded-count)">([0-9]+)<')


def list_paths(rng: random.Random, user_area: str, requests: int) -> list[tuple[str, str]]:
    """(kind, path): the first page, eligible only, a street (a district for the city), a community,
    a later page, the district eligible only."""
    from pensioners.models import Area

    city = user_area == "500000"
    prefix = "50" if city else user_area
    streets = list(
        Area.objects.filter(code__startswith=prefix, level="street").values_list("code", flat=True)
    )
    communities = list(
        Area.objects.filter(code__startswith=DISTRICT, level="community").values_list("code", flat=True)
    )
    districts = list(Area.objects.filter(level="district").values_list("code", flat=True))
    paths = []
    for number in range(requests):
        choice = number % 6
        if choice == 0:
            paths.append(("first page", URL))
        elif choice == 1:
            paths.append(("?show=eligible", f"{URL}?show=eligible"))
        elif choice == 2:
            area = rng.choice(districts) if city else rng.choice(streets)
            paths.append(
                (
                    "?area=<district>&show=eligible" if city else "?area=<street>&show=eligible",
                    f"{URL}?area={area}&show=eligible",
                )
            )
        elif choice == 3:
            paths.append(("?area=<community>", f"{URL}?area={rng.choice(communities)}"))
        elif choice == 4:
            paths.append(("?page=2..20", f"{URL}?page={rng.randint(2, 20)}"))
        else:
            paths.append((f"?area={DISTRICT}&show=eligible", f"{URL}?area={DISTRICT}&show=eligible"))
    return paths


def measure_http(args, out: dict) -> None:
    from bench_registry import Browser, stop_server

    rng = random.Random(SEED)
    server = start_server(PORT, 2, RESULTS / "decisions_gunicorn.log")
    try:
        for username, area, requests in (
            ("demo_supervisor", DISTRICT, args.requests),
            ("demo_admin", "500000", args.admin_requests),
        ):
            if not requests:
                continue
            browser = Browser(PORT)
            browser.login(username)
            paths = list_paths(rng, area, requests)
            for _, path in paths[:2]:  # warm up both workers
                status, _, _ = browser.request("GET", path)
                if status != 200:
                    raise SystemExit(f"{username} {path}: HTTP {status}")
            timings = []
            load_before = load_average()
            for kind, path in paths:
                watch = Stopwatch()
                status, _, page = browser.request("GET", path)
                seconds = watch()
                if status != 200:
                    raise SystemExit(f"{username} {path}: HTTP {status}")
                stats = dict(_STAT.findall(page))
                timings.append({"kind": kind, "path": path, "s": seconds, **stats})
            out.setdefault("http", {})[username] = {
                "timings": timings,
                "load": f"{load_before} → {load_average()}",
            }
            print(f"  HTTP {username}: p50/p95/max ms {summary([t['s'] for t in timings])}", flush=True)
    finally:
        stop_server(server)


def start_server(port: int, workers: int, log: Path):
    """bench_registry.start_server, with the WSGI module of the variant (the portal, or a what-if)."""
    import bench_registry

    return bench_registry.start_server(port, workers, log, module=WSGI["module"])


def summary(seconds: list[float]) -> str:
    return (
        f"{percentile(seconds, 0.5) * 1000:.0f} / **{percentile(seconds, 0.95) * 1000:.0f}** / "
        f"{max(seconds) * 1000:.0f}"
    )


# ---------------------------------------------------------------------------------------------------
# In process: the page's statements, each explained; the counts as one aggregate (what-if)
# ---------------------------------------------------------------------------------------------------


def page_statements(username: str, path: str, warm: bool = True) -> tuple[float, list[dict]]:
    """The page in process (Django's test client), with every SQL statement it ran and its time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    if warm:
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        watch = Stopwatch()
        response = client.get(path)
        seconds = watch()
    if response.status_code != 200:
        raise SystemExit(f"in process {path}: HTTP {response.status_code}")
    return seconds, [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in captured.captured_queries]


def explain(sql: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement (a SELECT), with what the report needs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    def number(pattern: str) -> float | None:
        found = re.search(pattern, plan)
        return float(found.group(1)) if found else None

    state_scan = re.search(
        r"(Parallel Seq Scan|Seq Scan|Bitmap Index Scan|Index Scan|Index Only Scan)"
        r"(?: using (\w+))? on pensioners_certificationstate",
        plan,
    )
    if state_scan and state_scan.group(1) == "Bitmap Index Scan":
        state_scan = re.search(r"Bitmap Index Scan on (\w+)", plan)
        scan = f"Bitmap Index Scan on {state_scan.group(1)}" if state_scan else "?"
    elif state_scan:
        scan = state_scan.group(1) + (f" using {state_scan.group(2)}" if state_scan.group(2) else "")
    else:
        bitmap = re.search(r"Bitmap Index Scan on (\w+)", plan)
        scan = f"Bitmap Index Scan on {bitmap.group(1)}" if bitmap else "?"
    return {
        "plan": plan,
        "execution_ms": number(r"Execution Time: ([0-9.]+) ms"),
        "jit_ms": number(r"Timing: .*Total ([0-9.]+) ms") or 0.0,
        "top_cost": number(r"^\S.*?cost=[0-9.]+\.\.([0-9.]+)"),
        "state_scan": scan,
    }


def label_statement(sql: str) -> str:
    upper = sql.upper()
    if upper.startswith('SELECT COUNT("__COL1"), SUM('):
        return "eligible count + monthly sum"
    if upper.startswith("SELECT COUNT(*)"):
        return "excluded count" if " OR " in upper else "paginator count"
    if re.search(r"LIMIT \d+( OFFSET \d+)?$", upper.strip()):
        return "page rows (50)"
    if "SELECT_FOR_UPDATE" in upper or upper.endswith("FOR UPDATE"):
        return "lock rows"
    return sql[:60]


def one_aggregate_counts(area_code: str) -> dict:
    """What-if (no app change): the page's three counting statements (paginator count, eligible count +
    sum, excluded count) against one aggregate with FILTER, on the same candidate queryset."""
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from certification.decisions.queries import (
        ALL_EXCLUSIONS,
        eligible_only,
        excluded_only,
    )
    from pensioners.models import Area, CertificationState

    area = Area.objects.get(code=area_code)
    candidates = candidates_in(CertificationState.objects.within(area), area, timezone.localdate())
    eligible = Q(**{f"x_{name}": False for name in ALL_EXCLUSIONS})
    watch = Stopwatch()
    three = (
        candidates.count(),
        eligible_only(candidates).aggregate(people=Count("pk"), monthly=Sum("monthly_total")),
        excluded_only(candidates).count(),
    )
    three_s = watch()
    watch = Stopwatch()
    one = candidates.aggregate(
        people=Count("pk"),
        eligible=Count("pk", filter=eligible),
        monthly=Sum("monthly_total", filter=eligible),
    )
    one_s = watch()
    same = (
        one["people"] == three[0]
        and one["eligible"] == three[1]["people"]
        and one["monthly"] == three[1]["monthly"]
        and one["people"] - one["eligible"] == three[2]
    )
    return {"three_statements_s": three_s, "one_aggregate_s": one_s, "same_numbers": same}


_AREA_JOIN_FILTER = "Join Filter: ((pensioners_pensioner.community_id)::text = (pensioners_area.code)::text)"


def plan_stability(sql: str, samples: int) -> list[dict]:
    """The page-rows statement planned again after each of `samples` fresh ANALYZEs (ANALYZE samples rows
    at random, as autovacuum does): which join to the area table the planner picks, at what cost."""
    from django.db import connection

    picks = []
    with connection.cursor() as cursor:
        for _ in range(samples):
            cursor.execute(
                "ANALYZE pensioners_certificationstate, pensioners_pensioner, pensioners_area, "
                "certification_contactattempt"
            )
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cost = float(re.search(r"cost=[0-9.]+\.\.([0-9.]+)", plan).group(1))
            state = re.search(r"on pensioners_certificationstate .*?rows=(\d+)", plan)
            rows = int(state.group(1)) if state else -1
            picks.append(
                {
                    "cost": cost,
                    "area_join": "nested loop + join filter over all 4,163 areas"
                    if _AREA_JOIN_FILTER in plan
                    else ("hash join" if "Hash Join" in plan else "index lookup per row"),
                    "estimated_rows": rows,
                }
            )
    return picks


def measure_in_process(args, out: dict) -> None:
    pages = {}
    for username, path in (
        ("demo_supervisor", URL),
        ("demo_supervisor", f"{URL}?show=eligible"),
        ("demo_admin", URL),
    ):
        seconds, statements = page_statements(username, path)
        heavy = [q for q in statements if q["ms"] >= 20]
        page = {
            "seconds": seconds,
            "queries": len(statements),
            "sql_ms": sum(q["ms"] for q in statements),
            "heavy": [],
        }
        for q in sorted(heavy, key=lambda q: -q["ms"]):
            entry = {"label": label_statement(q["sql"]), "ms": q["ms"], "sql": q["sql"]}
            if username == "demo_supervisor" and path == URL and q["sql"].upper().startswith("SELECT"):
                entry.update(explain(q["sql"]))
            page["heavy"].append(entry)
        pages[f"{username} {path}"] = page
        print(
            f"  in process {username} {path}: {seconds:.2f} s, {len(statements)} queries, "
            f"{page['sql_ms']:.0f} ms SQL: "
            + ", ".join(f"{h['label']} {h['ms']:.0f}" for h in page["heavy"]),
            flush=True,
        )
    out["in_process"] = pages
    out["one_aggregate"] = {code: one_aggregate_counts(code) for code in (DISTRICT,)}
    print(f"  counts what-if: {out['one_aggregate']}", flush=True)
    page_rows = next(
        (h for h in pages[f"demo_supervisor {URL}"]["heavy"] if h["label"] == "page rows (50)"), None
    )
    if page_rows and args.plan_samples:
        out["plan_stability"] = plan_stability(page_rows["sql"], args.plan_samples)
        print(f"  plan stability: {[p['area_join'] for p in out['plan_stability']]}", flush=True)


# ---------------------------------------------------------------------------------------------------
# (b) a 5,000-person batch: propose (maker: demo_street), approve (checker: a second supervisor)
# ---------------------------------------------------------------------------------------------------


def timed_call(function, **kwargs):
    """Call a service with every statement captured: (result, seconds, statements)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        watch = Stopwatch()
        result = function(**kwargs)
        seconds = watch()
    statements = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in captured.captured_queries]
    return result, seconds, statements


def short(sql: str) -> str:
    text = " ".join(sql.split())
    text = re.sub(r"IN \((\d+, ){3,}\d+\)", "IN (…5,000 ids…)", text)
    text = re.sub(r"= ANY\(ARRAY\[[^\]]*\]\)", "= ANY(…)", text)
    return text[:110]


def biggest_select(statements: list[dict]) -> dict:
    return max(
        (q for q in statements if q["sql"].lstrip().upper().startswith("SELECT")), key=lambda q: q["ms"]
    )


def measure_batches(args, out: dict) -> None:
    from django.utils import timezone

    from certification.decisions.queries import eligible_only, states_of
    from certification.decisions.services import batch_approve, suspension_batch_propose
    from certification.models import DecisionStatus, PaymentDecision
    from pensioners.models import Area, CertificationState
    from portal.models import User

    maker = User.objects.get(username="demo_street")
    checker = User.objects.get(username=CHECKER)
    district = Area.objects.get(code=DISTRICT)
    rounds = []
    for number in range(1, args.repeats + 1):
        today = timezone.localdate()
        # Fresh people each round: whoever an earlier round suspended is no longer a candidate.
        ids = list(
            eligible_only(candidates_in(CertificationState.objects.within(district), district, today))
            .order_by("pensioner_id")
            .values_list("pensioner_id", flat=True)[: args.batch]
        )
        if len(ids) < args.batch:
            print(f"  round {number}: only {len(ids)} eligible left; stopping", flush=True)
            break
        load_before = load_average()
        batch, propose_s, propose_sql = timed_call(
            suspension_batch_propose,
            actor=maker,
            area=district,
            name=f"bench {number}: {args.batch} people",
            candidates=candidates_in(states_of(ids), district, today),
        )
        propose_plan = explain(biggest_select(propose_sql)["sql"]) if number == 1 else None
        if number == 1:
            # The list as the checker opens it while this batch waits for approval (5,000 open proposals).
            waiting_s, waiting_sql = page_statements("demo_supervisor", URL, warm=False)
            out["list_while_batch_waits"] = {
                "seconds": waiting_s,
                "heavy": [
                    {"label": label_statement(q["sql"]), "ms": q["ms"]}
                    for q in sorted(waiting_sql, key=lambda q: -q["ms"])
                    if q["ms"] >= 20
                ],
            }
            print(f"  list while the batch waits: {waiting_s:.2f} s", flush=True)
        batch, approve_s, approve_sql = timed_call(batch_approve, batch=batch, actor=checker)
        approve_plan = explain(biggest_select(approve_sql)["sql"]) if number == 1 else None
        suspended = CertificationState.objects.filter(pensioner_id__in=ids, status="suspended").count()
        approved = PaymentDecision.objects.filter(batch=batch, status=DecisionStatus.APPROVED).count()
        entry = {
            "people": len(ids),
            "approved": batch.approved_count,
            "approved_rows": approved,
            "dropped": batch.dropped_count,
            "suspended_after": suspended,
            "propose_s": propose_s,
            "approve_s": approve_s,
            "load": f"{load_before} → {load_average()}",
        }
        for label, statements, seconds in (
            ("propose", propose_sql, propose_s),
            ("approve", approve_sql, approve_s),
        ):
            sql_ms = sum(q["ms"] for q in statements)
            entry[f"{label}_queries"] = len(statements)
            entry[f"{label}_sql_ms"] = sql_ms
            entry[f"{label}_python_ms"] = seconds * 1000 - sql_ms
            entry[f"{label}_top"] = [
                {"ms": q["ms"], "sql": short(q["sql"])}
                for q in sorted(statements, key=lambda q: -q["ms"])[:6]
            ]
            plan = propose_plan if label == "propose" else approve_plan
            if plan:  # round 1: the candidate SELECT explained right after the call
                entry[f"{label}_select_explain"] = plan
                entry[f"{label}_select_ms"] = biggest_select(statements)["ms"]
        rounds.append(entry)
        print(
            f"  round {number}: propose {propose_s:.2f} s, approve {approve_s:.2f} s; approved {batch.approved_count}, "
            f"dropped {batch.dropped_count}, suspended {suspended}",
            flush=True,
        )
    out["batches"] = rounds


# ---------------------------------------------------------------------------------------------------
# Variants: as the app ships, and what-ifs in the bench database only
# ---------------------------------------------------------------------------------------------------

PROTO_INDEX = "bench_proto_state_active"
VARIANTS = {
    "as shipped": {"jit": None, "index": False},
    "jit off": {"jit": "off", "index": False},
    "index": {"jit": None, "index": True},
    "jit off + index": {"jit": "off", "index": True},
    # The list's rows without the join to pensioners_area (bench/decisions_whatif.py, in memory only).
    "no area join": {"jit": None, "index": False, "patch": "no_area_join"},
}
WSGI = {"module": "portal.wsgi"}


def apply_variant(name: str) -> None:
    from django.db import connection

    variant = VARIANTS[name]
    db = benchlib.BENCH_DB
    if variant["jit"]:
        benchlib.psql(f'ALTER DATABASE "{db}" SET jit = {variant["jit"]}')
    else:
        benchlib.psql(f'ALTER DATABASE "{db}" RESET jit')
    if variant["index"]:
        # The queue index without `death_reported = false`: the candidate query (status = 'active' and
        # next_due_on < today - grace, any death flag) can use it; state_queue's predicate excludes it.
        benchlib.psql(
            f"CREATE INDEX IF NOT EXISTS {PROTO_INDEX} ON pensioners_certificationstate (area_code, next_due_on) "
            "WHERE status = 'active'"
        )
    else:
        benchlib.psql(f"DROP INDEX IF EXISTS {PROTO_INDEX}")
    connection.close()  # the next statement opens a session with the database's new defaults
    import decisions_whatif

    decisions_whatif.no_area_join(variant.get("patch") == "no_area_join")
    WSGI["module"] = "decisions_whatif:application" if variant.get("patch") else "portal.wsgi"


def cleanup() -> None:
    benchlib.psql(f'ALTER DATABASE "{benchlib.BENCH_DB}" RESET jit')
    benchlib.psql(f"DROP INDEX IF EXISTS {PROTO_INDEX}")


# ---------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------


def machine() -> str:
    cores = os.cpu_count()
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{mem_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, AttributeError):
        ram = "? RAM"
    try:
        model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    except (OSError, AttributeError):
        model = platform.processor() or "?"
    pg = benchlib.psql("SHOW server_version")
    settings_line = benchlib.psql(
        "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings "
        "WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'jit_above_cost', 'jit_inline_above_cost', "
        "'jit_optimize_above_cost', 'max_parallel_workers_per_gather')"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        portal_jit = cursor.fetchone()[0]
    return (
        f"{cores} cores ({model}), {ram}; PostgreSQL {pg} (server: {settings_line}; the portal's own "
        f"connections: jit={portal_jit}); Python {platform.python_version()}"
    )


def verdict(seconds: float) -> str:
    return "**pass**" if seconds < TARGET_S else "**FAIL**"


def result_table(results: dict) -> list[str]:
    rows = [
        "| variant | (a) district list over HTTP, supervisor p50 / **p95** / max ms | (a) city list, admin (info) p50 / p95 / max ms | (b) approve 5,000 s (each round) | propose 5,000 s (each round) |",
        "|---|---|---|---|---|",
    ]
    for name, data in results["variants"].items():
        http = data.get("http", {})
        sup = [t["s"] for t in http.get("demo_supervisor", {}).get("timings", [])]
        adm = [t["s"] for t in http.get("demo_admin", {}).get("timings", [])]
        batches = data.get("batches", [])
        approve = ", ".join(f"{b['approve_s']:.2f}" for b in batches)
        propose = ", ".join(f"{b['propose_s']:.2f}" for b in batches)
        rows.append(
            f"| {name} | {summary(sup) + ' ' + verdict(percentile(sup, 0.95)) if sup else '–'} "
            f"| {summary(adm) if adm else '–'} "
            f"| {approve + ' ' + verdict(max(b['approve_s'] for b in batches)) if batches else '–'} "
            f"| {propose + ' ' + verdict(max(b['propose_s'] for b in batches)) if batches else '–'} |"
        )
    return rows


def report(results: dict, started: str) -> tuple[str, str]:
    facts = results["facts"]
    rows = facts["rows"]
    lines = [
        "# Suspension batches at 1,000,000 pensioners (issue 15)",
        "",
        f"Run {started} · code: {results.get('source', '?')} · DB `{benchlib.BENCH_DB}` · port {PORT}",
        "",
        f"Machine: {results['machine']}.",
        f"Load average at start {results['load_start']}, at end {results.get('load_end', '?')} "
        "(the machine is shared: other work running at the same time slows every figure).",
        "",
        "Rerun: `.venv/bin/python bench/bench_decisions.py` (fresh load, ~5 min) or "
        "`.venv/bin/python bench/bench_decisions.py --skip-load --prototype` (reuse the loaded database; "
        "`--prototype` adds the what-if variants).",
        "",
        "## Data",
        "",
        f"- {rows['pensioners']:,} pensioners, {rows['benefit_lines']:,} benefit lines"
        + (f"; roster import {results['load']:.0f} s" if "load" in results else ""),
        f"- district {DISTRICT}: {rows['district_people']:,} people ({facts['moved_into_district']:,} moved in from "
        f"other districts this run; the roster spreads 1M people evenly over 3,093 communities, 10,746 of them "
        f"in 500103), street {STREET}: {rows['street_people']:,}",
        f"- overdue more than 90 days and active: {rows['long_overdue_district']:,} in the district, "
        f"{rows['long_overdue_city']:,} in the city (the district topped up by {facts['made_long_overdue']:,})",
        f"- contact attempts: {rows['contact_attempts']:,} ({facts['attempts_failed_two']:,} = two failed kinds, "
        f"phone_call + asked_community, for every long-overdue person; {facts['attempts_failed_one']:,} = one "
        f"failed call for everyone overdue less long; plus consular forms posted)",
        "- exclusions made (district + 4× elsewhere): "
        + ", ".join(f"{k} {v:,}" for k, v in facts["exclusions_made"].items()),
    ]
    for code, counts in facts["candidates"].items():
        lines.append(
            f"- candidates in {code}: {counts['all']:,} ({counts['eligible']:,} eligible, {counts['excluded']:,} excluded)"
        )
    lines += [""]

    summary_rows = [
        "## Results against the 2 s targets",
        "",
        f"Code: {results.get('source', '?')}.",
        "",
        *result_table(results),
        "",
    ]
    previous = results.get("compare_with")
    if previous:
        summary_rows += [
            f"The same benchmark on the earlier code ({previous.get('source', '?')}, run {previous.get('started', '?')}):",
            "",
            *result_table(previous),
            "",
        ]
    lines += summary_rows
    if results.get("findings"):
        lines += ["## Findings", "", results["findings"].strip(), ""]

    explain_lines = ["# EXPLAIN (ANALYZE, BUFFERS) of the candidate list and the batch re-checks", ""]
    for name, data in results["variants"].items():
        lines += [f"## Variant: {name}", ""]
        http = data.get("http", {})
        for username, entry in http.items():
            lines += [f"HTTP as {username} (load {entry['load']}), by request kind (ms p50 / max, n):", ""]
            kinds: dict[str, list[float]] = {}
            for t in entry["timings"]:
                kinds.setdefault(t["kind"], []).append(t["s"])
            for kind, values in kinds.items():
                lines.append(
                    f"- `{kind}`: {percentile(values, 0.5) * 1000:.0f} / {max(values) * 1000:.0f} ({len(values)})"
                )
            first = entry["timings"][0]
            lines += [
                f"- page counts shown on `{first['path']}`: eligible {first.get('eligible-count', '?')}, "
                f"excluded {first.get('excluded-count', '?')}",
                "",
            ]
        for page_name, page in data.get("in_process", {}).items():
            lines.append(
                f"In process `{page_name}`: {page['seconds'] * 1000:.0f} ms, {page['queries']} queries, "
                f"{page['sql_ms']:.0f} ms in SQL:"
            )
            for h in page["heavy"]:
                extra = ""
                if "execution_ms" in h:
                    extra = (
                        f" — EXPLAIN: {h['execution_ms']:.0f} ms of which JIT {h['jit_ms']:.0f} ms; "
                        f"planner cost {h['top_cost']:,.0f}; state rows via {h['state_scan']}"
                    )
                lines.append(f"  - {h['label']}: {h['ms']:.0f} ms{extra}")
            lines.append("")
        if data.get("plan_stability"):
            picks = data["plan_stability"]
            bad = sum(1 for p in picks if p["area_join"].startswith("nested loop"))
            lines += [
                f"Plan stability of the page-rows statement over {len(picks)} fresh ANALYZEs: the nested loop "
                f"with a join filter over every area (20,000 × 4,163 comparisons) chosen {bad} times; "
                + "; ".join(
                    f"{p['area_join']} (cost {p['cost']:,.0f}, {p['estimated_rows']:,} state rows estimated)"
                    for p in picks
                ),
                "",
            ]
        if "one_aggregate" in data:
            for code, what in data["one_aggregate"].items():
                lines.append(
                    f"What-if, the page's counts for {code} as one aggregate with FILTER: "
                    f"{what['one_aggregate_s'] * 1000:.0f} ms instead of {what['three_statements_s'] * 1000:.0f} ms "
                    f"for the three statements (same numbers: {what['same_numbers']})."
                )
            lines.append("")
        if "list_while_batch_waits" in data:
            waiting = data["list_while_batch_waits"]
            lines += [
                f"The district list in process while round 1's batch (5,000 open proposals) waits for approval: "
                f"{waiting['seconds'] * 1000:.0f} ms ("
                + ", ".join(f"{h['label']} {h['ms']:.0f} ms" for h in waiting["heavy"])
                + ").",
                "",
            ]
        for number, b in enumerate(data.get("batches", []), 1):
            lines.append(
                f"Batch round {number} (load {b['load']}): {b['people']:,} people; propose {b['propose_s']:.2f} s "
                f"({b['propose_queries']} queries, {b['propose_sql_ms']:.0f} ms SQL, {b['propose_python_ms']:.0f} ms "
                f"Python); approve {b['approve_s']:.2f} s ({b['approve_queries']} queries, {b['approve_sql_ms']:.0f} ms "
                f"SQL, {b['approve_python_ms']:.0f} ms Python); approved {b['approved']:,} "
                f"(rows {b['approved_rows']:,}), dropped {b['dropped']}, suspended {b['suspended_after']:,}"
            )
            for label in ("propose", "approve"):
                lines.append(
                    f"  - {label}, slowest statements: "
                    + "; ".join(f"{q['ms']:.0f} ms `{q['sql'][:80]}`" for q in b[f"{label}_top"][:5])
                )
                if f"{label}_select_explain" in b:
                    e = b[f"{label}_select_explain"]
                    lines.append(
                        f"  - {label} candidate SELECT: {b[f'{label}_select_ms']:.0f} ms in the call; EXPLAIN "
                        f"{e['execution_ms']:.0f} ms of which JIT {e['jit_ms']:.0f} ms; cost {e['top_cost']:,.0f}; "
                        f"state rows via {e['state_scan']}"
                    )
        lines.append("")
        # Full plans go to the explain file.
        explain_lines += [f"## Variant: {name}", ""]
        for page_name, page in data.get("in_process", {}).items():
            for h in page["heavy"]:
                if "plan" in h:
                    explain_lines += [
                        f"### {page_name}: {h['label']} ({h['ms']:.0f} ms in the page)",
                        "",
                        "```sql",
                        h["sql"],
                        "```",
                        "",
                        "```",
                        h["plan"],
                        "```",
                        "",
                    ]
        for number, b in enumerate(data.get("batches", []), 1):
            for label in ("propose", "approve"):
                if f"{label}_select_explain" in b:
                    explain_lines += [
                        f"### batch round {number}: {label}, candidate SELECT",
                        "",
                        "```",
                        b[f"{label}_select_explain"]["plan"],
                        "```",
                        "",
                    ]
    return "\n".join(lines) + "\n", "\n".join(explain_lines) + "\n"


def wait_idle(threshold: float, patience: float = 180) -> None:
    """The machine is shared: give other work a moment to finish before measuring (never forever)."""
    if threshold <= 0:
        return
    deadline = time.time() + patience
    while time.time() < deadline:
        if float(load_average().split()[0]) < threshold:
            return
        time.sleep(5)
    print(f"  load average still {load_average()}: measuring anyway", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument(
        "--rev", help="benchmark this commit (git archive snapshot) instead of the working tree"
    )
    parser.add_argument("--district-size", type=int, default=60_000)
    parser.add_argument("--district-candidates", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="district supervisor's requests")
    parser.add_argument("--admin-requests", type=int, default=12, help="city administrator's requests")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3, help="batch rounds, fresh people each")
    parser.add_argument(
        "--idle-load",
        type=float,
        default=1.2,
        help="before each measurement wait (up to 3 min) for the 1-minute load average to fall below this; 0: don't",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from results/decisions.json"
    )
    parser.add_argument("--grace", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--prototype", action="store_true", help="also measure the what-if variants")
    parser.add_argument(
        "--variants",
        default="",
        help=f"comma list of variants to run (default: all with --prototype); of: {', '.join(VARIANTS)}",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        default=None,
        help="an earlier decisions.json to summarise next to this run",
    )
    parser.add_argument("--plan-samples", type=int, default=6, help="fresh ANALYZEs to test plan stability")
    parser.add_argument("--only", default="", help="comma list of: inproc,http,batch (default: all)")
    parser.add_argument(
        "--findings",
        type=Path,
        default=RESULTS / "decisions_findings.md",
        help="hand-written findings to include in the report, if the file exists",
    )
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((RESULTS / "decisions.json").read_text(encoding="utf-8"))
        if args.findings.exists():
            results["findings"] = args.findings.read_text(encoding="utf-8")
        text, plans = report(results, results.get("started", "?"))
        (RESULTS / "decisions.md").write_text(text, encoding="utf-8")
        (RESULTS / "decisions_explain.md").write_text(plans, encoding="utf-8")
        print(text)
        return
    if args.rev:
        benchlib.use_revision(args.rev)
    started = time.strftime("%Y-%m-%d %H:%M")
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "decisions.log"
    results: dict = {
        "args": vars(args),
        "load_start": load_average(),
        "started": started,
        "source": benchlib.describe_source(),
    }
    if args.compare_with:
        earlier = json.loads(args.compare_with.read_text(encoding="utf-8"))
        results["compare_with"] = {
            "source": earlier.get("source", "?"),
            "started": earlier.get("started", "?"),
            "variants": {
                name: {
                    "http": data.get("http", {}),
                    "batches": [
                        {k: v for k, v in b.items() if k in ("propose_s", "approve_s")}
                        for b in data.get("batches", [])
                    ],
                }
                for name, data in earlier["variants"].items()
            },
        }
    if not args.skip_load:
        recreate_database(log)
        roster = ensure_roster(ROWS, SEED, log)
        watch = Stopwatch()
        run([PYTHON, "manage.py", "import_pensioners", str(roster)], log=log)
        results["load"] = watch()
        benchlib.psql("VACUUM ANALYZE")
    else:
        run([PYTHON, "manage.py", "migrate", "--noinput"], log=log)
    django_setup()
    results["machine"] = machine()
    only = set(filter(None, args.only.split(",")))
    names = (
        [name.strip() for name in args.variants.split(",") if name.strip()]
        if args.variants
        else (list(VARIANTS) if args.prototype else ["as shipped"])
    )
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variants: {unknown}; choose from {list(VARIANTS)}")
    results["variants"] = {}
    try:
        for number, name in enumerate(names):
            print(f"== {name}", flush=True)
            apply_variant(name)
            facts: dict = {}
            prepare(args, facts)  # the same data for every variant (batches of the last one undone)
            if number == 0:
                row_counts(facts)
                candidate_counts(facts)
                results["facts"] = facts
                print(json.dumps(facts, default=str), flush=True)
            out = results["variants"][name] = {}
            if not only or "inproc" in only:
                wait_idle(args.idle_load)
                measure_in_process(args, out)
            if not only or "http" in only:
                wait_idle(args.idle_load)
                measure_http(args, out)
            if not only or "batch" in only:
                wait_idle(args.idle_load)
                measure_batches(args, out)
            (RESULTS / "decisions.json").write_text(
                json.dumps(results, default=str, indent=1), encoding="utf-8"
            )
    finally:
        cleanup()
    results["load_end"] = load_average()
    if args.findings.exists():
        results["findings"] = args.findings.read_text(encoding="utf-8")
    text, plans = report(results, started)
    (RESULTS / "decisions.md").write_text(text, encoding="utf-8")
    (RESULTS / "decisions_explain.md").write_text(plans, encoding="utf-8")
    (RESULTS / "decisions.json").write_text(json.dumps(results, default=str, indent=1), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
