"""portal.settings for benchmarks with DEBUG off: the same app, but static files served from the source
tree without a collectstatic manifest (the checkout has none), and no HTTPS redirect on 127.0.0.1.

Use with PYTHONPATH=bench DJANGO_SETTINGS_MODULE=bench_settings SECRET_KEY=... DEBUG=0."""

from portal.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
