"""Settings for the test suite: the project's settings, with a Redis database of the tests' own (so a
developer's running worker never takes a test's task) and a fast password hasher."""

import os

from portal.settings import *  # noqa: F403

CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Rate-limit counts of the tests' own, fresh each run (client ids repeat from one test database to the next).
CACHES = {
    **CACHES,  # noqa: F405
    "throttle": {
        **CACHES["throttle"],  # noqa: F405
        "LOCATION": os.environ.get("TEST_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "KEY_PREFIX": f"test-{os.getpid()}-{os.urandom(4).hex()}",
    },
}
