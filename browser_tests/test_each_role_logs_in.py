import pytest

from browser_tests.conftest import DESKTOP, PHONE
from portal.tests.factories import TEST_PASSWORD


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_role_logs_in_and_sees_their_dashboard(transactional_db, staff, new_page, log_in, viewport):
    expectations = {
        "t_admin": "重庆市",
        "t_supervisor": "渝中区",
        "t_street": "解放碑街道",
        "t_community": "民生社区",
        "t_visit": "解放碑街道",
    }
    for username, area_name in expectations.items():
        page = new_page(viewport)
        log_in(page, username, TEST_PASSWORD)
        assert page.locator("[data-testid=greeting]").is_visible()
        assert area_name in page.locator("[data-testid=dashboard-area]").inner_text()
        page.context.close()


def test_wrong_password_shows_the_message_and_keeps_the_username(transactional_db, staff, new_page, log_in):
    page = new_page()
    log_in(page, "t_street", "not-the-password")
    assert "用户名或密码不正确" in page.locator("[data-testid=login-error]").inner_text()
    assert page.input_value("#id_username") == "t_street"
