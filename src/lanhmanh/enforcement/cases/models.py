"""Criminal cases: the offence catalogue (Penal Codes as data), stage time limits, cases, defendants,
victims and press records of trials.

A case moves through stages, each recorded by its own agency's role (``Stage.owner_role``). The
identities of defendants and victims are registry persons (``people.Person``: encrypted, blind
indexed, linked at entry), so a defendant already in the registry is the same record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.crypto import EncryptedTextField


class OffenceGroup(models.TextChoices):
    """The groups of target T01 of the 2014 plan (and of the statistics table)."""

    HARBOURING = "harbouring", _("Chứa mại dâm")
    BROKERING = "brokering", _("Môi giới mại dâm")
    CHILD_ABUSE = "child-abuse", _("Xâm hại tình dục trẻ em, mua dâm người chưa thành niên")
    RAPE = "rape", _("Hiếp dâm, cưỡng dâm")
    TRAFFICKING = "trafficking", _("Mua bán người (phụ nữ, trẻ em)")


class Gravity(models.TextChoices):
    """Classes of crimes (Art. 8 Penal Code 1999, Art. 9 Penal Code 2015), by the clause's highest penalty."""

    LESS_SERIOUS = "less-serious", _("Ít nghiêm trọng")
    SERIOUS = "serious", _("Nghiêm trọng")
    VERY_SERIOUS = "very-serious", _("Rất nghiêm trọng")
    ESPECIALLY_SERIOUS = "especially-serious", _("Đặc biệt nghiêm trọng")


def gravity_for(max_months: int | None, life: bool) -> str:
    if life or max_months is None or max_months > 15 * 12:
        return Gravity.ESPECIALLY_SERIOUS
    if max_months > 7 * 12:
        return Gravity.VERY_SERIOUS
    if max_months > 3 * 12:
        return Gravity.SERIOUS
    return Gravity.LESS_SERIOUS


class OffenceQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> OffenceQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Offence(models.Model):
    """One clause of one article of a Penal Code: its prison range, gravity and minimum age, as data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    penal_code = models.CharField(_("Bộ luật Hình sự"), max_length=10)
    article = models.PositiveSmallIntegerField(_("điều"))
    clause = models.PositiveSmallIntegerField(_("khoản"))
    title = models.CharField(_("tội danh"), max_length=200)
    group = models.CharField(_("nhóm tội"), max_length=16, choices=OffenceGroup.choices)
    min_months = models.PositiveSmallIntegerField(_("mức tù tối thiểu (tháng)"))
    max_months = models.PositiveSmallIntegerField(_("mức tù tối đa (tháng)"))
    life_or_death = models.BooleanField(_("có tù chung thân hoặc tử hình"), default=False)
    gravity = models.CharField(_("loại tội phạm"), max_length=20, choices=Gravity.choices, editable=False)
    min_age = models.PositiveSmallIntegerField(
        _("tuổi chịu trách nhiệm hình sự tối thiểu"),
        help_text=_("14 hoặc 16 tuổi (Điều 12 Bộ luật Hình sự), theo loại tội phạm của khoản."),
    )
    valid_from = models.DateField(_("áp dụng cho hành vi từ ngày"))
    valid_to = models.DateField(_("áp dụng cho hành vi đến ngày"), null=True, blank=True)
    source = models.TextField(_("nguồn"))
    verified = models.BooleanField(_("đã đối chiếu văn bản gốc"), default=False)

    objects = OffenceQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "article", "clause"]
        verbose_name = _("tội danh (danh mục Bộ luật Hình sự)")
        verbose_name_plural = _("danh mục tội danh")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_months__gte=models.F("min_months")), name="offence_range_ordered"
            ),
            models.CheckConstraint(
                condition=Q(min_age__gte=14, min_age__lte=18), name="offence_min_age_14_18"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        self.gravity = gravity_for(self.max_months, self.life_or_death)
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"khoản {self.clause} Điều {self.article} BLHS {self.penal_code}"

    @property
    def range_display(self) -> str:
        text = f"{_months(self.min_months)} – {_months(self.max_months)}"
        return f"{text}, {_('chung thân hoặc tử hình')}" if self.life_or_death else text

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        if self.min_months is not None and self.max_months is not None and self.max_months < self.min_months:
            raise ValidationError({"max_months": _("Mức tối đa phải lớn hơn hoặc bằng mức tối thiểu.")})


def _months(months: int) -> str:
    years, rest = divmod(months, 12)
    if years and rest:
        return _("%(y)s năm %(m)s tháng") % {"y": years, "m": rest}
    if years:
        return _("%(y)s năm") % {"y": years}
    return _("%(m)s tháng") % {"m": rest}


class Stage(models.TextChoices):
    """The stages of a case, in order. Each is recorded only by its own agency's role."""

    DETECTED = "detected", _("Phát hiện")
    BUSTED = "busted", _("Phá án")
    PROSECUTED = "prosecuted", _("Khởi tố vụ án, điều tra")
    SUSPENDED = "suspended", _("Tạm đình chỉ điều tra")
    INDICTED = "indicted", _("Truy tố (cáo trạng)")
    CLOSED = "closed", _("Đình chỉ vụ án")
    TRIED = "tried", _("Xét xử sơ thẩm")
    APPEALED = "appealed", _("Kháng cáo, kháng nghị (phúc thẩm)")
    FINAL = "final", _("Bản án có hiệu lực pháp luật")

    @property
    def owner_role(self) -> str:
        return STAGE_OWNER[self.value]

    @property
    def date_field(self) -> str:
        return f"{self.value}_on"


