"""The certification state: one row per pensioner with the deadline, the latest certification, the payment
status, a reported death, the queue assignment and the last contact (table pensioners_certificationstate).

Every write of that table is made here, and nowhere else: the row-by-row verbs the services call inside
their own transaction (after `state_lock`), and the SQL the set-based importers run. The registry
(pensioners) announces new people, moves and benefit changes through `pensioners.contracts.StateKeeper`,
which this module answers (registered in CertificationConfig.ready()). A test checks that no other module
writes the table.

The model stays in the registry's app: search, filters and the card read it there, and the registry never
imports certification.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from certification.models import Certification, ExtendedDeadline, ReportSnapshot
from pensioners.contracts import StateKeeper
from pensioners.models import CertificationState, PaymentStatus, Pensioner
from portal.counting import capped_count
from portal.deadlines import deadline_sql, next_deadline

TABLE = CertificationState._meta.db_table


def state_lock(*, pensioner_id: int) -> CertificationState:
    """The person's state row, locked until the transaction ends: every writer takes this lock first, so
    two staff working on the same person at once are serialised."""
    return CertificationState.objects.select_for_update(of=("self",)).get(pensioner_id=pensioner_id)


def state_snapshot(state: CertificationState) -> dict:
    """What the audit log keeps of the state before and after a change."""
    return {
        "latest_certified_on": state.latest_certified_on,
        "next_due_on": state.next_due_on,
        "status": state.status,
    }


def first_benefit_date_of(pensioner: Pensioner) -> date | None:
    return (
        pensioner.benefit_lines.order_by("first_benefit_date")
        .values_list("first_benefit_date", flat=True)
        .first()
    )


# --- Certifications ---------------------------------------------------------------------------------


def state_apply_certification(*, state: CertificationState, certification: Certification) -> None:
    """A passed certification moves the deadline only forward (caller holds the row lock)."""
    latest, deadline = next_deadline(
        first_benefit_date=None, certified_dates=[state.latest_certified_on, certification.certified_on]
    )
    # A record on the very day the roster already knew of tells how that day's certification happened:
    # without it the channel mix showed such people as "channel unknown".
    names_the_channel = certification.certified_on == latest and not state.latest_channel
    if latest != state.latest_certified_on or names_the_channel:
        state.latest_certified_on, state.next_due_on = latest, deadline
        state.latest_channel = certification.channel
        state.save(update_fields=["latest_certified_on", "next_due_on", "latest_channel"])


def state_recompute(*, state: CertificationState) -> None:
    """Latest certification and deadline from everything that still counts (after a void; row locked)."""
    effective = (
        Certification.objects.filter(pensioner_id=state.pensioner_id)
        .effective()
        .order_by("-certified_on", "-id")
        .values_list("certified_on", "channel")
        .first()
    )
    candidates = [state.roster_certified_on]
    channel = ""
    if effective is not None:
        candidates.append(effective[0])
        if state.roster_certified_on is None or effective[0] >= state.roster_certified_on:
            channel = effective[1]
    state.latest_certified_on, state.next_due_on = next_deadline(
        first_benefit_date=first_benefit_date_of(state.pensioner), certified_dates=candidates
    )
    # A deadline an extension in force had moved stays moved: voiding a later record must not undo it.
    extended = (
        ExtendedDeadline.objects.filter(
            pensioner_id=state.pensioner_id,
            old_due_on=state.next_due_on,
            extension__status="approved",
            extension__revoked_at__isnull=True,
        )
        .order_by("-extension_id")
        .values_list("new_due_on", flat=True)
        .first()
    )
    if extended is not None:
        state.next_due_on = extended
    state.latest_channel = channel
    state.save(update_fields=["latest_certified_on", "next_due_on", "latest_channel"])


def state_certify_from_feed_sql(*, fates_table: str) -> str:
    """The comparison feed's certified rows move their people's deadlines, in one statement.

    The feed has already chosen only evidence newer than the person's latest certification."""
    return f"""
        UPDATE {TABLE} st
        SET latest_certified_on = s.evidence_date, latest_channel = 'data_match',
            next_due_on = {deadline_sql("s.evidence_date")}
        FROM {fates_table} s
        WHERE s.fate = 'certified' AND st.pensioner_id = s.pensioner_id
    """


