"""Settings for the test suite: the project's settings, with a Redis database of the tests' own (so a
developer's running worker never takes a test's task) and a fast password hasher."""

import os

from portal.settings import *  # noqa: F403

CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
