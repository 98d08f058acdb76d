"""Background task: one deduplication run of the registry (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lanhmanh.core.models import Job
from lanhmanh.linkage.models import DEDUP_RUN_JOB, DedupRun


@task()
def dedup_registry(job_id: int) -> int:
    """Run the deduplication run of this job (``linkage.services.run_execute``); returns the job's percent."""
    from lanhmanh.linkage.services import run_execute  # noqa: PLC0415 -- cycle: services enqueue this task

    job = Job.objects.select_related("owner").get(pk=job_id, kind=DEDUP_RUN_JOB.code)
    run = DedupRun.objects.get(pk=job.subject_id)
    run.job = job
    return run_execute(run).job.percent
