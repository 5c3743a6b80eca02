"""The reminder job page and the data sources page show labels, never the stored keys and codes."""

import re

from django.urls import reverse
from django.utils import timezone

from certification.models import DataSource, JobRun

RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def page_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")] if "<main" in html else html
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_the_job_page_names_every_statistic(client_for, staff):
    JobRun.objects.create(
        kind="plan",
        moment=timezone.now(),
        finished_at=timezone.now(),
        counts={"first_reminder": 3, "overdue_notice": 2, "skipped_no_phone": 1, "skipped_phone_wrong": 1},
    )
    JobRun.objects.create(
        kind="dispatch",
        moment=timezone.now(),
        finished_at=timezone.now(),
        counts={
            "sent_first_reminder": 3,
            "sent_confirmation": 1,
            "failed": 1,
            "retry_later": 2,
            "held_by_rate_cap": 4,
            "waiting_for_daytime": 5,
            "skipped_certified": 1,
        },
    )
    body = client_for(staff["supervisor"]).get(reverse("reminder-jobs")).content.decode()
    text = page_text(body)
    for label in (
        "计划:首次提醒",
        "计划:逾期通知",
        "不发送:无电话号码",
        "已发送:首次提醒",
        "发送失败",
        "稍后重试",
    ):
        assert label in text, label
    assert not RAW_KEY.findall(text), RAW_KEY.findall(text)
    assert "=" not in text.split("</h1>")[-1]


def test_an_unknown_statistic_is_still_shown(client_for, staff):
    JobRun.objects.create(kind="plan", moment=timezone.now(), counts={"brand_new_count": 7})
    body = client_for(staff["supervisor"]).get(reverse("reminder-jobs")).content.decode()
    assert "brand_new_count: <strong>7</strong>" in body


def test_data_sources_show_labels_and_a_thing_is_named_mingcheng(client_for, staff):
    DataSource.objects.all().delete()
    DataSource.objects.create(
        code="medical_insurance", name="医保就医记录", carries_alive=True, alive_certifies_alone=True
    )
    DataSource.objects.create(code="civil_affairs", name="民政殡葬数据", carries_death=True)
    body = client_for(staff["admin"]).get(reverse("data-sources")).content.decode()
    header = body[body.index("<thead") : body.index("</thead>")]
    assert "名称" in header and "姓名" not in header
    text = page_text(body[body.index("<tbody") : body.index("</tbody>")])
    assert "医保就医记录" in text and "民政殡葬数据" in text
    assert "生存" in text and "死亡" in text
