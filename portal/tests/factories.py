import factory
from django.contrib.auth.hashers import make_password

from portal.models import User
from portal.roles import Role

TEST_PASSWORD = "test-password-123"
_HASHED_TEST_PASSWORD = make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.STREET_STAFF
    password = _HASHED_TEST_PASSWORD