def state_certify_from_records_sql(*, certification_ids_sql: str) -> str:
    """Certifications just recorded in bulk (the channel API) move their people's deadlines, in one
    statement: forward only, to each person's latest. The WHERE is checked again on the locked row, so a
    batch that certified the same person a moment earlier is respected, never undone."""
    return f"""
        UPDATE {TABLE} st
        SET latest_certified_on = s.certified_on, latest_channel = s.channel,
            next_due_on = {deadline_sql("s.certified_on")}
        FROM (
            SELECT DISTINCT ON (c.pensioner_id) c.pensioner_id, c.certified_on, c.channel
            FROM certification_certification c WHERE c.id = ANY({certification_ids_sql})
            ORDER BY c.pensioner_id, c.certified_on DESC, c.id
        ) s
        WHERE st.pensioner_id = s.pensioner_id
          AND (st.latest_certified_on IS NULL OR s.certified_on > st.latest_certified_on
               OR (s.certified_on = st.latest_certified_on AND st.latest_channel = ''))
    """


# --- Queue work --------------------------------------------------------------------------------------


def state_contact_logged(
    *, state: CertificationState, outcome: str, contacted_at, snooze_until: date | None
) -> None:
    """The last contact is the latest call by when it happened (an older call logged later does not hide
    a newer one); a snooze keeps the person out of the call lists until that day."""
    state.last_contact_outcome = outcome
    state.last_contact_on = timezone.localdate(contacted_at)
    if snooze_until is not None:
        state.snoozed_until = snooze_until
    state.save(update_fields=["last_contact_outcome", "last_contact_on", "snoozed_until"])


def state_assign(*, states: list[CertificationState], assignee) -> int:
    """Give people to a worker, or take them back (assignee None). The caller checked and locked them."""
    return CertificationState.objects.filter(pk__in=[state.pk for state in states]).update(
        assigned_to=assignee
    )


# --- Decisions -----------------------------------------------------------------------------------------


def state_payment_status(*, state: CertificationState, status: str) -> None:
    state.status = status
    state.save(update_fields=["status"])


def state_death_reported(*, state: CertificationState, reported: bool) -> None:
    """An open death case takes the person out of the queues and the reminders until it is decided."""
    state.death_reported = reported
    state.save(update_fields=["death_reported"])


def state_terminated(*, state: CertificationState) -> None:
    """A confirmed death: payment ends and the case is no longer open."""
    state.status = PaymentStatus.TERMINATED
    state.death_reported = False
    state.save(update_fields=["status", "death_reported"])


def state_lock_many(*, pensioner_ids: list[int]) -> dict[int, dict]:
    """Lock many people's rows in one order (pensioner id), so two batch approvals never deadlock.
    Returns each person's payment status and reported death as they stand under the lock."""
    return {
        row["pensioner_id"]: row
        for row in CertificationState.objects.select_for_update(of=("self",))
        .filter(pensioner_id__in=pensioner_ids)
        .order_by("pensioner_id")
        .values("pensioner_id", "status", "death_reported")
    }


def state_set_payment_status(*, pensioner_ids: list[int], status: str, only_from: tuple[str, ...]) -> int:
    """A batch's decision for many people at once (their rows locked by the caller): the status moves
    only for people still in one of `only_from`."""
    return CertificationState.objects.filter(pensioner_id__in=pensioner_ids, status__in=only_from).update(
        status=status
    )


def state_extend_deadlines(
    *, cursor, extension_id: int, area_prefix: str, due_from: date, due_until: date, days: int
) -> int:
    """An approved deadline extension: one statement moves every deadline in the window and area that is
    still being chased, and keeps each person's old and new date (what revoking puts back)."""
    cursor.execute(
        f"""
        WITH moved AS (
            UPDATE {TABLE} st SET next_due_on = st.next_due_on + %(days)s
            WHERE st.area_code LIKE %(prefix)s AND st.next_due_on BETWEEN %(due_from)s AND %(due_until)s
              AND st.status IN ('{PaymentStatus.ACTIVE}', '{PaymentStatus.SUSPENDED}')
            RETURNING st.pensioner_id, st.next_due_on
        )
        INSERT INTO certification_extendeddeadline (extension_id, pensioner_id, old_due_on, new_due_on)
        SELECT %(extension)s, pensioner_id, next_due_on - %(days)s, next_due_on FROM moved
        """,
        {
            "days": days,
            "prefix": area_prefix + "%",
            "due_from": due_from,
            "due_until": due_until,
            "extension": extension_id,
        },
    )
    return cursor.rowcount


