"""Outreach and support: outreach tasks, support cases with consent per purpose and agency, services,
referrals between agencies, programmes and enrolments.

Notes that describe a person's situation are encrypted at rest. Rules that need more than one row
(a referral within consent, a service not before the case opened, closing with open referrals,
enrolment criteria) are checked in ``services.py``; the models hold fields, choices and constraints.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.scoping import PersonalDataManager

# Outreach -------------------------------------------------------------------------------------------


class TaskSource(models.TextChoices):
    SANCTION = "sanction", _("Từ quyết định xử phạt")
    MANUAL = "manual", _("Từ công tác cộng đồng")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Đang tiếp cận")
    CASE_OPENED = "case-opened", _("Đã mở hồ sơ hỗ trợ")
    DECLINED = "declined", _("Người được tiếp cận từ chối")


class OutreachTask(models.Model):
    """A task to reach one person and offer support. Closes when a case opens or the person declines."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="outreach_tasks")
    source = models.CharField(_("nguồn"), max_length=10, choices=TaskSource.choices)
    # A seller's sanction makes one task per agency that reaches out: the commune's social-affairs
    # officer and the Women's Union branch of the commune of residence (or the city coordinator).
    source_sanction = models.ForeignKey(
        "people.SanctionDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_tasks",
        verbose_name=_("quyết định xử phạt"),
    )
    unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan được giao")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ được giao"),
    )
    due_on = models.DateField(_("hạn tiếp cận"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    notes = EncryptedTextField(_("ghi chú"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("notes",)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("nhiệm vụ tiếp cận")
        verbose_name_plural = _("nhiệm vụ tiếp cận")
        constraints = [
            models.UniqueConstraint(
                fields=["source_sanction", "agency"],
                condition=Q(source_sanction__isnull=False),
                name="outreach_one_task_per_sanction_agency",
            ),
            models.CheckConstraint(
                condition=Q(source="manual", source_sanction__isnull=True)
                | Q(source="sanction", source_sanction__isnull=False),
                name="outreach_source_matches_sanction",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="outreach_closed_on_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"Nhiệm vụ tiếp cận #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class ContactMethod(models.TextChoices):
    HOME_VISIT = "visit", _("Đến gặp tại nhà")
    PHONE = "phone", _("Gọi điện")
    OUTREACH = "street", _("Gặp tại nơi sinh hoạt, làm việc")
    CLUB = "club", _("Qua câu lạc bộ, nhóm đồng đẳng")
    OFFICE = "office", _("Người được tiếp cận đến trụ sở")


class ContactResult(models.TextChoices):
    NOT_REACHED = "not-reached", _("Chưa gặp được")
    TALKED = "talked", _("Đã trao đổi, cần gặp lại")
    INTERESTED = "interested", _("Muốn được hỗ trợ")
    DECLINED = "declined", _("Không muốn được hỗ trợ")


class ContactAttempt(models.Model):
    task = models.ForeignKey(OutreachTask, on_delete=models.CASCADE, related_name="attempts")
    made_on = models.DateField(_("ngày tiếp cận"))
    method = models.CharField(_("hình thức"), max_length=8, choices=ContactMethod.choices)
    result = models.CharField(_("kết quả"), max_length=12, choices=ContactResult.choices)
    notes = EncryptedTextField(_("ghi chú"), blank=True, default="")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ tiếp cận"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("notes",)

    class Meta:
        ordering = ["made_on", "pk"]
        verbose_name = _("lần tiếp cận")
        verbose_name_plural = _("lần tiếp cận")

    def __str__(self) -> str:
        return f"Lần tiếp cận #{self.pk}"


# Cases ----------------------------------------------------------------------------------------------


class CaseKind(models.TextChoices):
    ADULT = "adult", _("Hỗ trợ người bán dâm")
    TRAFFICKING = "trafficking", _("Nạn nhân bị mua bán trở về")
    CHILD = "child", _("Bảo vệ trẻ em")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Đang hỗ trợ")
    CLOSED = "closed", _("Đã đóng")


class Outcome(models.TextChoices):
    STABLE_INCOME = "income", _("Có thu nhập ổn định")
    HOUSING = "housing", _("Có chỗ ở ổn định")
    BACK_TO_SCHOOL = "school", _("Trở lại trường học")
    MOVED_AWAY = "moved", _("Chuyển đi nơi khác")
    NO_NEW_VIOLATION = "no-violation", _("Không vi phạm mới sau 12 tháng")
    DECLINED = "declined", _("Không muốn tiếp tục nhận hỗ trợ")


class SupportCase(models.Model):
    """One person's support case: lead worker and agency, needs, goals, services, follow-ups, closure."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="support_cases")
    kind = models.CharField(_("loại hồ sơ"), max_length=12, choices=CaseKind.choices, default=CaseKind.ADULT)
    outreach_task = models.OneToOneField(
        OutreachTask, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("địa bàn quản lý"),
    )
    lead_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan chủ trì")
    )
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ phụ trách"),
    )
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("cán bộ cùng hỗ trợ")
    )
    opened_on = models.DateField(_("ngày mở hồ sơ"))
    assessment = EncryptedTextField(_("đánh giá nhu cầu"), blank=True, default="")
    # A returning trafficking victim: where from, and who received her at the border or airport.
    returned_from = models.CharField(_("trở về từ (quốc gia)"), max_length=80, blank=True)
    receiving_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closed_on = models.DateField(_("ngày đóng hồ sơ"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices, blank=True)
    closure_note = EncryptedTextField(_("ghi chú khi đóng"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("assessment", "closure_note")

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("hồ sơ hỗ trợ")
        verbose_name_plural = _("hồ sơ hỗ trợ")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True, outcome="")
                | (Q(status="closed", closed_on__isnull=False) & ~Q(outcome="")),
                name="supportcase_closure_complete",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="supportcase_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"Hồ sơ hỗ trợ #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class Goal(models.Model):
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="goals")
    description = EncryptedTextField(_("mục tiêu"))
    target_on = models.DateField(_("thời hạn"), null=True, blank=True)
    achieved_on = models.DateField(_("ngày đạt"), null=True, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("description",)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")

    def __str__(self) -> str:
        return f"Mục tiêu #{self.pk}"


class FollowUp(models.Model):
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("ngày cần theo dõi"))
    done_on = models.DateField(_("ngày đã theo dõi"), null=True, blank=True)
    note = EncryptedTextField(_("ghi chú"), blank=True, default="")

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("note",)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("lần theo dõi")
        verbose_name_plural = _("lần theo dõi")

    def __str__(self) -> str:
        return f"Theo dõi #{self.pk}"


class ConsentPurpose(models.TextChoices):
    COUNSELLING = "counselling", _("Tư vấn tâm lý")
    HEALTH = "health", _("Y tế")
    TRAINING = "training", _("Học nghề")
    JOBS = "jobs", _("Việc làm")
    LOANS = "loans", _("Vay vốn")
    LEGAL_AID = "legal-aid", _("Trợ giúp pháp lý")


class ConsentQuerySet(models.QuerySet):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_on__isnull=True)


class Consent(models.Model):
    """The person's consent to share her case with one agency for one purpose; withdrawable at any time."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=12, choices=ConsentPurpose.choices)
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan được chia sẻ")
    )
    given_on = models.DateField(_("ngày đồng ý"))
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonalDataManager.from_queryset(ConsentQuerySet)()
    personal_data = True

    class Meta:
        ordering = ["agency__name", "purpose", "given_on"]
        verbose_name = _("sự đồng ý chia sẻ thông tin")
        verbose_name_plural = _("sự đồng ý chia sẻ thông tin")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "purpose", "agency"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_one_active_per_purpose_agency",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Đồng ý #{self.pk}"


# Services and referrals -----------------------------------------------------------------------------


class ServiceKind(models.TextChoices):
    PSYCH_COUNSELLING = "psych", _("Tư vấn tâm lý")
    LEGAL_COUNSELLING = "legal", _("Tư vấn, trợ giúp pháp lý")
    HIV_STI_TESTING = "testing", _("Xét nghiệm HIV, bệnh lây truyền qua đường tình dục")
    TREATMENT = "treatment", _("Điều trị")
    METHADONE = "methadone", _("Điều trị Methadone")
    CONDOMS = "condoms", _("Cấp bao cao su")
    VOCATIONAL_TRAINING = "training", _("Dạy nghề")
    JOB_PLACEMENT = "job", _("Giới thiệu việc làm")
    LOAN = "loan", _("Vay vốn (Ngân hàng Chính sách xã hội)")
    REINTEGRATION = "reintegration", _("Hỗ trợ hòa nhập cộng đồng")

    @property
    def purpose(self) -> str:
        return SERVICE_PURPOSE[self.value]

    @property
    def is_health(self) -> bool:
        return SERVICE_PURPOSE[self.value] == ConsentPurpose.HEALTH


SERVICE_PURPOSE = {
    "psych": ConsentPurpose.COUNSELLING,
    "legal": ConsentPurpose.LEGAL_AID,
    "testing": ConsentPurpose.HEALTH,
    "treatment": ConsentPurpose.HEALTH,
    "methadone": ConsentPurpose.HEALTH,
    "condoms": ConsentPurpose.HEALTH,
    "training": ConsentPurpose.TRAINING,
    "job": ConsentPurpose.JOBS,
    "loan": ConsentPurpose.LOANS,
    "reintegration": ConsentPurpose.COUNSELLING,
}
HEALTH_SERVICE_KINDS = tuple(k for k, p in SERVICE_PURPOSE.items() if p == ConsentPurpose.HEALTH)


class Service(models.Model):
    """One service given to the person of a case, by an agency or provider, on one day."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("loại dịch vụ"), max_length=14, choices=ServiceKind.choices)
    provider = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan, cơ sở cung cấp")
    )
    given_on = models.DateField(_("ngày cung cấp"))
    programme = models.ForeignKey(
        "Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("chương trình chi trả"),
    )
    cost = models.PositiveBigIntegerField(_("kinh phí (đồng)"), null=True, blank=True)
    notes = EncryptedTextField(_("ghi chú"), blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    audit_redact = ("notes",)

    class Meta:
        ordering = ["given_on", "pk"]
        verbose_name = _("dịch vụ")
        verbose_name_plural = _("dịch vụ")

    def __str__(self) -> str:
        return f"Dịch vụ #{self.pk}"

    @property
    def is_health(self) -> bool:
        return self.kind in HEALTH_SERVICE_KINDS


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    DECLINED = "declined", _("Từ chối tiếp nhận")
    COMPLETED = "completed", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Bên gửi đã hủy")
    CONSENT_WITHDRAWN = "withdrawn", _("Dừng do rút lại đồng ý")


OPEN_REFERRAL_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ReferralQuerySet(models.QuerySet):
    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=OPEN_REFERRAL_STATUSES)

    def overdue(self, today: dt.date) -> ReferralQuerySet:
        return self.open().filter(due_on__lt=today)


class Referral(models.Model):
    """A referral of a case from one agency to another for one purpose, within the person's consent."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="referrals")
    from_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan chuyển")
    )
    to_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan nhận")
    )
    purpose = models.CharField(_("mục đích"), max_length=12, choices=ConsentPurpose.choices)
    sent_on = models.DateField(_("ngày chuyển"))
    due_on = models.DateField(_("hạn phản hồi, hoàn thành"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    responded_on = models.DateField(_("ngày phản hồi"), null=True, blank=True)
    response_note = models.CharField(_("ý kiến bên nhận"), max_length=300, blank=True)
    note = EncryptedTextField(_("nội dung chuyển gửi"), blank=True, default="")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PersonalDataManager.from_queryset(ReferralQuerySet)()
    personal_data = True
    audit_redact = ("note",)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("chuyển gửi")
        verbose_name_plural = _("chuyển gửi")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("sent_on")), name="referral_due_after_sent"
            ),
            models.CheckConstraint(
                condition=~Q(from_agency=models.F("to_agency")), name="referral_between_agencies"
            ),
        ]

    def __str__(self) -> str:
        return f"Chuyển gửi #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


# Programmes -----------------------------------------------------------------------------------------


class Programme(models.Model):
    """A support programme (Programme 1993, the Plan-funded project) with its enrolment criteria and budget."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=300)
    funder = models.CharField(_("nguồn kinh phí"), max_length=200, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    budget = models.PositiveBigIntegerField(_("kinh phí (đồng)"), null=True, blank=True)
    # Enrolment criteria.
    women_only = models.BooleanField(_("chỉ dành cho phụ nữ"), default=True)
    min_age = models.PositiveSmallIntegerField(_("tuổi tối thiểu"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("tuổi tối đa"), null=True, blank=True)
    case_kinds = models.JSONField(_("loại hồ sơ được tham gia"), default=list, blank=True)
    criteria_text = models.TextField(_("tiêu chí tham gia"), blank=True)
    # The kinds of service (ServiceKind values) the programme pays for; empty: any kind.
    service_kinds = models.JSONField(_("dịch vụ chương trình chi trả"), default=list, blank=True)

    class Meta:
        ordering = ["starts_on", "code"]
        verbose_name = _("chương trình, dự án")
        verbose_name_plural = _("chương trình, dự án")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programme_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="programme_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    """A person enrolled in a programme through her case; training completed and job reached feed T07."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="enrolments")
    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_on = models.DateField(_("ngày tham gia"))
    training_completed_on = models.DateField(_("ngày hoàn thành học nghề"), null=True, blank=True)
    employed_on = models.DateField(_("ngày có việc làm"), null=True, blank=True)
    employer = models.CharField(_("nơi làm việc"), max_length=200, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["enrolled_on", "pk"]
        verbose_name = _("người tham gia chương trình")
        verbose_name_plural = _("người tham gia chương trình")
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="enrolment_once_per_programme"),
            models.CheckConstraint(
                condition=Q(training_completed_on__isnull=True)
                | Q(training_completed_on__gte=models.F("enrolled_on")),
                name="enrolment_training_after_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(employed_on__isnull=True) | Q(employed_on__gte=models.F("enrolled_on")),
                name="enrolment_job_after_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"Tham gia chương trình #{self.pk}"
