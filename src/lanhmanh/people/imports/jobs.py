"""Start and run the background confirmation of a large import (a ``core.models.Job`` of kind
``PERSON_IMPORT_JOB``, with ``core.jobs``' transitions and progress).

The import is written by ``people.services.person_import_confirm`` in one transaction, exactly as when it
runs in the request; the job row is written outside that transaction so the page can read it while the
import runs (``core.jobs.ProgressWriter``) and records a failure after the import rolled back.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lanhmanh.core import jobs
from lanhmanh.core.models import Job
from lanhmanh.people.models import PERSON_IMPORT_JOB, PersonImport, PersonImportStep
from lanhmanh.people.services import person_import_confirm
from lanhmanh.people.tasks import import_confirm_task  # tasks imports this module: import when called

# Lists with more rows than this are written by a background task (a few seconds in the request below).
BACKGROUND_ROWS = 500


def runs_in_background(batch) -> bool:
    return batch.row_count > BACKGROUND_ROWS


def active_job(batch) -> Job | None:
    """The job queued or running for this list, if any (not one whose worker died: ``core.jobs.STALE_AFTER``)."""
    return jobs.job_active(PERSON_IMPORT_JOB, batch.pk)


def latest_job(batch) -> Job | None:
    return jobs.job_latest(PERSON_IMPORT_JOB, batch.pk)


def import_job_start(*, actor, batch, skip_errors: bool = False) -> Job:
    """Queue the confirmation of a previewed import (its owner only; with ``skip_errors`` its good
    rows only, see ``person_import_confirm``); the job already queued if any. Stale jobs of the list are
    failed first (their transaction died with their worker: nothing of them was written).

    Not one transaction on purpose: the job row commits before the task is queued, so the worker (or
    the immediate backend of the tests) always finds it; a failure to queue marks the job failed.
    """

    if batch.status != PersonImport.Status.PREVIEW or batch.owner_id != actor.pk:
        raise ValidationError(_("Lượt nhập này đã được xác nhận hoặc đã hủy: hãy tải tệp lên lại."))
    existing = active_job(batch)
    if existing is not None:
        return existing
    jobs.jobs_fail_stale(PERSON_IMPORT_JOB, batch.pk)
    with transaction.atomic():
        job = jobs.job_create(kind=PERSON_IMPORT_JOB, subject_id=batch.pk, owner=actor)
    return jobs.job_enqueue(job, import_confirm_task, skip_errors)


def import_job_run(*, job_id: int, skip_errors: bool = False) -> Job:
    """Write the import of a queued job in one transaction; on any failure nothing is written and the
    job is marked failed with the messages (row errors, or a general one). Runs once per job."""
    job = Job.objects.select_related("owner").get(pk=job_id, kind=PERSON_IMPORT_JOB.code)
    batch = PersonImport.objects.get(pk=job.subject_id)
    return jobs.job_run_atomic(
        job,
        lambda progress: person_import_confirm(
            actor=job.owner, batch=batch, progress=progress, skip_errors=skip_errors
        ),
        first_step=PersonImportStep.CHECK,
    )
