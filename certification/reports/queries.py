"""Coverage, trends and activity: the supervisors' numbers, one aggregate query per table.

Every figure is computed with the same definitions as the queues: "overdue" is the CertificationState
`overdue(today)` verb (deadline passed, paid, no death reported; people hidden from the queue for now are
still overdue), the same verb the dashboard counts; "due soon" is 0..DUE_SOON_DAYS days left. The rows
of a coverage table are the children of the area being looked at (district -> streets -> communities),
grouped by the leading digits of the community code, so no report runs one query per area.

The city's and the districts' pages read a stored snapshot of the same computation (refreshed nightly by
the beat, or on demand); a street's or community's coverage is computed live, its monthly trends come
from the street's part of the same snapshot.

Days and months are those of Asia/Shanghai (settings.TIME_ZONE): the database session runs in UTC, so
every timestamp is compared with a local midnight, never with a bare date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils import timezone

from certification.models import Channel
from certification.queues.rules import AGING_BUCKETS
from pensioners.filters import years_before
from pensioners.models import Area, AreaLevel, PaymentStatus
from portal.deadlines import deadline_sql
from portal.jobs import use_bulk_memory
from portal.roles import AREA_LEVEL_CODE_LENGTH

CHILD_LEVEL = {
    AreaLevel.CITY: AreaLevel.DISTRICT,
    AreaLevel.DISTRICT: AreaLevel.STREET,
    AreaLevel.STREET: AreaLevel.COMMUNITY,
    AreaLevel.COMMUNITY: None,
}
COVERAGE_FIELDS = (
    "pensioners",
    "certified",
    "due_soon",
    "overdue_1_30",
    "overdue_31_90",
    "overdue_90_plus",
    "overdue",
    "suspended",
    "stopped",
    "terminated",
    "death_reported",
    "overdue_80_plus",
    "overdue_90_plus_age",
    *[f"channel_{channel}" for channel in Channel.values],
    "channel_roster",
)


@dataclass
class CoverageRow:
    code: str
    name: str
    values: dict

    @property
    def certified_percent(self) -> float:
        """Share of the people to certify (paid, no death reported) whose deadline has not passed."""
        workable = self.values["certified"] + self.values["overdue"]
        return round(100 * self.values["certified"] / workable, 1) if workable else 0.0


def _child_length(area: Area) -> int:
    child = CHILD_LEVEL[area.level]
    return AREA_LEVEL_CODE_LENGTH[child] if child else AREA_LEVEL_CODE_LENGTH[area.level]


def coverage(area: Area, today: date) -> tuple[list[CoverageRow], CoverageRow]:
    """One row per child area (or the community itself at the bottom), and the total."""
    return coverage_rows(area, coverage_values(area, today, _child_length(area)))


def coverage_values(area: Area, today: date, length: int) -> dict[str, dict]:
    """The coverage figures of the area's people, grouped by the first `length` digits of their
    community code: one pass over the narrow state table, which carries the birth date for the ages."""
    soon = today + timedelta(days=settings.DUE_SOON_DAYS)
    buckets = {code: (first, last) for code, _label, first, last in AGING_BUCKETS}
    eighty, ninety = years_before(today, 80), years_before(today, 90)
    workable = f"st.status = '{PaymentStatus.ACTIVE}' AND NOT st.death_reported"
    # The queues' `overdue(today)` verb, in SQL: the dashboard, the queues and this report give one figure
    # (tests/test_dashboard_and_report_agree_on_overdue.py holds them to it).
    overdue = f"{workable} AND st.next_due_on < %(today)s"
    channel_counts = ",\n".join(
        f"count(*) FILTER (WHERE {workable} AND st.latest_channel = '{channel}') AS channel_{channel}"
        for channel in Channel.values
    )
    sql = f"""
        SELECT left(st.area_code, %(length)s) AS code,
            count(*) AS pensioners,
            count(*) FILTER (WHERE {workable} AND st.next_due_on >= %(today)s) AS certified,
            count(*) FILTER (WHERE {workable} AND st.next_due_on BETWEEN %(today)s AND %(soon)s) AS due_soon,
            count(*) FILTER (WHERE {overdue}) AS overdue,
            count(*) FILTER (WHERE {overdue} AND st.next_due_on >= %(today)s - {buckets["1-30"][1]}) AS overdue_1_30,
            count(*) FILTER (WHERE {overdue} AND st.next_due_on < %(today)s - {buckets["1-30"][1]}
                                          AND st.next_due_on >= %(today)s - {buckets["31-90"][1]}) AS overdue_31_90,
            count(*) FILTER (WHERE {overdue} AND st.next_due_on < %(today)s - {buckets["31-90"][1]}) AS overdue_90_plus,
            count(*) FILTER (WHERE st.status = '{PaymentStatus.SUSPENDED}') AS suspended,
            count(*) FILTER (WHERE st.status = '{PaymentStatus.STOPPED}') AS stopped,
            count(*) FILTER (WHERE st.status = '{PaymentStatus.TERMINATED}') AS terminated,
            count(*) FILTER (WHERE st.death_reported) AS death_reported,
            count(*) FILTER (WHERE {overdue} AND st.birth_date <= %(eighty)s) AS overdue_80_plus,
            count(*) FILTER (WHERE {overdue} AND st.birth_date <= %(ninety)s) AS overdue_90_plus_age,
            {channel_counts},
            count(*) FILTER (WHERE {workable} AND st.latest_channel = '' AND st.latest_certified_on IS NOT NULL)
                AS channel_roster
        FROM pensioners_certificationstate st
        WHERE st.area_code LIKE %(prefix)s
        GROUP BY 1
    """
    params = {
        "length": length,
        "today": today,
        "soon": soon,
        "eighty": eighty,
        "ninety": ninety,
        "prefix": area.scope_prefix + "%",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def coverage_rows(area: Area, values_by_code: dict[str, dict]) -> tuple[list[CoverageRow], CoverageRow]:
    """The area's rows (its children, or itself at the bottom) and total, from figures grouped by the
    children's codes or by any longer codes below them (summed up)."""
    length = _child_length(area)
    found: dict[str, dict] = {}
    for code, values in values_by_code.items():
        if code.startswith(area.scope_prefix):
            into = found.setdefault(code[:length], dict.fromkeys(COVERAGE_FIELDS, 0))
            for field in COVERAGE_FIELDS:
                into[field] += values.get(field, 0)
    children = (
        Area.objects.filter(parent=area).order_by("code")
        if CHILD_LEVEL[area.level]
        else Area.objects.filter(pk=area.pk)
    )
    empty = dict.fromkeys(COVERAGE_FIELDS, 0)
    rows = [CoverageRow(child.code, child.name, {**empty, **found.get(child.code, {})}) for child in children]
    total = CoverageRow(
        area.code, area.name, {field: sum(row.values[field] for row in rows) for field in COVERAGE_FIELDS}
    )
    return rows, total


