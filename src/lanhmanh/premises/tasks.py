"""Background tasks of the establishment register (django-tasks): the confirmation of large imports."""

from __future__ import annotations

from django_tasks import task


@task()
def import_confirm_task(job_id: int) -> int:
    """Write a large previewed establishment list in the background (``premises.imports.import_job_run``);
    returns the job's percent."""
    from lanhmanh.premises.imports import import_job_run  # noqa: PLC0415 -- cycle: imports enqueue this task

    return import_job_run(job_id=job_id).percent
