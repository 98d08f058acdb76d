"""Background task: one deduplication run of the registry (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from lanhmanh.linkage.models import DedupRun


@task()
def dedup_registry(run_id: int) -> int:
    from lanhmanh.linkage.services import run_execute  # noqa: PLC0415 -- cycle: services enqueue this task

    run = DedupRun.objects.get(pk=run_id)
    return run_execute(run).progress
