"""The import job's Celery task. Its name is fixed, so queued messages and beat entries survive moves."""

from celery import shared_task

from portal.imports.services import import_job_run


@shared_task(name="portal.tasks.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> None:
    import_job_run(job_id=job_id)
