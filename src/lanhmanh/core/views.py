"""Views of the core app: the audit page of the data-protection officer."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core import breaches
from lanhmanh.core.audit import reason_text
from lanhmanh.core.forms import AuditSearchForm, BreachForm
from lanhmanh.core.impact import impact_assessment_docx
from lanhmanh.core.listing import Sort, listing
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.core.scoping import DataClass
from lanhmanh.core.selectors import (
    KIND_CHANGE,
    AuditFilters,
    audit_entries,
    audited_models,
    changed_fields,
    may_audit,
    model_name,
)
from lanhmanh.core.spreadsheet import csv_row
from lanhmanh.core.uploads import download_response, stored_file_get

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

AUDIT_PAGE_SIZE = 50

_ACTIONS = dict(ChangeRecord.Action.choices)
_PURPOSES = dict(AccessRecord.Purpose.choices)
_DATA_CLASSES = dict(DataClass.choices)


def _decorate(entry: dict) -> dict:
    """Labels for one row of the results table."""
    is_change = entry["kind"] == KIND_CHANGE
    return {
        **entry,
        "is_change": is_change,
        "actor_name": " ".join(filter(None, [entry["last_name"], entry["first_name"]])),  # Vietnamese order
        "model_label": model_name(entry["record_model"]),
        "action_label": _ACTIONS.get(entry["act"], entry["act"]) if is_change else "",
        "purpose_label": _PURPOSES.get(entry["why"], entry["why"]),
        "data_class_label": _DATA_CLASSES.get(entry["data_class_code"], entry["data_class_code"]),
        "fields": changed_fields(entry),
        "note": reason_text(entry["note"]) if is_change else entry["note"],
    }


@login_required
def audit(request):
    """Search the change history and the access log together. Data-protection role only; others get 404."""
    if not may_audit(request.user):
        raise Http404
    form = AuditSearchForm(request.GET or None, model_choices=audited_models())
    page = entries = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else AuditFilters()
        entries = listing(
            request.GET,
            audit_entries(request.user, filters),
            sorts=AUDIT_SORTS,
            default="-thoi-diem",
            per_page=AUDIT_PAGE_SIZE,
        )
        if request.GET.get("xuat") == "csv":
            return _audit_csv(entries.page.paginator.object_list)  # every row found, in the order shown
        page = entries.page
        page.object_list = [_decorate(entry) for entry in page.object_list]
    # htmx swaps the results table; a history restore (back button after a swap) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "core/audit.html#results" if partial else "core/audit.html"
    return render(request, template, {"form": form, "page": page, "listing": entries})


# Newest first unless the officer asks otherwise; the two logs' rows are told apart by kind and number.
AUDIT_SORTS = {
    "thoi-diem": Sort(gettext_lazy("Thời điểm"), fields=("when", "-kind", "row_id"), descending_first=True),
    "nguoi": Sort(gettext_lazy("Người thực hiện"), fields=("username", "-when", "kind", "-row_id")),
    "loai": Sort(gettext_lazy("Loại nhật ký"), fields=("kind", "-when", "-row_id")),
    "ban-ghi": Sort(gettext_lazy("Loại bản ghi"), fields=("record_model", "-when", "kind", "-row_id")),
}


AUDIT_CSV_MAX_ROWS = 100_000


def _audit_csv(entries) -> StreamingHttpResponse:
    """The rows the filters found (newest first, at most ``AUDIT_CSV_MAX_ROWS``) as a CSV Excel opens in
    Vietnamese (UTF-8 with BOM): the same columns as the page, names and labels, never record contents."""
    header = [
        _("Thời điểm"),
        _("Tài khoản"),
        _("Họ và tên"),
        _("Loại nhật ký"),
        _("Thao tác / mục đích"),
        _("Loại bản ghi"),
        _("Mã bản ghi"),
        _("Chi tiết"),
    ]

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow(header)
        for entry in entries[:AUDIT_CSV_MAX_ROWS].iterator():
            row = _decorate(entry)
            if row["is_change"]:
                what = row["action_label"]
                detail = ", ".join(row["fields"])
                if row["note"]:
                    detail = f"{detail}; {_('Lý do:')} {row['note']}".strip("; ")
            else:
                what = f"{_('Xem')}: {row['purpose_label']}"
                detail = f"{_('Loại dữ liệu:')} {row['data_class_label']}" + (
                    f"; {row['note']}" if row["note"] else ""
                )
            writer.writerow(
                csv_row(
                    [
                        timezone.localtime(row["when"]).strftime("%d/%m/%Y %H:%M:%S"),
                        row["username"] or _("Hệ thống"),
                        row["actor_name"],
                        _("Thay đổi") if row["is_change"] else _("Truy cập"),
                        what,
                        str(row["model_label"]),
                        row["record_id"],
                        detail,
                    ]
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"Kiem-tra-du-lieu-{timezone.localdate():%d-%m-%Y}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def stored_file_download(request, pk):
    """Send an uploaded file to a user its owning app lets read it (404 otherwise), as an attachment."""
    return download_response(stored_file_get(request.user, pk))


@login_required
def breach_list(request):
    """The breach register (DPO only, 404 otherwise): the open breaches' 72-hour clocks and a new entry."""
    listed = list(breaches.breaches_for(request.user))
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = breaches.breach_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("breach-detail", pk=breach.pk)
    rows = [(b, breaches.hours_left(b)) for b in listed]
    return render(request, "core/breach_list.html", {"rows": rows, "form": form})


@login_required
def breach_detail(request, pk: int):
    """One breach: its clock, the records read or changed in its window, the notification document."""
    breach = breaches.breach_get(request.user, pk)
    if request.method == "POST" and "notified" in request.POST:
        breaches.breach_mark_notified(actor=request.user, breach=breach)
        return redirect("breach-detail", pk=breach.pk)
    found = breaches.affected(breach)
    return render(
        request,
        "core/breach_detail.html",
        {"breach": breach, "hours_left": breaches.hours_left(breach), "affected": found},
    )


@login_required
def breach_notification(request, pk: int):
    breach = breaches.breach_get(request.user, pk)
    response = HttpResponse(
        breaches.notification_docx(breach),
        content_type=DOCX,
    )
    response["Content-Disposition"] = f'attachment; filename="thong-bao-su-co-{breach.pk}.docx"'
    return response


@login_required
def impact_assessment(request):
    """The processing impact assessment as a Word document, for the data-protection officer (404 otherwise)."""
    if not may_audit(request.user):
        raise Http404
    response = HttpResponse(impact_assessment_docx(), content_type=DOCX)
    response["Content-Disposition"] = 'attachment; filename="danh-gia-tac-dong-xu-ly-du-lieu.docx"'
    return response
