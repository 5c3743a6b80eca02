"""Staff administration through its screens (Django test client) and services: who may do what, the
temporary password, disabling ends the session, moves, audit events, the password history."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent, User
from portal.roles import Role
from portal.staff import services
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _create(client, **fields):
    data = {
        "username": "wang_jfb",
        "full_name": "王小明",
        "role": Role.STREET_STAFF,
        "area_code": "500103003",
    }
    data.update(fields)
    return client.post(reverse("staff-create"), data)


def test_a_supervisor_creates_a_street_worker_with_a_temporary_password(client_for, staff):
    client = client_for(staff["supervisor"])
    response = _create(client)
    assert response.status_code == 302  # to the page that shows the password once (a reload resets nothing)
    shown = client.get(response["Location"])
    user = User.objects.get(username="wang_jfb")
    password = shown.context["password"]
    again = client.get(response["Location"])
    assert again.status_code == 302 and password not in client.get(again["Location"]).content.decode()
    assert user.must_change_password and user.check_password(password)
    assert user.area_id == "500103003" and user.role == Role.STREET_STAFF
    assert AuditEvent.objects.filter(action="staff.created", object_id=str(user.pk)).exists()
    assert password not in str(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("after", "note"))


def test_a_supervisor_cannot_create_outside_the_district_or_above_their_role(client_for, staff):
    client = client_for(staff["supervisor"])
    outside = _create(client, area_code="500105001")
    assert outside.status_code == 400
    above = _create(client, username="boss", role=Role.DISTRICT_SUPERVISOR, area_code="500103")
    assert above.status_code == 400
    assert not User.objects.filter(username__in=["wang_jfb", "boss"]).exists()


def test_a_role_must_fit_its_area_level(client_for, staff):
    response = _create(client_for(staff["supervisor"]), area_code="500103003001")  # a community
    assert response.status_code == 400
    assert not User.objects.filter(username="wang_jfb").exists()


@pytest.mark.parametrize("who", ["street", "community", "visit"])
def test_staff_below_supervisor_cannot_manage_accounts(client_for, staff, who):
    client = client_for(staff[who])
    assert client.get(reverse("staff-list")).status_code == 403
    assert _create(client).status_code == 403


def test_a_supervisor_never_sees_another_districts_staff(client_for, staff):
    client = client_for(staff["supervisor"])
    listing = client.get(reverse("staff-list")).content.decode()
    assert staff["street"].username in listing and staff["other_street"].username not in listing
    assert client.get(reverse("staff-detail", args=[staff["other_street"].pk])).status_code == 404


def test_disabling_ends_the_open_session_at_once(client_for, client, staff):
    worker = staff["street"]
    client.force_login(worker)
    assert client.get(reverse("dashboard")).status_code == 200
    from django.test import Client

    supervisor = Client()
    supervisor.force_login(staff["supervisor"])
    supervisor.post(reverse("staff-disable", args=[worker.pk]), {"reason": "调离"})
    worker.refresh_from_db()
    assert not worker.is_active
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert AuditEvent.objects.filter(action="staff.disabled", object_id=str(worker.pk), note="调离").exists()
    # and the password no longer opens the door
    refused = Client().post(reverse("login"), {"username": worker.username, "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.wsgi_request.session


def test_a_reset_gives_a_one_time_password_and_ends_sessions(client, staff):
    worker = staff["street"]
    client.force_login(worker)
    password = services.staff_reset_password(actor=staff["supervisor"], user=worker)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302  # the old session no longer matches the password
    worker.refresh_from_db()
    assert worker.must_change_password and worker.check_password(password)


def test_a_temporary_password_opens_only_the_password_page(client, staff):
    worker = staff["street"]
    password = services.staff_reset_password(actor=staff["supervisor"], user=worker)
    assert (
        client.post(reverse("login"), {"username": worker.username, "password": password}).status_code == 302
    )
    assert client.get(reverse("pensioner-search"))["Location"] == reverse("password-change")
    response = client.post(
        reverse("password-change"),
        {"old_password": password, "new_password1": "Chongqing#2026", "new_password2": "Chongqing#2026"},
    )
    assert response.status_code == 302
    assert client.get(reverse("pensioner-search")).status_code == 200
    worker.refresh_from_db()
    assert not worker.must_change_password and worker.password_changed_at


def test_a_new_password_follows_the_rules_and_not_the_last_five(client, staff):
    worker = staff["street"]
    client.force_login(worker)
    current = TEST_PASSWORD
    used = ["Chongqing#2021", "Chongqing#2022", "Chongqing#2023", "Chongqing#2024"]
    for new in used:
        services.password_change(user=worker, current=current, new=new)
        current = new
    client.force_login(worker)
    for weak in ["short1A", "alllowercaseletters", used[0], used[-1]]:
        response = client.post(
            reverse("password-change"),
            {"old_password": current, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 400, weak
    from portal.errors import Refused

    with pytest.raises(Refused):  # the first password is the fifth back: still one of the last five
        services.password_change(user=worker, current=current, new=TEST_PASSWORD)
    services.password_change(user=worker, current=current, new="Chongqing#2025")
    with pytest.raises(Refused):
        services.password_change(user=worker, current="Chongqing#2025", new=used[0])
    # six changes on, the first password has left the last five: it may return
    services.password_change(user=worker, current="Chongqing#2025", new=TEST_PASSWORD)


def test_moving_an_account_is_audited_as_a_move(staff):
    from pensioners.models import Area

    worker = staff["street"]
    services.staff_update(
        actor=staff["supervisor"],
        user=worker,
        full_name=worker.full_name,
        role=worker.role,
        area=Area.objects.get(code="500103001"),
        phone="",
    )
    worker.refresh_from_db()
    assert worker.area_id == "500103001"
    event = AuditEvent.objects.get(action="staff.moved", object_id=str(worker.pk))
    assert event.before["area"] == "500103003" and event.after["area"] == "500103001"


def test_nobody_disables_themselves(staff):
    from portal.errors import Refused

    with pytest.raises(Refused):
        services.staff_disable(actor=staff["admin"], user=staff["admin"], reason="x")


def test_the_staff_list_filters_and_exports(client_for, staff):
    client = client_for(staff["supervisor"])
    services.staff_disable(actor=staff["supervisor"], user=staff["community"], reason="离职")
    disabled = client.get(reverse("staff-list"), {"active": "no"}).content.decode()
    assert staff["community"].username in disabled and staff["street"].username not in disabled
    by_role = client.get(reverse("staff-list"), {"role": Role.VISIT_TEAM}).content.decode()
    assert staff["visit"].username in by_role and staff["street"].username not in by_role
    never = client.get(reverse("staff-list"), {"last_login": "never", "area": "500103003"}).content.decode()
    assert staff["street"].username in never
    export = client.get(reverse("staff-list"), {"_export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and staff["street"].username in body
    assert AuditEvent.objects.filter(action="staff.exported").exists()
    assert client.get(reverse("staff-list"), {"last_login": "junk'\"", "role": "x"}).status_code == 200


def test_a_visitor_is_in_one_team_at_a_time(staff):
    from certification.models import VisitTeam
    from certification.visits.services import visit_team_set_members

    first = VisitTeam.objects.create(name="一组", street_id="500103003")
    second = VisitTeam.objects.create(name="二组", street_id="500103003")
    visit_team_set_members(actor=staff["street"], team=first, members=[staff["visit"]])
    visit_team_set_members(actor=staff["street"], team=second, members=[staff["visit"]])
    assert list(staff["visit"].visit_teams.all()) == [second]


def test_a_recovery_code_may_be_typed_in_capitals(staff, rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=staff["supervisor"], name="recovery codes")
    StaticToken.objects.create(device=device, token="abcd2345")
    request = rf.post("/")
    request.user, request.session = staff["supervisor"], SessionStore()
    from portal.staff import second_factor

    second_factor.verify(request=request, code="ABCD2345")
    assert not StaticToken.objects.filter(token="abcd2345").exists()


def test_the_password_page_of_a_temporary_password_shows_no_menu(client, staff):
    password = services.staff_reset_password(actor=staff["supervisor"], user=staff["street"])
    client.post(reverse("login"), {"username": staff["street"].username, "password": password})
    page = client.get(reverse("password-change")).content.decode()
    assert 'data-testid="must-change"' in page and f'href="{reverse("pensioner-search")}"' not in page


def test_a_supervisor_creating_a_visitor_is_offered_the_districts_teams(client_for, staff):
    from certification.models import VisitTeam

    VisitTeam.objects.create(name="解放碑一组", street_id="500103003")
    VisitTeam.objects.create(name="华新街一组", street_id="500105001")  # another district
    page = client_for(staff["supervisor"]).get(reverse("staff-create")).content.decode()
    assert '<option value="解放碑一组">' in page and "华新街一组" not in page


@pytest.mark.parametrize(
    ("field", "value", "created"),
    [
        ("full_name", "王" * 300, False),  # over the field's 60: said on the form, nothing cut
        ("full_name", "王\"小'明", True),
        ("full_name", '=HYPERLINK("http://x","y")', True),  # text here; exports neutralise it
        ("username", "a" * 300, False),
        ("username", "wang'; drop", False),
        ("area_code", "5001'03", False),
        ("phone", "=1+1", False),
    ],
)
def test_hostile_account_fields_never_answer_500(client_for, staff, field, value, created):
    response = _create(client_for(staff["supervisor"]), **{field: value})
    assert response.status_code == (302 if created else 400)
    assert User.objects.filter(username="wang_jfb" if field != "username" else value).exists() is created