POLICE_ROLE, PROSECUTOR_ROLE, COURT_ROLE = "police", "prosecutor", "court-clerk"
STAGE_OWNER = {
    "detected": POLICE_ROLE,
    "busted": POLICE_ROLE,
    "prosecuted": POLICE_ROLE,
    "suspended": POLICE_ROLE,
    "indicted": PROSECUTOR_ROLE,
    "closed": PROSECUTOR_ROLE,
    "tried": COURT_ROLE,
    "appealed": COURT_ROLE,
    "final": COURT_ROLE,
}
CASE_ROLES = (POLICE_ROLE, PROSECUTOR_ROLE, COURT_ROLE)
# The stage that must come before each one (its date on or before this one's).
STAGE_AFTER = {
    "busted": "detected",
    "prosecuted": "detected",
    "suspended": "prosecuted",
    "indicted": "prosecuted",
    "closed": "prosecuted",
    "tried": "indicted",
    "appealed": "tried",
    "final": "tried",
}


class StageLimit(models.Model):
    """A legal time limit between two stages (Criminal Procedure Code), by gravity, as data."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên thời hạn"), max_length=160)
    from_stage = models.CharField(_("tính từ giai đoạn"), max_length=12, choices=Stage.choices)
    to_stage = models.CharField(_("đến giai đoạn"), max_length=12, choices=Stage.choices)
    gravity = models.CharField(
        _("loại tội phạm"),
        max_length=20,
        choices=Gravity.choices,
        blank=True,
        help_text=_("Để trống: mọi loại."),
    )
    days = models.PositiveSmallIntegerField(_("thời hạn (ngày)"))
    extension_days = models.PositiveSmallIntegerField(_("gia hạn tối đa (ngày)"), default=0)
    basis = models.CharField(_("căn cứ"), max_length=200)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    verified = models.BooleanField(_("đã đối chiếu văn bản gốc"), default=False)

    class Meta:
        ordering = ["valid_from", "from_stage", "gravity"]
        verbose_name = _("thời hạn tố tụng")
        verbose_name_plural = _("thời hạn tố tụng")

    def __str__(self) -> str:
        return f"{self.name} ({self.basis})"


class InvestigatingBody(models.TextChoices):
    CITY_POLICE = "city-police", _("Công an cấp tỉnh, thành phố")
    DISTRICT_POLICE = "district-police", _("Công an cấp huyện")
    BORDER_GUARD = "border-guard", _("Bộ đội Biên phòng")
    CUSTOMS = "customs", _("Hải quan")


class CriminalCaseQuerySet(models.QuerySet):
    def busted(self) -> CriminalCaseQuerySet:
        return self.filter(busted_on__isnull=False)

    def tried(self) -> CriminalCaseQuerySet:
        return self.filter(tried_on__isnull=False)


class CriminalCase(models.Model):
    """One criminal case from detection to final judgment."""

    number = models.CharField(_("số hồ sơ"), max_length=40, blank=True)
    offence = models.ForeignKey(
        Offence, on_delete=models.PROTECT, related_name="cases", verbose_name=_("tội danh chính")
    )
    act_on = models.DateField(_("ngày thực hiện hành vi"))
    unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi xảy ra")
    )
    address = models.CharField(_("địa chỉ, cơ sở, tụ điểm"), max_length=300, blank=True)
    # The place when it is a known establishment or hotspot (optional; the unit and address stay).
    establishment = models.ForeignKey(
        "premises.Establishment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ sở kinh doanh"),
    )
    hotspot = models.ForeignKey(
        "enforcement.Hotspot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tụ điểm"),
    )
    summary = EncryptedTextField(_("tóm tắt vụ án"), blank=True, default="")
    investigating_body = models.CharField(
        _("lực lượng điều tra"), max_length=16, choices=InvestigatingBody.choices
    )
    investigating_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan điều tra")
    )
    procuracy = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("viện kiểm sát"),
    )
    court = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tòa án"),
    )
    detected_on = models.DateField(_("ngày phát hiện"))
    busted_on = models.DateField(_("ngày phá án"), null=True, blank=True)
    prosecuted_on = models.DateField(_("ngày khởi tố vụ án"), null=True, blank=True)
    suspended_on = models.DateField(_("ngày tạm đình chỉ điều tra"), null=True, blank=True)
    indicted_on = models.DateField(_("ngày truy tố"), null=True, blank=True)
    closed_on = models.DateField(_("ngày đình chỉ vụ án"), null=True, blank=True)
    tried_on = models.DateField(_("ngày xét xử sơ thẩm"), null=True, blank=True)
    appealed_on = models.DateField(_("ngày xét xử phúc thẩm"), null=True, blank=True)
    final_on = models.DateField(_("ngày bản án có hiệu lực"), null=True, blank=True)
    mobile_trial = models.BooleanField(_("xét xử lưu động"), default=False)
    model_trial = models.BooleanField(_("phiên tòa rút kinh nghiệm (mẫu)"), default=False)
    stage = models.CharField(_("giai đoạn hiện tại"), max_length=12, choices=Stage.choices, editable=False)
    # Kept by the services (T05 counts defendants tried from the cases, so its rollup stays on one table).
    defendant_count = models.PositiveSmallIntegerField(_("số bị can"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CriminalCaseQuerySet.as_manager()
    audit_redact = ("summary",)

    class Meta:
        ordering = ["-detected_on", "-pk"]
        verbose_name = _("vụ án hình sự")
        verbose_name_plural = _("vụ án hình sự")
        indexes = [
            models.Index(fields=["busted_on"], name="case_busted_on"),
            models.Index(fields=["tried_on"], name="case_tried_on"),
            models.Index(fields=["stage"], name="case_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(busted_on__isnull=True) | Q(busted_on__gte=models.F("detected_on")),
                name="case_busted_after_detected",
            ),
            models.CheckConstraint(
                condition=Q(tried_on__isnull=True)
                | Q(indicted_on__isnull=False, tried_on__gte=models.F("indicted_on")),
                name="case_tried_after_indicted",
            ),
            models.CheckConstraint(
                condition=Q(final_on__isnull=True)
                | Q(tried_on__isnull=False, final_on__gte=models.F("tried_on")),
                name="case_final_after_tried",
            ),
        ]

    def __str__(self) -> str:
        # No names: str() ends up in logs and the audit table.
        return f"Vụ án #{self.pk}"

    def save(self, *args, **kwargs):
        self.stage = self.current_stage()
        super().save(*args, **kwargs)

    def date_of(self, stage: str) -> dt.date | None:
        return getattr(self, f"{stage}_on")

    def current_stage(self) -> str:
        """The furthest stage with a date (closure and suspension end the line where they stand)."""
        for stage in (
            "final",
            "appealed",
            "tried",
            "closed",
            "indicted",
            "suspended",
            "prosecuted",
            "busted",
        ):
            if self.date_of(stage):
                return stage
        return Stage.DETECTED

    @property
    def days_bust_to_judgment(self) -> int | None:
        if self.busted_on and self.final_on:
            return (self.final_on - self.busted_on).days
        return None


class RingRole(models.TextChoices):
    ORGANISER = "organiser", _("Chủ mưu, cầm đầu")
    BROKER = "broker", _("Môi giới")
    HARBOURER = "harbourer", _("Chứa mại dâm")
    TRAFFICKER = "trafficker", _("Mua bán người")
    PERPETRATOR = "perpetrator", _("Người thực hiện")
    ACCOMPLICE = "accomplice", _("Đồng phạm, giúp sức")
    BUYER = "buyer", _("Người mua dâm")


class Measure(models.TextChoices):
    NONE = "none", _("Chưa áp dụng")
    DETENTION = "detention", _("Tạm giam")
    CUSTODY = "custody", _("Tạm giữ")
    RESIDENCE_BAN = "residence", _("Cấm đi khỏi nơi cư trú")
    BAIL = "bail", _("Bảo lĩnh, đặt tiền bảo đảm")
    WANTED = "wanted", _("Truy nã")


class SentenceKind(models.TextChoices):
    PRISON = "prison", _("Tù có thời hạn")
    SUSPENDED = "suspended", _("Tù cho hưởng án treo")
    NON_CUSTODIAL = "reform", _("Cải tạo không giam giữ")
    LIFE = "life", _("Tù chung thân")
    DEATH = "death", _("Tử hình")
    ACQUITTED = "acquitted", _("Tuyên không phạm tội")


class Defendant(models.Model):
    """One accused person in a case: identity in the registry, role in the ring, measure, charge, sentence."""

    case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="defendants")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="criminal_defendants")
    ring_role = models.CharField(_("vai trò trong đường dây"), max_length=12, choices=RingRole.choices)
    measure = models.CharField(
        _("biện pháp ngăn chặn"), max_length=10, choices=Measure.choices, default=Measure.NONE
    )
    offence = models.ForeignKey(
        Offence, on_delete=models.PROTECT, related_name="defendants", verbose_name=_("tội danh bị truy cứu")
    )
    sentence_kind = models.CharField(_("hình phạt"), max_length=10, choices=SentenceKind.choices, blank=True)
    sentence_months = models.PositiveSmallIntegerField(_("thời hạn (tháng)"), null=True, blank=True)
    probation_months = models.PositiveSmallIntegerField(
        _("thời gian thử thách (tháng)"), null=True, blank=True
    )
    sentenced_on = models.DateField(_("ngày tuyên án"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("bị can, bị cáo")
        verbose_name_plural = _("bị can, bị cáo")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="defendant_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"Bị can #{self.pk}"

    @property
    def sentence_display(self) -> str:
        if not self.sentence_kind:
            return ""
        label = self.get_sentence_kind_display()
        if self.sentence_months:
            label = f"{label} {_months(self.sentence_months)}"
        if self.probation_months:
            label = f"{label}, {_('thử thách')} {_months(self.probation_months)}"
        return label


class VictimKind(models.TextChoices):
    TRAFFICKED = "trafficked", _("Bị mua bán")
    SEXUALLY_ABUSED = "abused", _("Bị xâm hại tình dục")
    EXPLOITED = "exploited", _("Bị ép, dụ dỗ bán dâm")


class SupportOffer(models.TextChoices):
    CHILD = "child", _("Bảo vệ trẻ em")
    TRAFFICKING = "trafficking", _("Hỗ trợ nạn nhân bị mua bán")
    NONE = "", _("Không đề nghị")


class Victim(models.Model):
    """A victim of the case; offered a child-protection or trafficking-victim case through outreach."""

    case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="victims")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="criminal_victims")
    kind = models.CharField(_("bị hại"), max_length=12, choices=VictimKind.choices)
    minor = models.BooleanField(_("chưa đủ 18 tuổi khi bị hại"), default=False, editable=False)
    offer = models.CharField(_("đề nghị hỗ trợ"), max_length=12, choices=SupportOffer.choices, blank=True)
    outreach_task = models.ForeignKey(
        "support.OutreachTask", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referred_on = models.DateField(_("ngày chuyển hỗ trợ"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("bị hại")
        verbose_name_plural = _("bị hại")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="victim_once_per_case"),
            # A minor is always a child to protect.
            models.CheckConstraint(
                condition=Q(minor=False) | Q(offer="child"), name="victim_minor_child_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"Bị hại #{self.pk}"


class PressKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("Báo in")
    ONLINE = "online", _("Báo điện tử")
    TELEVISION = "tv", _("Truyền hình")
    RADIO = "radio", _("Phát thanh")
    LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh cơ sở")


class PressRecord(models.Model):
    """An article or broadcast about a trial (duty III.9.1: publicity of trials)."""

    case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="press")
    kind = models.CharField(_("loại hình"), max_length=12, choices=PressKind.choices)
    outlet = models.CharField(_("cơ quan báo chí"), max_length=160)
    title = models.CharField(_("tiêu đề bài, chương trình"), max_length=300)
    published_on = models.DateField(_("ngày đăng, phát"))
    url = models.URLField(_("đường dẫn"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "published_on", "pk"]
        verbose_name = _("tin bài về phiên tòa")
        verbose_name_plural = _("tin bài về phiên tòa")

    def __str__(self) -> str:
        return f"Tin bài #{self.pk}"
