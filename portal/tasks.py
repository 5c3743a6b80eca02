"""The platform's Celery tasks, found here by `app.autodiscover_tasks()`; each lives in its capability."""

from portal.exports.tasks import run_export_job
from portal.imports.tasks import run_import_job

__all__ = ["run_export_job", "run_import_job"]
