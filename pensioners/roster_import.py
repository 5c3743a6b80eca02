"""The roster import: millions of pensioners from the legacy system, in one transaction.

Rows are checked in Python (each rejected row gets its spreadsheet row number and a reason), then the
accepted rows are streamed with COPY into a temporary table and applied with three set-based upserts
(registry, benefit lines, certification state). Per-row ORM saves would take ~20 minutes for a million
rows; this takes about a minute. Re-importing a file creates nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pensioners.contracts import state_keeper
from pensioners.models import Area, AreaLevel, Pensioner, Scheme
from pensioners.pinyin import pinyin_keys
from pensioners.rules import IdNumberError, normalise_phone, parse_id_number
from portal.audit import audit_record
from portal.imports.chunks import copy_checked_rows
from portal.imports.runner import UpsertSummary
from portal.imports.tabular import (
    RawRow,
    RowRejected,
    open_table,
    parse_date_text,
    reject_if_malformed,
    within_limit,
)
from portal.jobs import use_bulk_memory

ROSTER_COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "name": ("姓名",),
    "phone": ("手机号", "手机号码", "联系电话", "电话"),
    "address": ("住址", "地址", "居住地址"),
    "area_code": ("社区代码", "社区编码"),
    "benefit_type": ("待遇类型", "险种"),
    "first_benefit_date": ("首次领取日期", "首次领待日期"),
    "monthly_amount": ("月待遇", "月待遇金额"),
    "last_certified_on": ("最近认证日期", "上次认证日期"),
    "abroad_country": ("境外居住国", "居住国家"),
}
REQUIRED_COLUMNS = ("id_number", "name", "area_code", "benefit_type", "first_benefit_date")

_SCHEME_BY_TEXT = {text: code for code, text in Scheme.choices} | {code: code for code in Scheme.values}

ProgressCallback = Callable[[str, int, int], None]

# Lazy: translated only when a row is rejected (a million eager lookups cost seconds).
FIRST_BENEFIT_DATE = gettext_lazy("first benefit date")
# The registry's column limits: a longer value is a reject row naming the field, never cut.
NAME_MAX = Pensioner._meta.get_field("name").max_length
PHONE_MAX = Pensioner._meta.get_field("phone").max_length
ADDRESS_MAX = Pensioner._meta.get_field("address").max_length
COUNTRY_MAX = Pensioner._meta.get_field("abroad_country").max_length
LATEST_CERTIFICATION_DATE = gettext_lazy("latest certification date")
# An import into an empty registry (the first load from the legacy system) drops the secondary indexes
# and builds them again afterwards: about five times faster than maintaining them row by row.
BULK_LOAD_FROM_ROWS = 50_000


@dataclass(frozen=True)
class RosterRow:
    row_number: int
    id_number: str
    legacy_id_number: str
    name: str
    name_pinyin: str
    name_initials: str
    gender: str
    birth_date: date
    phone: str
    address: str
    area_code: str
    scheme: str
    first_benefit_date: date
    monthly_amount: Decimal | None
    last_certified_on: date | None
    abroad_country: str


@dataclass
class ImportSummary(UpsertSummary):
    """The roster import's counts (portal.imports.runner.UpsertSummary)."""


def _date_field(raw: dict, name: str, label: str, *, today: date, required: bool) -> date | None:
    text = raw.get(name, "")
    if not text:
        if required:
            raise RowRejected(_("%(field)s is required") % {"field": label})
        return None
    try:
        value = parse_date_text(text)
    except ValueError as error:
        raise RowRejected(
            _("%(field)s is not a real date: %(text)s") % {"field": label, "text": text}
        ) from error
    if value > today:
        raise RowRejected(_("%(field)s is in the future: %(text)s") % {"field": label, "text": text})
    return value