def state_restore_deadlines(*, cursor, extension_id: int) -> int:
    """Revoke an extension: the old deadline comes back for everyone whose deadline is still the one the
    extension gave (someone who certified since has a later one of their own, and keeps it)."""
    cursor.execute(
        f"""
        UPDATE {TABLE} st SET next_due_on = e.old_due_on
        FROM certification_extendeddeadline e
        WHERE e.extension_id = %s AND st.pensioner_id = e.pensioner_id AND st.next_due_on = e.new_due_on
        """,
        [extension_id],
    )
    return cursor.rowcount


# --- What the registry announces (pensioners.contracts.StateKeeper) --------------------------------------


class CertificationStateKeeper(StateKeeper):
    table = TABLE

    def area_population(self, area):
        """The city's or a district's figure from its latest report snapshot (a count of millions of rows
        is not a page's work); a street or community counted now, up to the list cap."""
        if figures := ReportSnapshot.objects.figures_for(area):
            values, computed_at = figures
            return values["pensioners"], computed_at
        return capped_count(CertificationState.objects.within(area)), None

    def registered(self, *, pensioner: Pensioner, first_benefit_date: date) -> None:
        """A new person: the first deadline runs from the earliest first payment."""
        _, deadline = next_deadline(first_benefit_date=first_benefit_date, certified_dates=[])
        CertificationState.objects.create(
            pensioner=pensioner,
            area_code=pensioner.community_id,
            birth_date=pensioner.birth_date,
            next_due_on=deadline,
        )

    def moved(self, *, pensioner: Pensioner) -> None:
        """The person's records follow them to their new community's queues."""
        CertificationState.objects.filter(pensioner=pensioner).update(area_code=pensioner.community_id)

    def benefits_changed(self, *, pensioner: Pensioner, first_benefit_date: date) -> None:
        """Never certified yet: the first deadline follows the earliest first payment."""
        state = state_lock(pensioner_id=pensioner.pk)
        if state.latest_certified_on is None:
            _, state.next_due_on = next_deadline(first_benefit_date=first_benefit_date, certified_dates=[])
            state.save(update_fields=["next_due_on"])

    def roster_staged(self, cursor, *, stage_table: str, changed_table: str | None) -> None:
        """The roster's people, set-wise: new states, moved areas, and the roster's latest certification,
        which never moves a deadline earlier. The ids whose state changed go into `changed_table` (none
        for a first load: everyone is new)."""
        upsert = f"""
            INSERT INTO {TABLE} AS st (
                pensioner_id, area_code, birth_date, status, death_reported, roster_certified_on,
                latest_certified_on, latest_channel, last_contact_outcome, next_due_on)
            SELECT s.pensioner_id, s.area_code, s.birth_date, 'active', false, s.last_certified_on,
                   s.last_certified_on, '', '', {deadline_sql("COALESCE(s.last_certified_on, s.first_benefit_date)")}
            FROM {stage_table} s
            ON CONFLICT (pensioner_id) DO UPDATE SET
                area_code = EXCLUDED.area_code,
                roster_certified_on = GREATEST(st.roster_certified_on, EXCLUDED.roster_certified_on),
                latest_certified_on = GREATEST(st.latest_certified_on, EXCLUDED.latest_certified_on),
                latest_channel = CASE WHEN EXCLUDED.latest_certified_on > st.latest_certified_on THEN ''
                                      ELSE st.latest_channel END,
                next_due_on = CASE
                    WHEN st.latest_certified_on IS NOT NULL
                         AND (EXCLUDED.latest_certified_on IS NULL
                              OR st.latest_certified_on >= EXCLUDED.latest_certified_on)
                    THEN st.next_due_on
                    -- never certified: the first deadline runs from the earliest first payment of any line
                    WHEN st.latest_certified_on IS NULL AND EXCLUDED.latest_certified_on IS NULL
                    THEN LEAST(st.next_due_on, EXCLUDED.next_due_on)
                    ELSE EXCLUDED.next_due_on END
            WHERE st.area_code IS DISTINCT FROM EXCLUDED.area_code
               OR EXCLUDED.latest_certified_on > st.latest_certified_on
               OR (st.latest_certified_on IS NULL AND EXCLUDED.latest_certified_on IS NOT NULL)
               OR (st.latest_certified_on IS NULL AND EXCLUDED.latest_certified_on IS NULL
                   AND EXCLUDED.next_due_on < st.next_due_on)
            """
        if changed_table is None:
            cursor.execute(upsert)
        else:
            cursor.execute(
                f"WITH changed AS ({upsert} RETURNING st.pensioner_id) "
                f"INSERT INTO {changed_table} SELECT pensioner_id FROM changed"
            )
