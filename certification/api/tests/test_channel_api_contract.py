"""The channel API's contract (issue 16): every status and error, idempotency, tokens, the same rules as
every other channel, and the effects seen where staff look (the card, the outbox, the audit log)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.api.models import ChannelClient, ChannelRecord, ReviewStatus
from certification.api.services import channel_client_revoke, channel_client_rotate
from certification.decisions.services import death_case_open
from certification.models import Certification, MessageStage, OutboxMessage
from pensioners.models import CertificationState, PaymentStatus
from pensioners.tests.factories import make_pensioner, valid_id_number
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def person(areas, today):
    return make_pensioner(name="李秀英", certified_on=today - timedelta(days=300))


def record(person, ref="R-1", *, channel="app_self", on=None, **changes):
    values = {
        "reference": ref,
        "id_number": person.id_number,
        "name": person.name,
        "channel": channel,
        "certified_on": (on or timezone.localdate()).isoformat(),
        "evidence": {"device": "android"},
    }
    values.update(changes)
    return values


def results(response):
    return response.json()["results"]


def next_due(person):
    return CertificationState.objects.get(pensioner=person).next_due_on


# --- accepted, and where staff see it ------------------------------------------------------------------


def test_an_accepted_record_certifies_moves_the_deadline_and_queues_the_confirmation(
    app, person, today, client_for, staff
):
    response = app.post([record(person)])

    assert response.status_code == 200
    [result] = results(response)
    assert result["status"] == "accepted" and result["reference"] == "R-1"
    assert result["reason"]["code"] == "certified" and "认证" in result["reason"]["message"]
    assert result["next_due_on"] == (today + timedelta(days=365)).isoformat() == next_due(person).isoformat()
    certification = Certification.objects.get(pensioner=person)
    assert certification.channel == "app_self" and certification.recorded_by is None
    assert certification.evidence["client"] == "重庆人社app" and certification.evidence["reference"] == "R-1"
    assert OutboxMessage.objects.filter(pensioner=person, stage=MessageStage.CONFIRMATION).count() == 1
    # The card, as the street office sees it.
    card = client_for(staff["street"]).get(f"/pensioners/{person.pk}/")
    assert certification.receipt_number in card.content.decode()


def test_a_second_identical_reference_answers_duplicate_and_records_nothing(app, person):
    assert results(app.post([record(person)]))[0]["status"] == "accepted"

    again = results(app.post([record(person)]))

    assert again[0]["status"] == "duplicate" and again[0]["reason"]["code"] == "duplicate"
    assert Certification.objects.filter(pensioner=person).count() == 1
    assert ChannelRecord.objects.filter(reference="R-1").count() == 1
    assert OutboxMessage.objects.filter(pensioner=person, stage=MessageStage.CONFIRMATION).count() == 1


def test_the_same_reference_twice_in_one_batch_counts_once(app, person):
    answers = results(app.post([record(person), record(person)]))
    assert [a["status"] for a in answers] == ["accepted", "duplicate"]
    assert Certification.objects.filter(pensioner=person).count() == 1


def test_a_rejected_reference_can_be_corrected_and_sent_again(app, person):
    assert results(app.post([record(person, name="李秀")]))[0]["status"] == "rejected"
    assert results(app.post([record(person)]))[0]["status"] == "accepted"


def test_a_back_dated_record_is_kept_but_never_moves_the_deadline_earlier(app, person, today):
    before = next_due(person)
    [answer] = results(app.post([record(person, on=today - timedelta(days=320))]))
    assert answer["status"] == "accepted" and answer["reason"]["code"] == "certified_deadline_unchanged"
    assert next_due(person) == before and answer["next_due_on"] == before.isoformat()
    assert Certification.objects.filter(pensioner=person).count() == 1
    # Nothing new to announce: no confirmation for a deadline that did not move.
    assert not OutboxMessage.objects.filter(pensioner=person, stage=MessageStage.CONFIRMATION).exists()


def test_the_deadline_follows_the_latest_record_of_a_batch(app, person, today):
    answers = results(
        app.post(
            [
                record(person, "A", on=today - timedelta(days=3)),
                record(person, "B", on=today - timedelta(days=1)),
                record(person, "C", on=today - timedelta(days=2)),
            ]
        )
    )
    assert {a["status"] for a in answers} == {"accepted"}
    assert next_due(person) == today - timedelta(days=1) + timedelta(days=365)
    assert {a["next_due_on"] for a in answers} == {next_due(person).isoformat()}


# --- rejected, each with its reason --------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"id_number": "500103195001010010"}, "invalid_id_number"),
        ({"name": "张三"}, "name_mismatch"),
        ({"name": "李" * 300}, "name_mismatch"),
        ({"name": ""}, "missing_name"),
        ({"channel": "counter"}, "unknown_channel"),
        ({"channel": "face"}, "unknown_channel"),
        ({"channel": ["app_self"]}, "unknown_channel"),
        ({"channel": {"app_self": 1}}, "unknown_channel"),
        ({"certified_on": "2026/01/01"}, "invalid_date"),
        ({"certified_on": "20260101"}, "invalid_date"),
        ({"certified_on": "2026-02-30"}, "invalid_date"),
        ({"certified_on": None}, "invalid_date"),
        ({"reference": ""}, "missing_reference"),
        ({"reference": "x" * 65}, "invalid_reference"),
        ({"reference": 12}, "invalid_reference"),
        ({"channel": "app_assisted"}, "missing_evidence"),
        ({"channel": "app_assisted", "evidence": {"helper_relationship": "stranger"}}, "missing_evidence"),
        ({"channel": "other_app", "evidence": {}}, "missing_evidence"),
        ({"evidence": "face ok"}, "invalid_evidence"),
        ({"evidence": {"device": "a\u0000b"}}, "invalid_evidence"),
        ({"name": "李\u0000秀英"}, "name_mismatch"),
        ({"reference": "R\u0000"}, "invalid_reference"),
    ],
)
def test_a_record_that_breaks_a_rule_is_rejected_with_its_reason_and_the_others_go_through(
    app, person, areas, changes, code
):
    other = make_pensioner(name="王芳")
    answers = results(app.post([record(person, "BAD", **changes), record(other, "GOOD")]))
    assert answers[0]["status"] == "rejected" and answers[0]["reason"]["code"] == code
    assert answers[0]["reason"]["message"]
    assert answers[1]["status"] == "accepted"
    assert not Certification.objects.filter(pensioner=person).exists()


def test_dates_in_the_future_before_the_first_benefit_or_after_death_are_rejected(app, areas, today):
    early = make_pensioner(name="赵一", first_benefit_date=today - timedelta(days=30))
    dead = make_pensioner(name="钱二", death_date=today - timedelta(days=10))
    fine = make_pensioner(name="孙三")
    answers = results(
        app.post(
            [
                record(fine, "F", on=today + timedelta(days=1)),
                record(early, "E", on=today - timedelta(days=31)),
                record(dead, "D", on=today - timedelta(days=5)),
            ]
        )
    )
    assert [a["reason"]["code"] for a in answers] == ["future_date", "before_first_benefit", "after_death"]
    assert not Certification.objects.exists()


def test_an_open_death_case_rejects_with_the_reason(app, person, staff):
    death_case_open(pensioner=person, origin="contact", actor=staff["street"])
    [answer] = results(app.post([record(person)]))
    assert answer["status"] == "rejected" and answer["reason"]["code"] == "open_death_case"
    assert "死亡" in answer["reason"]["message"]


def test_a_terminated_person_is_rejected(app, person):
    CertificationState.objects.filter(pensioner=person).update(status=PaymentStatus.TERMINATED)
    assert results(app.post([record(person)]))[0]["reason"]["code"] == "terminated"


def test_an_unknown_person_is_rejected(app, areas):
    stranger = {
        "reference": "U",
        "id_number": valid_id_number(),
        "name": "无名",
        "channel": "app_self",
        "certified_on": timezone.localdate().isoformat(),
    }
    assert results(app.post([stranger]))[0]["reason"]["code"] == "unknown_person"


def test_a_record_that_is_not_an_object_is_rejected_alone(app, person):
    answers = results(app.post(["R-1", None, record(person)]))
    assert [a["status"] for a in answers] == ["rejected", "rejected", "accepted"]
    assert answers[0]["reference"] is None and answers[0]["reason"]["code"] == "invalid_record"


# --- the whole request refused: 400, 401, 403, 429 -----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"records": [',
        b"not json",
        "{'records': []}",
        json.dumps({"records": []}),
        json.dumps({"records": {}}),
        json.dumps({"rows": []}),
        json.dumps([{"reference": "R"}]),
    ],
)
def test_a_malformed_body_gets_400_and_changes_nothing(app, person, body):
    response = app.post(body=body)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_json", "invalid_request"} and response.json()["detail"]
    assert not ChannelRecord.objects.exists() and not Certification.objects.exists()


def test_more_than_a_thousand_records_gets_400_and_changes_nothing(app, person):
    response = app.post([record(person, f"R{n}") for n in range(1001)])
    assert response.status_code == 400 and "1000" in response.json()["detail"]
    assert not Certification.objects.exists()


def test_a_thousand_records_is_the_most_and_is_taken(app, areas, today):
    people = [make_pensioner(name="周五") for _ in range(3)]
    batch = [record(people[n % 3], f"R{n}", on=today - timedelta(days=n % 50)) for n in range(1000)]
    response = app.post(batch)
    assert response.status_code == 200 and len(results(response)) == 1000
    assert Certification.objects.count() == 1000


@pytest.mark.parametrize("token", [None, "", "pcc_not-a-real-token", "Basic abc"])
def test_a_missing_or_unknown_token_gets_401(app, person, token):
    response = app.post([record(person)], token=token)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Certification.objects.exists()


def test_a_revoked_token_gets_401_and_a_rotated_one_replaces_the_old(make_client, person, staff):
    client, api = make_client()
    channel_client_revoke(actor=staff["admin"], client=client, reason="泄露")
    assert api.post([record(person)]).status_code == 401

    new_token = channel_client_rotate(actor=staff["admin"], client=client)
    old_token = api.token
    assert api.post([record(person)], token=old_token).status_code == 401
    assert api.post([record(person)], token=new_token).status_code == 200
    assert ChannelClient.objects.get(pk=client.pk).token_digest != old_token
    actions = set(AuditEvent.objects.filter(object_id=str(client.pk)).values_list("action", flat=True))
    assert {"channel_client.revoked", "channel_client.token_rotated"} <= actions


def test_a_channel_the_client_may_not_report_is_refused_for_that_record(make_client, person, areas):
    _client, app = make_client(name="渝快办", channels=["other_app"])
    other = make_pensioner(name="吴六")
    mixed = app.post(
        [record(person, "A"), record(other, "B", channel="other_app", evidence={"app": "yukuaiban"})]
    )
    assert mixed.status_code == 200
    assert [(a["status"], a["reason"]["code"]) for a in results(mixed)] == [
        ("rejected", "channel_forbidden"),
        ("accepted", "certified"),
    ]
    only_forbidden = app.post([record(person, "C")])
    assert only_forbidden.status_code == 403
    assert results(only_forbidden)[0]["reason"]["code"] == "channel_forbidden"
    assert not Certification.objects.filter(pensioner=person).exists()


def test_over_the_rate_a_client_gets_429_with_retry_after(app, person, settings):
    settings.CHANNEL_API_RATES = {**settings.CHANNEL_API_RATES, "certifications": "2/m"}
    assert app.post([record(person, "A")]).status_code == 200
    assert app.post([record(person, "B")]).status_code == 200
    refused = app.post([record(person, "C")])
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    assert not Certification.objects.filter(reference="C").exists()


def test_the_rate_is_per_client(make_client, person, settings):
    settings.CHANNEL_API_RATES = {**settings.CHANNEL_API_RATES, "certifications": "1/m"}
    _one, first = make_client(name="甲")
    _two, second = make_client(name="乙")
    assert first.post([record(person, "A")]).status_code == 200
    assert first.post([record(person, "B")]).status_code == 429
    assert second.post([record(person, "C")]).status_code == 200


# --- status ------------------------------------------------------------------------------------------


def test_status_answers_state_and_deadline_and_is_audited(app, person, today):
    response = app.status(person.id_number)
    assert response.status_code == 200
    assert response.json() == {"state": "current", "next_due_on": next_due(person).isoformat()}
    event = AuditEvent.objects.get(action="api.status_read")
    assert event.actor_username == "api:重庆人社app" and event.after["pensioners"] == [person.pk]


@pytest.mark.parametrize(
    "certified_days_ago, status, state",
    [
        (340, PaymentStatus.ACTIVE, "due_soon"),
        (400, PaymentStatus.ACTIVE, "overdue"),
        (400, PaymentStatus.SUSPENDED, "suspended"),
        (400, PaymentStatus.STOPPED, "suspended"),
        (10, PaymentStatus.TERMINATED, "terminated"),
    ],
)
def test_status_reports_each_state(app, areas, today, certified_days_ago, status, state):
    someone = make_pensioner(name="郑七", certified_on=today - timedelta(days=certified_days_ago))
    CertificationState.objects.filter(pensioner=someone).update(status=status)
    assert app.status(someone.id_number).json()["state"] == state


def test_status_of_an_unknown_or_malformed_number_is_404(app, areas):
    assert app.status(valid_id_number()).status_code == 404
    assert app.status("not-a-number").status_code == 404
    assert app.status("%27%20OR%201%3D1").status_code == 404


def test_status_needs_the_status_scope(make_client, person):
    _client, feed = make_client(name="只报送", scopes=())
    response = feed.status(person.id_number)
    assert response.status_code == 403 and response.json()["code"] == "scope_missing"


def test_status_is_rate_limited_per_client(app, person, settings):
    settings.CHANNEL_API_RATES = {**settings.CHANNEL_API_RATES, "status": "1/m"}
    assert app.status(person.id_number).status_code == 200
    assert app.status(person.id_number).status_code == 429


def test_status_needs_a_token(app, person):
    assert app.status(person.id_number, token=None).status_code == 401


# --- abroad: waits for a clerk ----------------------------------------------------------------------


def test_a_record_from_abroad_waits_for_review_and_certifies_nothing_yet(app, person):
    before = next_due(person)
    [answer] = results(
        app.post([record(person, "CN-1", channel="abroad_app", evidence={"country": "加拿大"})])
    )
    assert answer["status"] == "pending_review" and answer["reason"]["code"] == "awaiting_review"
    assert next_due(person) == before and not Certification.objects.exists()
    waiting = ChannelRecord.objects.waiting_for_review().get()
    assert waiting.pensioner == person and waiting.evidence == {"country": "加拿大"}
    assert results(app.post([record(person, "CN-1", channel="abroad_app")]))[0]["status"] == "duplicate"


# --- what else a certification does -------------------------------------------------------------------


def test_every_call_is_audited_under_the_client(app, person):
    app.post([record(person), record(person, "X", name="错")])
    event = AuditEvent.objects.get(action="api.certifications_reported")
    assert event.actor is None and event.actor_username == "api:重庆人社app"
    assert event.after["records"] == 2 and event.after["accepted"] == 1 and event.after["rejected"] == 1
    assert event.after["pensioners"] == [person.pk]


def test_a_suspended_person_certified_by_the_app_gets_a_resumption_proposed(app, person, staff, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "certification.api.services.payment_resume", lambda **kwargs: calls.append(kwargs) or None
    )
    CertificationState.objects.filter(pensioner=person).update(status=PaymentStatus.SUSPENDED)
    app.post([record(person)])
    assert [call["certification"].pensioner_id for call in calls] == [person.pk]


def test_an_open_home_visit_is_called_off_when_the_app_certifies(app, person, staff):
    from certification.visits.services import home_visit_request

    visit, _created = home_visit_request(
        pensioner=person, actor=staff["street"], requested_via="family", reason="illness"
    )
    app.post([record(person)])
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.certification is not None


def test_the_schema_is_valid_openapi_and_the_docs_page_uses_no_cdn(client):
    from openapi_spec_validator import validate

    schema = client.get("/api/v1/schema").json()
    validate(schema)
    assert "/api/v1/certifications" in schema["paths"]
    assert "/api/v1/pensioners/{id_number}/status" in schema["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


def test_review_status_of_plain_records_is_empty(app, person):
    app.post([record(person)])
    assert ChannelRecord.objects.get().review_status == ReviewStatus.NONE


@pytest.mark.parametrize(
    "junk", ["?page=-1", "?records=%27%3B--", "?format=xml&callback=alert(1)", "?%00=%FF"]
)
def test_junk_in_the_query_changes_nothing(app, person, junk):
    response = app.http.post(
        "/api/v1/certifications" + junk,
        data=json.dumps({"records": [record(person)]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert response.status_code == 200 and results(response)[0]["status"] == "accepted"
    status = app.http.get(
        f"/api/v1/pensioners/{person.id_number}/status" + junk,
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert status.status_code == 200


def test_a_body_over_the_size_limit_is_refused_in_json(app, person, settings):
    settings.REQUEST_MAX_BYTES = 10_000
    response = app.post([record(person, f"R{n}", evidence={"device": "x" * 90}) for n in range(200)])
    assert response.status_code == 413
    assert not Certification.objects.exists()


def test_a_refused_call_from_a_known_client_is_audited_under_it(app, person, settings):
    app.post(body=b"{nope")
    settings.CHANNEL_API_RATES = {**settings.CHANNEL_API_RATES, "certifications": "0/m"}
    app.post([record(person)])
    refused = list(AuditEvent.objects.filter(action="api.call_refused").order_by("id"))
    assert [(e.after["status"], e.after["code"]) for e in refused] == [
        (400, "invalid_json"),
        (429, "rate_limited"),
    ]
    assert {e.actor_username for e in refused} == {"api:重庆人社app"}


def test_a_client_switched_off_gets_401_and_back_on_works(make_client, person, staff):
    from certification.api.services import channel_client_update

    client, app = make_client()
    channel_client_update(
        actor=staff["admin"],
        client=client,
        name=client.name,
        channels=client.channels,
        scopes=client.scopes,
        active=False,
    )
    assert app.post([record(person)]).status_code == 401
    channel_client_update(
        actor=staff["admin"],
        client=client,
        name=client.name,
        channels=client.channels,
        scopes=client.scopes,
        active=True,
    )
    assert app.post([record(person)]).status_code == 200


def test_the_command_prints_the_token_last_and_it_works(app, person, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command(
        "channel_client_create", "掌上12333", "--channels", "other_app,app_self", "--scopes", "status"
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("client=") and " token=pcc_" in last
    token = last.split("token=")[1]
    assert app.post([record(person, "CMD")], token=token).status_code == 200
    with pytest.raises(CommandError, match="unknown channel: counter"):
        call_command("channel_client_create", "x", "--channels", "counter")
    with pytest.raises(CommandError):
        call_command("channel_client_create", "掌上12333", "--channels", "app_self")


def test_with_redis_down_the_rate_is_not_counted_and_records_still_go_through(app, person, settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6399/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    settings.CHANNEL_API_RATES = {**settings.CHANNEL_API_RATES, "certifications": "1/m"}
    assert app.post([record(person, "A")]).status_code == 200
    assert app.post([record(person, "B")]).status_code == 200
    assert Certification.objects.filter(pensioner=person).count() == 2