def check_roster_row(row_number: int, raw: dict, *, today: date, community_codes: set[str]) -> RosterRow:
    """One row, checked against every rule; raises RowRejected with the reason staff will read."""
    reject_if_malformed(raw)
    try:
        parsed = parse_id_number(raw.get("id_number", ""), today=today)
    except IdNumberError as error:
        raise RowRejected(str(error)) from error
    name = raw.get("name", "").replace(" ", "").replace("\u3000", "")
    if not name:
        raise RowRejected(_("name is required"))
    area_code = raw.get("area_code", "").strip()
    if not area_code:
        raise RowRejected(_("community code is required"))
    if area_code not in community_codes:
        raise RowRejected(_("unknown community code %(code)s") % {"code": area_code})
    scheme_text = raw.get("benefit_type", "").strip()
    if not scheme_text:
        raise RowRejected(_("benefit type is required"))
    scheme = _SCHEME_BY_TEXT.get(scheme_text)
    if scheme is None:
        raise RowRejected(_("unknown benefit type %(text)s") % {"text": scheme_text})
    first_benefit_date = _date_field(
        raw, "first_benefit_date", FIRST_BENEFIT_DATE, today=today, required=True
    )
    last_certified_on = _date_field(
        raw, "last_certified_on", LATEST_CERTIFICATION_DATE, today=today, required=False
    )
    if first_benefit_date < parsed.birth_date:
        raise RowRejected(_("first benefit date is before the birth date"))
    if last_certified_on is not None and last_certified_on < first_benefit_date:
        raise RowRejected(_("latest certification date is before the first benefit date"))
    amount_text = raw.get("monthly_amount", "").replace(",", "")
    try:
        monthly_amount = Decimal(amount_text) if amount_text else None
    except InvalidOperation as error:
        raise RowRejected(_("monthly amount is not a number: %(text)s") % {"text": amount_text}) from error
    if monthly_amount is not None and not monthly_amount.is_finite():  # NaN, sNaN, Infinity
        raise RowRejected(_("monthly amount is not a number: %(text)s") % {"text": amount_text})
    if monthly_amount is not None and (monthly_amount < 0 or monthly_amount >= Decimal("100000000")):
        raise RowRejected(_("monthly amount is out of range: %(text)s") % {"text": amount_text})
    name = within_limit(name, limit=NAME_MAX, label=gettext_lazy("name"))
    phone = within_limit(normalise_phone(raw.get("phone", "")), limit=PHONE_MAX, label=gettext_lazy("phone"))
    address = within_limit(raw.get("address", ""), limit=ADDRESS_MAX, label=gettext_lazy("address"))
    country = within_limit(
        raw.get("abroad_country", ""), limit=COUNTRY_MAX, label=gettext_lazy("country abroad")
    )
    pinyin, initials = pinyin_keys(name)
    return RosterRow(
        row_number=row_number,
        id_number=parsed.number,
        legacy_id_number=parsed.legacy_number,
        name=name,
        # Search keys derived from the name, not data anyone typed: a very long name's key is shortened.
        name_pinyin=pinyin[: Pensioner._meta.get_field("name_pinyin").max_length],
        name_initials=initials[: Pensioner._meta.get_field("name_initials").max_length],
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        phone=phone,
        address=address,
        area_code=area_code,
        scheme=scheme,
        first_benefit_date=first_benefit_date,
        monthly_amount=monthly_amount,
        last_certified_on=last_certified_on,
        abroad_country=country,
    )


