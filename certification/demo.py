"""Demo work for every demo role: histories, queue assignments, contact attempts, visits, death reports.

Everything goes through the real services, so the demo data obeys the same rules as real work. Every
person with a certification date gets a real certification on that day, by a channel drawn in roughly
the proportions Chongqing sees (most silently from data comparison, then the apps, few at the counter or
at home, consular forms only for people abroad), so the channel mix and the charts look like a city's.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certification.decisions.queries import states_of, suspension_candidates
from certification.decisions.rules import first_of_month
from certification.decisions.services import batch_approve, suspension_batch_propose, suspension_exclude
from certification.models import (
    EXTERNAL_CHANNELS,
    Channel,
    ContactKind,
    ContactOutcome,
    MessageStage,
    MessageStatus,
    OutboxMessage,
    PaymentDecision,
    SkipReason,
    VisitTeam,
)
from certification.queues.services import contact_attempt_record, queue_assign
from certification.recording.services import (
    EvidenceUpload,
    certification_record,
    certification_record_external,
)
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.models import Area, CertificationState, Pensioner
from portal.deadlines import deadline_after
from portal.models import User
from portal.scoping import Scope

HOME_STREET = "500103003"


def demo_work_create(*, seed: int) -> dict[str, int]:
    chooser = random.Random(seed)
    today = timezone.localdate()
    street = Area.objects.get(code=HOME_STREET)
    street_staff = User.objects.get(username="demo_street")
    visitors = list(User.objects.filter(username__in=["demo_visit", "demo_visit2"]))
    team, _created = VisitTeam.objects.get_or_create(name="解放碑上门认证一组", street=street)
    team.members.set(visitors)
    counts = {"certifications": 0, "attempts": 0, "visits": 0, "assigned": 0}
    home = Pensioner.objects.filter(community__code__startswith=HOME_STREET).select_related(
        "state", "community"
    )
    everyone = Pensioner.objects.select_related("state", "community").order_by("pk")
    with transaction.atomic():
        counts["certifications"] += _histories(chooser, everyone, street_staff, visitors, today)
        overdue = list(
            CertificationState.objects.filter(area_code__startswith=HOME_STREET)
            .overdue(today)
            .order_by("next_due_on")
        )
        counts["attempts"] += _attempts(chooser, overdue[:40], street_staff)
        # The community worker has people of her own to chase.
        worker = User.objects.get(username="demo_community")
        own = [state.pensioner_id for state in overdue if state.area_code == worker.area_id][:15]
        if own:
            counts["assigned"] += queue_assign(
                actor=street_staff, scope=Scope(street_staff), pensioner_ids=own, assignee=worker
            )
        counts["visits"] += _visits(home, street_staff, team, today)
        counts["suspension_candidates"] = _suspension_work(overdue, street_staff, today)
        counts["reviews_from_abroad"] = _channel_work(overdue[-3:], today)
    _pass_old_confirmations(today)
    return counts


def _channel_work(states, today) -> int:
    """The channel API's clients (their tokens are not kept: rotate one on its page to try the API), and
    three certifications from abroad waiting for demo_street's review."""
    from certification.api.services import channel_client_create, channel_records_report

    channel_client_create(
        actor=None, name="重庆人社app", channels=["app_self", "app_assisted", "other_app"], scopes=["status"]
    )
    gateway, _token = channel_client_create(
        actor=None, name="中国领事App网关", channels=["abroad_app"], scopes=[]
    )
    results = channel_records_report(
        client=gateway,
        records=[
            {
                "reference": f"LS{today:%Y%m%d}{number:04d}",
                "id_number": state.pensioner.id_number,
                "name": state.pensioner.name,
                "channel": "abroad_app",
                "certified_on": (today - timedelta(days=2 + number)).isoformat(),
                "evidence": {"country": country, "city": city},
            }
            for number, (state, (country, city)) in enumerate(
                zip(states, [("加拿大", "温哥华"), ("澳大利亚", "悉尼"), ("美国", "洛杉矶")], strict=False)
            )
        ],
    )
    return sum(1 for result in results if result.status == "pending_review")


