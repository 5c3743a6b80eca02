import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from pensioners.models import Area
from portal.models import User


def test_seed_demo_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--pensioners", "0")


def test_the_refusal_says_how_to_load_the_demo_anyway_even_when_the_database_is_empty(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match=r"even on an empty database.*seed_demo --force"):
        call_command("seed_demo", "--if-empty", "--pensioners", "0")
    assert not User.objects.exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", "--pensioners", "0", "--force")
    yield
    with django_db_blocker.unblock():
        User.objects.all().delete()
        Area.objects.filter(level="community").delete()
        Area.objects.filter(level="street").delete()
        Area.objects.filter(level="district").delete()
        Area.objects.all().delete()


def test_seed_demo_loads_the_real_division_tree(seeded, db):
    assert Area.objects.filter(level="district").count() == 38
    assert Area.objects.filter(level="street").count() == 1031
    assert Area.objects.get(code="500103003").name == "解放碑街道"


def test_every_street_gets_at_least_three_communities_coded_after_it(seeded, db):
    street = Area.objects.get(code="500103003")
    codes = sorted(street.children.values_list("code", flat=True))
    assert codes[:3] == ["500103003001", "500103003002", "500103003003"]
    assert all(name.endswith(("社区", "村")) for name in street.children.values_list("name", flat=True))
    assert not Area.objects.filter(level="street").exclude(children__isnull=False).exists()


@pytest.mark.parametrize(
    ("username", "role", "area_code"),
    [
        ("demo_admin", "city_admin", "500000"),
        ("demo_supervisor", "district_supervisor", "500103"),
        ("demo_street", "street_staff", "500103003"),
        ("demo_community", "community_worker", "500103003001"),
        ("demo_visit", "visit_team", "500103003"),
    ],
)
def test_demo_logins_exist_with_their_roles_and_areas(seeded, db, username, role, area_code):
    # django-axes checks every log-in against its request (the lockout is per login and per address).
    user = authenticate(
        RequestFactory().post("/accounts/login/"), username=username, password="demo-password"
    )
    assert user is not None
    assert (user.role, user.area_id) == (role, area_code)
