"""Queue work in Chromium, through the rendered forms: bulk assignment that cannot lose people, my-queue
buckets that say what they hold, the contact form, and the printed call sheet."""

import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from browser_tests.conftest import ARTIFACTS, DESKTOP, PHONE
from certification.models import ContactAttempt
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.models import AuditEvent
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

# Screenshots for people to look at (SCREENSHOT_DIR to put them elsewhere).
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ARTIFACTS / "shots")


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop and phone width, for a person to look at."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    for label, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def overdue_since(days: int) -> date:
    """A last certification that leaves the person `days` overdue today (deadline = certified + 365)."""
    return timezone.localdate() - timedelta(days=365 + days)


def assigned(person):
    return CertificationState.objects.get(pensioner=person).assigned_to


def test_bulk_assignment_refuses_people_outside_the_workers_area_then_reaches_her_queue(
    staff, new_page, log_in, live_server
):
    first = make_pensioner(name="民生甲", community="500103003001", certified_on=overdue_since(40))
    second = make_pensioner(name="民生丙", community="500103003001", certified_on=overdue_since(20))
    other = make_pensioner(name="和平乙", community="500103003002", certified_on=overdue_since(30))
    worker = staff["community"]

    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/overdue/")
    page.check(f"input[name=selected][value='{first.pk}']")
    page.check(f"input[name=selected][value='{other.pk}']")
    page.select_option("#id_target", f"user:{worker.pk}")
    shoot(page, "overdue-queue-assign-form")
    page.click("[data-testid=assign-form] button[type=submit]")
    page.wait_for_load_state()
    refusal = page.locator(".alert-danger").inner_text()
    assert "1 名所选人员不在民生社区" in refusal and "和平乙" in refusal and "未做任何分派" in refusal
    assert {assigned(first), assigned(other)} == {None}
    shoot(page, "overdue-queue-assign-refused")

    page.check(f"input[name=selected][value='{first.pk}']")
    page.check(f"input[name=selected][value='{second.pk}']")
    page.select_option("#id_target", f"user:{worker.pk}")
    page.click("[data-testid=assign-form] button[type=submit]")
    page.wait_for_load_state()
    assert "已将2人分派给" in page.locator(".alert-success").inner_text()
    # Everyone is still in the overdue queue, and street staff find hers by the "assigned to" filter.
    assert page.locator("[data-testid=queue-total]").inner_text() == "3"
    page.select_option("#id_assigned", str(worker.pk))
    page.click("#queue-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=queue-total]").inner_text() == "2"

    hers = new_page()
    log_in(hers, "t_community", TEST_PASSWORD)
    hers.goto(f"{live_server.url}/certification/my-queue/")
    table = hers.locator("table").inner_text()
    assert "民生甲" in table and "民生丙" in table and "和平乙" not in table
    assert hers.locator("[data-testid=queue-total]").inner_text() == "2"
    shoot(hers, "my-queue")


