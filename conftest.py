"""Fixtures every test may use: a small real area tree, staff of every role, logged-in clients."""

import pytest
from django.core.cache import cache

from pensioners.models import Area, AreaLevel
from portal.roles import Role

# A slice of the real tree: 渝中区 with two streets, and 江北区 with one, each with communities.
AREA_TREE = [
    ("500000", "重庆市", AreaLevel.CITY, None),
    ("500103", "渝中区", AreaLevel.DISTRICT, "500000"),
    ("500103003", "解放碑街道", AreaLevel.STREET, "500103"),
    ("500103003001", "民生社区", AreaLevel.COMMUNITY, "500103003"),
    ("500103003002", "和平社区", AreaLevel.COMMUNITY, "500103003"),
    ("500103003003", "新华社区", AreaLevel.COMMUNITY, "500103003"),
    ("500103001", "七星岗街道", AreaLevel.STREET, "500103"),
    ("500103001001", "七星社区", AreaLevel.COMMUNITY, "500103001"),
    ("500105", "江北区", AreaLevel.DISTRICT, "500000"),
    ("500105001", "华新街街道", AreaLevel.STREET, "500105"),
    ("500105001001", "华新社区", AreaLevel.COMMUNITY, "500105001"),
]


@pytest.fixture
def areas(db):
    created = {}
    for code, name, level, parent in AREA_TREE:
        created[code] = Area.objects.create(code=code, name=name, level=level, parent_id=parent)
    return created


@pytest.fixture
def make_staff(db, areas):
    from portal.tests.factories import UserFactory

    def make(role=Role.STREET_STAFF, area_code="500103003", **extra):
        return UserFactory(role=role, area=areas.get(area_code) if area_code else None, **extra)

    return make


@pytest.fixture
def staff(make_staff):
    """One user of every role in 渝中区 / 解放碑街道, and their counterparts elsewhere."""
    return {
        "admin": make_staff(Role.CITY_ADMIN, "500000", username="t_admin"),
        "supervisor": make_staff(Role.DISTRICT_SUPERVISOR, "500103", username="t_supervisor"),
        "street": make_staff(Role.STREET_STAFF, "500103003", username="t_street"),
        "community": make_staff(Role.COMMUNITY_WORKER, "500103003001", username="t_community"),
        "visit": make_staff(Role.VISIT_TEAM, "500103003", username="t_visit"),
        "other_supervisor": make_staff(Role.DISTRICT_SUPERVISOR, "500105", username="t_other_supervisor"),
        "other_street": make_staff(Role.STREET_STAFF, "500105001", username="t_other_street"),
        "other_community": make_staff(Role.COMMUNITY_WORKER, "500103003002", username="t_other_community"),
    }


@pytest.fixture
def client_for(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    cache.clear()


@pytest.fixture
def eager_celery():
    """Tasks run in the calling thread (with django_capture_on_commit_callbacks(execute=True))."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
