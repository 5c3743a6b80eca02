"""Staff accounts and the doors, driven through the rendered screens in Chromium.

- A district supervisor creates a street worker, who logs in, must change the temporary password, and
  works; the supervisor edits and disables the account and the worker's open session ends; a reset and
  re-enabling bring them back.
- The city administrator onboards a district's staff from a file (a real Celery worker imports it) and
  downloads the temporary passwords once; a new account logs in with one.
- Lockout: five wrong passwords lock the login; the administrator lifts the lock on the locks page.
- The second factor: enrolment from the QR page, recovery codes, the code asked at the next log-in, and
  a manager removing a lost authenticator.
- The idle warning a minute before the limit, "keep working", and the end of an idle session.
- Home-visit teams: created, given members, renamed and retired by street staff.
"""

import re
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import totp

from certification.models import VisitTeam
from portal.models import User
from portal.tests.factories import TEST_PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.usefixtures("transactional_db")


def _change_password(page, old, new):
    page.fill("#id_old_password", old)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    page.click("[data-testid=password-form] button[type=submit]")
    page.wait_for_load_state()


def test_a_supervisor_creates_a_worker_who_changes_the_password_works_and_is_disabled(
    staff, new_page, log_in, live_server
):
    boss = new_page()
    log_in(boss, "t_supervisor", TEST_PASSWORD)
    boss.goto(f"{live_server.url}/staff/")
    boss.click("[data-testid=staff-create]")
    boss.fill("#id_username", "jfb_new")
    boss.fill("#id_full_name", "新来的")
    boss.select_option("#id_role", "street_staff")
    boss.fill("#id_area_code", "500103003")
    boss.fill("#id_phone", "13800001111")
    boss.click("[data-testid=staff-form] button[type=submit]")
    temporary = boss.locator("[data-testid=temporary-password]").inner_text().strip()
    assert len(temporary) == 12

    worker = new_page(viewport=PHONE)
    log_in(worker, "jfb_new", temporary)
    assert worker.url.endswith("/accounts/me/password/")
    assert worker.locator("[data-testid=must-change]").is_visible()
    worker.goto(f"{live_server.url}/pensioners/")  # nothing else opens yet
    assert worker.url.endswith("/accounts/me/password/")
    _change_password(worker, temporary, "short")
    assert worker.locator(".invalid-feedback").count() >= 1  # the rules, said on the form
    _change_password(worker, temporary, "Jiefangbei#2026")
    worker.goto(f"{live_server.url}/pensioners/")
    assert worker.url.endswith("/pensioners/")

    # The supervisor edits the account: the list shows the change.
    boss.goto(f"{live_server.url}/staff/?q=jfb_new")
    boss.click("a:has-text('新来的')")
    boss.fill("#id_full_name", "新来的同事")
    boss.click("[data-testid=staff-form] button[type=submit]")
    boss.goto(f"{live_server.url}/staff/?q=jfb_new")
    assert "新来的同事" in boss.locator("[data-testid=staff-table]").inner_text()

    # Disabled: the worker's next click lands on the login page.
    boss.click("a:has-text('新来的同事')")
    boss.fill("#id_reason", "调往七星岗")
    boss.click("[data-testid=disable]")
    assert "已停用" in boss.locator("[data-testid=account-state]").inner_text()
    worker.click("a.navbar-brand")
    worker.wait_for_load_state()
    assert "/accounts/login/" in worker.url
    log_in(worker, "jfb_new", "Jiefangbei#2026")
    assert "/accounts/login/" in worker.url

    # Enabled again and reset: a new temporary password, to be changed again.
    boss.click("[data-testid=enable]")
    boss.click("[data-testid=reset-password]")
    again = boss.locator("[data-testid=temporary-password]").inner_text().strip()
    log_in(worker, "jfb_new", again)
    assert worker.url.endswith("/accounts/me/password/")
    assert User.objects.get(username="jfb_new").full_name == "新来的同事"


