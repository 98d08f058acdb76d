"""The personal-data breach register of the data-protection officer (Law 91/2025/QH15, issue #21 item 17).

* ``breach_create`` / ``breach_mark_notified``: audited writes (change records), DPO only;
* ``breaches_for`` / ``breach_get``: the register, 404 for everyone but the data-protection role;
* ``affected(breach)``: who read or changed which records in the breach's window, from the append-only
  access and change logs, and the persons whose records were touched;
* ``notification_docx(breach)``: the notification to the competent authority as a Word document (A4,
  Decree 30/2020 layout) with what the law asks: what happened and when, categories and approximate
  numbers of data subjects and records, likely consequences, measures taken, and who to contact.
The clock: ``deadline`` (discovery + 72 h), ``hours_left`` (negative once overdue).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Min
from django.http import Http404
from django.utils import timezone

from lanhmanh.core.audit import Action, audited_change, audited_insert
from lanhmanh.core.documents import MOTTO, NATIONAL, docx_bytes, official_document
from lanhmanh.core.models import AccessRecord, Breach, ChangeRecord
from lanhmanh.core.selectors import may_audit, model_name

PERSON_MODEL = "people.person"


def _require_dpo(user) -> None:
    if not may_audit(user):
        raise Http404


@transaction.atomic
def breach_create(*, actor, **fields) -> Breach:
    """Record a breach. DPO only (Http404 otherwise). Side effect: one change record."""
    _require_dpo(actor)
    breach = Breach(recorded_by=actor, **fields)
    breach.full_clean()
    return audited_insert(actor=actor, instance=breach)


@transaction.atomic
def breach_mark_notified(*, actor, breach: Breach, at=None) -> Breach:
    """Note that the authority was notified (now, or ``at``). Side effect: one change record."""
    _require_dpo(actor)
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    with audited_change(actor=actor, instance=breach, action=Action.STATUS):
        breach.status = Breach.Status.NOTIFIED
        breach.notified_at = at or timezone.now()
        breach.full_clean()
        breach.save()
    return breach


def breaches_for(user):
    _require_dpo(user)
    return Breach.objects.select_related("recorded_by")


def breach_get(user, pk) -> Breach:
    try:
        return breaches_for(user).get(pk=pk)
    except (Breach.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def hours_left(breach: Breach, *, now=None) -> float:
    end = breach.notified_at or now or timezone.now()
    return round((breach.deadline - end).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class Touched:
    """One record read or changed in the window: by whom, how often, when first and last."""

    model: str
    model_label: str
    object_id: str
    reads: int
    changes: int
    actors: tuple[str, ...]
    first: object
    last: object


@dataclass(frozen=True)
class Affected:
    records: list[Touched]
    persons: int
    actors: int


def affected(breach: Breach, *, limit: int = 5000) -> Affected:
    """Records read (access log) or changed (change log) between the window's start and end."""
    window = {"at__gte": breach.window_start, "at__lte": breach.window_end}
    rows: dict[tuple[str, str], dict] = {}

    def merge(queryset, kind: str) -> None:
        grouped = (
            queryset.filter(**window)
            .values("model", "object_id")
            .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
            .order_by("model", "object_id")[:limit]
        )
        for row in grouped:
            entry = rows.setdefault(
                (row["model"], row["object_id"]),
                {"reads": 0, "changes": 0, "first": row["first"], "last": row["last"], "actors": set()},
            )
            entry[kind] += row["n"]
            entry["first"] = min(entry["first"], row["first"])
            entry["last"] = max(entry["last"], row["last"])
        actors = queryset.filter(**window).values_list("model", "object_id", "actor__username").distinct()
        for model, object_id, username in actors[: limit * 5]:
            if (model, object_id) in rows and username:
                rows[(model, object_id)]["actors"].add(username)

    merge(AccessRecord.objects.all(), "reads")
    merge(ChangeRecord.objects.exclude(model="core.breach"), "changes")  # the register's own entries
    records = [
        Touched(
            model=model,
            model_label=str(model_name(model)),
            object_id=object_id,
            reads=entry["reads"],
            changes=entry["changes"],
            actors=tuple(sorted(entry["actors"])),
            first=entry["first"],
            last=entry["last"],
        )
        for (model, object_id), entry in sorted(rows.items())
    ]
    return Affected(
        records=records,
        persons=sum(1 for r in records if r.model == PERSON_MODEL),
        actors=len({a for r in records for a in r.actors}),
    )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def notification_docx(breach: Breach) -> bytes:
    """The notification to the competent authority, A4 in the Decree 30/2020 layout."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: python-docx only for this document

    local = timezone.localtime
    found = affected(breach)
    doc = official_document()
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.text = "SỞ LAO ĐỘNG – THƯƠNG BINH VÀ XÃ HỘI\nCHI CỤC PHÒNG, CHỐNG TỆ NẠN XÃ HỘI"
    right.text = f"{NATIONAL}\n{MOTTO}"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("THÔNG BÁO\nVI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN").bold = True
    doc.add_paragraph(f"Kính gửi: {breach.authority}.").alignment = WD_ALIGN_PARAGRAPH.CENTER
    sections = [
        ("1. Sự việc", breach.title),
        (
            "2. Thời gian",
            f"Xảy ra từ {local(breach.window_start):%H:%M ngày %d/%m/%Y} đến "
            f"{local(breach.window_end):%H:%M ngày %d/%m/%Y}; phát hiện lúc "
            f"{local(breach.discovered_at):%H:%M ngày %d/%m/%Y}. Hạn thông báo (72 giờ): "
            f"{local(breach.deadline):%H:%M ngày %d/%m/%Y}.",
        ),
        ("3. Diễn biến, nguyên nhân", breach.description),
        ("4. Loại dữ liệu cá nhân bị ảnh hưởng", breach.data_categories),
        (
            "5. Số lượng ước tính",
            f"Khoảng {_n(breach.subjects_estimate)} chủ thể dữ liệu và {_n(breach.records_estimate)} bản ghi. "
            f"Theo nhật ký truy cập và lịch sử thay đổi trong khoảng thời gian trên: {_n(len(found.records))} bản ghi "
            f"bị đọc hoặc sửa, trong đó {_n(found.persons)} hồ sơ cá nhân, bởi {_n(found.actors)} tài khoản.",
        ),
        ("6. Hậu quả, thiệt hại có thể xảy ra", breach.consequences),
        ("7. Biện pháp đã và sẽ thực hiện", breach.measures),
        (
            "8. Đầu mối liên hệ",
            f"{breach.recorded_by.get_full_name() or breach.recorded_by.username}, cán bộ bảo vệ dữ liệu cá nhân"
            + (f", {breach.recorded_by.email}" if breach.recorded_by.email else "")
            + ".",
        ),
    ]
    for heading, text in sections:
        paragraph = doc.add_paragraph()
        paragraph.add_run(heading + ". ").bold = True
        paragraph.add_run(text)
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.add_run("NGƯỜI ĐẠI DIỆN CƠ QUAN\n(Ký, ghi rõ họ tên, đóng dấu)").bold = True
    return docx_bytes(doc)
