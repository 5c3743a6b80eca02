"""Suspension, resumption, imprisonment stops and deadline extensions, through the services (issue 15).

Each rule of domain.md's "Overdue, suspension, resumption" has a test here that fails if the rule breaks:
the candidate rule, every exclusion, maker ≠ checker, dropping at approval, the notice queued once, the
payment file, resumption with back pay, a stop without, and extensions with their revoke.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from certification.decisions.payment_file import COLUMNS, payment_file_for
from certification.decisions.queries import (
    eligible_only,
    exclusions_of,
    states_of,
    suspension_candidates,
)
from certification.decisions.services import (
    batch_approve,
    batch_reject,
    death_case_open,
    extension_approve,
    extension_propose,
    extension_revoke,
    resumption_batch_propose,
    stop_propose,
    suspension_batch_propose,
    suspension_exclude,
)
from certification.models import (
    ContactKind,
    ContactOutcome,
    DecisionKind,
    DecisionStatus,
    MessageStage,
    OutboxMessage,
    PaymentDecision,
)
from certification.queues.services import contact_attempt_record
from certification.reminders.services import reminders_dispatch
from certification.tests.helpers import record_counter
from certification.visits.services import home_visit_request
from pensioners.models import Area, BenefitLine, CertificationState, PaymentStatus
from pensioners.services import pensioner_update
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused
from portal.models import AuditEvent, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def checker(make_staff):
    """A second supervisor of the same district: the checker of what t_supervisor or t_street propose."""
    return make_staff(Role.DISTRICT_SUPERVISOR, "500103", username="t_supervisor2")


def overdue_person(name="欧阳修", *, days_overdue=120, community="500103003001", amount=2500, **extra):
    today = timezone.localdate()
    person = make_pensioner(
        name=name, community=community, certified_on=today - timedelta(days=365 + days_overdue), **extra
    )
    person.benefit_lines.update(monthly_amount=amount)
    return person


def fail_contact(person, actor, kinds=(ContactKind.PHONE_CALL, ContactKind.ASKED_COMMUNITY), **extra):
    for kind in kinds:
        contact_attempt_record(
            pensioner=person, actor=actor, kind=kind, outcome=ContactOutcome.NOT_REACHABLE, **extra
        )


def candidates_for(people):
    return suspension_candidates(states_of([p.pk for p in people]), today=timezone.localdate())


def propose(maker, people, name="测试批次"):
    return suspension_batch_propose(
        actor=maker, area=maker.area, name=name, candidates=candidates_for(people)
    )


def state_of(person) -> CertificationState:
    return CertificationState.objects.get(pensioner=person)


# ---- the candidate rule ---------------------------------------------------------------------------


def test_overdue_beyond_the_grace_period_and_two_kinds_of_failed_contact_make_a_candidate(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    (row,) = candidates_for([person])
    assert sorted(row.failed_kinds) == ["asked_community", "phone_call"]
    assert exclusions_of(row) == []


def test_two_failures_of_the_same_kind_do_not(staff):
    person = overdue_person()
    fail_contact(person, staff["street"], kinds=(ContactKind.PHONE_CALL, ContactKind.PHONE_CALL))
    assert not candidates_for([person]).exists()


def test_a_reached_person_does_not_count_as_failed(staff):
    person = overdue_person()
    contact_attempt_record(
        pensioner=person, actor=staff["street"], kind=ContactKind.SMS, outcome=ContactOutcome.REFUSED
    )
    fail_contact(person, staff["street"], kinds=(ContactKind.PHONE_CALL,))
    assert not candidates_for([person]).exists()


def test_within_the_grace_period_nobody_is_a_candidate(staff, settings):
    person = overdue_person(days_overdue=settings.SUSPENSION_GRACE_DAYS)
    fail_contact(person, staff["street"])
    assert not candidates_for([person]).exists()
    settings.SUSPENSION_GRACE_DAYS = 30
    assert candidates_for([person]).exists()


def test_attempts_before_this_deadline_was_chased_do_not_count(staff):
    person = overdue_person(days_overdue=100)
    # Logged back then, before the first reminder of this deadline: they were about the last period.
    with time_machine.travel(timezone.now() - timedelta(days=100 + 31 + 5)):
        fail_contact(person, staff["street"])
    assert not candidates_for([person]).exists()
    fail_contact(person, staff["street"])
    assert candidates_for([person]).exists()


# ---- exclusions -----------------------------------------------------------------------------------


def only_exclusions(person):
    (row,) = candidates_for([person])
    return exclusions_of(row)


def test_an_open_death_case_excludes(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    death_case_open(pensioner=person, origin="contact", actor=staff["street"])
    assert only_exclusions(person) == ["open_death_case"]


def test_a_requested_home_visit_excludes(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    home_visit_request(pensioner=person, actor=staff["street"], requested_via="hotline", reason="age")
    assert only_exclusions(person) == ["home_visit_open"]


def test_a_snooze_with_a_reason_excludes(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    contact_attempt_record(
        pensioner=person,
        actor=staff["street"],
        kind=ContactKind.PHONE_CALL,
        outcome=ContactOutcome.WILL_CERTIFY,
        snooze_until=timezone.localdate() + timedelta(days=14),
        snooze_reason="住院,出院后来办",
    )
    assert only_exclusions(person) == ["snoozed_with_reason"]


def test_new_contact_details_after_the_last_failure_exclude(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    pensioner_update(actor=staff["street"], pensioner=person, changes={"phone": "13900009999"})
    assert only_exclusions(person) == ["contact_changed_since_failure"]


def test_a_consular_form_in_the_post_excludes_someone_abroad(staff):
    person = overdue_person(abroad_country="加拿大")
    fail_contact(person, staff["street"])
    contact_attempt_record(
        pensioner=person, actor=staff["street"], kind=ContactKind.LETTER, outcome=ContactOutcome.FORM_POSTED
    )
    assert only_exclusions(person) == ["consular_form_in_the_post"]


def test_staff_can_exclude_with_a_reason_and_it_is_audited(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    with pytest.raises(Refused):
        suspension_exclude(actor=staff["street"], state=state_of(person), reason="  ")
    suspension_exclude(actor=staff["street"], state=state_of(person), reason="家属说下周来窗口")
    assert only_exclusions(person) == ["staff_excluded"]
    assert AuditEvent.objects.filter(action="suspension.excluded", after__pensioners=[person.pk]).exists()


def test_excluded_people_are_never_proposed(staff):
    kept, excluded = overdue_person("甲"), overdue_person("乙")
    for person in (kept, excluded):
        fail_contact(person, staff["street"])
    suspension_exclude(actor=staff["street"], state=state_of(excluded), reason="住院")
    batch = propose(staff["street"], [kept, excluded])
    assert list(batch.decisions.values_list("pensioner_id", flat=True)) == [kept.pk]
    assert (batch.people_count, batch.monthly_amount) == (1, Decimal("2500"))


def test_someone_already_in_a_waiting_batch_is_not_proposed_twice(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    propose(staff["street"], [person])
    assert only_exclusions(person) == ["already_proposed"]
    with pytest.raises(Refused):
        propose(staff["street"], [person])


# ---- maker and checker ----------------------------------------------------------------------------


def test_the_maker_can_never_approve_or_reject(staff):
    person = overdue_person()
    fail_contact(person, staff["street"])
    batch = propose(staff["supervisor"], [person])
    with pytest.raises(Refused, match="另一名审批人"):
        batch_approve(batch=batch, actor=staff["supervisor"])
    with pytest.raises(Refused):
        batch_reject(batch=batch, actor=staff["supervisor"], reason="x")
    assert state_of(person).status == PaymentStatus.ACTIVE


def test_approval_suspends_from_next_month_and_queues_the_notice_once(staff, checker):
    person = overdue_person()
    fail_contact(person, staff["street"])
    batch = propose(staff["street"], [person])
    with time_machine.travel(datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        batch = batch_approve(batch=batch, actor=checker, note="同意")
    assert state_of(person).status == PaymentStatus.SUSPENDED
    decision = PaymentDecision.objects.get(pensioner=person, kind=DecisionKind.SUSPEND)
    assert (decision.status, decision.effective_month) == (DecisionStatus.APPROVED, date(2027, 1, 1))
    assert (batch.status, batch.approved_count, batch.dropped_count) == ("approved", 1, 0)
    notices = OutboxMessage.objects.filter(pensioner=person, stage=MessageStage.SUSPENSION_NOTICE)
    assert notices.count() == 1
    # Once per decision: a second approval is refused, and queueing again adds nothing.
    with pytest.raises(Refused):
        batch_approve(batch=batch, actor=checker)
    from certification.decisions.services import suspension_notice_queue

    assert suspension_notice_queue(pensioner_ids=[person.pk]) == 0
    assert notices.count() == 1
    assert AuditEvent.objects.filter(action="batch.approved", after__pensioners=[person.pk]).exists()


def test_the_notice_names_the_month_payment_stops(staff, checker, settings):
    person = overdue_person()
    fail_contact(person, staff["street"])
    with time_machine.travel(datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        batch_approve(batch=propose(staff["street"], [person]), actor=checker)
        reminders_dispatch()
    notice = OutboxMessage.objects.get(pensioner=person, stage=MessageStage.SUSPENSION_NOTICE)
    assert notice.status == "sent" and "自2027年1月起暂停发放" in notice.text


def test_approval_drops_who_no_longer_qualifies_and_says_why(staff, checker):
    certified, dead, moved_phone, still = (overdue_person(n) for n in ("已认证", "已故", "换号", "照旧"))
    for person in (certified, dead, moved_phone, still):
        fail_contact(person, staff["street"])
    batch = propose(staff["street"], [certified, dead, moved_phone, still])
    record_counter(certified, staff["street"], timezone.localdate())
    death_case_open(pensioner=dead, origin="contact", actor=staff["street"])
    pensioner_update(actor=staff["street"], pensioner=moved_phone, changes={"phone": "13911112222"})
    batch = batch_approve(batch=batch, actor=checker)
    assert (batch.approved_count, batch.dropped_count) == (1, 3)
    assert batch.dropped_reasons == {
        "deadline_moved": 1,
        "open_death_case": 1,
        "contact_changed_since_failure": 1,
    }
    assert state_of(still).status == PaymentStatus.SUSPENDED
    for person in (certified, dead, moved_phone):
        assert state_of(person).status == PaymentStatus.ACTIVE
        assert PaymentDecision.objects.get(pensioner=person).status == DecisionStatus.DROPPED
    assert batch.people_count == 1 and batch.monthly_amount == Decimal("2500")


def test_a_rejected_batch_changes_no_one(staff, checker):
    person = overdue_person()
    fail_contact(person, staff["street"])
    batch = propose(staff["street"], [person])
    with pytest.raises(Refused):
        batch_reject(batch=batch, actor=checker, reason="")
    batch_reject(batch=batch, actor=checker, reason="名单需复核")
    assert state_of(person).status == PaymentStatus.ACTIVE
    assert PaymentDecision.objects.get(pensioner=person).status == DecisionStatus.REJECTED
    assert not OutboxMessage.objects.filter(stage=MessageStage.SUSPENSION_NOTICE).exists()
    # ...and the person can be proposed again.
    assert eligible_only(candidates_for([person])).exists()


# ---- the payment file -----------------------------------------------------------------------------


def _download(batch, user, file_format, headers="en"):
    request = RequestFactory().get("/")
    request.user = user
    return payment_file_for(
        batch=batch, file_format=file_format, headers=headers, actor=user, request=request
    )


def test_the_payment_file_has_the_agreed_columns_a_checksum_and_is_generated_once(staff, checker):
    person = overdue_person(name="=HYPERLINK(1)")
    fail_contact(person, staff["street"])
    batch = batch_approve(batch=propose(staff["street"], [person]), actor=checker)
    first = _download(batch, checker, "csv")
    rows = list(csv.reader(io.StringIO(bytes(first.content).decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["id_number"] == person.id_number and row["decision"] == "suspend"
    assert row["name"] == "'=HYPERLINK(1)"  # a formula in a name stays text
    assert (row["monthly_amount"], row["batch"], row["approved_by"]) == (
        "2500.00",
        str(batch.pk),
        "t_supervisor2",
    )
    assert rows[2][0] == "#checksum" and rows[2][1] == f"sha256={first.sha256}" and rows[2][2] == "rows=1"
    again = _download(batch, staff["supervisor"], "csv")
    assert again.pk == first.pk and bytes(again.content) == bytes(first.content)
    assert (
        AuditEvent.objects.filter(action="payment_file.downloaded", after__pensioners=[person.pk]).count()
        == 2
    )
    chinese = _download(batch, checker, "xlsx", headers="zh")
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(chinese.content))).active
    values = list(sheet.values)
    assert values[0][0] == "公民身份号码" and values[1][0] == person.id_number
    assert values[-1][1] == f"sha256={first.sha256}"  # the same rows give the same checksum


# ---- resumption -----------------------------------------------------------------------------------


def _suspend(person, staff, checker, *, on: datetime):
    fail_contact(person, staff["street"])
    with time_machine.travel(on, tick=False):
        batch_approve(batch=propose(staff["street"], [person]), actor=checker)


def test_certifying_proposes_resumption_and_approval_pays_every_suspended_month(staff, checker):
    person = overdue_person()
    _suspend(person, staff, checker, on=datetime(2026, 12, 10, 10, tzinfo=SHANGHAI))  # suspended from 2027-01
    with time_machine.travel(datetime(2027, 3, 20, 10, tzinfo=SHANGHAI), tick=False):
        record_counter(person, staff["street"], date(2027, 3, 20))
        assert state_of(person).status == PaymentStatus.SUSPENDED
        assert state_of(person).next_due_on > date(2028, 3, 1)  # a new period from the certification
        proposed = PaymentDecision.objects.get(pensioner=person, kind=DecisionKind.RESUME)
        assert (proposed.status, proposed.back_pay_months) == ("proposed", 3)
        batch = resumption_batch_propose(
            actor=staff["street"],
            area=staff["street"].area,
            name="恢复",
            decisions=PaymentDecision.objects.all(),
        )
        with pytest.raises(Refused):
            batch_approve(batch=batch, actor=staff["street"])
    # Approved in April: January to April were withheld, all paid back; payment resumes in May.
    with time_machine.travel(datetime(2027, 4, 2, 10, tzinfo=SHANGHAI), tick=False):
        batch_approve(batch=batch, actor=checker)
    decision = PaymentDecision.objects.get(pensioner=person, kind=DecisionKind.RESUME)
    assert (decision.status, decision.effective_month) == ("approved", date(2027, 5, 1))
    assert (decision.back_pay_months, decision.back_pay_amount) == (4, Decimal("10000.00"))
    assert state_of(person).status == PaymentStatus.ACTIVE
    # The payment file of the resumption batch: decision=resume, with the months paid back.
    paid = _download(batch, checker, "csv")
    rows = list(csv.reader(io.StringIO(bytes(paid.content).decode("utf-8-sig"))))
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert (row["decision"], row["effective_month"], row["back_pay_months"]) == ("resume", "2027-05", "4")


def test_an_amount_raised_during_suspension_is_back_paid_raised(staff, checker):
    person = overdue_person(amount=2000)
    _suspend(person, staff, checker, on=datetime(2026, 12, 10, 10, tzinfo=SHANGHAI))
    # The yearly raise from February 2027: the old line ends in January, a new one starts.
    line = person.benefit_lines.get()
    BenefitLine.objects.filter(pk=line.pk).update(ended_on=date(2027, 1, 31))
    BenefitLine.objects.create(
        pensioner=person, scheme="public_sector", first_benefit_date=date(2027, 2, 1), monthly_amount=2100
    )
    with time_machine.travel(datetime(2027, 3, 20, 10, tzinfo=SHANGHAI), tick=False):
        record_counter(person, staff["street"], date(2027, 3, 20))
        batch = resumption_batch_propose(
            actor=staff["street"],
            area=staff["street"].area,
            name="恢复",
            decisions=PaymentDecision.objects.all(),
        )
        batch_approve(batch=batch, actor=checker)
    decision = PaymentDecision.objects.get(pensioner=person, kind=DecisionKind.RESUME)
    assert (decision.back_pay_months, decision.back_pay_amount) == (3, Decimal("6200.00"))  # 2000+2100+2100


def test_a_voided_certification_drops_its_resumption(staff, checker):
    from certification.recording.services import certification_void

    person = overdue_person()
    _suspend(person, staff, checker, on=datetime(2026, 12, 10, 10, tzinfo=SHANGHAI))
    certification = record_counter(person, staff["street"], timezone.localdate())
    batch = resumption_batch_propose(
        actor=staff["street"], area=staff["street"].area, name="恢复", decisions=PaymentDecision.objects.all()
    )
    certification_void(certification=certification, actor=staff["street"], reason="录错了人")
    batch = batch_approve(batch=batch, actor=checker)
    assert batch.dropped_reasons == {"certification_voided": 1}
    assert state_of(person).status == PaymentStatus.SUSPENDED


def test_an_imprisonment_stop_resumes_without_back_pay(staff, checker):
    person = overdue_person(days_overdue=-100)  # not overdue at all: a stop is not about certifying
    with pytest.raises(Refused):
        stop_propose(actor=staff["street"], pensioner=person, reference=" ", court_date=date(2026, 11, 1))
    with time_machine.travel(datetime(2026, 12, 10, 10, tzinfo=SHANGHAI), tick=False):
        batch = stop_propose(
            actor=staff["street"],
            pensioner=person,
            reference="(2026)渝0103刑初123号",
            court_date=date(2026, 11, 1),
        )
        batch_approve(batch=batch, actor=checker)
    assert state_of(person).status == PaymentStatus.STOPPED
    stop = PaymentDecision.objects.get(kind=DecisionKind.STOP)
    assert (stop.reference, stop.effective_month) == ("(2026)渝0103刑初123号", date(2027, 1, 1))
    with time_machine.travel(datetime(2027, 6, 3, 10, tzinfo=SHANGHAI), tick=False):
        record_counter(person, staff["street"], date(2027, 6, 3))
        batch = resumption_batch_propose(
            actor=staff["street"],
            area=staff["street"].area,
            name="刑满恢复",
            decisions=PaymentDecision.objects.all(),
        )
        batch_approve(batch=batch, actor=checker)
    decision = PaymentDecision.objects.get(kind=DecisionKind.RESUME)
    assert (decision.effective_month, decision.back_pay_months, decision.back_pay_amount) == (
        date(2027, 7, 1),
        0,
        Decimal("0"),
    )
    assert state_of(person).status == PaymentStatus.ACTIVE


# ---- deadline extensions --------------------------------------------------------------------------


def test_an_extension_moves_the_window_in_its_area_and_revoking_restores(staff, checker):
    inside = make_pensioner(name="窗口内", community="500103003001", certified_on=date(2025, 12, 10))
    early = make_pensioner(name="窗口前", community="500103003001", certified_on=date(2025, 11, 20))
    elsewhere = make_pensioner(name="别的区", community="500105001001", certified_on=date(2025, 12, 10))
    certifies = make_pensioner(name="后来认证", community="500103003001", certified_on=date(2025, 12, 12))
    before = {p.pk: state_of(p).next_due_on for p in (inside, early, elsewhere, certifies)}
    extension = extension_propose(
        actor=staff["supervisor"],
        area=Area.objects.get(pk="500103"),
        due_from=before[inside.pk] - timedelta(days=3),
        due_until=before[inside.pk] + timedelta(days=5),
        days=30,
        reason="洪水导致街道服务中心停办",
    )
    assert extension.people_count == 2
    with pytest.raises(Refused):
        extension_approve(extension=extension, actor=staff["supervisor"])
    extension = extension_approve(extension=extension, actor=checker)
    assert extension.people_count == 2
    assert state_of(inside).next_due_on == before[inside.pk] + timedelta(days=30)
    assert state_of(early).next_due_on == before[early.pk]
    assert state_of(elsewhere).next_due_on == before[elsewhere.pk]
    record_counter(certifies, staff["street"], timezone.localdate())
    certified_deadline = state_of(certifies).next_due_on
    extension = extension_revoke(extension=extension, actor=checker, reason="误操作")
    assert extension.restored_count == 1
    assert state_of(inside).next_due_on == before[inside.pk]
    assert state_of(certifies).next_due_on == certified_deadline  # who certified since keeps theirs
    assert AuditEvent.objects.filter(action="extension.revoked").count() == 1


def test_an_extension_beyond_the_limit_or_backwards_is_refused(staff, settings):
    area = Area.objects.get(pk="500103")
    with pytest.raises(Refused):
        extension_propose(
            actor=staff["supervisor"], area=area, due_from=date(2027, 1, 10), due_until=date(2027, 1, 1),
            days=10, reason="x",
        )  # fmt: skip
    with pytest.raises(Refused):
        extension_propose(
            actor=staff["supervisor"], area=area, due_from=date(2027, 1, 1), due_until=date(2027, 1, 10),
            days=settings.DEADLINE_EXTENSION_MAX_DAYS + 1, reason="x",
        )  # fmt: skip


# ---- reports ----------------------------------------------------------------------------------------


def test_the_report_shows_suspended_resumed_and_extended_with_the_money(staff, checker, client):
    person = overdue_person(amount=2500)
    fail_contact(person, staff["street"])
    batch_approve(batch=propose(staff["street"], [person]), actor=checker)
    waiting = make_pensioner(
        name="延期人", community="500103003002", certified_on=timezone.localdate() - timedelta(days=300)
    )
    due = state_of(waiting).next_due_on
    extension = extension_propose(
        actor=staff["supervisor"],
        area=Area.objects.get(pk="500103"),
        due_from=due,
        due_until=due,
        days=20,
        reason="停电",
    )
    extension_approve(extension=extension, actor=checker)
    client.force_login(staff["supervisor"])
    page = client.get("/reports/?area=500103003").content.decode()
    assert 'data-testid="payment-report-row"' in page
    response = client.get("/reports/?area=500103003&table=payments&_export=csv")
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    by_area = {row[1]: row for row in rows[1:]}
    this_month = timezone.localdate().strftime("%Y-%m")
    assert by_area["民生社区"][0] == this_month and by_area["民生社区"][2:4] == ["1", "2500.00"]
    assert by_area[Area.objects.get(pk="500103003002").name][7] == "1"


def test_queues_candidates_and_reminders_follow_an_extended_deadline(staff, checker):
    from certification.recording.services import certification_void
    from certification.reminders.services import reminders_plan

    person = overdue_person(days_overdue=95)
    fail_contact(person, staff["street"])
    assert candidates_for([person]).exists()
    due = state_of(person).next_due_on
    extension = extension_propose(
        actor=staff["supervisor"], area=Area.objects.get(pk="500103003"), due_from=due, due_until=due, days=120,
        reason="系统故障",
    )  # fmt: skip
    extension_approve(extension=extension, actor=checker)
    today = timezone.localdate()
    assert state_of(person).next_due_on == due + timedelta(days=120)
    assert not CertificationState.objects.filter(pensioner=person).overdue(today).exists()
    assert not candidates_for([person]).exists()
    reminders_plan()
    planned = OutboxMessage.objects.filter(pensioner=person).values_list("deadline", flat=True)
    assert set(planned) == {due + timedelta(days=120)}  # due soon now: reminded for the new date
    # Voiding a later record recomputes the deadline, and the extension in force still holds.
    certification = record_counter(person, staff["street"], today)
    certification_void(certification=certification, actor=staff["street"], reason="录错了人")
    assert state_of(person).next_due_on == due + timedelta(days=120)


@pytest.mark.django_db(transaction=True)
def test_two_checkers_approving_at_once_decide_once(staff, checker, make_staff):
    import threading

    from django.db import connection

    other_checker = make_staff(Role.DISTRICT_SUPERVISOR, "500103", username="t_supervisor3")
    person = overdue_person()
    fail_contact(person, staff["street"])
    batch = propose(staff["street"], [person])
    start, outcomes = threading.Barrier(2), []

    def approve(actor):
        try:
            start.wait()
            batch_approve(batch=batch, actor=actor)
            outcomes.append("approved")
        except Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(actor,)) for actor in (checker, other_checker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert OutboxMessage.objects.filter(pensioner=person, stage=MessageStage.SUSPENSION_NOTICE).count() == 1
    assert AuditEvent.objects.filter(action="batch.approved").count() == 1
