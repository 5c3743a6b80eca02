"""Data comparison (静默认证): other agencies' files certify people silently or raise death cases.

Each row gets exactly one fate: certified, evidence_only, death_cases, ignored or rejected. Rows are
checked in Python (ID rules, dates, source and signal), then streamed with COPY into a temporary table;
everything else is set-based SQL in one transaction: matching the registry, choosing fates, inserting
the data_match certifications, moving deadlines on the narrow certification-state table, and queueing
the confirmations in bulk. A million rows take well under a minute; per-row ORM work took ~21 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.decisions.services import death_case_open, payment_resume
from certification.models import Certification, DataSource, DeathCaseOrigin, MessageStage
from certification.recording.services import receipt_number_sql
from certification.reminders.services import outbox_insert_sql
from certification.state import state_certify_from_feed_sql
from certification.visits.services import home_visits_close_after_certification_sql
from pensioners.models import CertificationState, PaymentStatus, Pensioner
from pensioners.rules import IdNumberError, parse_id_number
from portal.audit import audit_record
from portal.imports.chunks import copy_checked_rows
from portal.imports.tabular import RowRejected, open_table, parse_date_text, reject_if_malformed, within_limit
from portal.jobs import use_bulk_memory

COMPARISON_COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "name": ("姓名",),
    "signal": ("信号", "比对结果"),
    "source": ("来源", "数据来源"),
    "evidence_date": ("数据日期", "证据日期", "业务日期"),
    "reference": ("业务流水号", "流水号"),
}
# The stored reference is "<source code>:<reference>" in a 64-character column: a longer one is a reject.
REFERENCE_MAX = 50
REQUIRED_COLUMNS = ("id_number", "name", "signal", "source", "evidence_date", "reference")
SIGNALS = {"alive": "alive", "生存": "alive", "存活": "alive", "death": "death", "死亡": "death"}

CERTIFIED = "certified"
EVIDENCE_ONLY = "evidence_only"
DEATH_CASES = "death_cases"
IGNORED = "ignored"

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ComparisonSummary:
    certified: int = 0
    death_cases: int = 0
    evidence_only: int = 0
    ignored: int = 0
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def as_dict(self) -> dict:
        return {
            "certified": self.certified,
            "death_cases": self.death_cases,
            "evidence_only": self.evidence_only,
            "ignored": self.ignored,
            "rejected": self.rejected,
        }

    def as_line(self) -> str:
        line = " ".join(f"{key}={value}" for key, value in self.as_dict().items())
        return line + (" dry_run=yes" if self.dry_run else "")


@dataclass(frozen=True)
class Signal:
    row_number: int
    id_number: str
    name: str
    signal: str
    source_id: int
    source_code: str
    evidence_date: date
    reference: str


def _sources() -> dict[str, DataSource]:
    by_key = {}
    for source in DataSource.objects.filter(active=True):
        by_key[source.code] = source
        by_key[source.name] = source
    return by_key


def check_signal_row(row_number: int, raw: dict, *, today: date, sources: dict[str, DataSource]) -> Signal:
    """One row against every rule that needs no registry; raises RowRejected with the reason."""
    reject_if_malformed(raw)
    for column in REQUIRED_COLUMNS:
        if not raw.get(column, "").strip():
            raise RowRejected(_("%(column)s is empty") % {"column": COMPARISON_COLUMNS[column][0]})
    try:
        parsed = parse_id_number(raw["id_number"], today=today)
    except IdNumberError as error:
        raise RowRejected(str(error)) from error
    source = sources.get(raw["source"].strip())
    if source is None:
        raise RowRejected(_("unknown source %(source)s") % {"source": raw["source"].strip()})
    signal = SIGNALS.get(raw["signal"].strip().lower())
    if signal is None:
        raise RowRejected(
            _("unknown signal %(signal)s (alive/生存 or death/死亡)") % {"signal": raw["signal"].strip()}
        )
    if (signal == "alive" and not source.carries_alive) or (signal == "death" and not source.carries_death):
        raise RowRejected(
            _("%(source)s does not carry %(signal)s signals")
            % {"source": source.name, "signal": raw["signal"].strip()}
        )
    try:
        evidence_date = parse_date_text(raw["evidence_date"])
    except ValueError as error:
        raise RowRejected(
            _("the data date is not a real date: %(text)s") % {"text": raw["evidence_date"]}
        ) from error
    if evidence_date > today:
        raise RowRejected(_("the data date is in the future: %(text)s") % {"text": raw["evidence_date"]})
    return Signal(
        row_number=row_number,
        id_number=parsed.number,
        name=raw["name"].replace(" ", "").replace("\u3000", ""),
        signal=signal,
        source_id=source.pk,
        source_code=source.code,
        evidence_date=evidence_date,
        reference=within_limit(
            raw["reference"].strip(), limit=REFERENCE_MAX, label=COMPARISON_COLUMNS["reference"][0]
        ),
    )


def _staged_signal(row_number: int, raw, *, today: date, sources: dict) -> tuple:
    """A checked row as the staging table takes it (portal.imports.chunks calls this per row)."""
    signal = check_signal_row(row_number, raw, today=today, sources=sources)
    return tuple(getattr(signal, column) for column in _STAGE_COLUMNS)


def comparison_import(
    *, path: str | Path, actor=None, dry_run: bool = False, progress: ProgressCallback | None = None, job=None
) -> ComparisonSummary:
    """Import a comparison file. Raises UnreadableFile (nothing written) if it cannot be read at all.

    One pass, one transaction: each chunk of rows is checked (in worker processes for a big file from the
    command line) and streamed into the staging table with COPY, so memory stays flat however long the
    file; the same record twice in one file is found by the database afterwards.
    """
    progress = progress or (lambda stage, done, total: None)
    table = open_table(path, COMPARISON_COLUMNS)
    table.require(*REQUIRED_COLUMNS)
    today = timezone.localdate()
    summary = ComparisonSummary(dry_run=dry_run)
    context = {"today": today, "sources": _sources()}
    with transaction.atomic():
        with connection.cursor() as cursor:
            use_bulk_memory(cursor)
            _create_stage(cursor)
            staged = copy_checked_rows(
                cursor,
                table,
                stage="comparison_stage",
                columns=_STAGE_COLUMNS,
                check=_staged_signal,
                context=context,
                rejects=summary.rejects,
                progress=progress,
            )
            repeats = _drop_repeated_records(cursor)
            summary.ignored += repeats
            progress("writing", 0, staged - repeats)
            _apply(cursor, summary, job_id=getattr(job, "pk", None))
        summary.death_cases, extra_ignored = _open_death_cases(actor)
        summary.ignored += extra_ignored
        audit_record(
            actor=actor,
            action="comparison.imported",
            note=Path(path).name,
            after={**summary.as_dict(), "dry_run": dry_run, "encoding": table.encoding},
        )
        if dry_run:
            transaction.set_rollback(True)
    summary.rejects.sort()
    progress("done", staged - repeats, staged - repeats)
    return summary


_STAGE_COLUMNS = (
    "row_number",
    "id_number",
    "name",
    "signal",
    "source_id",
    "source_code",
    "evidence_date",
    "reference",
)


def _create_stage(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS comparison_stage, comparison_fates")
    # References keep the database's collation: compared under another one ("C"), the unique
    # (channel, reference) index of certifications cannot answer "seen before?", and a repeated feed
    # scans the whole certification table once per row.
    cursor.execute(
        """
        CREATE TEMP TABLE comparison_stage (
            row_number integer, id_number text COLLATE "C", name text COLLATE "C", signal text,
            source_id bigint, source_code text, evidence_date date, reference text
        ) ON COMMIT DROP
        """
    )


def _drop_repeated_records(cursor) -> int:
    """The same record (source and reference) twice in one file: the first row stands, a repeat changes
    nothing (it is counted as ignored). One aggregate in the database, not a dictionary of every row."""
    cursor.execute(
        """
        WITH repeated AS (
            SELECT source_id, reference, min(row_number) AS first_row
            FROM comparison_stage GROUP BY source_id, reference HAVING count(*) > 1
        )
        DELETE FROM comparison_stage s USING repeated r
        WHERE s.source_id = r.source_id AND s.reference = r.reference AND s.row_number <> r.first_row
        """
    )
    return cursor.rowcount


def _apply(cursor, summary: ComparisonSummary, *, job_id: int | None) -> None:
    cursor.execute("ANALYZE comparison_stage")
    _choose_fates(cursor)
    cursor.execute("SELECT fate, count(*) FROM comparison_fates GROUP BY fate")
    counts = dict(cursor.fetchall())
    cursor.execute("SELECT row_number, id_number, reason FROM comparison_fates WHERE fate = 'rejected'")
    summary.rejects.extend(cursor.fetchall())
    summary.ignored += counts.get(IGNORED, 0)
    summary.evidence_only = counts.get(EVIDENCE_ONLY, 0)
    summary.certified = _certify(cursor, job_id)
    _keep_evidence(cursor, job_id)


# Each person's earliest first payment: a whole city's feed groups every benefit line once (seconds); a
# daily feed of thousands looks up its own people's lines (grouping 8 million lines for a 50,000-row feed
# took most of its time).
FIRST_BENEFIT_GROUPED = """LEFT JOIN (SELECT pensioner_id, min(first_benefit_date) AS first_benefit_date
                       FROM pensioners_benefitline GROUP BY pensioner_id) fb ON fb.pensioner_id = p.id"""
FIRST_BENEFIT_PER_PERSON = """LEFT JOIN LATERAL (SELECT min(b.first_benefit_date) AS first_benefit_date
                       FROM pensioners_benefitline b WHERE b.pensioner_id = p.id) fb ON true"""
GROUP_FIRST_BENEFITS_FROM_ROWS = 500_000


def _choose_fates(cursor) -> None:
    """One fate per row, decided in one pass over the file joined to the registry (hash joins, no
    per-row subqueries): unknown people and names that do not match are rejected; a record applied by an
    earlier file is ignored; weak sources give supporting evidence; an alive signal newer than the latest
    certification certifies (the newest per person); a death signal goes to a case."""
    cursor.execute("SELECT count(*) FROM comparison_stage")
    (staged,) = cursor.fetchone()
    first_benefit_join = (
        FIRST_BENEFIT_GROUPED if staged >= GROUP_FIRST_BENEFITS_FROM_ROWS else FIRST_BENEFIT_PER_PERSON
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE comparison_fates ON COMMIT DROP AS
        WITH joined AS (
            SELECT s.*, p.id AS pensioner_id, p.name AS registry_name, p.death_date,
                   st.latest_certified_on, st.status, ds.alive_certifies_alone, fb.first_benefit_date,
                   (s.signal = 'alive' AND ds.alive_certifies_alone
                        AND EXISTS (SELECT 1 FROM certification_certification c
                                    WHERE c.channel = 'data_match' AND c.reference = s.source_code || ':' || s.reference
                                      AND c.reference <> '' AND c.voided_at IS NULL))
                    OR (s.signal = 'alive' AND NOT ds.alive_certifies_alone
                        AND EXISTS (SELECT 1 FROM certification_supportingevidence e
                                    WHERE e.source_id = s.source_id AND e.reference = s.reference))
                    OR (s.signal = 'death'
                        AND EXISTS (SELECT 1 FROM certification_deathcase d
                                    WHERE d.pensioner_id = p.id AND d.evidence @> jsonb_build_array(
                                        jsonb_build_object('source_id', s.source_id, 'reference', s.reference))))
                    AS repeat
            FROM comparison_stage s
            JOIN certification_datasource ds ON ds.id = s.source_id
            LEFT JOIN pensioners_pensioner p ON p.id_number = s.id_number
            LEFT JOIN pensioners_certificationstate st ON st.pensioner_id = p.id
            {first_benefit_join}
        ),
        judged AS (
            SELECT j.*,
                   (j.pensioner_id IS NOT NULL AND j.registry_name = j.name AND NOT j.repeat
                    AND j.signal = 'alive' AND j.alive_certifies_alone
                    AND (j.latest_certified_on IS NULL OR j.evidence_date > j.latest_certified_on)
                    AND j.status IN ('{PaymentStatus.ACTIVE}', '{PaymentStatus.SUSPENDED}')
                    AND (j.death_date IS NULL OR j.evidence_date <= j.death_date)
                    AND j.evidence_date >= j.first_benefit_date) AS eligible
            FROM joined j
        )
        SELECT judged.*,
               CASE
                   WHEN pensioner_id IS NULL THEN 'rejected'
                   WHEN registry_name <> name THEN 'rejected'
                   WHEN repeat THEN 'ignored'
                   WHEN signal = 'alive' AND NOT alive_certifies_alone THEN 'evidence_only'
                   WHEN eligible AND row_number() OVER (
                        PARTITION BY pensioner_id, eligible ORDER BY evidence_date DESC, row_number) = 1
                       THEN 'certified'
                   WHEN signal = 'death' THEN 'death'
                   ELSE 'ignored'
               END AS fate,
               CASE
                   WHEN pensioner_id IS NULL THEN %s
                   WHEN registry_name <> name THEN %s
               END AS reason
        FROM judged
        """,
        [_("unknown person: no pensioner has this ID number"), _("the name does not match the registry's")],
    )
    cursor.execute("ANALYZE comparison_fates")


