"""Start and run the background confirmation of a large import, and report its progress.

The job row is ``importjobs.ImportJob`` (a model-only app below the registry); its work is here.

The import is written by ``people.services.person_import_confirm`` in one transaction, exactly as
when it runs in the request. The job row is written outside that transaction so that the page can read
it while the import runs: before it starts and after it ends through the ordinary connection, and in
between (PostgreSQL) through a second, autocommitting connection that only ever updates this row. The
row is never locked by the import's transaction until its very last write, so the two cannot wait on
each other. On SQLite (tests, a laptop) a second writer would wait for the first: the bar then jumps
from the start to the end.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Action, audited_create, audited_update
from lanhmanh.core.jobs import enqueue_job
from lanhmanh.importjobs.models import ACTIVE, STEP_SPAN, ImportJob, JobStatus, JobStep
from lanhmanh.people.models import PersonImport
from lanhmanh.people.services import person_import_confirm
from lanhmanh.people.tasks import import_confirm_task  # tasks imports this module: import when called

logger = logging.getLogger("lanhmanh.importjobs")

# Lists with more rows than this are written by a background task (a few seconds in the request below).
BACKGROUND_ROWS = 500
PROGRESS_EVERY_S = 0.5


def runs_in_background(batch) -> bool:
    return batch.row_count > BACKGROUND_ROWS


# A running job not finished after this long lost its worker (a 10,000-row list takes well under a minute).
STALE_AFTER = dt.timedelta(hours=1)


def _stale() -> Q:
    return Q(status=JobStatus.RUNNING, started_at__lt=timezone.now() - STALE_AFTER)


def active_job(batch) -> ImportJob | None:
    """The job queued or running for this list, if any (not one whose worker died: see ``STALE_AFTER``)."""
    return batch.confirm_jobs.filter(status__in=ACTIVE).exclude(_stale()).first()


def import_job_start(*, actor, batch, skip_errors: bool = False) -> ImportJob:
    """Queue the confirmation of a previewed import (its owner only; with ``skip_errors`` its good
    rows only, see ``person_import_confirm``); the job already queued if any.

    Not one transaction on purpose: the job row commits before the task is queued, so the worker (or
    the immediate backend of the tests) always finds it; a failure to queue marks the job failed.
    """

    if batch.status != PersonImport.Status.PREVIEW or batch.owner_id != actor.pk:
        raise ValidationError(_("Lượt nhập này đã được xác nhận hoặc đã hủy: hãy tải tệp lên lại."))
    existing = active_job(batch)
    if existing is not None:
        return existing
    for stale in batch.confirm_jobs.filter(_stale()):
        # Its transaction died with its worker: nothing of it was written.
        _finish_failed(
            stale, [_("Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi.")]
        )
    with transaction.atomic():
        job = audited_create(actor=actor, model=ImportJob, clean=False, batch=batch, owner=actor)
    task_id = enqueue_job(
        import_confirm_task,
        job.pk,
        skip_errors,
        label=f"lượt ghi danh sách #{job.pk}",
        on_failure=lambda: _finish_failed(
            job, [_("Không đưa được việc ghi vào hàng đợi xử lý nền: hãy thử lại sau.")]
        ),
    )
    if not task_id:
        return job
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=task_id)
    job.refresh_from_db()
    return job


class ProgressWriter:
    """``progress(step, done, total)`` callback that writes the job's step and percent where the page can
    see it (see the module's docstring), at most every half second and never more than once per percent."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.last: tuple[str, int] | None = None
        self.last_at = 0.0
        self.side = None
        self.broken = False

    def __call__(self, step: str, done: int, total: int) -> None:
        low, high = STEP_SPAN[step]
        percent = low + (high - low) * min(done, total) // max(total, 1)
        now = time.monotonic()
        if self.last == (step, percent) or (
            self.last and self.last[0] == step and now - self.last_at < PROGRESS_EVERY_S
        ):
            return
        self.last, self.last_at = (step, percent), now
        self.write(step=step, progress=percent)

    def write(self, **values) -> None:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)
            return
        if connection.vendor != "postgresql" or self.broken:
            return
        meta = ImportJob._meta
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
            logger.warning("Không ghi được tiến độ của lượt ghi danh sách #%s", self.job.pk, exc_info=True)
            self.broken = True

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _finish_failed(job: ImportJob, messages: list[str]) -> None:
    audited_update(
        actor=job.owner,
        instance=job,
        action=Action.STATUS,
        clean=False,
        status=JobStatus.FAILED,
        errors="\n".join(messages),
        finished_at=timezone.now(),
    )


def import_job_run(*, job_id: int, skip_errors: bool = False) -> ImportJob:
    """Write the import of a queued job in one transaction; on any failure nothing is written and the
    job is marked failed with the messages (row errors, or a general one). Runs once per job."""
    job = ImportJob.objects.select_related("batch", "owner").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job
    job.status = JobStatus.RUNNING
    job.step = JobStep.CHECK
    job.started_at = timezone.now()
    job.save(update_fields=["status", "step", "started_at"])
    writer = ProgressWriter(job)
    try:
        with transaction.atomic():
            person_import_confirm(actor=job.owner, batch=job.batch, progress=writer, skip_errors=skip_errors)
            audited_update(
                actor=job.owner,
                instance=job,
                action=Action.STATUS,
                clean=False,
                status=JobStatus.DONE,
                step=JobStep.FINISHED,
                progress=100,
                finished_at=timezone.now(),
            )
    except ValidationError as exc:
        writer.close()
        job.refresh_from_db()
        _finish_failed(job, exc.messages)
    except Exception:
        writer.close()
        logger.exception("Lượt ghi danh sách #%s không thành công", job.pk)
        job.refresh_from_db()
        _finish_failed(
            job,
            [
                _(
                    "Có lỗi khi ghi vào cơ sở dữ liệu: không có dữ liệu nào được ghi. Hãy thử xác nhận lại; "
                    "nếu vẫn lỗi, báo quản trị hệ thống (lượt ghi #%(job)s)."
                )
                % {"job": job.pk}
            ],
        )
    finally:
        writer.close()
    return job
