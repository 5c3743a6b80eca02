import pytest
from django.urls import reverse

from portal.roles import Role


@pytest.mark.parametrize(
    ("who", "area_name"),
    [
        ("admin", "重庆市"),
        ("supervisor", "渝中区"),
        ("street", "解放碑街道"),
        ("community", "民生社区"),
        ("visit", "解放碑街道"),
    ],
)
def test_dashboard_greets_the_user_with_their_area(client_for, staff, who, area_name):
    response = client_for(staff[who]).get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert staff[who].full_name in body
    assert area_name in body


def test_user_without_an_area_gets_a_clear_page_not_an_error(client_for, make_staff):
    user = make_staff(Role.STREET_STAFF, None)
    response = client_for(user).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "未分配工作区域" in response.content.decode()


def test_navigation_follows_the_role(client_for, staff):
    supervisor_page = client_for(staff["supervisor"]).get(reverse("dashboard")).content.decode()
    assert reverse("audit-log") in supervisor_page
    street_page = client_for(staff["street"]).get(reverse("dashboard")).content.decode()
    assert reverse("audit-log") not in street_page
