"""A worker killed in the middle of an import: the next worker fails its task cleanly, nothing half-written."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from lanhmanh.core.models import Job
from lanhmanh.linkage.services import run_create
from lanhmanh.ops.models import WorkerHeartbeat
from lanhmanh.ops.worker import Heartbeat, beat, recover_orphaned_tasks
from lanhmanh.people.models import PERSON_IMPORT_JOB, Person, PersonImport
from tests.ops.test_health import heartbeat, queued_task
from tests.people.test_import import row, upload, workbook_bytes

pytestmark = pytest.mark.django_db


def test_a_task_left_running_by_a_dead_worker_is_failed_with_its_import_job_and_nothing_written(
    client_for, police
):
    upload(client_for(police), workbook_bytes([row()]))
    batch = PersonImport.objects.get()
    heartbeat("dead-worker", seconds_ago=600)
    heartbeat("live-worker", seconds_ago=3)
    orphan = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["dead-worker"])
    busy = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["live-worker"])
    job = Job.objects.create(
        kind=PERSON_IMPORT_JOB.code,
        subject_id=batch.pk,
        owner=police,
        status="running",
        task_id=str(orphan.id),
    )

    assert recover_orphaned_tasks() == 1

    orphan.refresh_from_db()
    busy.refresh_from_db()
    job.refresh_from_db()
    assert (orphan.status, busy.status) == (TaskResultStatus.FAILED, TaskResultStatus.RUNNING)
    assert orphan.exception_class_path == "builtins.RuntimeError"
    assert job.status == "failed"
    assert job.error_list() == [
        "Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."
    ]
    assert Person.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "preview"  # the officer can confirm it again at once


def test_a_dedup_run_cut_short_by_a_dead_worker_is_failed_and_says_its_merges_stay(client_for, coordinator):
    run = run_create(actor=coordinator)
    heartbeat("dead-worker", seconds_ago=600)
    orphan = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["dead-worker"])
    Job.objects.filter(pk=run.job.pk).update(
        status="running", step="merge", percent=80, task_id=str(orphan.id), started_at=timezone.now()
    )

    assert recover_orphaned_tasks() == 1

    message = (
        "Lần rà soát bị gián đoạn (tiến trình xử lý nền dừng): các cặp đã hợp nhất vẫn giữ nguyên; "
        "hãy bắt đầu lần rà soát mới."
    )
    job = Job.objects.get(pk=run.job.pk)
    assert (job.status, job.step, job.error_list()) == ("failed", "merge", [message])
    page = client_for(coordinator).get(f"/ho-so-trung/ra-soat/{run.pk}/").content.decode()
    assert 'data-job-status="failed"' in page and message in page
    assert "Không thành công — Hợp nhất các cặp chắc chắn" in page
    assert "hx-trigger" not in page


def test_the_heartbeat_is_written_and_removed_when_the_worker_stops():
    worker = Heartbeat("worker-under-test")
    beat(worker.worker_id, worker.started_at)
    assert WorkerHeartbeat.objects.get().worker_id == "worker-under-test"
    worker.stop()
    assert not WorkerHeartbeat.objects.exists()


def test_a_worker_killed_on_this_machine_is_recovered_at_once_not_after_a_minute(client_for, police):
    upload(client_for(police), workbook_bytes([row()]))
    batch = PersonImport.objects.get()
    dead_pid = subprocess.Popen(["true"])  # noqa: S607 - a process that has exited: its pid is free
    dead_pid.wait()
    killed = heartbeat("killed-here", seconds_ago=2)
    killed.hostname, killed.pid = socket.gethostname(), dead_pid.pid
    killed.save()
    busy = heartbeat("running-here", seconds_ago=2)
    busy.hostname, busy.pid = socket.gethostname(), os.getppid()
    busy.save()
    orphan = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["killed-here"])
    kept = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["running-here"])
    job = Job.objects.create(
        kind=PERSON_IMPORT_JOB.code,
        subject_id=batch.pk,
        owner=police,
        status="running",
        task_id=str(orphan.id),
    )

    assert recover_orphaned_tasks() == 1

    orphan.refresh_from_db()
    kept.refresh_from_db()
    job.refresh_from_db()
    assert (orphan.status, kept.status, job.status) == (
        TaskResultStatus.FAILED,
        TaskResultStatus.RUNNING,
        "failed",
    )
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["running-here"]
    assert Person.objects.count() == 0


def test_the_worker_waits_for_a_restarted_database_fails_the_task_it_lost_and_resumes(monkeypatch):
    from django.db import OperationalError  # noqa: PLC0415 - heavy: only this test raises it
    from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand  # noqa: PLC0415

    from lanhmanh.ops.management.commands import run_worker  # noqa: PLC0415 - heavy: a command module

    runs = []

    def db_worker(self, *args, **options):
        runs.append(options["worker_id"])
        if len(runs) == 1:
            raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(DbWorkerCommand, "handle", db_worker)
    monkeypatch.setattr(run_worker, "RETRY_SECONDS", 0)
    monkeypatch.setattr(run_worker.connection, "close", lambda: None)  # the test's transaction stays open
    monkeypatch.setattr(Heartbeat, "start", lambda self: None)
    lost = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["this-worker"])

    run_worker.Command().handle(worker_id="this-worker")

    assert runs == ["this-worker", "this-worker"]  # resumed, did not exit
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert not WorkerHeartbeat.objects.exists()  # removed when it stopped
