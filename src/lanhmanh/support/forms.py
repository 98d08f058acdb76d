"""Input forms of outreach and support (Vietnamese labels; the rules themselves live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.audit import Purpose
from lanhmanh.core.forms import ListFilterForm, TextGuardMixin
from lanhmanh.org.models import Agency, UnitLevel, User
from lanhmanh.org.pickers import UnitPickerField
from lanhmanh.people.forms import DateInput, style
from lanhmanh.people.models import Sex
from lanhmanh.support.models import (
    OPEN_REFERRAL_STATUSES,
    CaseKind,
    ConsentPurpose,
    ContactMethod,
    ContactResult,
    Outcome,
    Programme,
    ReferralStatus,
    ServiceKind,
)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class AgencyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


def unit_picker(root_path: str, label) -> UnitPickerField:
    """Districts and communes in reach, every version of the tree (a 2014 ward and the 2025 ward it became
    part of are both choosable), from the shared cached picker (``org.pickers``)."""
    return UnitPickerField(root_path=root_path, levels=(UnitLevel.DISTRICT, UnitLevel.COMMUNE), label=label)


class StyledForm(TextGuardMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.pop("class", None)


def today():
    return timezone.localdate()


class ContactAttemptForm(StyledForm):
    prefix = "attempt"
    made_on = forms.DateField(label=_("Ngày tiếp cận"), widget=DateInput(), initial=today)
    method = forms.ChoiceField(label=_("Hình thức"), choices=ContactMethod.choices)
    result = forms.ChoiceField(label=_("Kết quả"), choices=ContactResult.choices)
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(StyledForm):
    prefix = "decline"
    declined_on = forms.DateField(
        label=_("Ngày người được tiếp cận từ chối"), widget=DateInput(), initial=today
    )
    notes = forms.CharField(label=_("Ghi chú (không bắt buộc)"), required=False, max_length=300)


class CaseOpenForm(StyledForm):
    """Open a case: kind, needs, and the consent given (purposes × agencies, the own agency always included)."""

    prefix = "case"
    kind = forms.ChoiceField(label=_("Loại hồ sơ"), choices=CaseKind.choices)
    opened_on = forms.DateField(label=_("Ngày mở hồ sơ"), widget=DateInput(), initial=today)
    assessment = forms.CharField(
        label=_("Đánh giá nhu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purposes = forms.MultipleChoiceField(
        label=_("Người được hỗ trợ đồng ý chia sẻ thông tin cho mục đích"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    agencies = AgencyMultipleChoiceField(
        label=_("… với các cơ quan (ngoài cơ quan anh/chị)"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    returned_from = forms.CharField(label=_("Trở về từ (quốc gia)"), required=False, max_length=80)
    receiving_agency = AgencyChoiceField(
        label=_("Cơ quan tiếp nhận"), queryset=Agency.objects.none(), required=False
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        self.fields["receiving_agency"].queryset = agencies


class ChildCaseOpenForm(StyledForm):
    """Open a child protection case for a person the registry refused a violation for (under 18)."""

    prefix = "child"
    opened_on = forms.DateField(label=_("Ngày mở hồ sơ"), widget=DateInput(), initial=today)
    assessment = forms.CharField(
        label=_("Đánh giá nhu cầu bảo vệ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purposes = forms.MultipleChoiceField(
        label=_("Trẻ em và cha mẹ, người giám hộ đồng ý chia sẻ thông tin cho mục đích"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    agencies = AgencyMultipleChoiceField(
        label=_("… với các cơ quan (ngoài cơ quan anh/chị)"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    field_order = ["unit", "opened_on", "assessment", "purposes", "agencies"]

    def __init__(self, *args, root_path, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_picker(root_path, _("Địa bàn quản lý hồ sơ"))
        self.order_fields(self.field_order)
        self.fields["agencies"].queryset = agencies


class ManualTaskForm(StyledForm):
    """A person met in community work who is not yet in the registry, and the task to reach her."""

    prefix = "task"
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, initial=Sex.FEMALE)
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900, max_value=2100)
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)
    due_on = forms.DateField(label=_("Hạn tiếp cận"), widget=DateInput())
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["full_name", "sex", "birth_year", "phone", "unit", "due_on", "notes"]

    def __init__(self, *args, root_path, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_picker(root_path, _("Địa bàn"))
        self.order_fields(self.field_order)


class AssessmentForm(StyledForm):
    prefix = "assessment"
    assessment = forms.CharField(
        label=_("Đánh giá nhu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class GoalForm(StyledForm):
    prefix = "goal"
    description = forms.CharField(label=_("Mục tiêu"), max_length=500)
    target_on = forms.DateField(label=_("Thời hạn"), required=False, widget=DateInput())


class ServiceForm(StyledForm):
    prefix = "service"
    kind = forms.ChoiceField(label=_("Loại dịch vụ"), choices=ServiceKind.choices)
    provider = AgencyChoiceField(label=_("Cơ quan, cơ sở cung cấp"), queryset=Agency.objects.none())
    given_on = forms.DateField(label=_("Ngày cung cấp"), widget=DateInput(), initial=today)
    programme = forms.ModelChoiceField(
        label=_("Chương trình chi trả"), queryset=Programme.objects.all(), required=False
    )
    cost = forms.IntegerField(label=_("Kinh phí (đồng)"), required=False, min_value=0)
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = agencies


class ReferralForm(StyledForm):
    prefix = "referral"
    to_agency = AgencyChoiceField(label=_("Chuyển đến cơ quan"), queryset=Agency.objects.none())
    purpose = forms.ChoiceField(label=_("Mục đích"), choices=ConsentPurpose.choices)
    due_on = forms.DateField(label=_("Hạn phản hồi"), widget=DateInput())
    note = forms.CharField(
        label=_("Nội dung chuyển gửi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies


class FollowUpForm(StyledForm):
    prefix = "followup"
    due_on = forms.DateField(label=_("Ngày cần theo dõi"), widget=DateInput())


class FollowUpDoneForm(StyledForm):
    prefix = "done"
    done_on = forms.DateField(label=_("Ngày đã theo dõi"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class ConsentAddForm(StyledForm):
    prefix = "consent"
    agency = AgencyChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none())
    purposes = forms.MultipleChoiceField(
        label=_("Mục đích"), choices=ConsentPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    given_on = forms.DateField(label=_("Ngày đồng ý"), widget=DateInput(), initial=today)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class EnrolmentForm(StyledForm):
    prefix = "enrol"
    programme = forms.ModelChoiceField(label=_("Chương trình, dự án"), queryset=Programme.objects.all())
    enrolled_on = forms.DateField(label=_("Ngày tham gia"), widget=DateInput(), initial=today)


class EnrolmentProgressForm(StyledForm):
    prefix = "progress"
    training_completed_on = forms.DateField(
        label=_("Ngày hoàn thành học nghề"), required=False, widget=DateInput()
    )
    employed_on = forms.DateField(label=_("Ngày có việc làm"), required=False, widget=DateInput())
    employer = forms.CharField(label=_("Nơi làm việc"), required=False, max_length=200)


class CloseForm(StyledForm):
    prefix = "close"
    closed_on = forms.DateField(label=_("Ngày đóng hồ sơ"), widget=DateInput(), initial=today)
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=[("", "—")] + list(Outcome.choices))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralResponseForm(StyledForm):
    note = forms.CharField(label=_("Ý kiến"), required=False, max_length=300)


class ExistsPurposeForm(StyledForm):
    purpose = forms.ChoiceField(
        label=_("Mục đích tra cứu"),
        choices=[(p.value, p.label) for p in (Purpose.SANCTION, Purpose.INVESTIGATION, Purpose.CASE_WORK)],
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} · {obj.agency.name}"


class TeamAddForm(StyledForm):
    prefix = "team"
    worker = UserChoiceField(label=_("Cán bộ"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["worker"].queryset = (
            User.objects.filter(pk__in=[u.pk for u in candidates])
            .select_related("agency")
            .order_by("agency__name", "last_name", "first_name", "pk")
        )


class ProgrammeForm(StyledForm):
    """A programme: its identity, period, budget, enrolment criteria and the services it pays for."""

    prefix = "programme"
    code = forms.SlugField(
        label=_("Mã"), max_length=40, help_text=_("Chữ thường không dấu, số và dấu gạch ngang.")
    )
    name = forms.CharField(label=_("Tên chương trình, dự án"), max_length=300)
    funder = forms.CharField(label=_("Nguồn kinh phí"), max_length=200, required=False)
    legal_basis = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)
    starts_on = forms.DateField(label=_("Bắt đầu"), widget=DateInput())
    ends_on = forms.DateField(label=_("Kết thúc"), widget=DateInput(), required=False)
    budget = forms.IntegerField(label=_("Kinh phí (đồng)"), min_value=0, required=False)
    women_only = forms.BooleanField(label=_("Chỉ dành cho phụ nữ"), required=False, initial=True)
    min_age = forms.IntegerField(label=_("Tuổi tối thiểu"), min_value=0, max_value=120, required=False)
    max_age = forms.IntegerField(label=_("Tuổi tối đa"), min_value=0, max_value=120, required=False)
    case_kinds = forms.MultipleChoiceField(
        label=_("Loại hồ sơ được tham gia"),
        choices=CaseKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Không chọn: mọi loại hồ sơ."),
    )
    service_kinds = forms.MultipleChoiceField(
        label=_("Dịch vụ chương trình chi trả"),
        choices=ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một loại dịch vụ chương trình chi trả.")},
    )
    criteria_text = forms.CharField(
        label=_("Tiêu chí tham gia (mô tả)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_from(cls, programme) -> dict:
        return {name: getattr(programme, name) for name in cls.base_fields}


class CaseloadFilterForm(ListFilterForm):
    """Filters of the caseload: the kind of case, and only those with a follow-up overdue."""

    kind = forms.ChoiceField(
        label=_("Loại hồ sơ"), required=False, choices=[("", _("Tất cả")), *CaseKind.choices]
    )
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ có lần theo dõi quá hạn"), required=False)

    def apply(self, cases, *, today):
        values = self.values()
        if values.get("kind"):
            cases = cases.filter(kind=values["kind"])
        if values.get("overdue"):
            cases = cases.filter(next_due__lt=today)
        return cases


class ReferralFilterForm(ListFilterForm):
    """Filters of the referral inbox: status, purpose, and only those past their due date."""

    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *ReferralStatus.choices]
    )
    purpose = forms.ChoiceField(
        label=_("Mục đích"), required=False, choices=[("", _("Tất cả")), *ConsentPurpose.choices]
    )
    overdue = forms.BooleanField(label=_("Chỉ chuyển gửi quá hạn chưa xong"), required=False)

    def apply(self, referrals, *, today):
        values = self.values()
        if values.get("status"):
            referrals = referrals.filter(status=values["status"])
        if values.get("purpose"):
            referrals = referrals.filter(purpose=values["purpose"])
        if values.get("overdue"):
            referrals = referrals.filter(due_on__lt=today, status__in=OPEN_REFERRAL_STATUSES)
        return referrals
