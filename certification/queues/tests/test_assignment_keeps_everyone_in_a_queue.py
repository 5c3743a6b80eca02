"""Bulk assignment never gives a worker people her own queue cannot show: nobody drops out of every queue."""

from datetime import date

import pytest
from django.urls import reverse

from certification.queues.services import queue_assign
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.errors import Refused
from portal.models import AuditEvent
from portal.scoping import Scope


@pytest.fixture
def two_communities(areas):
    return {
        "minsheng": make_pensioner(name="民生甲", community="500103003001", certified_on=date(2025, 1, 10)),
        "heping": make_pensioner(name="和平乙", community="500103003002", certified_on=date(2025, 1, 10)),
    }


def assigned_to(person):
    return CertificationState.objects.get(pensioner=person).assigned_to


def test_people_of_another_community_are_refused_naming_how_many_and_nothing_is_saved(
    client_for, staff, two_communities
):
    response = client_for(staff["street"]).post(
        reverse("queue-assign"),
        {
            "target": f"user:{staff['community'].pk}",
            "selected": [p.pk for p in two_communities.values()],
            "next": "/certification/overdue/",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "1 名所选人员不在民生社区" in body
    assert "和平乙" in body
    assert "未做任何分派" in body
    assert not CertificationState.objects.filter(assigned_to__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="queue.assigned").exists()


def test_the_service_refuses_a_worker_who_does_not_work_the_queues(staff, two_communities):
    with pytest.raises(Refused):
        queue_assign(
            actor=staff["street"],
            scope=Scope(staff["street"]),
            pensioner_ids=[two_communities["minsheng"].pk],
            assignee=staff["visit"],
        )
    assert assigned_to(two_communities["minsheng"]) is None


def test_people_of_her_own_community_reach_her_queue(client_for, staff, two_communities):
    client_for(staff["street"]).post(
        reverse("queue-assign"),
        {"target": f"user:{staff['community'].pk}", "selected": [two_communities["minsheng"].pk]},
    )
    assert assigned_to(two_communities["minsheng"]) == staff["community"]
    mine = client_for(staff["community"]).get(reverse("queue-mine")).content.decode()
    assert "民生甲" in mine


def test_street_staff_can_take_people_of_several_communities_themselves(client_for, staff, two_communities):
    client_for(staff["street"]).post(
        reverse("queue-assign"),
        {"target": f"user:{staff['street'].pk}", "selected": [p.pk for p in two_communities.values()]},
    )
    assert {assigned_to(p) for p in two_communities.values()} == {staff["street"]}


def test_assigned_people_stay_in_the_overdue_queue_with_who_has_them(client_for, staff, two_communities):
    queue_assign(
        actor=staff["street"],
        scope=Scope(staff["street"]),
        pensioner_ids=[two_communities["minsheng"].pk],
        assignee=staff["community"],
    )
    client = client_for(staff["street"])
    everyone = client.get(reverse("queue-overdue")).content.decode()
    assert "民生甲" in everyone and "和平乙" in everyone
    hers = client.get(reverse("queue-overdue"), {"assigned": staff["community"].pk}).context["table"]
    assert [row.record.pensioner.name for row in hers.page.object_list] == ["民生甲"]


def test_people_already_given_to_a_worker_who_cannot_see_them_are_found_by_a_filter(
    client_for, staff, two_communities
):
    # Assigned before the check existed: her queue cannot show 和平乙 (another community).
    CertificationState.objects.filter(pensioner=two_communities["heping"]).update(
        assigned_to=staff["community"]
    )
    CertificationState.objects.filter(pensioner=two_communities["minsheng"]).update(
        assigned_to=staff["community"]
    )
    assert "和平乙" not in client_for(staff["community"]).get(reverse("queue-mine")).content.decode()
    response = client_for(staff["street"]).get(reverse("queue-overdue"), {"assigned": "outside"})
    assert [row.record.pensioner.name for row in response.context["table"].page.object_list] == ["和平乙"]


def test_a_queue_narrowed_to_one_community_offers_only_workers_whose_area_holds_it(
    client_for, staff, two_communities
):
    response = client_for(staff["street"]).get(reverse("queue-overdue"), {"area": "500103003002"})
    offered = dict(response.context["assign_form"].fields["target"].choices)
    assert f"user:{staff['other_community'].pk}" in offered  # 和平社区's worker
    assert f"user:{staff['street'].pk}" in offered  # the street holds every community
    assert f"user:{staff['community'].pk}" not in offered  # 民生社区's worker
    unnarrowed = client_for(staff["street"]).get(reverse("queue-overdue"))
    assert f"user:{staff['community'].pk}" in dict(unnarrowed.context["assign_form"].fields["target"].choices)
