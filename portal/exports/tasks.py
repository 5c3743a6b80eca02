"""The export job's Celery task. Its name is fixed, so queued messages survive moves."""

from celery import shared_task

from portal.exports.services import export_job_run


@shared_task(name="portal.run_export_job", acks_late=True)
def run_export_job(job_id: int) -> None:
    export_job_run(job_id=job_id)
