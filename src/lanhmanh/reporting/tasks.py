"""Background tasks of the reporting app (django-tasks); schedule them daily."""

from __future__ import annotations

from django_tasks import task

from lanhmanh.reporting.reminders import reminders_send
from lanhmanh.reporting.services import submissions_lock


@task()
def send_report_reminders_task() -> dict:
    """Daily: lock the reports of closed periods, then send the reminders due today."""

    locked = submissions_lock()
    count = reminders_send()
    return {"locked": locked, "before": count.before, "overdue": count.overdue, "escalated": count.escalated}
