"""The one rule for queueing background work (django-tasks) on a job row.

The job row (``importjobs.ImportJob``, ``linkage.DedupRun``) is committed before its task is queued, so the
worker — or the immediate backend of the tests — always finds it: call ``enqueue_job`` after the
transaction that wrote the row (or from ``transaction.on_commit``). A failure to queue is logged and handed
to ``on_failure``, which marks the job failed with a message for its page: a job never waits forever for a
task that was never queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("lanhmanh.jobs")


def enqueue_job(task, *args, label: str, on_failure: Callable[[], None]) -> str:
    """Queue ``task(*args)``; returns the task's id ("" when queueing failed, after ``on_failure()``)."""
    try:
        result = task.enqueue(*args)
    except Exception:
        logger.exception("Không đưa được %s vào hàng đợi", label)
        on_failure()
        return ""
    return str(result.id)[:64]