def _suspension_work(overdue_states, maker, today) -> int:
    """Suspension work for demo_supervisor: unreachable long-overdue people (two kinds of failed contact
    each), one kept out by staff, a batch from demo_street waiting for approval, and an earlier batch
    (approved by the city administrator, as if last summer) whose one member has just certified at the
    counter, so a resumption with back pay waits too."""
    grace_ends = today - timedelta(days=settings.SUSPENSION_GRACE_DAYS)
    long_overdue = [state for state in overdue_states if state.next_due_on < grace_ends][:24]
    if len(long_overdue) < 6:
        return 0
    for state in long_overdue:
        person = Pensioner.objects.select_related("state").get(pk=state.pensioner_id)
        for kind in (ContactKind.PHONE_CALL, ContactKind.ASKED_COMMUNITY):
            outcome = ContactOutcome.NOT_REACHABLE
            contact_attempt_record(pensioner=person, actor=maker, kind=kind, outcome=outcome, note="演示数据")
    suspension_exclude(actor=maker, state=long_overdue[-1], reason="住院治疗中,家属承诺出院后到窗口认证")
    area = maker.area
    earlier_ids = [state.pensioner_id for state in long_overdue[:3]]
    earlier = suspension_batch_propose(
        actor=maker,
        area=area,
        name=f"{today:%Y年%m月} 解放碑街道 暂停发放 演示第1批",
        candidates=suspension_candidates(states_of(earlier_ids), today=today),
    )
    admin = User.objects.get(username="demo_admin")
    batch_approve(batch=earlier, actor=admin, note="演示")
    # As if approved four months ago: payment was withheld since, which the resumption pays back.
    months_ago = first_of_month(today - timedelta(days=120))
    PaymentDecision.objects.filter(batch=earlier).update(effective_month=months_ago)
    resumed = Pensioner.objects.get(pk=earlier_ids[0])
    certification_record(
        pensioner=resumed,
        channel=Channel.COUNTER,
        certified_on=today,
        actor=maker,
        evidence={
            "office": HOME_STREET,
            "office_name": "渝中区解放碑街道",
            "id_document": "id_card",
            "method": "in_person",
        },
        acting_office=maker.area,
    )
    waiting_ids = [state.pensioner_id for state in long_overdue[3:11]]
    suspension_batch_propose(
        actor=maker,
        area=area,
        name=f"{today:%Y年%m月} 解放碑街道 暂停发放 第2批",
        candidates=suspension_candidates(states_of(waiting_ids), today=today),
    )
    return len(long_overdue)


# Channel, weight (per cent) for people living in China; people abroad certify by consular channels.
CHANNEL_WEIGHTS = (
    (Channel.DATA_MATCH, 56),
    (Channel.APP_SELF, 20),
    (Channel.APP_ASSISTED, 8),
    (Channel.OTHER_APP, 5),
    (Channel.COUNTER, 8),
    (Channel.HOME_VISIT, 3),
)
ABROAD_CHANNEL_WEIGHTS = ((Channel.CONSULAR_PAPER, 60), (Channel.ABROAD_APP, 40))
# Sources whose alive signal certifies alone (the data migration creates them).
DATA_SOURCES = ("medical_insurance", "civil_affairs", "hrss_internal")
# Business reference numbers as each channel's system writes them (比对批次, 人社APP, 帮你认, 领事APP...).
REFERENCE_PREFIXES = {
    Channel.DATA_MATCH: "BD",
    Channel.APP_SELF: "RS",
    Channel.APP_ASSISTED: "BN",
    Channel.OTHER_APP: "QT",
    Channel.ABROAD_APP: "LS",
}
OTHER_APPS = ("重庆人社", "渝快办", "电子社保卡")
# A one-pixel PNG: the signed form's "photo" of a demo home visit or consular form.
DEMO_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def _histories(chooser, people, actor, visitors, today) -> int:
    """The certification behind each person's latest date, by a realistic channel."""
    made = 0
    for person in people.filter(state__latest_certified_on__isnull=False).iterator(chunk_size=500):
        weights = ABROAD_CHANNEL_WEIGHTS if person.abroad_country else CHANNEL_WEIGHTS
        channels, shares = zip(*weights, strict=True)
        channel = chooser.choices(channels, weights=shares)[0]
        _certify(chooser, person, channel, person.state.latest_certified_on, actor, visitors)
        made += 1
    return made


def _pass_old_confirmations(today) -> int:
    """A confirmation SMS belongs to the day of the certification: for past history it has gone by.

    Runs after the commit, when the services' on-commit hooks have queued the confirmations."""
    return OutboxMessage.objects.filter(
        stage=MessageStage.CONFIRMATION,
        status=MessageStatus.QUEUED,
        deadline__lt=deadline_after(today - timedelta(days=7)),
    ).update(status=MessageStatus.SKIPPED, skip_reason=SkipReason.STAGE_PASSED)


