from celery import shared_task


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> None:
    from portal.import_jobs import import_job_run

    import_job_run(job_id=job_id)


@shared_task(name="portal.run_export_job", acks_late=True)
def run_export_job(job_id: int) -> None:
    from portal.export_jobs import export_job_run

    export_job_run(job_id=job_id)
