"""The platform's Celery tasks, found here by `app.autodiscover_tasks()`; each lives in its capability."""

from celery import shared_task

from portal.exports.tasks import run_export_job
from portal.imports.tasks import run_import_job

__all__ = ["recover_jobs", "run_export_job", "run_import_job", "seal_audit_log"]


@shared_task(name="portal.tasks.seal_audit_log", acks_late=True)
def seal_audit_log() -> int:
    from portal.audit_chain import audit_seal

    return audit_seal()


@shared_task(name="portal.tasks.recover_jobs", acks_late=True)
def recover_jobs() -> dict:
    from portal.jobs import jobs_recover

    return jobs_recover()