def _certify(cursor, job_id: int | None) -> int:
    """Insert the data_match certifications, move the deadlines, queue the confirmations."""
    cursor.execute(
        f"""
        WITH chosen AS (
            SELECT s.*, nextval('certification_receipt_seq') AS seq
            FROM comparison_fates s WHERE s.fate = 'certified'
        )
        INSERT INTO certification_certification (
            pensioner_id, channel, certified_on, outcome, area_code, acting_office_id, recorded_by_id, recorded_at,
            receipt_number, reference, evidence, import_job_id, needs_investigation, investigation_note,
            voided_at, voided_by_id, void_reason)
        SELECT s.pensioner_id, 'data_match', s.evidence_date, 'passed', st.area_code, NULL, NULL, now(),
               {receipt_number_sql()}, s.source_code || ':' || s.reference,
               jsonb_build_object('source', ds.code, 'source_name', ds.name,
                                  'source_record_date', s.evidence_date, 'reference', s.reference),
               %s, false, '', NULL, NULL, ''
        FROM chosen s
        JOIN pensioners_certificationstate st ON st.pensioner_id = s.pensioner_id
        JOIN certification_datasource ds ON ds.id = s.source_id
        """,
        [job_id],
    )
    certified = cursor.rowcount
    if not certified:
        return 0
    # Suspended (or stopped) people who certify get a resumption proposed one by one: there are few.
    cursor.execute(
        f"""
        SELECT s.pensioner_id FROM comparison_fates s
        JOIN pensioners_certificationstate st ON st.pensioner_id = s.pensioner_id
        WHERE s.fate = 'certified' AND st.status IN ('{PaymentStatus.SUSPENDED}', '{PaymentStatus.STOPPED}')
        """
    )
    suspended = [pensioner_id for (pensioner_id,) in cursor.fetchall()]
    cursor.execute(state_certify_from_feed_sql(fates_table="comparison_fates"))
    # Certified now: their open home visits are called off, so no visitor makes the trip.
    home_visits_close_after_certification_sql(
        cursor,
        certified_rows_sql="""
            SELECT s.pensioner_id, c.id AS certification_id, c.channel, c.certified_on
            FROM comparison_fates s
            JOIN certification_certification c
              ON c.channel = 'data_match' AND c.reference = s.source_code || ':' || s.reference
             AND c.reference <> '' AND c.voided_at IS NULL
            WHERE s.fate = 'certified'
        """,
    )
    # The confirmations, queued in bulk (the reminder job sends them in daytime).
    cursor.execute(
        outbox_insert_sql(
            stage_sql=f"'{MessageStage.CONFIRMATION}'",
            channel_sql="'data_match'",
            source_sql="""
                FROM comparison_fates s
                JOIN pensioners_certificationstate st ON st.pensioner_id = s.pensioner_id
                JOIN pensioners_pensioner p ON p.id = s.pensioner_id
                WHERE s.fate = 'certified'
            """,
        )
    )
    for pensioner_id in suspended:
        state = (
            CertificationState.objects.select_for_update(of=("self",))
            .select_related("pensioner")
            .get(pk=pensioner_id)
        )
        certification = Certification.objects.filter(pensioner_id=pensioner_id, channel="data_match").latest(
            "id"
        )
        payment_resume(state=state, certification=certification)
    return certified