def local_midnight(day: date) -> datetime:
    """The first moment of a local (Asia/Shanghai) day, to compare with stored timestamps."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def months_back(today: date, count: int = 24) -> list[date]:
    """The first day of each of the last `count` months, oldest first (this month included)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def trends(area: Area, today: date) -> dict:
    """Certifications per month by channel, newly overdue per month, reminders sent and failed per month."""
    return trends_by_code(area, today, len(area.scope_prefix))[area.scope_prefix]


def trends_by_code(area: Area, today: date, length: int) -> dict[str, dict]:
    """The trends of the area's people grouped by the first `length` digits of their community code (the
    city's snapshot computes every district's at once): {code: trends}."""
    months = months_back(today)
    start = months[0]
    params = {"prefix": area.scope_prefix + "%", "start": start, "today": today, "length": length}
    certified: dict = defaultdict(lambda: defaultdict(dict))
    newly_overdue: dict = defaultdict(dict)
    reminders: dict = defaultdict(lambda: defaultdict(dict))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT left(area_code, %(length)s), date_trunc('month', certified_on)::date, channel, count(*)
            FROM certification_certification
            WHERE area_code LIKE %(prefix)s AND certified_on >= %(start)s AND outcome = 'passed'
              AND voided_at IS NULL
            GROUP BY 1, 2, 3
            """,
            params,
        )
        for code, month, channel, count in cursor.fetchall():
            certified[code][channel][month] = count
        cursor.execute(_newly_overdue_sql(), params)
        for code, month, count in cursor.fetchall():
            newly_overdue[str(code)][month] = count
        cursor.execute(
            """
            SELECT left(area_code, %(length)s),
                   date_trunc('month', coalesce(sent_at, planned_at) AT TIME ZONE 'Asia/Shanghai')::date,
                   status, count(*)
            FROM certification_outboxmessage
            WHERE area_code LIKE %(prefix)s AND status IN ('sent', 'failed')
              AND coalesce(sent_at, planned_at) >= %(since)s
            GROUP BY 1, 2, 3
            """,
            {**params, "since": local_midnight(start)},
        )
        for code, month, status, count in cursor.fetchall():
            reminders[code][status][month] = count
    codes = {area.scope_prefix} if length == len(area.scope_prefix) else set()
    codes |= set(certified) | set(newly_overdue) | set(reminders)
    return {
        code: {
            "months": [month.isoformat()[:7] for month in months],
            "certifications": {
                channel: [certified[code][channel].get(month, 0) for month in months]
                for channel in Channel.values
            },
            "newly_overdue": [newly_overdue[code].get(month, 0) for month in months],
            "reminders_sent": [reminders[code]["sent"].get(month, 0) for month in months],
            "reminders_failed": [reminders[code]["failed"].get(month, 0) for month in months],
        }
        for code in codes
    }


def _newly_overdue_sql() -> str:
    """People who went overdue, per month of the day after the deadline they missed.

    Worked out from what is known of each person's certifications (the roster's latest, every passed
    certification not voided, and the first benefit date that starts the first period): each of them
    sets a deadline, and a person went overdue on deadline + 1 when the next certification came later
    than the deadline or has not come yet. Reading the planned overdue notices instead showed zero:
    the reminder job plans them only from the day it first ran, never for what went overdue before,
    nor for a day it did not run. A person who died before the deadline did not go overdue.

    A known day whose deadline is before the first month shown is dropped early: it is never counted,
    and never the next day of one that is (a later day never has an earlier deadline), so the counts are
    unchanged. The known days are not de-duplicated: of two equal days the first has the second as its
    next day, not later than its deadline, so only one of them can count (a UNION would hash millions).
    Each day carries its person's area (as a number: the rows sorted for the window stay narrow), so the
    periods need no second join to the people; each branch reads the people itself (a shared CTE was
    materialised, eight million rows written and read three times).

    The first benefit day of a person is in the months shown only for the newest pensioners: those lines
    are found first (for the city, one pass over the benefit table), and only they are checked for an
    earlier line; eight million probes, one per person, took 20 s. The dead are found on the small
    partial index of people with a death date.
    """

    def in_range(day: str) -> str:
        return f"{deadline_sql(day)} + 1 >= %(start)s"

    # Each person's first benefit date: the lines with no earlier line of the same person (a person's
    # lines are few; two on the same first day are two equal known days, counted once as above).
    first_benefit = f"""
            SELECT people.pensioner_id, people.code, b.first_benefit_date
            FROM pensioners_benefitline b JOIN people USING (pensioner_id)
            WHERE {in_range("b.first_benefit_date")}
              AND NOT EXISTS (
                  SELECT 1 FROM pensioners_benefitline earlier
                  WHERE earlier.pensioner_id = b.pensioner_id
                    AND earlier.first_benefit_date < b.first_benefit_date)"""
    return f"""
        WITH people AS NOT MATERIALIZED (
            SELECT pensioner_id, roster_certified_on, left(area_code, %(length)s)::bigint AS code
            FROM pensioners_certificationstate WHERE area_code LIKE %(prefix)s
        ),
        known AS (
            SELECT c.pensioner_id, people.code, c.certified_on AS day
            FROM certification_certification c JOIN people USING (pensioner_id)
            WHERE c.outcome = 'passed' AND c.voided_at IS NULL AND {in_range("c.certified_on")}
            UNION ALL
            SELECT pensioner_id, code, roster_certified_on
            FROM people
            WHERE roster_certified_on IS NOT NULL AND {in_range("roster_certified_on")}
            UNION ALL
            {first_benefit.strip()}
        ),
        periods AS (
            SELECT pensioner_id, code, {deadline_sql("day")} AS deadline,
                lead(day) OVER (PARTITION BY pensioner_id ORDER BY day) AS next_day
            FROM known
        )
        SELECT code, date_trunc('month', deadline + 1)::date, count(*)
        FROM periods
        WHERE (next_day IS NULL OR next_day > deadline)
          AND deadline + 1 >= %(start)s AND deadline < %(today)s
          AND NOT EXISTS (
              SELECT 1 FROM pensioners_pensioner p
              WHERE p.id = periods.pensioner_id AND p.death_date IS NOT NULL AND p.death_date <= deadline)
        GROUP BY 1, 2
    """


def activity(area: Area, since: date, until: date) -> dict:
    """What staff did in a period of local days, `since` and `until` included.

    Certifications, visits and contacts are stamped in UTC; the period's ends are local midnights, so an
    event at 23:30 in Chongqing belongs to that day, not to the next one.
    """
    prefix = area.scope_prefix + "%"
    start, end = local_midnight(since), local_midnight(until + timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT CASE WHEN u.full_name <> '' THEN u.full_name || ' (' || u.username || ')' ELSE u.username END,
                   coalesce(a.name, ''), c.channel, count(*)
            FROM certification_certification c
            JOIN portal_user u ON u.id = c.recorded_by_id
            LEFT JOIN pensioners_area a ON a.code = c.acting_office_id
            WHERE (c.area_code LIKE %s OR c.acting_office_id LIKE %s)
              AND c.recorded_by_id IS NOT NULL  -- said outright, for the index of what staff recorded
              AND c.recorded_at >= %s AND c.recorded_at < %s AND c.voided_at IS NULL
            GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1
            """,
            [prefix, prefix, start, end],
        )
        by_staff = cursor.fetchall()
        cursor.execute(
            """
            SELECT status, outcome, count(*) FROM certification_homevisit
            WHERE area_code LIKE %s AND requested_at >= %s AND requested_at < %s
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            [prefix, start, end],
        )
        visits = cursor.fetchall()
        cursor.execute(
            """
            SELECT kind, outcome, count(*) FROM certification_contactattempt
            WHERE area_code LIKE %s AND made_at >= %s AND made_at < %s
            GROUP BY 1, 2 ORDER BY 3 DESC
            """,
            [prefix, start, end],
        )
        contacts = cursor.fetchall()
    return {"by_staff": by_staff, "visits": visits, "contacts": contacts}


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(day=1), today


def _serialise(rows: list[CoverageRow], total: CoverageRow, trend: dict) -> dict:
    return {
        "rows": [{"code": row.code, "name": row.name, "values": row.values} for row in rows],
        "total": {"code": total.code, "name": total.name, "values": total.values},
        "trends": trend,
    }


def _deserialise_rows(payload: dict) -> tuple[list[CoverageRow], CoverageRow]:
    rows = [CoverageRow(item["code"], item["name"], item["values"]) for item in payload["rows"]]
    total = CoverageRow(payload["total"]["code"], payload["total"]["name"], payload["total"]["values"])
    return rows, total


def uses_snapshot(area: Area) -> bool:
    """Whether the area's pages read the nightly snapshot (certification.reports.models.SNAPSHOT_LEVELS)."""
    from certification.reports.models import SNAPSHOT_LEVELS

    return area.level in SNAPSHOT_LEVELS


# The nightly refresh runs alone: its sorts of millions of rows (the newly overdue) stay in memory.
SNAPSHOT_WORK_MEM = "1GB"


def report_snapshot_refresh(*, area: Area):
    """Compute the city's coverage and trends, and every district's, now, in one pass each, and store
    them (one snapshot per area, all with the same time). Returns the city's (or the district's, for a
    district: it is refreshed with the rest of its city)."""
    import time

    from certification.models import ReportSnapshot

    city = area if area.level == AreaLevel.CITY else Area.objects.get(level=AreaLevel.CITY)
    started = time.monotonic()
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        use_bulk_memory(cursor, work_mem=SNAPSHOT_WORK_MEM)
        by_street = coverage_values(city, today, AREA_LEVEL_CODE_LENGTH[AreaLevel.STREET])
        by_community = trends_by_code(city, today, AREA_LEVEL_CODE_LENGTH[AreaLevel.COMMUNITY])
    payloads = {city.code: _serialise(*coverage_rows(city, by_street), _sum_trends(by_community, today))}
    for district in Area.objects.filter(parent=city).order_by("code"):
        trend = _sum_trends(_under(by_community, district.code), today)
        payloads[district.code] = _serialise(*coverage_rows(district, by_street), trend)
    # A street's snapshot holds only trends, its own and its communities': their coverage is counted
    # live, but the monthly history of eight thousand people took 200 ms of a page (see street_trends).
    communities_by_street: dict[str, dict] = defaultdict(dict)
    for code, trend in by_community.items():
        communities_by_street[code[: AREA_LEVEL_CODE_LENGTH[AreaLevel.STREET]]][code] = trend
    for street_code, communities in communities_by_street.items():
        payloads[street_code] = {"trends": {street_code: _sum_trends(communities, today), **communities}}
    computed_at, seconds = timezone.now(), round(time.monotonic() - started, 2)
    with transaction.atomic():
        stored = ReportSnapshot.objects.bulk_create(
            ReportSnapshot(area_code=code, computed_at=computed_at, seconds=seconds, payload=payload)
            for code, payload in payloads.items()
        )
        # Only a street's latest trends are ever read; the city's and districts' snapshots are kept.
        ReportSnapshot.objects.annotate(code_length=Length("area_code")).filter(
            code_length=AREA_LEVEL_CODE_LENGTH[AreaLevel.STREET], id__lt=min(row.pk for row in stored)
        ).delete()
    return ReportSnapshot.objects.latest_for(area.code)


def _under(trends_by: dict[str, dict], prefix: str) -> dict[str, dict]:
    return {code: trend for code, trend in trends_by.items() if code.startswith(prefix)}


def street_trends(area: Area, today: date) -> tuple[dict, object | None]:
    """A street's or community's monthly trends and when they were computed: from the street's part of
    the latest nightly snapshot, if it was computed this month; otherwise counted now (None)."""
    from certification.models import ReportSnapshot

    street_code = area.code[: AREA_LEVEL_CODE_LENGTH[AreaLevel.STREET]]
    snapshot = ReportSnapshot.objects.latest_for(street_code)
    this_month = today.isoformat()[:7]
    stored = snapshot.payload.get("trends", {}) if snapshot is not None else {}
    if street_code in stored and stored[street_code]["months"][-1] == this_month:
        # A community with nobody certified, overdue or reminded has no entry: all its months are 0.
        return stored.get(area.code) or _sum_trends({}, today), snapshot.computed_at
    return trends(area, today), None


def _sum_trends(trends_by: dict[str, dict], today: date) -> dict:
    months = months_back(today)
    total = {
        "months": [month.isoformat()[:7] for month in months],
        "certifications": {channel: [0] * len(months) for channel in Channel.values},
        "newly_overdue": [0] * len(months),
        "reminders_sent": [0] * len(months),
        "reminders_failed": [0] * len(months),
    }
    for trend in trends_by.values():
        for channel in Channel.values:
            total["certifications"][channel] = [
                a + b
                for a, b in zip(
                    total["certifications"][channel], trend["certifications"][channel], strict=True
                )
            ]
        for key in ("newly_overdue", "reminders_sent", "reminders_failed"):
            total[key] = [a + b for a, b in zip(total[key], trend[key], strict=True)]
    return total


def report_data(area: Area) -> dict:
    """Coverage rows, total and trends for an area: live, or from the latest snapshot for the city and
    its districts.

    Those pages show their snapshot, overdue figure included, with its age: counting two million overdue
    people of eight million on each view is what the snapshot exists to avoid (the city's dashboard reads
    the same snapshot, so the two still give one figure). Only an area with no snapshot yet has one
    computed now; "Recompute now" and the nightly job make the next.
    """
    from certification.models import ReportSnapshot

    today = timezone.localdate()
    if uses_snapshot(area):
        snapshot = ReportSnapshot.objects.latest_for(area.code) or report_snapshot_refresh(area=area)
        rows, total = _deserialise_rows(snapshot.payload)
        return {
            "rows": rows,
            "total": total,
            "trends": snapshot.payload["trends"],
            "snapshot": snapshot,
            "trends_as_of": snapshot.computed_at,
        }
    rows, total = coverage(area, today)
    trend, trends_as_of = street_trends(area, today)
    return {"rows": rows, "total": total, "trends": trend, "snapshot": None, "trends_as_of": trends_as_of}


PAYMENT_FIELDS = (
    "suspended",
    "suspended_monthly",
    "resumed",
    "back_pay",
    "stopped",
    "extended",
)


def payment_decisions_by_month(area: Area, today: date) -> list[dict]:
    """Approved suspensions (with the monthly amount withheld), resumptions (with the back pay), stops,
    and deadlines moved by extensions still in force, per child area and month of the approval (the last
    24 months). Rows only where something happened, newest month first."""
    months = months_back(today)
    start = local_midnight(months[0])
    length = _child_length(area)
    prefix = area.scope_prefix + "%"
    rows: dict[tuple[date, str], dict] = defaultdict(lambda: dict.fromkeys(PAYMENT_FIELDS, 0))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT date_trunc('month', d.decided_at AT TIME ZONE %(tz)s)::date, left(d.area_code, %(length)s),
                   d.kind, count(*), coalesce(sum(d.monthly_amount), 0), coalesce(sum(d.back_pay_amount), 0)
            FROM certification_paymentdecision d
            WHERE d.status = 'approved' AND d.kind IN ('suspend', 'resume', 'stop')
              AND d.area_code LIKE %(prefix)s AND d.decided_at >= %(start)s
            GROUP BY 1, 2, 3
            """,
            {"tz": settings.TIME_ZONE, "length": length, "prefix": prefix, "start": start},
        )
        for month, code, kind, count, monthly, back_pay in cursor.fetchall():
            row = rows[(month, code)]
            if kind == "suspend":
                row["suspended"] += count
                row["suspended_monthly"] += monthly
            elif kind == "resume":
                row["resumed"] += count
                row["back_pay"] += back_pay
            else:
                row["stopped"] += count
        cursor.execute(
            """
            SELECT date_trunc('month', x.decided_at AT TIME ZONE %(tz)s)::date, left(st.area_code, %(length)s),
                   count(*)
            FROM certification_extendeddeadline e
            JOIN certification_deadlineextension x ON x.id = e.extension_id
            JOIN pensioners_certificationstate st ON st.pensioner_id = e.pensioner_id
            WHERE x.status = 'approved' AND x.revoked_at IS NULL AND x.decided_at >= %(start)s
              AND st.area_code LIKE %(prefix)s
            GROUP BY 1, 2
            """,
            {"tz": settings.TIME_ZONE, "length": length, "prefix": prefix, "start": start},
        )
        for month, code, count in cursor.fetchall():
            rows[(month, code)]["extended"] += count
    names = dict(Area.objects.filter(code__in={code for _month, code in rows}).values_list("code", "name"))
    return [
        {"month": month.strftime("%Y-%m"), "code": code, "area": names.get(code, code), **values}
        for (month, code), values in sorted(
            rows.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True
        )
    ]
