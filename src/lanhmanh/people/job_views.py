"""The page of a large import being written in the background: the job's progress (``core.jobs.progress_page``,
polled by htmx), then the import's result page (``people:import_preview`` of the confirmed list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lanhmanh.core.audit import Purpose
from lanhmanh.core.jobs import progress_page
from lanhmanh.core.models import JobStatus
from lanhmanh.people import selectors
from lanhmanh.people.imports import jobs
from lanhmanh.people.purposes import remember_purposes
from lanhmanh.people.rules import can_edit_registry


def confirm_in_background(request, batch, *, skip_errors: bool = False):
    """The confirm button of a list longer than ``BACKGROUND_ROWS``: queue it and show its progress."""
    try:
        jobs.import_job_start(actor=request.user, batch=batch, skip_errors=skip_errors)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("people:import_preview", pk=batch.pk)
    return redirect("people:import_progress", pk=batch.pk)


def imported_message(batch) -> str:
    """What a confirmed import wrote, and what it left out for errors."""
    text = _("Đã nhập %(created)s quyết định; %(skipped)s quyết định đã có được bỏ qua.") % {
        "created": batch.created_count,
        "skipped": batch.skipped_count,
    }
    if batch.rejected_count:
        text += " " + _(
            "%(rejected)s dòng lỗi chưa nhập: tải tệp Excel các dòng lỗi, sửa rồi tải lên lại."
        ) % {"rejected": batch.rejected_count}
    return text


def redirect_while_running(batch):
    """While a job writes this list, its preview page shows the progress instead (no second confirm)."""
    if jobs.active_job(batch) is not None:
        return redirect("people:import_progress", pk=batch.pk)
    return None


def _remember_purposes(request, batch) -> None:
    """As after a confirm in the request: the officer opens the imported persons without being asked
    for the purpose again (it is the sanction she just imported)."""
    remember_purposes(request, batch.person_ids, Purpose.SANCTION, _("Nhập từ tệp Excel"))


@login_required
def import_progress(request, pk: int):
    """The progress of the latest background write of one of the officer's lists. Polled by htmx every
    second (the fragment only); when the job is done the page moves on to the result."""
    user = request.user
    if not can_edit_registry(user):
        raise Http404
    batch = selectors.person_import_get(user, pk)
    job = jobs.latest_job(batch)
    if job is None:
        raise Http404
    result_url = reverse("people:import_preview", args=[batch.pk])
    if job.status == JobStatus.DONE:
        _remember_purposes(request, batch)
    return progress_page(
        request,
        job,
        poll_url=reverse("people:import_progress", args=[batch.pk]),
        result_url=result_url,
        done_message=imported_message(batch),
        context={
            "title": _("Đang ghi danh sách"),
            "heading": _("Ghi danh sách: %(name)s") % {"name": batch.file_name},
            "lead": ngettext("%(rows)s dòng.", "%(rows)s dòng.", batch.row_count) % {"rows": batch.row_count},
            "failed_note": _("Chưa ghi gì vào cơ sở dữ liệu:"),
            "retry_url": result_url,
            "upload_url": reverse("people:import_upload"),
            "running_note": _(
                "Danh sách dài được ghi ở chế độ nền: có thể rời trang này và quay lại sau. Mọi dòng được ghi "
                "cùng một lúc, hoặc không dòng nào nếu có lỗi."
            ),
            "nav_current": "people:person_list",
        },
    )
