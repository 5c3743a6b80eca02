"""bench_settings with django.contrib.admin and an URLconf that adds it under /django-admin/."""

from bench_settings import *  # noqa: F403

INSTALLED_APPS = ["django.contrib.admin", *INSTALLED_APPS]  # noqa: F405
ROOT_URLCONF = "city_admin_urls"