def roster_import(
    *, path: str | Path, actor=None, dry_run: bool = False, progress: ProgressCallback | None = None, job=None
) -> ImportSummary:
    """Import a roster file. Raises UnreadableFile (nothing written) if the file cannot be read.

    One pass, one transaction: each row is checked and, if accepted, streamed at once into the staging
    table with COPY (the server stores row n while Python checks row n+1), so memory stays flat however
    long the file; the same person twice is found by the database afterwards. Nothing is visible to
    anyone until the commit, and a failure anywhere leaves the registry as it was.
    """
    progress = progress or (lambda stage, done, total: None)
    table = open_table(path, ROSTER_COLUMNS)
    table.require("id_number")
    table.require(*REQUIRED_COLUMNS)
    today = timezone.localdate()
    community_codes = set(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", flat=True))
    summary = ImportSummary(dry_run=dry_run)
    with transaction.atomic(), connection.cursor() as cursor:
        use_bulk_memory(cursor, builds_indexes=True)  # the repeated-person check, the index builds
        first_id = _claim_bulk_load(cursor, expected_rows=table.estimated_rows)
        _create_stage(cursor)
        staged = copy_checked_rows(
            cursor,
            table,
            stage="roster_stage",
            columns=_STAGE_COLUMNS,
            check=_staged_row,
            context={"today": today, "community_codes": community_codes, "first_id": first_id},
            rejects=summary.rejects,
            progress=progress,
        )
        duplicates = _reject_repeated_people(cursor)
        summary.rejects.extend(duplicates)
        summary.rejects.sort(key=lambda reject: reject[0])
        accepted = staged - len(duplicates)
        progress("writing", 0, accepted)
        created, updated = _apply_stage(cursor, bulk_load=first_id is not None)
        summary.created, summary.updated = created, updated
        summary.unchanged = accepted - created - updated
        audit_record(
            actor=actor,
            action="roster.imported",
            note=Path(path).name,
            after={**summary.as_dict(), "dry_run": dry_run, "encoding": table.encoding},
        )
        if dry_run:
            transaction.set_rollback(True)
    progress("done", accepted, accepted)
    return summary


_STAGE_COLUMNS = (
    "pensioner_id row_number id_number legacy_id_number name name_pinyin name_initials gender birth_date "
    "phone address area_code scheme first_benefit_date monthly_amount last_certified_on abroad_country"
).split()


def _staged_row(row_number: int, raw: RawRow, *, today, community_codes, first_id) -> tuple:
    """A checked row as the staging table takes it (portal.imports.chunks calls this per row)."""
    row = check_roster_row(row_number, raw, today=today, community_codes=community_codes)
    return _stage_values(row, first_id)


def _stage_values(row: RosterRow, first_id: int | None) -> tuple:
    """The staged row. In a bulk load each person's registry id is known now (first_id + row number, from
    a block of the id sequence claimed before reading): no join by ID number is needed afterwards."""
    pensioner_id = None if first_id is None else first_id + row.row_number
    return (pensioner_id, *(getattr(row, column) for column in _STAGE_COLUMNS[1:]))


def _loaded_tables() -> list[str]:
    return ["pensioners_pensioner", "pensioners_benefitline", state_keeper().table]


def _owns(cursor, tables) -> bool:
    """Whether this connection may drop and build the tables' indexes: the owner (migrations, operators
    loading a first roster) may; the role the portal runs as (portal.db_roles) may not, and then a first
    load simply keeps the indexes (slower, never refused)."""
    cursor.execute(
        "SELECT coalesce(bool_and(pg_has_role(current_user, tableowner, 'USAGE')), false) "
        "FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
        [list(tables)],
    )
    return cursor.fetchone()[0]


def _claim_bulk_load(cursor, *, expected_rows: int) -> int | None:
    """A first load into an empty registry (the legacy system's whole roster): lock the registry against
    other writers, and claim a block of ids, one per line of the file. Returns the id before the block, or
    None for an ordinary import (a small file, a registry with people in it, or a role that does not own
    the tables)."""
    if expected_rows < BULK_LOAD_FROM_ROWS or not _owns(cursor, _loaded_tables()):
        return None
    # Readers go on; a second import waits here, and then finds the registry full.
    cursor.execute("LOCK TABLE pensioners_pensioner IN SHARE ROW EXCLUSIVE MODE")
    if Pensioner.objects.exists():
        return None
    cursor.execute("SELECT pg_get_serial_sequence('pensioners_pensioner', 'id')")
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first_id,) = cursor.fetchone()
    # Row numbers run from 2 to the number of lines + 1.
    cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + expected_rows + 2])
    return first_id


