"""What each channel must record, which dates are possible, and the consular proxy rule (pure)."""

from datetime import date

import pytest

from certification.models import Channel
from certification.recording.rules import (
    ConsularForm,
    date_problems,
    missing_evidence,
    proxy_streak,
    proxy_warning_due,
    receipt_number,
)

COMPLETE = {
    Channel.DATA_MATCH: {
        "source": "medical_insurance",
        "source_record_date": "2026-01-15",
        "reference": "YB-1",
    },
    Channel.APP_SELF: {"reference": "APP-1"},
    Channel.APP_ASSISTED: {"helper_relationship": "family"},
    Channel.OTHER_APP: {"app": "alipay", "reference": "ALI-1"},
    Channel.COUNTER: {"office": "500103003", "id_document": "id_card", "method": "face"},
    Channel.HOME_VISIT: {"address_visited": "x", "visitors": [{"id": 1}], "signer": "本人", "reason": "age"},
    Channel.ABROAD_APP: {"reference": "LS-1", "review_decision": "approved", "reviewer": "王芳"},
    Channel.CONSULAR_PAPER: {
        "form_serial": "A1",
        "body_kind": "embassy",
        "issuing_body": "驻多伦多总领馆",
        "country": "加拿大",
        "received_on": "2026-01-01",
        "proxy": False,
    },
}


@pytest.mark.parametrize("channel", list(Channel))
def test_a_complete_record_of_each_channel_lacks_nothing(channel):
    assert missing_evidence(channel, COMPLETE[channel], file_count=1) == []


@pytest.mark.parametrize("channel", list(Channel))
def test_each_required_item_of_each_channel_is_enforced(channel):
    for key in COMPLETE[channel]:
        evidence = {**COMPLETE[channel], key: ""}
        assert key in missing_evidence(channel, evidence, file_count=1)


@pytest.mark.parametrize("channel", [Channel.HOME_VISIT, Channel.CONSULAR_PAPER])
def test_home_visits_and_consular_forms_need_a_photo_or_scan(channel):
    assert "file" in missing_evidence(channel, COMPLETE[channel], file_count=0)


def test_a_home_visit_has_one_or_two_visitors():
    three = {**COMPLETE[Channel.HOME_VISIT], "visitors": [{"id": 1}, {"id": 2}, {"id": 3}]}
    assert "visitors" in missing_evidence(Channel.HOME_VISIT, three, file_count=1)


def test_not_by_proxy_is_an_answer_not_a_gap():
    assert missing_evidence(Channel.CONSULAR_PAPER, COMPLETE[Channel.CONSULAR_PAPER], file_count=1) == []


TODAY = date(2026, 11, 27)


def test_a_date_in_the_future_is_impossible():
    assert date_problems(
        certified_on=date(2026, 11, 28), today=TODAY, first_benefit_date=None, death_date=None
    )


def test_a_date_before_the_first_benefit_date_is_impossible():
    assert date_problems(
        certified_on=date(2009, 12, 31), today=TODAY, first_benefit_date=date(2010, 1, 1), death_date=None
    )


def test_a_date_after_a_recorded_death_is_impossible():
    assert date_problems(
        certified_on=date(2026, 5, 2), today=TODAY, first_benefit_date=None, death_date=date(2026, 5, 1)
    )


def test_today_and_the_day_of_death_are_possible():
    assert not date_problems(
        certified_on=TODAY, today=TODAY, first_benefit_date=date(2010, 1, 1), death_date=TODAY
    )


def forms(*years_and_proxy):
    return [ConsularForm(form_date=date(year, 3, 1), proxy=proxy) for year, proxy in years_and_proxy]


def test_the_third_consecutive_proxy_year_warns():
    assert proxy_warning_due(forms((2024, True), (2025, True)), ConsularForm(date(2026, 3, 1), True), limit=3)


def test_two_proxy_years_do_not_warn():
    assert not proxy_warning_due(
        forms((2024, False), (2025, True)), ConsularForm(date(2026, 3, 1), True), limit=3
    )


def test_a_form_in_person_never_warns_and_resets_the_run():
    assert not proxy_warning_due(
        forms((2024, True), (2025, True)), ConsularForm(date(2026, 3, 1), False), limit=3
    )
    assert proxy_streak(forms((2023, True), (2024, True), (2025, False))) == 0


def test_a_gap_of_more_than_a_year_breaks_the_run():
    assert proxy_streak(forms((2021, True), (2024, True), (2025, True))) == 2


def test_receipt_numbers_are_readable_and_grow_past_seven_digits():
    assert receipt_number(date(2026, 11, 27), 42) == "RZ202611270000042"
    assert receipt_number(date(2026, 11, 27), 12345678) == "RZ2026112712345678"