def test_the_city_administrator_onboards_a_district_from_a_file(
    staff, new_page, log_in, live_server, settings, tmp_path
):
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    VisitTeam.objects.create(name="解放碑一组", street_id="500103003")
    sheet = tmp_path / "渝中区人员.csv"
    sheet.write_bytes(
        "登录名,姓名,角色,区划代码,上门认证小组,手机号\n"
        "yz_a,渝中甲,街道社保所,500103003,,\n"
        "yz_b,渝中乙,上门认证组,500103003,解放碑一组,\n"
        "yz_c,渝中丙,社区协办员,500105001001,,\n"  # a community of 江北区 under a 渝中 file: still the city's
        "yz_bad,渝中错,街道社保所,500103,,\n".encode("gb18030")
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page = new_page()
        log_in(page, "t_admin", TEST_PASSWORD)
        page.goto(f"{live_server.url}/staff/import/")
        page.set_input_files("#id_file", str(sheet))
        page.click("[data-testid=import-form] button[type=submit]")
        page.wait_for_selector("[data-testid=import-status][data-status=done]", timeout=20_000)
        assert "拒收" in page.locator("[data-testid=import-summary]").inner_text()
        with page.expect_download() as download_info:
            page.click("[data-testid=import-credentials]")
        passwords = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
        assert "yz_a" in passwords and "yz_bad" not in passwords
        page.reload()
        assert page.locator("[data-testid=import-credentials]").count() == 0  # once only
    password = next(line.split(",")[2] for line in passwords.splitlines() if line.startswith("yz_b,"))
    visitor = new_page(viewport=PHONE)
    log_in(visitor, "yz_b", password.strip())
    assert visitor.url.endswith("/accounts/me/password/")
    assert User.objects.get(username="yz_b").visit_teams.get().name == "解放碑一组"


def test_five_wrong_passwords_lock_the_login_until_the_administrator_lifts_it(
    staff, new_page, log_in, live_server
):
    page = new_page()
    for _ in range(5):
        log_in(page, "t_street", "not-the-password")
    log_in(page, "t_street", TEST_PASSWORD)
    assert "15" in page.locator("[data-testid=login-locked]").inner_text()
    admin = new_page()
    log_in(admin, "t_admin", TEST_PASSWORD)
    admin.goto(f"{live_server.url}/staff/locks/")
    admin.click("[data-testid=locked-logins] tr:has-text('t_street') [data-testid=unlock-login]")
    assert "t_street" not in admin.locator("[data-testid=locked-logins]").inner_text()
    log_in(page, "t_street", TEST_PASSWORD)
    assert "/accounts/login/" not in page.url


def _current_code(page) -> str:
    key = page.locator("[data-testid=second-factor-key]").inner_text().replace(" ", "")
    return f"{totp(b32decode(key + '=' * (-len(key) % 8)), step=30, t0=0, digits=6):06d}"


def test_a_supervisor_enrols_an_authenticator_and_it_is_asked_at_the_next_log_in(
    staff, new_page, log_in, live_server
):
    page = new_page()
    log_in(page, "t_supervisor", TEST_PASSWORD)
    page.click("[data-testid=current-user]")
    page.click("[data-testid=my-account]")
    page.click("[data-testid=enrol-second-factor]")
    assert page.locator("[data-testid=second-factor-qr]").evaluate("img => img.naturalWidth") > 0
    page.fill("#id_code", "123456")  # a wrong code first
    page.click("[data-testid=confirm-second-factor]")
    assert page.locator(".invalid-feedback").is_visible()
    page.wait_for_timeout(1_200)  # django-otp makes the next try wait a second after a wrong one
    page.fill("#id_code", _current_code(page))
    page.click("[data-testid=confirm-second-factor]")
    codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
    assert len(codes) == 10

    page.click("[data-testid=current-user]")
    page.click("form[action='/accounts/logout/'] button")
    log_in(page, "t_supervisor", TEST_PASSWORD)
    assert "/accounts/me/second-factor/verify/" in page.url
    page.fill("#id_code", codes[0])  # the phone is at home: a recovery code
    page.click("[data-testid=second-factor-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url

    # The street worker's authenticator is lost: the supervisor removes it from the account page.
    worker = new_page()
    log_in(worker, "t_street", TEST_PASSWORD)
    worker.goto(f"{live_server.url}/accounts/me/second-factor/")
    worker.fill("#id_code", _current_code(worker))
    worker.click("[data-testid=confirm-second-factor]")
    page.goto(f"{live_server.url}/staff/{staff['street'].pk}/")
    page.click("text=解除身份验证器")
    assert "身份验证器" in page.locator(".alert-success").inner_text()


def test_an_idle_session_warns_then_ends(staff, new_page, log_in, live_server, settings):
    settings.SESSION_IDLE_SECONDS = 6
    settings.SESSION_IDLE_WARNING_SECONDS = 4
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.wait_for_selector("[data-testid=idle-warning]", timeout=8_000)
    page.click("[data-testid=keep-working]")
    page.wait_for_selector("[data-testid=idle-warning]", state="detached", timeout=3_000)
    page.wait_for_selector("[data-testid=idle-warning]", timeout=8_000)
    page.wait_for_url(re.compile(r".*/accounts/login/.*"), timeout=12_000)


def test_street_staff_run_their_home_visit_teams(staff, new_page, log_in, live_server):
    page = new_page()
    log_in(page, "t_street", TEST_PASSWORD)
    page.goto(f"{live_server.url}/certification/visits/teams/")
    page.fill("#id_name", "解放碑二组")
    page.click("[data-testid=team-create-form] button[type=submit]")
    page.check(f"[data-testid=team-members-form] input[value='{staff['visit'].pk}']")
    page.click("[data-testid=team-members-form] button[type=submit]")
    assert page.locator(f"[data-testid=team-members-form] input[value='{staff['visit'].pk}']").is_checked()
    page.fill("[data-testid=team-rename-form] #id_name", "解放碑上门二组")
    page.click("[data-testid=team-rename-form] button[type=submit]")
    page.goto(f"{live_server.url}/certification/visits/teams/")
    assert str(staff["visit"]) in page.locator("[data-testid=teams-table]").inner_text()
    page.click("a:has-text('解放碑上门二组')")
    page.fill("#id_reason", "人员调整")
    page.click("[data-testid=retire-team]")
    assert "已停用" in page.locator("[data-testid=teams-table]").inner_text()
    assert VisitTeam.objects.get(name="解放碑上门二组").retired_at is not None
