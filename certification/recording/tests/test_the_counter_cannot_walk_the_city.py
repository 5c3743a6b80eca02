"""The counter finds anyone in the city by exact ID number, but nobody can walk the ID space: every lookup,
hit or miss, is audited under the staff member's own area, and each staff member has a limit per ten
minutes. The registration form names a registered person only to staff of that person's area."""

from datetime import date

import pytest
from django.urls import reverse

from pensioners.tests.factories import make_pensioner, valid_id_number
from portal.models import AuditEvent


def look_up(client, id_number):
    return client.post(reverse("counter-desk"), {"id_number": id_number})


def test_misses_are_audited_under_the_clerks_area_where_her_supervisor_looks(client_for, staff):
    client = client_for(staff["community"])
    stranger = valid_id_number(date(1950, 3, 1), male=True)
    assert look_up(client, stranger).status_code in (403, 404)


def test_a_clerk_looking_up_many_ids_is_stopped_and_every_lookup_is_on_her_supervisors_log(
    client_for, staff, settings
):
    settings.ID_LOOKUPS_PER_10_MINUTES = 5
    planted = make_pensioner(name="江北人", community="500105001001", born=date(1951, 1, 1))
    client = client_for(staff["street"])
    probes = [valid_id_number(date(1950, 1, day), male=True) for day in range(1, 6)]
    statuses = [look_up(client, number).status_code for number in probes]
    assert statuses == [404] * 5
    refused = look_up(client, planted.id_number)
    assert refused.status_code == 429
    assert "10" in refused.content.decode()
    assert "已达上限" in refused.content.decode()  # the reason is on the page, beside the ID field
    assert "江北人" not in refused.content.decode()
    misses = AuditEvent.objects.filter(action="pensioner.lookup_missed", actor=staff["street"])
    assert misses.count() == 5
    # The 渝中区 supervisor sees her street worker's probes, though nobody was found in 渝中区.
    supervisor_log = AuditEvent.objects.within(staff["supervisor"].area)
    assert supervisor_log.filter(action="pensioner.lookup_missed").count() == 5
    assert supervisor_log.filter(action="pensioner.lookup_refused").count() == 1


def test_a_hit_in_another_district_is_on_both_districts_logs(client_for, staff):
    elsewhere = make_pensioner(name="江北人", community="500105001001")
    assert look_up(client_for(staff["street"]), elsewhere.id_number).status_code == 200
    event = AuditEvent.objects.get(action="pensioner.counter_lookup")
    assert event.area_code.startswith("500105") and event.actor_area_code == "500103003"
    assert AuditEvent.objects.within(staff["supervisor"].area).filter(pk=event.pk).exists()
    assert AuditEvent.objects.within(staff["other_supervisor"].area).filter(pk=event.pk).exists()


@pytest.mark.parametrize("viewer, named", [("street", True), ("other_street", False)])
def test_registering_a_registered_id_names_the_person_only_in_their_own_area(
    client_for, staff, viewer, named
):
    existing = make_pensioner(name="马桂英", community="500103003001")
    client = client_for(staff[viewer])
    page = client.get(reverse("pensioner-create")).content.decode()
    token = page.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    community = "500103003001" if viewer == "street" else "500105001001"
    response = client.post(
        reverse("pensioner-create"),
        {
            "id_number": existing.id_number,
            "name": "马桂英",
            "community": community,
            "form_token": token,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-scheme": "enterprise",
            "lines-0-first_benefit_date": "2010-01-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert ("registered-card" in body) is named
    assert "马桂英" not in body.replace('value="马桂英"', "") or named
    assert AuditEvent.objects.filter(action="pensioner.counter_lookup", actor=staff[viewer]).count() == 1
