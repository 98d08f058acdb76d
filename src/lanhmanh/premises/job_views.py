"""The page of a large establishment list being confirmed in the background: the job's progress
(``core.jobs.progress_page``, polled by htmx), then the list's result page (``premises:import_preview``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lanhmanh.core.jobs import progress_page
from lanhmanh.premises import imports, rules, selectors


def confirm_in_background(request, batch):
    """The confirm button of a list longer than ``imports.BACKGROUND_ROWS``: queue it and show its progress."""
    try:
        imports.import_job_start(actor=request.user, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("premises:import_preview", pk=batch.pk)
    return redirect("premises:import_progress", pk=batch.pk)


def redirect_while_running(batch):
    """While a job writes this list, its preview page shows the progress instead (no second confirm)."""
    if imports.active_job(batch) is not None:
        return redirect("premises:import_progress", pk=batch.pk)
    return None


def imported_message(batch) -> str:
    return _("Đã nhập %(created)s cơ sở; %(skipped)s cơ sở đã có, bỏ qua.") % {
        "created": batch.created_count,
        "skipped": batch.skipped_count,
    }


@login_required
def import_progress(request, pk: int):
    """The progress of the latest background confirmation of one of the officer's lists. Polled by htmx
    every second (the fragment only); when the job is done the page moves on to the list's result."""
    user = request.user
    if not rules.can_import(user):
        raise Http404
    batch = selectors.establishment_import_get(user, pk)
    job = imports.latest_job(batch)
    if job is None:
        raise Http404
    result_url = reverse("premises:import_preview", args=[batch.pk])
    return progress_page(
        request,
        job,
        poll_url=reverse("premises:import_progress", args=[batch.pk]),
        result_url=result_url,
        done_message=imported_message(batch),
        context={
            "title": _("Đang ghi danh sách"),
            "heading": _("Ghi danh sách: %(name)s") % {"name": batch.file_name},
            "lead": ngettext("%(rows)s dòng.", "%(rows)s dòng.", batch.row_count) % {"rows": batch.row_count},
            "failed_note": _("Chưa ghi gì vào cơ sở dữ liệu:"),
            "retry_url": result_url,
            "upload_url": reverse("premises:import_upload"),
            "running_note": _(
                "Danh sách dài được ghi ở chế độ nền: có thể rời trang này và quay lại sau. Mọi dòng được ghi "
                "cùng một lúc, hoặc không dòng nào nếu có lỗi."
            ),
            "nav_current": "premises:establishment_list",
        },
    )
