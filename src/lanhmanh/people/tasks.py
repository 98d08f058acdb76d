"""Background tasks of the registry (django-tasks): retention and the confirmation of large imports."""

from __future__ import annotations

from django_tasks import task

from lanhmanh.people.privacy import retention_run


@task()
def retention_task(dry_run: bool = False) -> int:
    """Pseudonymise every person due for retention today; returns how many (or how many are due)."""
    result = retention_run(dry_run=dry_run)
    return len(result.due) if dry_run else result.done


@task()
def import_confirm_task(job_id: int, skip_errors: bool = False) -> int:
    """Write a large previewed import in the background (``people.imports.jobs.import_job_run``); with
    ``skip_errors`` only its good rows."""
    from lanhmanh.people.imports.jobs import import_job_run  # noqa: PLC0415 -- cycle: jobs enqueue this task

    return import_job_run(job_id=job_id, skip_errors=skip_errors).percent