def _keep_evidence(cursor, job_id: int | None) -> None:
    cursor.execute(
        """
        INSERT INTO certification_supportingevidence (pensioner_id, area_code, source_id, evidence_date, reference,
                                                      import_job_id, received_at)
        SELECT s.pensioner_id, st.area_code, s.source_id, s.evidence_date, s.reference, %s, now()
        FROM comparison_fates s JOIN pensioners_certificationstate st ON st.pensioner_id = s.pensioner_id
        WHERE s.fate = 'evidence_only'
        ON CONFLICT (source_id, reference) DO NOTHING
        """,
        [job_id],
    )


def _open_death_cases(actor) -> tuple[int, int]:
    """Each death signal opens a case for the supervisor, or adds evidence to the open one (ignored)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.pensioner_id, s.evidence_date, s.reference, s.source_id, ds.code, ds.name
            FROM comparison_fates s JOIN certification_datasource ds ON ds.id = s.source_id
            WHERE s.fate = 'death' ORDER BY s.row_number
            """
        )
        rows = cursor.fetchall()
    opened = added = 0
    people = Pensioner.objects.in_bulk([row[0] for row in rows])
    for pensioner_id, evidence_date, reference, source_id, source_code, source_name in rows:
        _case, is_new = death_case_open(
            pensioner=people[pensioner_id],
            origin=DeathCaseOrigin.DATA,
            actor=actor,
            reported_death_date=evidence_date,
            source=source_name,
            evidence={"source_id": source_id, "source_code": source_code, "reference": reference},
        )
        if is_new:
            opened += 1
        else:
            added += 1
    return opened, added
