"""Walks every screen: any page or file that shows a person's full ID number or phone (or is a file of
their evidence or rejects) writes an audit event naming that person, filed where the viewer's supervisor
looks. A new screen that shows personal data without a trace fails here."""

import pytest
from django.urls import reverse

from pensioners.models import Pensioner
from portal.models import AuditEvent
from portal.tests.out_of_scope import OUT_OF_SCOPE_BUILDERS
from portal.tests.test_every_url_is_protected import NAMES_WITH_PARAMETERS, NAMES_WITHOUT_PARAMETERS

# Downloads whose content is personal data even when it is not text (photos, full IDs in a CSV).
FILES_OF_PERSONAL_DATA = {"evidence-file", "import-job-rejects"}
# Pages that are not about people (or that change state on GET: none may).
NOT_ABOUT_PEOPLE = {"logout", "set_language", "healthz", "login", "reports-refresh"}


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "ignore")


def looks_recorded(since: int, person) -> bool:
    events = AuditEvent.objects.filter(pk__gt=since)
    return (
        events.filter(object_type="pensioners.pensioner", object_id=str(person.pk)).exists()
        or events.filter(after__pensioners__contains=[person.pk]).exists()
    )


def viewers(staff):
    # 江北区 records (the builders make them there): their street staff, their supervisor, the city.
    return [staff["other_street"], staff["other_supervisor"], staff["admin"]]


def walk(client, staff, url, name):
    for person in Pensioner.objects.all():  # a phone of one's own, so a page shows whose phone it is
        Pensioner.objects.filter(pk=person.pk).update(phone=f"139{person.pk:08d}")
    people = list(Pensioner.objects.all())
    found_a_viewer = False
    for user in viewers(staff):
        client.force_login(user)
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        if response.status_code != 200:
            continue
        found_a_viewer = True
        text = body_of(response)
        shown = [
            person
            for person in people
            if name in FILES_OF_PERSONAL_DATA
            or person.id_number in text
            or (person.phone and person.phone in text)
        ]
        unrecorded = [person.name for person in shown if not looks_recorded(since, person)]
        assert not unrecorded, f"{name} as {user.username} showed {unrecorded} with no audit event"
        if shown:
            event = AuditEvent.objects.filter(pk__gt=since).latest("pk")
            assert event.actor_area_code == (user.area_id or "")
    return found_a_viewer


@pytest.mark.parametrize("name", NAMES_WITH_PARAMETERS)
def test_each_record_screen_that_shows_personal_data_is_audited(client, staff, name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kwargs = OUT_OF_SCOPE_BUILDERS[name](staff)
    _make_files_exist(tmp_path)
    walk(client, staff, reverse(name, kwargs=kwargs), name)


@pytest.mark.parametrize("name", sorted(set(NAMES_WITHOUT_PARAMETERS) - NOT_ABOUT_PEOPLE))
def test_each_list_screen_that_shows_personal_data_is_audited(client, staff, name):
    for builder in ("home-visit", "death-case", "contact-attempt"):
        OUT_OF_SCOPE_BUILDERS[builder](staff)
    walk(client, staff, reverse(name), name)


def _make_files_exist(root):
    for relative in ("evidence/x.pdf", "x.csv", "exports/x.csv"):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"500105194501011234,x\n")


def test_logins_failed_logins_and_logouts_are_on_the_record(client, staff):
    staff["street"].set_password("Correct-Horse-9")
    staff["street"].save()
    client.post(reverse("login"), {"username": "t_street", "password": "wrong"})
    client.post(reverse("login"), {"username": "t_street", "password": "Correct-Horse-9"})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_username", "note"))
    assert ("auth.login_failed", "", "t_street") in actions
    assert ("auth.logged_in", "t_street", "") in actions
    assert ("auth.logged_out", "t_street", "") in actions
