"""The scoping helper: each role sees its own area, and anything unusual sees nothing."""

import pytest

from pensioners.models import Area
from portal.roles import Role
from portal.scoping import Scope


def codes_seen(user):
    return set(Scope(user).restrict(Area.objects.all()).values_list("code", flat=True))


def test_city_administrator_sees_every_area(staff, areas):
    assert codes_seen(staff["admin"]) == set(areas)


def test_district_supervisor_sees_only_their_district(staff):
    seen = codes_seen(staff["supervisor"])
    assert "500103003001" in seen and "500103001001" in seen
    assert not any(code.startswith("500105") for code in seen)


def test_street_staff_cannot_see_other_streets(staff):
    seen = codes_seen(staff["street"])
    assert seen == {"500103003", "500103003001", "500103003002", "500103003003"}


def test_community_worker_sees_only_their_community(staff):
    assert codes_seen(staff["community"]) == {"500103003001"}


@pytest.mark.parametrize(
    ("role", "area_code"),
    [
        (Role.STREET_STAFF, None),  # no area
        ("janitor", "500103003"),  # unknown role
        ("", "500103003"),  # no role
        (Role.STREET_STAFF, "500103"),  # area of the wrong level for the role
        (Role.CITY_ADMIN, "500103"),  # a district is not the city
        (Role.COMMUNITY_WORKER, "500103003"),
    ],
)
def test_unusual_accounts_see_nothing(make_staff, role, area_code):
    user = make_staff(role, area_code)
    scope = Scope(user)
    assert scope.is_empty
    assert codes_seen(user) == set()
    assert not scope.can("registry.view")


def test_inactive_user_sees_nothing(make_staff):
    user = make_staff(Role.CITY_ADMIN, "500000", is_active=False)
    assert codes_seen(user) == set()


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert Scope(AnonymousUser()).restrict(Area.objects.all()).count() == 0


def test_scope_refuses_a_queryset_without_scoping_verbs(staff):
    from django.contrib.contenttypes.models import ContentType

    with pytest.raises(AttributeError):
        Scope(staff["street"]).restrict(ContentType.objects.all())
