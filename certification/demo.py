"""Demo work for every demo role: histories, queue assignments, contact attempts, visits, death reports.

Everything goes through the real services, so the demo data obeys the same rules as real work.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from certification.contacts import contact_attempt_record, queue_assign
from certification.models import Channel, ContactKind, ContactOutcome, VisitTeam
from certification.services import certification_record, certification_record_external
from certification.visits import home_visit_request, home_visit_schedule
from pensioners.models import Area, CertificationState, Pensioner
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
    with transaction.atomic():
        counts["certifications"] += _histories(chooser, home, street_staff, today)
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
    return counts


def _histories(chooser, people, actor, today) -> int:
    """Some certifications recorded in the portal: counter visits and app feeds over the last months."""
    made = 0
    for person in people.filter(state__latest_certified_on__gte=today - timedelta(days=200))[:60]:
        day = person.state.latest_certified_on
        if chooser.random() < 0.5:
            certification_record(
                pensioner=person,
                channel=Channel.COUNTER,
                certified_on=day,
                actor=actor,
                evidence={
                    "office": HOME_STREET,
                    "office_name": "渝中区解放碑街道",
                    "id_document": "id_card",
                    "method": "face",
                },
                acting_office=actor.area,
            )
        else:
            certification_record_external(
                pensioner=person,
                channel=Channel.APP_SELF,
                certified_on=day,
                reference=f"CQRS-{person.pk:08d}",
                evidence={},
            )
        made += 1
    return made


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
