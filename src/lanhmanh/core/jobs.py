"""Long work on one job row (``core.models.Job``): queueing it, its transitions, its progress, and the page
that polls it. Used by the large person imports (``people.imports.jobs``), the deduplication runs
(``linkage.services``) and the large establishment imports (``premises.imports``).

- ``job_create`` writes the queued row (audited) in the caller's transaction, next to the record the work is
  about; ``job_enqueue`` queues its task *after* that transaction committed, so the worker — or the
  immediate backend of the tests — always finds it (call it after the ``atomic`` block or from
  ``transaction.on_commit``). A failure to queue fails the job with a message: a job never waits forever
  for a task that was never queued (``enqueue_job``, the one enqueue rule).
- The worker moves it: ``job_start`` (queued → running, once), ``ProgressWriter`` (step and percent),
  ``job_finish`` or ``job_fail``. ``job_run_atomic`` does all of it for work that is one transaction (an
  import): nothing of it is written when it fails, and the job says why.
- A job whose worker died: ``ops.worker`` fails it at once (``jobs_fail_orphaned``, by its task id) with
  its kind's message; a running job older than ``STALE_AFTER`` no longer blocks its record
  (``job_active``) and is failed when the work is asked for again (``jobs_fail_stale``).
- ``progress_page``: the one polling behaviour (``core/_job_progress.html``, every second, until the job
  is finished; a finished job with a result page moves on to it).

The job is read through the record it works on: a view first gets that record through its app's
selector (which takes the user), then its job here.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Action, audited_create, audited_update
from lanhmanh.core.models import Job, JobKind, JobStatus, JobStep

logger = logging.getLogger("lanhmanh.jobs")

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# A running job not finished after this long lost its worker (a 10,000-row list takes well under a minute).
STALE_AFTER = dt.timedelta(hours=1)
PROGRESS_EVERY_S = 0.5


def queue_failed_message(kind: JobKind) -> str:
    return _("Không đưa được %(what)s vào hàng đợi xử lý nền: hãy thử lại sau.") % {"what": kind.what}


def write_failed_message(job: Job) -> str:
    return _(
        "Có lỗi khi ghi vào cơ sở dữ liệu: không có dữ liệu nào được ghi. Hãy thử xác nhận lại; "
        "nếu vẫn lỗi, báo quản trị hệ thống (lượt ghi #%(job)s)."
    ) % {"job": job.pk}


# Queueing ---------------------------------------------------------------------------------------------


def enqueue_job(task, *args, label: str, on_failure: Callable[[], None]) -> str:
    """Queue ``task(*args)``; returns the task's id ("" when queueing failed, after ``on_failure()``)."""
    try:
        result = task.enqueue(*args)
    except Exception:
        logger.exception("Không đưa được %s vào hàng đợi", label)
        on_failure()
        return ""
    return str(result.id)[:64]


def job_create(*, kind: JobKind, subject_id: int, owner=None) -> Job:
    """A queued job for the record ``subject_id`` of ``kind``, and its CREATE history row (in the caller's
    transaction). At most one job of a record is queued or running (a database constraint)."""
    return audited_create(
        actor=owner, model=Job, clean=False, kind=kind.code, subject_id=subject_id, owner=owner
    )


def job_enqueue(job: Job, task, *args) -> Job:
    """Queue ``task(job.pk, *args)`` and keep its id on the job; a failure to queue fails the job with its
    kind's message. Call it once the job's row is committed. Returns the job as the database has it now
    (the immediate backend of the tests has already run the task)."""
    kind = job.job_kind
    task_id = enqueue_job(
        task,
        job.pk,
        *args,
        label=f"{kind.label} #{job.pk}",
        on_failure=lambda: job_fail(job, [queue_failed_message(kind)]),
    )
    if task_id:
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=task_id)
    job.refresh_from_db()
    return job


# Transitions ------------------------------------------------------------------------------------------


def job_start(job: Job, *, step: str) -> bool:
    """Queued → running at ``step`` (the worker, when it takes the job). False, and nothing changed, when
    the job is not queued any more: a task runs its job once."""
    now = timezone.now()
    percent = job.job_kind.percent(step)
    started = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, step=step, percent=percent, started_at=now
    )
    if started:
        job.status, job.step, job.percent, job.started_at = JobStatus.RUNNING, step, percent, now
    return bool(started)


def job_finish(job: Job) -> Job:
    """Running → done at 100 % (audited). Work that is one transaction calls it inside that transaction, so
    the job is done exactly when the work is written."""
    return audited_update(
        actor=job.owner,
        instance=job,
        action=Action.STATUS,
        clean=False,
        status=JobStatus.DONE,
        step=JobStep.FINISHED,
        percent=100,
        finished_at=timezone.now(),
    )


def job_fail(job: Job, errors: Iterable[str]) -> Job:
    """→ failed with ``errors`` (one message a line, encrypted; audited with the errors redacted). Call it
    outside the failed work's transaction, which rolled back."""
    job.refresh_from_db()
    return audited_update(
        actor=job.owner,
        instance=job,
        action=Action.STATUS,
        clean=False,
        status=JobStatus.FAILED,
        errors="\n".join(str(e) for e in errors),
        finished_at=timezone.now(),
    )


