"""Heartbeat of a background worker and recovery of the tasks a dead worker left running.

A worker killed in the middle of a task (power cut, OOM killer, ``kill -9``) leaves its task RUNNING
forever. An import's work was one transaction, which died with the worker's connection: nothing of it was
written (a deduplication run keeps the merge batches it committed). When a worker starts, and at each of its
heartbeats, it finds the tasks held by workers that are gone (heartbeat stopped, or process no longer running
on this machine) and fails them cleanly (and their jobs, ``core.jobs.jobs_fail_orphaned``: an import's with a
message saying nothing was written), so the officer can confirm again at once instead of waiting for a
timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lanhmanh.core.jobs import jobs_fail_orphaned
from lanhmanh.ops.health import HEARTBEAT_SECONDS, WORKER_STALE_AFTER
from lanhmanh.ops.models import WorkerHeartbeat

logger = logging.getLogger("lanhmanh.worker")


def beat(worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every HEARTBEAT_SECONDS on its own connection."""

    def __init__(self, worker_id: str):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                beat(self.worker_id, self.started_at)
                recover_orphaned_tasks()
            except DatabaseError:
                logger.warning("Heartbeat not written (database unavailable)")
            finally:
                connection.close()
            self.stopped.wait(HEARTBEAT_SECONDS)

    def stop(self) -> None:
        self.stopped.set()
        for _attempt in range(2):
            try:
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
                return
            except DatabaseError:
                connection.close()  # a connection broken by a database restart: one more try on a new one


def _process_gone(pid: int) -> bool:
    """Whether no process with this id runs on this machine (a worker killed here, e.g. ``kill -9``)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False


def recover_orphaned_tasks(*, gone: str | None = None) -> int:
    """Fail the tasks held by workers that are gone; return how many.

    A worker is gone when its heartbeat is older than WORKER_STALE_AFTER (any machine), or at once when
    it ran on this machine and its process no longer exists (its heartbeat row is removed too). Called
    when a worker starts and at every heartbeat, so a killed worker's job is failed within seconds
    when another worker runs on the same machine (the systemd unit restarts it), and within a minute
    otherwise. ``gone``: a worker id whose running tasks are dead whatever its heartbeat says (the calling
    worker's own, after it lost the database in the middle of a task)."""
    here = socket.gethostname()[:255]
    alive = set()
    for worker_id, hostname, pid, seen_at in WorkerHeartbeat.objects.values_list(
        "worker_id", "hostname", "pid", "seen_at"
    ):
        if hostname == here and _process_gone(pid):
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
        elif seen_at >= timezone.now() - WORKER_STALE_AFTER and worker_id != gone:
            alive.add(worker_id)
    recovered = 0
    for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue
        task.set_failed(RuntimeError("worker stopped while running this task"))
        jobs_fail_orphaned(str(task.id))
        recovered += 1
        logger.warning("Task left running by a stopped worker marked failed", extra={"task": str(task.id)})
    return recovered
