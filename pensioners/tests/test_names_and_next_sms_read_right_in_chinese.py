"""The right Chinese words: a person's name is 姓名, a thing's name is 名称, the next SMS is 下一条短信."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from pensioners.tests.factories import make_pensioner


def label_of(body: str, field: str) -> str:
    match = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', body, flags=re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_new_pensioner_form_asks_for_the_persons_xingming(client_for, staff):
    body = client_for(staff["street"]).get(reverse("pensioner-create")).content.decode()
    assert label_of(body, "name").startswith("姓名")


def test_the_edit_form_asks_for_the_persons_xingming(areas, client_for, staff):
    person = make_pensioner(name="王建国")
    body = client_for(staff["street"]).get(reverse("pensioner-edit", args=[person.pk])).content.decode()
    assert label_of(body, "name").startswith("姓名")


def test_a_data_source_form_asks_for_its_mingcheng(client_for, staff):
    body = client_for(staff["admin"]).get(reverse("data-source-create")).content.decode()
    assert label_of(body, "name").startswith("名称")


def test_the_card_calls_the_next_message_the_next_sms(areas, client_for, staff):
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        person = make_pensioner(certified_on=date(2026, 1, 16))
        body = client_for(staff["street"]).get(reverse("pensioner-card", args=[person.pk])).content.decode()
    block = body[body.index('data-testid="next-reminder"') :][:600]
    assert "下一条短信" in block
    assert "下一位" not in block
