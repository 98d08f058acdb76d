"""Background task: one deduplication run of the registry (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def dedup_registry(run_id: int) -> int:
    from lanhmanh.linkage.models import DedupRun
    from lanhmanh.linkage.services import run_execute

    run = DedupRun.objects.get(pk=run_id)
    return run_execute(run).progress
