"""The SMS content filter: links, WeChat IDs and phone numbers are refused however they are disguised; the
12333 hotline, the signature and the seeded texts pass."""

from datetime import date

import pytest
from django.utils import translation

from certification.reminders.rules import LINK, PHONE, WECHAT, Finding, forbidden_contacts, normalise
from certification.reminders.texts import DEFAULT_TEMPLATES, FIRST_REMINDER, render, template_problems


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请访问cq12333。top办理", "cq12333.top"),
        ("www﹒cq-rs﹒cn", "www.cq-rs.cn"),
        ("请访问 cq12333．top", "cq12333.top"),
        ("请访问ｃｑ１２３３３。ｔｏｐ", "cq12333.top"),
        ("请访问cq12333｡top", "cq12333.top"),
        ("请访问cq12333·top", "cq12333.top"),
        ("请访问cq12333・top", "cq12333.top"),
        ("请访问cq12333点top", "cq12333.top"),
        ("请访问 cq12333 dot top", "cq12333.top"),
        ("请访问cq12333(dot)top", "cq12333.top"),
        ("请访问cq12333[.]top", "cq12333.top"),
        ("请访问cq12333 . top", "cq12333.top"),
        ("请访问c\u200bq12333\u200c.\u200dt\ufeffo\u2060p", "cq12333.top"),
        ("请访问 CQ12333.TOP", "cq12333.top"),
        ("请访问cq-rs.gov.cn办理", "cq-rs.gov.cn"),
        ("请访问xn--fiqs8s.xn--fiqz9s", "xn--fiqs8s.xn--fiqz9s"),
        ("打开http://x.cn/a办理", "http://x.cn/a"),
        ("打开 HTTPS://CQ12333.TOP/x", "https://cq12333.top/x"),
        ("搜索www", "www"),
    ],
)
def test_links_are_found_however_they_are_written(text, found):
    assert forbidden_contacts(text) == [Finding(LINK, found)]


@pytest.mark.parametrize(
    "text",
    [
        "加微信cqrs2024咨询",
        "微信号：cq_rs2024",
        "微信 号 是 cqrs12333",
        "weixin: cqrs12333",
        "WeChat cqrs12333",
        "加vx：cqrs12333",
        "加ｖｘ cqrs12333",
        "加V信cqrs12333",
        "加威信cqrs12333",
        "wxid_ab12cd34",
        "加微信cq\u200brs2024",
    ],
)
def test_wechat_ids_are_found(text):
    assert [finding.kind for finding in forbidden_contacts(text)] == [WECHAT]


@pytest.mark.parametrize(
    "text",
    [
        "请致电13812345678",
        "请致电138 1234 5678",
        "请致电138-1234-5678",
        "请致电+86 138 1234 5678",
        "请致电１３８１２３４５６７８",
        "请致电1\u200b3812345678",
        "请致电023-63891234",
        "请致电(023)6389 1234",
        "请致电０２３－６３８９１２３４",
        "请致电0 2 3 - 6 3 8 9 1 2 3 4",
        "请致电023 6389 1234",
        "请致电400-810-1234",
        "拨打12333 13812345678",
        "拨打12333或13812345678",
    ],
)
def test_phone_numbers_are_found_even_split_by_spaces_and_dashes(text):
    assert [finding.kind for finding in forbidden_contacts(text)] == [PHONE]


def test_a_wechat_id_that_is_a_phone_number_is_both():
    kinds = {finding.kind for finding in forbidden_contacts("微信:13812345678")}
    assert kinds == {WECHAT, PHONE}


@pytest.mark.parametrize(
    "text",
    [
        "咨询请拨打12333。",
        "拨打023-12333预约上门认证",
        "拨打 1 2 3 3 3",
        "拨打12333。12月起恢复发放",
        "认证期自动递延12个月",
        "您可于2024年10月6日前办理下次认证。",
        "请于12点30分前到社保所",
        '请通过"重庆人社"APP、就近社保所办理',
        "关注重庆人社微信公众号",
        "请携带身份证·社保卡办理",
        "仅剩7天",
    ],
)
def test_ordinary_wording_and_the_hotline_pass(text):
    assert forbidden_contacts(text) == []


def test_the_configured_signature_passes_whatever_it_carries():
    assert forbidden_contacts("【cq12333.gov.cn】王xx,您好", signature="【cq12333.gov.cn】") == []
    assert forbidden_contacts("【cq12333.gov.cn】王xx,您好", signature="【重庆市12333】") != []


def test_an_allowed_domain_and_its_subdomains_pass():
    allowed = ("cq12333.gov.cn",)
    assert forbidden_contacts("见 www.cq12333.gov.cn", allowed_domains=allowed) == []
    assert forbidden_contacts("见 cq12333.gov.cn.evil.top", allowed_domains=allowed) != []


@pytest.mark.parametrize("key", sorted(DEFAULT_TEMPLATES))
def test_the_seeded_texts_and_what_they_send_pass(key):
    text = DEFAULT_TEMPLATES[key]
    assert template_problems(key, text) == []
    sent = render(text, name="王建国", deadline=date(2024, 10, 6), channel="counter", today=date(2024, 9, 29))
    assert forbidden_contacts(sent, signature="【重庆市12333】") == []


def test_normalise_folds_widths_dots_and_invisible_characters():
    assert normalise("ｗｗｗ﹒ＣＱ\u200b－ＲＳ﹒ｃｎ") == "www.cq-rs.cn"
    assert normalise("١٣٨") == "138"  # Arabic-Indic digits are digits too


def test_a_placeholder_beside_a_tld_is_a_link():
    problems = " ".join(str(p) for p in template_problems(FIRST_REMINDER, "{signature}{name}.com{deadline}"))
    assert "x.com" in problems


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{signature}{name}请访问cq12333。top于{deadline}前认证", ["链接", "cq12333.top"]),
        ("{signature}{name}加微信cqrs2024于{deadline}前认证", ["微信号", "微信cqrs2024"]),
        ("{signature}{name}请致电023-63891234于{deadline}前认证", ["电话号码", "023-63891234"]),
        ("{signature}{name}请提供验 证\u200b码于{deadline}前认证", ["验证码"]),
    ],
)
def test_the_refusal_names_what_was_found_in_chinese(text, words):
    with translation.override("zh-hans"):
        problems = " ".join(str(problem) for problem in template_problems(FIRST_REMINDER, text))
    for word in words:
        assert word in problems


def test_the_refusal_reads_in_english_for_english_users():
    with translation.override("en"):
        problems = " ".join(
            str(p) for p in template_problems(FIRST_REMINDER, "{signature}{name}cq12333。top{deadline}")
        )
    assert "links" in problems and "cq12333.top" in problems


def test_a_written_date_is_not_a_phone_number():
    assert forbidden_contacts("请于2024-10-06前办理") == []
    assert forbidden_contacts("请于2024.10.06前办理") == []


def test_a_long_run_of_dots_is_checked_quickly():
    import time

    start = time.perf_counter()
    forbidden_contacts("a." * 100_000)
    assert time.perf_counter() - start < 1
