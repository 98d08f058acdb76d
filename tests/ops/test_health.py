"""/healthz for the load balancer and the IT office's monitoring: no sign-in, nothing sensitive."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lanhmanh.ops import health
from lanhmanh.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def heartbeat(worker_id: str, seconds_ago: int) -> WorkerHeartbeat:
    seen = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="app1", pid=42, started_at=seen, seen_at=seen
    )


def queued_task(status=TaskResultStatus.READY, worker_ids=()) -> DBTaskResult:
    return DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        task_path="lanhmanh.people.tasks.import_confirm_task",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now() - dt.timedelta(seconds=1),
        worker_ids=list(worker_ids),
    )


def test_health_answers_without_sign_in_with_checks_and_nothing_sensitive(client):
    queued_task()
    queued_task()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"status", "database", "migrations", "workers", "queue", "upload_disk", "ms"}
    assert (body["status"], body["database"], body["migrations"], body["workers"], body["queue"]) == (
        "degraded",
        "ok",
        "ok",
        0,
        2,
    )
    assert body["upload_disk"] == "ok"


def test_a_worker_beating_recently_makes_the_status_ok_and_a_silent_one_does_not(client):
    heartbeat("stale-worker", seconds_ago=120)
    assert client.get("/healthz").json()["status"] == "degraded"
    heartbeat("live-worker", seconds_ago=5)
    body = client.get("/healthz").json()
    assert (body["status"], body["workers"]) == ("ok", 1)


def test_a_full_upload_disk_fails_the_health_check(client, settings):
    settings.UPLOAD_MIN_FREE_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["upload_disk"]) == ("fail", "full")


def test_pending_migrations_fail_the_health_check(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_ok", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("ops.0002", False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    monkeypatch.undo()


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405
