"""The staff rules as pure functions: who manages whom, and what a password must be."""

import pytest

from portal.roles import Role
from portal.staff.rules import character_classes, manageable_roles, management_problem, password_problems


@pytest.mark.parametrize(
    ("password", "username", "ok"),
    [
        ("Abcdef1234", "zhang", True),  # 10 characters, 3 classes
        ("abcdef123!", "zhang", True),  # lower, digit, sign
        ("Abcdef123", "zhang", False),  # 9 characters
        ("abcdefghij12", "zhang", False),  # 2 classes
        ("ABCDEFGHIJ!!", "zhang", False),  # 2 classes
        ("Zhang-2026x", "zhang", False),  # holds the login
        ("Gnahz-2026x", "zhang", False),  # holds the login backwards
        ("密码很长很长的Aa1", "li", True),  # Chinese characters count as "other"
    ],
)
def test_password_rules(password, username, ok):
    assert (password_problems(password, username=username) == []) is ok


def test_character_classes_counts_the_four_kinds():
    assert character_classes("aA1!") == 4
    assert character_classes("aaaa") == 1


def test_each_role_manages_only_the_levels_below_it():
    assert set(manageable_roles(Role.CITY_ADMIN)) == set(Role.values)
    assert set(manageable_roles(Role.DISTRICT_SUPERVISOR)) == {
        Role.STREET_STAFF,
        Role.COMMUNITY_WORKER,
        Role.VISIT_TEAM,
    }
    assert manageable_roles(Role.STREET_STAFF) == ()
    assert manageable_roles(Role.COMMUNITY_WORKER) == ()
    assert manageable_roles("nonsense") == ()


def test_a_supervisor_manages_only_inside_the_district():
    mine = {
        "actor_role": Role.DISTRICT_SUPERVISOR,
        "actor_area_code": "500103",
        "actor_area_level": "district",
    }
    assert management_problem(**mine, role=Role.STREET_STAFF, area_code="500103003") is None
    assert management_problem(**mine, role=Role.STREET_STAFF, area_code="500105001")[0] == "area_code"
    assert management_problem(**mine, role=Role.DISTRICT_SUPERVISOR, area_code="500103")[0] == "role"


def test_the_city_manages_every_code_of_the_province():
    city = {"actor_role": Role.CITY_ADMIN, "actor_area_code": "500000", "actor_area_level": "city"}
    assert management_problem(**city, role=Role.DISTRICT_SUPERVISOR, area_code="500105") is None
