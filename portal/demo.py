"""Demo staff: the five logins the README lists, plus colleagues so that assignment has choices."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from portal.models import User
from portal.roles import Role

DEMO_PASSWORD = "demo-password"

# username, full name, role, area code
DEMO_LOGINS = [
    ("demo_admin", "张敏", Role.CITY_ADMIN, "500000"),
    ("demo_supervisor", "李建华", Role.DISTRICT_SUPERVISOR, "500103"),
    ("demo_street", "王芳", Role.STREET_STAFF, "500103003"),
    ("demo_community", "刘静", Role.COMMUNITY_WORKER, "500103003001"),
    ("demo_visit", "赵强", Role.VISIT_TEAM, "500103003"),
]

DEMO_COLLEAGUES = [
    ("demo_community2", "陈丽", Role.COMMUNITY_WORKER, "500103003002"),
    ("demo_community3", "杨洋", Role.COMMUNITY_WORKER, "500103003003"),
    ("demo_visit2", "黄磊", Role.VISIT_TEAM, "500103003"),
    ("demo_street2", "周杰", Role.STREET_STAFF, "500103001"),
    ("demo_supervisor2", "吴刚", Role.DISTRICT_SUPERVISOR, "500105"),
]


def demo_staff_create() -> list[User]:
    """Create or reset the demo staff (password `demo-password`). Safe to run again."""
    password = make_password(DEMO_PASSWORD)
    users = []
    for username, full_name, role, area_code in DEMO_LOGINS + DEMO_COLLEAGUES:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "area_id": area_code,
                "password": password,
                "is_active": True,
                "is_staff": role == Role.CITY_ADMIN,
                "is_superuser": role == Role.CITY_ADMIN,
            },
        )
        users.append(user)
    return users
