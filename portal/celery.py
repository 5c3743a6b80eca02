"""The Celery application: Redis broker, settings from Django (prefix CELERY_), tasks from each app."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _speak_the_portal_language(**kwargs) -> None:
    """Reasons written by background work (rejected rows, death-case sources) are for Chinese staff."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
