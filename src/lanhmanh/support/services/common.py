"""What the support services share: messages used by several of them and small checks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lanhmanh.core.audit import AuditReason
from lanhmanh.support.models import (
    SupportCase,
)

OUTREACH_DAYS_AFTER_SANCTION = 14

REFERRAL_OUTSIDE_CONSENT = gettext_lazy(
    "Không thể chuyển gửi: người được hỗ trợ chưa đồng ý chia sẻ thông tin với “%(agency)s” cho mục đích "
    "“%(purpose)s”. Hãy hỏi ý kiến và ghi nhận sự đồng ý trước khi chuyển gửi."
)
SERVICE_OUTSIDE_CONSENT = gettext_lazy(
    "Không thể ghi dịch vụ do “%(agency)s” cung cấp: người được hỗ trợ chưa đồng ý chia sẻ thông tin với cơ quan "
    "này cho mục đích “%(purpose)s”."
)
SERVICE_BEFORE_OPENED = gettext_lazy(
    "Ngày cung cấp dịch vụ (%(day)s) không được trước ngày mở hồ sơ (%(opened)s)."
)
DATE_IN_FUTURE = gettext_lazy("Ngày này không được ở tương lai.")
CLOSE_WITH_OPEN_REFERRALS = gettext_lazy(
    "Chưa thể đóng hồ sơ: còn %(count)s chuyển gửi chưa kết thúc (%(agencies)s). Hãy chờ bên nhận phản hồi "
    "hoặc hủy chuyển gửi trước khi đóng."
)
ENROLMENT_CRITERIA = gettext_lazy("Không đủ tiêu chí tham gia “%(programme)s”: %(reasons)s.")
DUPLICATE_ENROLMENT = gettext_lazy("Người này đã tham gia “%(programme)s” từ ngày %(day)s.")
CASE_CLOSED = gettext_lazy("Hồ sơ đã đóng: không thể thay đổi thêm.")
TASK_CLOSED = gettext_lazy("Nhiệm vụ tiếp cận đã kết thúc.")
CHILD_NEEDS_CHILD_CASE = gettext_lazy(
    "Người này chưa đủ 18 tuổi (hoặc chưa chắc đã đủ 18 tuổi): phải mở hồ sơ bảo vệ trẻ em."
)
ADULT_IN_CHILD_CASE = gettext_lazy("Người này đã đủ 18 tuổi: không mở hồ sơ bảo vệ trẻ em.")
CONSENT_REQUIRED = gettext_lazy(
    "Cần ghi nhận ít nhất một sự đồng ý (mục đích và cơ quan được chia sẻ) khi mở hồ sơ hỗ trợ."
)
UNIT_OUTSIDE = gettext_lazy("Địa bàn phải thuộc phạm vi quản lý của anh/chị (%(unit)s).")
WORKER_NOT_ALLOWED = gettext_lazy(
    "Cán bộ phụ trách phải có quyền xem dữ liệu hỗ trợ%(child)s và thuộc địa bàn của hồ sơ."
)
NOT_RECEIVER = gettext_lazy("Chỉ cơ quan nhận chuyển gửi mới phản hồi được.")
REFERRAL_NOT_PENDING = gettext_lazy("Chuyển gửi này không còn chờ tiếp nhận.")
REFERRAL_NOT_ACCEPTED = gettext_lazy("Chỉ đánh dấu hoàn thành được chuyển gửi đã tiếp nhận.")
REFERRAL_DUE_BEFORE_SENT = gettext_lazy("Hạn phản hồi phải từ ngày chuyển gửi trở đi.")
REFERRAL_TO_SELF = gettext_lazy("Không chuyển gửi cho chính cơ quan mình.")
RETURNED_FROM_REQUIRED = gettext_lazy(
    "Hồ sơ nạn nhân bị mua bán trở về cần ghi quốc gia trở về và cơ quan tiếp nhận."
)
OUTCOME_REQUIRED = gettext_lazy("Chọn kết quả khi đóng hồ sơ.")
CLOSED_BEFORE_OPENED = gettext_lazy("Ngày đóng hồ sơ không được trước ngày mở hồ sơ (%(opened)s).")
ALREADY_CONSENTED = gettext_lazy("Đã có sự đồng ý còn hiệu lực cho “%(purpose)s” với “%(agency)s”.")
ENROLMENT_DATES = gettext_lazy(
    "Ngày có việc làm, ngày hoàn thành học nghề không được trước ngày tham gia (%(day)s)."
)


def fmt_day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def local_today() -> dt.date:
    return timezone.localdate()


def not_future(day: dt.date | None, field: str, errors: dict) -> None:
    if day and day > local_today():
        errors[field] = str(DATE_IN_FUTURE)


def require_open(case: SupportCase) -> None:
    if not case.is_open:
        raise ValidationError(str(CASE_CLOSED))


# Reasons the system gives in the history, stored as codes and translated when shown.
FROM_SANCTION = AuditReason("support.from-sanction", gettext_lazy("Tự động tạo từ quyết định xử phạt"))
CLOSED_WITH_SIBLING = AuditReason(
    "support.closed-with-sibling", gettext_lazy("Kết thúc cùng nhiệm vụ #%(task)s của cơ quan khác")
)
TEAM_ADDED = AuditReason("support.team-added", gettext_lazy("Thêm cán bộ vào nhóm hỗ trợ: %(worker)s"))
TEAM_REMOVED = AuditReason("support.team-removed", gettext_lazy("Bớt cán bộ khỏi nhóm hỗ trợ: %(worker)s"))
CONSENT_WITHDRAWN = AuditReason(
    "support.consent-withdrawn", gettext_lazy("Người được hỗ trợ rút lại sự đồng ý")
)
SHARING_STOPPED = AuditReason("support.sharing-stopped", gettext_lazy("Dừng chia sẻ do rút lại đồng ý"))