def _certify(chooser, person, channel, day, actor, visitors) -> None:
    reference = f"{REFERENCE_PREFIXES.get(channel, 'CQ')}{person.pk:010d}"
    if channel == Channel.DATA_MATCH:
        source = chooser.choice(DATA_SOURCES)
        evidence = {"source": source, "source_record_date": day.isoformat()}
    elif channel == Channel.APP_ASSISTED:
        evidence = {"helper_relationship": chooser.choice(("子女", "配偶", "社区工作人员"))}
    elif channel == Channel.OTHER_APP:
        evidence = {"app": chooser.choice(OTHER_APPS)}
    elif channel == Channel.ABROAD_APP:
        evidence = {"review_decision": "accepted", "reviewer": "渝中区社保局"}
    else:
        evidence = {}
    if channel in EXTERNAL_CHANNELS:
        certification_record_external(
            pensioner=person, channel=channel, certified_on=day, reference=reference, evidence=evidence
        )
        return
    photo = [EvidenceUpload(name="demo.png", content_type="image/png", content=DEMO_PHOTO)]
    if channel == Channel.COUNTER:
        certification_record(
            pensioner=person,
            channel=channel,
            certified_on=day,
            actor=actor,
            evidence={
                "office": HOME_STREET,
                "office_name": "渝中区解放碑街道",
                "id_document": "id_card",
                "method": chooser.choice(("face", "in_person")),
            },
            acting_office=actor.area,
        )
    elif channel == Channel.HOME_VISIT:
        certification_record(
            pensioner=person,
            channel=channel,
            certified_on=day,
            actor=visitors[0] if visitors else actor,
            evidence={
                "address_visited": person.address or "住址不详",
                "visitors": [{"id": user.pk, "name": str(user)} for user in visitors[:2]] or ["演示"],
                "signer": person.name,
                "reason": "age",
                "reason_note": "",
            },
            files=photo,
        )
    else:  # consular paper form, mailed back from abroad
        certification_record(
            pensioner=person,
            channel=channel,
            certified_on=day,
            actor=actor,
            evidence={
                "form_serial": f"DEMO{person.pk:08d}",
                "body_kind": "embassy",
                "issuing_body": f"中国驻{person.abroad_country}使领馆",
                "country": person.abroad_country,
                "received_on": day.isoformat(),
                "proxy": False,
                "review": "accepted",
                "rejection_reason": "",
                "proxy_warning_given": False,
            },
            reference=f"DEMO{person.pk:08d}",
            files=photo,
        )


def _attempts(chooser, states, actor) -> int:
    outcomes = [
        (ContactKind.PHONE_CALL, ContactOutcome.NOT_REACHABLE),
        (ContactKind.PHONE_CALL, ContactOutcome.WILL_CERTIFY),
        (ContactKind.SMS, ContactOutcome.NOT_REACHABLE),
        (ContactKind.ASKED_COMMUNITY, ContactOutcome.NOT_REACHABLE),
        (ContactKind.PHONE_CALL, ContactOutcome.WRONG_NUMBER),
    ]
    made = 0
    for state in states:
        person = Pensioner.objects.select_related("state").get(pk=state.pensioner_id)
        for kind, outcome in chooser.sample(outcomes, chooser.randrange(1, 3)):
            contact_attempt_record(pensioner=person, actor=actor, kind=kind, outcome=outcome, note="演示数据")
            made += 1
    if states:
        person = Pensioner.objects.get(pk=states[-1].pensioner_id)
        contact_attempt_record(
            pensioner=person,
            actor=actor,
            kind=ContactKind.ASKED_COMMUNITY,
            outcome=ContactOutcome.REPORTED_DEAD,
            note="社区反映老人已于上月去世,待核实",
        )
        made += 1
    return made


def _visits(people, actor, team, today) -> int:
    """Open visits for the team: today's round, and people waiting for a date."""
    frail = list(
        people.filter(needs_home_service=True, state__status="active").order_by("state__next_due_on")[:12]
    )
    made = []
    for person in frail:
        visit, created = home_visit_request(
            pensioner=person,
            actor=actor,
            requested_via="hotline",
            reason="age",
            reason_note=person.home_service_reason,
        )
        if created:
            made.append(visit)
    if made:
        home_visit_schedule(visits=made[:6], team=team, visit_date=today, actor=actor)
        home_visit_schedule(visits=made[6:9], team=team, visit_date=today + timedelta(days=1), actor=actor)
    return len(made)