class ProgressWriter:
    """``progress(step, done, total)``: moves the job to ``step`` at ``done`` of ``total`` (its kind's span
    for the step), in memory at once and in the database where the page can see it — at most every half
    second within a step and never twice for one percent.

    Outside a transaction the row is updated as usual. Inside one (an import written all or nothing) the
    row is updated (PostgreSQL) through a second, autocommitting connection that only ever updates this
    row: the work's transaction never locks it until its very last write (``job_finish``), so the two
    cannot wait on each other. On SQLite (tests, a laptop) a second writer would wait for the first: the
    bar then jumps from the start to the end.
    """

    def __init__(self, job: Job):
        self.job = job
        self.kind = job.job_kind
        self.last: tuple[str, int] | None = None
        self.last_at = 0.0
        self.side = None
        self.broken = False

    def __call__(self, step: str, done: int = 0, total: int = 1) -> None:
        percent = self.kind.percent(step, done, total)
        self.job.step, self.job.percent = step, percent
        now = time.monotonic()
        if self.last == (step, percent) or (
            self.last and self.last[0] == step and now - self.last_at < PROGRESS_EVERY_S
        ):
            return
        self.last, self.last_at = (step, percent), now
        self.write(step=step, percent=percent)

    def write(self, **values) -> None:
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**values)
            return
        if connection.vendor != "postgresql" or self.broken:
            return
        meta = Job._meta
        columns = ", ".join(f"{connection.ops.quote_name(meta.get_field(k).column)} = %s" for k in values)
        sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
        try:
            if self.side is None:
                self.side = connections.create_connection(connection.alias)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
            with self.side.cursor() as cursor:
                cursor.execute(sql, [*values.values(), self.job.pk])
        except DatabaseError:
            logger.warning("Không ghi được tiến độ của việc chạy nền #%s", self.job.pk, exc_info=True)
            self.broken = True

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def job_run_atomic(job: Job, work: Callable[[ProgressWriter], object], *, first_step: str) -> Job:
    """Run ``work(progress)`` for a queued job in one transaction and finish the job in it. On any failure
    nothing of the work is written and the job fails with the messages (a ``ValidationError``'s — rows
    that became wrong since the preview —, or a general one; the cause is logged). Runs once per job."""
    if not job_start(job, step=first_step):
        return job
    writer = ProgressWriter(job)
    try:
        with transaction.atomic():
            work(writer)
            job_finish(job)
    except ValidationError as exc:
        job_fail(job, exc.messages)
    except Exception:
        logger.exception("Việc chạy nền #%s không thành công", job.pk)
        job_fail(job, [write_failed_message(job)])
    finally:
        writer.close()
    return job


# Reads and recovery -----------------------------------------------------------------------------------


def stale_q() -> Q:
    """Running jobs whose worker must have died (started more than ``STALE_AFTER`` ago)."""
    return Q(status=JobStatus.RUNNING, started_at__lt=timezone.now() - STALE_AFTER)


def job_latest(kind: JobKind, subject_id: int) -> Job | None:
    """The latest job of one record (whatever its state), or None. The caller got the record through its
    app's selector: the job is read through it."""
    return Job.objects.filter(kind=kind.code, subject_id=subject_id).order_by("-pk").first()


def job_active(kind: JobKind, subject_id: int) -> Job | None:
    """The job queued or running for one record, if any (not one whose worker died: ``STALE_AFTER``)."""
    return (
        Job.objects.filter(kind=kind.code, subject_id=subject_id, status__in=ACTIVE)
        .exclude(stale_q())
        .first()
    )


def jobs_latest(kind: JobKind, subject_ids: Iterable[int]) -> dict[int, Job]:
    """The latest job of each of these records, in one query (a list page): {subject_id: job}."""
    latest: dict[int, Job] = {}
    for job in Job.objects.filter(kind=kind.code, subject_id__in=list(subject_ids)).order_by("pk"):
        latest[job.subject_id] = job
    return latest


def jobs_fail_stale(kind: JobKind, subject_id: int) -> int:
    """Fail the stale jobs of one record with their kind's message (before a new job for it); how many."""
    stale = list(Job.objects.filter(stale_q(), kind=kind.code, subject_id=subject_id))
    for job in stale:
        job_fail(job, [str(kind.interrupted)])
    return len(stale)


def jobs_fail_orphaned(task_id: str) -> int:
    """Fail the running jobs of a task whose worker stopped (``ops.worker``), each with its kind's message
    (an import: nothing was written); how many."""
    orphans = list(Job.objects.filter(task_id=task_id[:64], status=JobStatus.RUNNING))
    for job in orphans:
        job_fail(job, [str(job.job_kind.interrupted)])
    return len(orphans)


# The page ---------------------------------------------------------------------------------------------


def progress_page(
    request,
    job: Job,
    *,
    poll_url: str,
    result_url: str = "",
    done_message: str = "",
    template: str = "core/job_progress.html",
    context: dict | None = None,
):
    """The one polling behaviour of a job's page: the page (``template``) or, to htmx's poll, the fragment
    ``core/_job_progress.html`` alone, polled every second until the job is finished. A done job with a
    ``result_url`` moves on to it (a redirect; to the poll, ``HX-Redirect``), saying ``done_message``."""
    if job.status == JobStatus.DONE and result_url:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = result_url
            return response
        if done_message:
            messages.success(request, done_message)
        return redirect(result_url)
    page = {**(context or {}), "job": job, "poll_url": poll_url, "result_url": result_url}
    return render(request, "core/_job_progress.html" if request.htmx else template, page)