def test_each_my_queue_bucket_names_what_it_holds_and_lists_exactly_its_count(
    staff, new_page, log_in, live_server
):
    today = timezone.localdate()
    deadlines = {"逾期十": -10, "逾期一": -1, "三天到期": 3, "二十天到期": 20, "十五天到期": 15}
    for name, days_left in deadlines.items():
        person = make_pensioner(name=name, certified_on=today + timedelta(days=days_left - 365))
        CertificationState.objects.filter(pensioner=person).update(assigned_to=staff["community"])
    expected = {
        "overdue": ("已逾期", {"逾期十", "逾期一"}),
        "this_week": ("0-7天内到期", {"三天到期"}),
        "later": ("8-30天内到期", {"二十天到期", "十五天到期"}),
    }
    page = new_page()
    log_in(page, "t_community", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/my-queue/")
    for code, (label, names) in expected.items():
        page.goto(f"{live_server.url}/certification/my-queue/")
        assert page.locator(f"[data-bucket-label='{code}']").inner_text() == label
        assert page.locator(f"[data-bucket='{code}']").inner_text() == str(len(names))
        page.click(f"[data-testid=bucket-{code}]")
        page.wait_for_load_state()
        listed = set(page.locator("table tbody tr td:nth-child(2) a").all_inner_texts())
        assert listed == names


def test_the_contact_form_asks_for_the_outcome_and_when_and_shows_only_what_it_needs(
    staff, new_page, log_in, live_server
):
    person = make_pensioner(name="逾期老人", certified_on=overdue_since(45))
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/overdue/")
    page.click("[data-testid=log-contact]")
    page.wait_for_selector("[data-testid=contact-form]")
    # Nothing preselected, and none of the outcome-specific details on show.
    assert page.input_value("#id_outcome") == ""
    assert page.locator("input[name=kind]:checked").count() == 0
    for field in ("died_on", "snooze_until", "snooze_reason", "moved_to", "visit_reason"):
        assert page.locator(f"#id_{field}").is_hidden()
    shoot(page, "contact-form-empty")
    now = timezone.localtime()
    assert page.input_value("#id_contacted_at") == now.strftime("%Y-%m-%dT%H:%M") or (
        page.input_value("#id_contacted_at")[:13] == now.strftime("%Y-%m-%dT%H")
    )
    page.select_option("#id_outcome", "reported_dead")
    assert page.locator("#id_died_on").is_visible() and page.locator("#id_snooze_until").is_hidden()
    page.select_option("#id_outcome", "will_certify")
    assert page.locator("#id_snooze_until").is_visible() and page.locator("#id_died_on").is_hidden()
    shoot(page, "contact-form")

    # A call "tomorrow" is refused, and nothing is logged.
    page.check("input[name=kind][value=phone_call]")
    page.select_option("#id_outcome", "not_reachable")
    tomorrow = now + timedelta(days=1)
    page.fill("#id_contacted_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.click("[data-testid=contact-form] button[type=submit]")
    page.wait_for_selector("[data-testid=contact-form]")
    assert "联系时间不能晚于现在" in page.content()
    assert not ContactAttempt.objects.exists()
    shoot(page, "contact-form-refused")

    # Yesterday afternoon's call, logged today.
    yesterday = (now - timedelta(days=1)).replace(hour=15, minute=30)
    page.fill("#id_contacted_at", yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_note", "无人接听")
    page.click("[data-testid=contact-form] button[type=submit]")
    page.wait_for_url("**/certification/overdue/**")
    row = page.locator("table tbody tr", has_text="逾期老人").inner_text()
    assert "联系不上" in row and yesterday.strftime("%Y-%m-%d") in row

    page.goto(f"{live_server.url}/pensioners/{person.pk}/")
    history = page.locator("[data-testid=contact-attempts]").inner_text()
    assert yesterday.strftime("%Y-%m-%d 15:30") in history and "联系不上" in history and "无人接听" in history


def test_the_call_sheet_prints_my_people_with_full_phones_and_is_audited(
    staff, new_page, log_in, live_server
):
    worker = staff["community"]
    for number in range(4):
        person = make_pensioner(
            name=f"待联系{number}",
            phone=f"1391234567{number}",
            address=f"民生路{number}号附{number}栋",
            certified_on=overdue_since(10 * number + 3),
        )
        CertificationState.objects.filter(pensioner=person).update(assigned_to=worker)
    colleague = make_pensioner(name="同事的人", phone="13600002222", certified_on=overdue_since(5))
    CertificationState.objects.filter(pensioner=colleague).update(assigned_to=staff["street"])

    page = new_page()
    log_in(page, "t_community", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/my-queue/")
    assert "13912345670" not in page.content()  # the queue masks phones
    page.click("[data-testid=call-sheet-link]")
    page.wait_for_selector("[data-testid=call-sheet]")
    sheet = page.locator("[data-testid=call-sheet]").inner_text()
    assert "13912345670" in sheet and "民生路3号附3栋" in sheet
    assert "同事的人" not in sheet and "13600002222" not in sheet
    assert page.locator("[data-testid=call-row]").count() == 4
    assert AuditEvent.objects.filter(action="call_sheet.viewed", actor=worker).count() == 1
    shoot(page, "call-sheet")

    page.emulate_media(media="print")
    assert not page.locator("nav.portal-navbar").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "call-sheet.pdf"
    pdf = page.pdf(path=str(pdf_path), format="A4")
    assert pdf.startswith(b"%PDF")
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", str(pdf_path), str(SHOTS / "call-sheet-print")],
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        pass  # the picture is for people to look at; the PDF itself is what the test proves
