"""Reminder stages and SMS texts (pure)."""

from datetime import date, timedelta

import pytest

from certification.reminders.texts import (
    CONFIRMATION,
    CONFIRMATION_DATA_MATCH,
    DEFAULT_TEMPLATES,
    FINAL_REMINDER,
    FIRST_REMINDER,
    OVERDUE_NOTICE,
    chinese_date,
    render,
    segments,
    stage_on,
    template_problems,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (31, None),
        (30, FIRST_REMINDER),
        (20, FIRST_REMINDER),
        (8, FIRST_REMINDER),
        (7, FINAL_REMINDER),
        (3, FINAL_REMINDER),
        (0, FINAL_REMINDER),
        (-1, OVERDUE_NOTICE),
        (-400, OVERDUE_NOTICE),
    ],
)
def test_the_stage_a_person_is_in(days_left, stage):
    assert stage_on(TODAY + timedelta(days=days_left), TODAY) == stage


def test_offsets_are_settings(settings):
    settings.REMINDER_FIRST_DAYS_BEFORE = 45
    settings.REMINDER_FINAL_DAYS_BEFORE = 10
    assert stage_on(TODAY + timedelta(days=45), TODAY) == FIRST_REMINDER
    assert stage_on(TODAY + timedelta(days=10), TODAY) == FINAL_REMINDER


def test_the_data_match_confirmation_is_exactly_the_real_sms():
    text = render(DEFAULT_TEMPLATES[CONFIRMATION_DATA_MATCH], name="王建国", deadline=date(2024, 10, 6))
    assert text == (
        "【重庆市12333】王xx,您好,社保经办机构通过大数据比对为您办理了养老待遇资格认证,认证期自动递延12个月,"
        "您可于2024年10月6日前办理下次认证。"
    )


def test_the_due_soon_text_matches_the_documented_example():
    text = render(DEFAULT_TEMPLATES[FIRST_REMINDER], name="王建国", deadline=date(2024, 10, 6))
    assert text == (
        '【重庆市12333】王xx,您好,您的养老待遇资格认证期将于2024年10月6日到期,请通过"重庆人社"APP、就近社保所办理,'
        "或拨打12333预约上门认证。"
    )


def test_other_confirmations_name_the_channel():
    assert "上门认证" in render(
        DEFAULT_TEMPLATES[CONFIRMATION], name="李", deadline=date(2027, 1, 1), channel="home_visit"
    )


def test_the_signature_is_a_setting(settings):
    settings.SMS_SIGNATURE = "【测试】"
    assert render("{signature}{name}", name="马桂英", deadline=None).startswith("【测试】马xx")


def test_dates_are_written_the_chinese_way():
    assert chinese_date(date(2024, 10, 6)) == "2024年10月6日"


@pytest.mark.parametrize("key", list(DEFAULT_TEMPLATES))
def test_every_default_text_passes_its_own_checks(key):
    assert template_problems(key, DEFAULT_TEMPLATES[key]) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{signature}{name}请点击 http://x.cn 于{deadline}认证", "链接"),
        ("{signature}{name}请回复验证码,{deadline}", "验证码"),
        ("{signature}{name}请转账至,{deadline}", "转账"),
        ("{signature}{name}{deadlin}", "{deadlin}"),
        ("{signature}您好", "{deadline}"),
    ],
)
def test_template_checks_catch_links_codes_money_and_placeholders(text, problem):
    problems = " ".join(str(p) for p in template_problems(FIRST_REMINDER, text))
    assert problem in problems


def test_long_texts_take_more_than_one_sms():
    assert segments("字" * 70) == 1
    assert segments("字" * 71) == 2
    assert segments("字" * 135) == 3
