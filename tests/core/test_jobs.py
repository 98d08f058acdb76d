"""core.jobs: one job model for long work (``core.Job``), its transitions, and the one enqueue rule — the job
row committed first, a failure to queue fails the job."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from lanhmanh.core import jobs
from lanhmanh.core.jobs import enqueue_job
from lanhmanh.core.models import JOB_KINDS, ChangeRecord, Job, JobStatus
from lanhmanh.linkage import services as linkage_services
from lanhmanh.linkage.models import DedupRun
from lanhmanh.people.models import PERSON_IMPORT_JOB

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


def test_there_is_one_job_model():
    """Issue #18 item 4: the status, step, percent, errors and task of long work are core.Job's alone; the
    records the work is about keep their results only."""
    # (A "step" or "stage" elsewhere means something else: a TOTP device's seconds, a criminal case's stage.)
    job_fields = {"progress", "percent", "task_id"}
    elsewhere = sorted(
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model is not Job
        for field in model._meta.get_fields()
        if field.name in job_fields
    )
    assert elsewhere == []
    assert not apps.is_installed("lanhmanh.importjobs")


def test_every_kind_of_long_work_is_declared_with_steps_that_fill_the_bar_in_order():
    assert {"people.import", "linkage.dedup", "premises.import"} <= set(JOB_KINDS)
    for code, kind in JOB_KINDS.items():
        spans = list(kind.spans.values())
        assert set(kind.spans) <= set(kind.steps.values), code
        assert all(0 <= low <= high <= 100 for low, high in spans), code
        assert all(one[1] <= next_[0] for one, next_ in zip(spans, spans[1:], strict=False)), code
        assert (kind.step_label("waiting"), kind.step_label("finished")) == ("Chờ đến lượt", "Hoàn tất")
        assert (kind.percent("waiting"), kind.percent("finished")) == (0, 100)
        assert kind.interrupted and kind.what, code


def test_a_job_is_queued_started_once_moved_and_failed_with_its_errors_encrypted(police):
    job = jobs.job_create(kind=PERSON_IMPORT_JOB, subject_id=7, owner=police)
    assert (job.kind, job.subject_id, job.status, job.step, job.percent) == (
        "people.import",
        7,
        "queued",
        "waiting",
        0,
    )
    assert str(job) == f"Ghi danh sách người vi phạm #{job.pk}"

    assert jobs.job_start(job, step="persons")
    assert (job.status, job.step, job.step_label, job.percent) == (
        "running",
        "persons",
        "Ghi hồ sơ người mới",
        38,
    )
    assert not jobs.job_start(job, step="check")  # a task runs its job once
    progress = jobs.ProgressWriter(job)
    progress("decisions", 1, 2)
    assert (job.step, job.percent) == ("decisions", 71)  # halfway through 60–83

    name = "Trần Thị Mai"
    jobs.job_fail(job, [f"Dòng 7: {name} đã có.", "Dòng 9: thiếu ngày."])
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.error_list()) == ("failed", [f"Dòng 7: {name} đã có.", "Dòng 9: thiếu ngày."])
    assert job.finished and job.failed and job.finished_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT errors FROM core_job WHERE id = %s", [job.pk])
        assert name not in cursor.fetchone()[0]
    history = ChangeRecord.objects.filter(model="core.job", object_id=str(job.pk)).order_by("pk")
    assert [record.action for record in history] == ["create", "status"]
    assert name not in str([(record.before, record.after) for record in history])


def test_a_running_job_older_than_an_hour_no_longer_blocks_its_record_and_is_failed_on_request(police):
    job = jobs.job_create(kind=PERSON_IMPORT_JOB, subject_id=7, owner=police)
    assert jobs.job_active(PERSON_IMPORT_JOB, 7) == job
    Job.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now() - jobs.STALE_AFTER * 2)
    assert jobs.job_active(PERSON_IMPORT_JOB, 7) is None
    assert jobs.jobs_fail_stale(PERSON_IMPORT_JOB, 7) == 1
    job.refresh_from_db()
    assert (job.status, job.error_list()) == (
        "failed",
        ["Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."],
    )
    assert jobs.job_latest(PERSON_IMPORT_JOB, 7) == job
