"""The channel API's pure rules, fast: a record's shape, the verdict against the registry, the state a
status call reports, and tokens."""

from __future__ import annotations

from datetime import date

import pytest

from certification.api.rules import (
    PersonFacts,
    api_state,
    check_record_shape,
    judge_record,
    new_token,
    token_digest,
)
from pensioners.rules import check_character

TODAY = date(2026, 12, 1)
ALL = ["app_self", "app_assisted", "other_app", "abroad_app"]


def number(first_seventeen="50010319500101001") -> str:
    return first_seventeen + check_character(first_seventeen)


def raw(**changes):
    values = {
        "reference": "R1",
        "id_number": number(),
        "name": "李秀英",
        "channel": "app_self",
        "certified_on": "2026-11-30",
    }
    values.update(changes)
    return values


def facts(**changes):
    values = dict(
        pensioner_id=1,
        name="李秀英",
        area_code="500103003001",
        status="active",
        death_reported=False,
        death_date=None,
        first_benefit_date=date(2010, 1, 1),
        latest_certified_on=date(2026, 1, 1),
        next_due_on=date(2027, 1, 1),
    )
    values.update(changes)
    return PersonFacts(**values)


def shaped(**changes):
    return check_record_shape(0, raw(**changes), allowed_channels=ALL, today=TODAY)


def test_a_well_formed_record_keeps_only_the_known_evidence():
    report = shaped(channel="app_assisted", evidence={"helper_relationship": "family", "password": "x"})
    assert report.evidence == {"helper_relationship": "family"}
    assert report.certified_on == date(2026, 11, 30)


def test_a_fifteen_digit_number_is_upgraded_like_everywhere_else():
    report = shaped(id_number="500103500101001")
    assert len(report.id_number) == 18


def test_the_certification_day_itself_is_not_the_future():
    assert not hasattr(shaped(certified_on="2026-12-01"), "code")
    assert shaped(certified_on="2026-12-02").code == "future_date"


@pytest.mark.parametrize(
    "person, code",
    [
        (None, "unknown_person"),
        (facts(name="李秀"), "name_mismatch"),
        (facts(status="terminated"), "terminated"),
        (facts(death_date=date(2026, 11, 29)), "after_death"),
        (facts(death_reported=True), "open_death_case"),
        (facts(first_benefit_date=date(2026, 12, 1)), "before_first_benefit"),
    ],
)
def test_the_registry_rules(person, code):
    assert judge_record(shaped(), person).code == code


def test_the_death_day_itself_may_still_be_certified():
    assert judge_record(shaped(), facts(death_date=date(2026, 11, 30))).status == "accepted"


def test_full_width_names_match_their_half_width_twin():
    assert judge_record(shaped(name=" 李秀英 "), facts()).status == "accepted"
    assert judge_record(shaped(name="ＬＩ"), facts(name="LI")).status == "accepted"


def test_an_older_record_is_kept_without_moving_the_deadline():
    assert judge_record(shaped(certified_on="2025-12-01"), facts()).code == "certified_deadline_unchanged"
    same_day = facts(latest_channel="app_self")
    assert judge_record(shaped(certified_on="2026-01-01"), same_day).code == "certified_deadline_unchanged"
    assert judge_record(shaped(), facts(latest_certified_on=None)).code == "certified"


def test_the_day_the_roster_already_knew_of_is_certified_by_the_record_that_names_its_channel():
    roster_day = facts(latest_certified_on=date(2026, 11, 30), latest_channel="")
    assert judge_record(shaped(), roster_day).code == "certified"
    recorded_day = facts(latest_certified_on=date(2026, 11, 30), latest_channel="counter")
    assert judge_record(shaped(), recorded_day).code == "certified_deadline_unchanged"


def test_a_record_from_abroad_always_waits_for_review():
    assert judge_record(shaped(channel="abroad_app"), facts()).status == "pending_review"


@pytest.mark.parametrize(
    "status, due, state",
    [
        ("active", date(2027, 1, 1), "current"),
        ("active", date(2026, 12, 31), "due_soon"),
        ("active", TODAY, "due_soon"),
        ("active", date(2026, 11, 30), "overdue"),
        ("suspended", date(2027, 6, 1), "suspended"),
        ("stopped", date(2027, 6, 1), "suspended"),
        ("terminated", date(2027, 6, 1), "terminated"),
    ],
)
def test_the_state_a_status_call_reports(status, due, state):
    assert api_state(status=status, next_due_on=due, today=TODAY) == state


def test_tokens_are_random_and_only_their_digest_is_kept():
    first, second = new_token(), new_token()
    assert first != second and first.startswith("pcc_") and len(first) > 40
    assert token_digest(first) != token_digest(second) and len(token_digest(first)) == 64
    assert first not in token_digest(first)