def _create_stage(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS roster_stage")
    cursor.execute(
        """
        CREATE TEMP TABLE roster_stage (
            pensioner_id bigint, row_number integer, id_number text COLLATE "C", legacy_id_number text,
            name text COLLATE "C", name_pinyin text COLLATE "C", name_initials text COLLATE "C", gender text,
            birth_date date, phone text COLLATE "C", address text, area_code text COLLATE "C", scheme text,
            first_benefit_date date, monthly_amount numeric(10, 2), last_certified_on date, abroad_country text
        ) ON COMMIT DROP
        """
    )


def _reject_repeated_people(cursor) -> list[tuple[int, str, str]]:
    """The same person on several rows: the first row stands, every later one is a reject naming it.
    One hash aggregate over the staged rows, instead of a dictionary of millions of IDs in Python."""
    cursor.execute(
        """
        WITH repeated AS (
            SELECT id_number, min(row_number) AS first_row
            FROM roster_stage GROUP BY id_number HAVING count(*) > 1
        )
        DELETE FROM roster_stage s USING repeated r
        WHERE s.id_number = r.id_number AND s.row_number <> r.first_row
        RETURNING s.row_number, s.id_number, r.first_row
        """
    )
    return [
        (row_number, id_number, _("the same person already appears in row %(row)s") % {"row": first_row})
        for row_number, id_number, first_row in cursor.fetchall()
    ]


def _rebuilt_definitions(cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """What a bulk load drops and builds again: the secondary indexes, and the unique and foreign-key
    constraints of the loaded tables (primary keys stay: ids arrive in order, so they cost little)."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname
        JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.tablename = ANY(%s) AND NOT x.indisprimary AND NOT x.indisunique
        """,
        [_loaded_tables()],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype IN ('u', 'f') AND c.conrelid::regclass::text = ANY(%s)
        ORDER BY c.contype DESC, c.conname  -- built again: unique ones first, then the foreign keys
        """,
        [_loaded_tables()],
    )
    return indexes, cursor.fetchall()


def roster_rows_apply(rows: list[RosterRow]) -> tuple[int, int]:
    """Upsert already checked rows (the demo's generated people); returns (created, updated). Must run
    inside a transaction."""
    with connection.cursor() as cursor:
        first_id = _claim_bulk_load(cursor, expected_rows=max((row.row_number for row in rows), default=0))
        _create_stage(cursor)
        with cursor.cursor.copy(f"COPY roster_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_stage_values(row, first_id))
        return _apply_stage(cursor, bulk_load=first_id is not None)


def _apply_stage(cursor, *, bulk_load: bool) -> tuple[int, int]:
    """Write the staged rows set-wise; returns (created, updated). Runs inside the import's transaction."""
    cursor.execute("ANALYZE roster_stage")
    cursor.execute("CREATE TEMP TABLE roster_changed (id bigint) ON COMMIT DROP")
    if bulk_load:
        created, updated = _bulk_insert(cursor), 0
    else:
        created, updated = _upsert(cursor)
    cursor.execute("DROP TABLE roster_changed")
    return created, updated


def _bulk_insert(cursor) -> int:
    """Into an empty registry: drop the secondary indexes and the unique and foreign-key constraints, insert
    everyone with plain INSERTs, then build each index once and add each constraint back, in this
    transaction (searches wait for the load instead of seeing half of it). Building an index sorts once
    instead of inserting millions of keys one by one, and adding a foreign key back checks every row in one
    join, instead of queueing one check per row until the commit."""
    # The staged rows are in file order, so their ids ascend: the primary keys are appended to, not sorted.
    indexes, constraints = _rebuilt_definitions(cursor)
    _run_pending_checks(cursor)
    for table_name, name, _definition in reversed(constraints):
        cursor.execute(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(
        """
        INSERT INTO pensioners_pensioner (
            id, id_number, legacy_id_number, name, name_pinyin, name_initials, gender, birth_date, phone,
            alternate_phone, address, community_id, abroad_country, needs_home_service,
            home_service_reason, phone_known_wrong, created_at, updated_at)
        SELECT pensioner_id, id_number, legacy_id_number, name, name_pinyin, name_initials, gender,
               birth_date, phone, '', address, area_code, abroad_country, false, '', false, now(), now()
        FROM roster_stage
        """
    )
    created = cursor.rowcount
    # The block was claimed from the file's line count (an XLSX states its own size, which may be stale):
    # the sequence moves past the highest id given, so a person registered later never meets one.
    cursor.execute("SELECT pg_get_serial_sequence('pensioners_pensioner', 'id')")
    (sequence,) = cursor.fetchone()
    cursor.execute(
        f"SELECT setval(%s, greatest((SELECT max(id) FROM pensioners_pensioner), last_value)) FROM {sequence}",
        [sequence],
    )
    cursor.execute(
        """
        INSERT INTO pensioners_benefitline (pensioner_id, scheme, first_benefit_date, monthly_amount)
        SELECT pensioner_id, scheme, first_benefit_date, monthly_amount FROM roster_stage
        """
    )
    state_keeper().roster_staged(cursor, stage_table="roster_stage", changed_table=None)
    _run_pending_checks(cursor)
    for _name, definition in indexes:
        cursor.execute(definition)
    for table_name, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"ANALYZE {', '.join(_loaded_tables())}")
    return created


def _run_pending_checks(cursor) -> None:
    """PostgreSQL alters no table with foreign-key checks still queued in this transaction (rows written
    earlier in it, such as the areas a test or the demo has just made): run them now, the same work
    earlier, and go back to checking at commit."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _upsert(cursor) -> tuple[int, int]:
    """Into a registry with people in it: insert the new, update only what differs, and count both."""
    cursor.execute("CREATE TEMP TABLE roster_written (id bigint, inserted boolean) ON COMMIT DROP")
    # 1. The registry row: insert new people, update only rows whose details differ.
    cursor.execute(
        """
        WITH written AS (
            INSERT INTO pensioners_pensioner AS p (
                id_number, legacy_id_number, name, name_pinyin, name_initials, gender, birth_date, phone,
                alternate_phone, address, community_id, abroad_country, needs_home_service,
                home_service_reason, phone_known_wrong, created_at, updated_at)
            SELECT id_number, legacy_id_number, name, name_pinyin, name_initials, gender, birth_date, phone,
                   '', address, area_code, abroad_country, false, '', false, now(), now()
            FROM roster_stage
            ON CONFLICT (id_number) DO UPDATE SET
                legacy_id_number = CASE WHEN EXCLUDED.legacy_id_number <> '' THEN EXCLUDED.legacy_id_number
                                        ELSE p.legacy_id_number END,
                name = EXCLUDED.name, name_pinyin = EXCLUDED.name_pinyin,
                name_initials = EXCLUDED.name_initials, phone = EXCLUDED.phone,
                address = EXCLUDED.address, community_id = EXCLUDED.community_id,
                abroad_country = EXCLUDED.abroad_country, updated_at = now(),
                contact_changed_at = CASE WHEN (p.phone, p.address) IS DISTINCT FROM
                    (EXCLUDED.phone, EXCLUDED.address) THEN now() ELSE p.contact_changed_at END,
                -- a changed phone number is a new chance to reach the person
                phone_known_wrong = p.phone_known_wrong AND p.phone = EXCLUDED.phone
            WHERE (p.name, p.phone, p.address, p.community_id, p.abroad_country)
                  IS DISTINCT FROM
                  (EXCLUDED.name, EXCLUDED.phone, EXCLUDED.address, EXCLUDED.community_id,
                   EXCLUDED.abroad_country)
               OR (EXCLUDED.legacy_id_number <> '' AND p.legacy_id_number <> EXCLUDED.legacy_id_number)
            RETURNING p.id, (xmax = 0) AS inserted
        )
        INSERT INTO roster_written SELECT id, inserted FROM written
        """
    )
    # Each staged row learns its person's id once; the statements below need no join by ID number.
    cursor.execute(
        "UPDATE roster_stage s SET pensioner_id = p.id FROM pensioners_pensioner p WHERE p.id_number = s.id_number"
    )
    # 2. Benefit lines: one per person and scheme.
    cursor.execute(
        """
        WITH changed AS (
            INSERT INTO pensioners_benefitline AS b (pensioner_id, scheme, first_benefit_date, monthly_amount)
            SELECT pensioner_id, scheme, first_benefit_date, monthly_amount FROM roster_stage
            ON CONFLICT (pensioner_id, scheme) DO UPDATE SET
                first_benefit_date = EXCLUDED.first_benefit_date, monthly_amount = EXCLUDED.monthly_amount
            WHERE (b.first_benefit_date, b.monthly_amount) IS DISTINCT FROM
                  (EXCLUDED.first_benefit_date, EXCLUDED.monthly_amount)
            RETURNING b.pensioner_id
        )
        INSERT INTO roster_changed SELECT pensioner_id FROM changed
        """
    )
    # 3. Certification state, kept by its owner (certification.state): the roster's latest
    #    certification never moves a deadline earlier.
    state_keeper().roster_staged(cursor, stage_table="roster_stage", changed_table="roster_changed")
    cursor.execute(
        """
        SELECT count(*) FILTER (WHERE inserted),
               (SELECT count(*) FROM (
                    SELECT id FROM roster_written WHERE NOT inserted
                    UNION SELECT id FROM roster_changed
                    EXCEPT SELECT id FROM roster_written WHERE inserted) updated)
        FROM roster_written
        """
    )
    created, updated = cursor.fetchone()
    cursor.execute("DROP TABLE roster_written")
    return created, updated
