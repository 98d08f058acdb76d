"""core.jobs: the one enqueue rule — the job row committed first, a failure to queue fails the job."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from lanhmanh.core.jobs import enqueue_job
from lanhmanh.core.models import JobStatus
from lanhmanh.linkage import services as linkage_services
from lanhmanh.linkage.models import DedupRun

pytestmark = pytest.mark.django_db


class QueueDown:
    def enqueue(self, *args):
        raise ConnectionError("hàng đợi không trả lời")


class Queue:
    def __init__(self):
        self.queued = []

    def enqueue(self, *args):
        self.queued.append(args)
        return SimpleNamespace(id="t-1")


def test_a_queued_task_gives_its_id_and_a_refused_one_fails_the_job(caplog):
    queue, failed = Queue(), []
    assert enqueue_job(queue, 7, True, label="việc #7", on_failure=lambda: failed.append(7)) == "t-1"
    assert (queue.queued, failed) == ([(7, True)], [])
    with caplog.at_level(logging.ERROR, logger="lanhmanh.jobs"):
        assert enqueue_job(QueueDown(), 8, label="việc #8", on_failure=lambda: failed.append(8)) == ""
    assert failed == [8]
    assert [r.getMessage() for r in caplog.records] == ["Không đưa được việc #8 vào hàng đợi"]


def test_a_dedup_run_that_cannot_be_queued_says_so_instead_of_waiting(
    coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(linkage_services, "dedup_registry", QueueDown())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = linkage_services.run_start(actor=coordinator)
    assert len(callbacks) == 1  # queued after the run's row committed, not before
    run = DedupRun.objects.get(pk=run.pk)
    assert (run.job.status, run.job.errors) == (
        JobStatus.FAILED,
        "Không đưa được việc rà soát vào hàng đợi xử lý nền: hãy thử lại sau.",
    )
    assert run.job.finished_at is not None
