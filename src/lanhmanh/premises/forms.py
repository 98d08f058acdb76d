"""Forms of the establishment register; every one starts with ``TextGuardMixin``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import DateTimeInput, PeriodSelect, TextGuardMixin
from lanhmanh.core.periods import HALF, QUARTER, YEAR
from lanhmanh.core.uploads import UploadField
from lanhmanh.org.models import Agency, AgencyKind, UnitLevel
from lanhmanh.org.pickers import UnitPickerField, long_label
from lanhmanh.people.forms import DateInput, style
from lanhmanh.people.models import EventRole, LegalAct
from lanhmanh.premises.attachments import ATTACHMENT
from lanhmanh.premises.models import (
    AttachmentKind,
    BusinessAct,
    CheckResult,
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    Licence,
    LookupPurpose,
    Measure,
    OwnerType,
    RevocationAnswer,
)
from lanhmanh.premises.services import AUTHORITY_KINDS, place_paths

TEAM_AGENCY_KINDS = (
    AgencyKind.POLICE,
    AgencyKind.DISTRICT_LABOUR,
    AgencyKind.COMMUNE_SOCIAL,
    AgencyKind.DOLISA,
    AgencyKind.SUB_DEPARTMENT,
    AgencyKind.DOLISA_INSPECTORATE,
    AgencyKind.CULTURE,
    AgencyKind.HEALTH,
    AgencyKind.TRADE,
    AgencyKind.PEOPLES_COMMITTEE,
    AgencyKind.WOMENS_UNION,
)


class FilterForm(TextGuardMixin, forms.Form):
    q = forms.CharField(label=_("Tên, địa chỉ"), required=False, max_length=100)
    kind = forms.ModelChoiceField(
        label=_("Loại hình"), queryset=EstablishmentKind.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), choices=[("", "—"), *EstablishmentStatus.choices], required=False
    )
    field_order = ["q", "kind", "unit", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        # The units one level below the user's (a city's districts, a district's communes), from the
        # shared cached picker; a commune officer filters nothing.
        root = user.jurisdiction_path
        self.fields["unit"] = UnitPickerField(
            root_path=root, levels=(root.count(".") + 2,), label=_("Địa bàn"), required=False
        )
        self.order_fields(self.field_order)
        style(self)


class EstablishmentForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Establishment
        fields = [
            "kind",
            "name",
            "address",
            "unit",
            "registration_number",
            "owner_type",
            "owner_name",
            "owner_id_number",
            "organisation_name",
            "opening_hours",
            "rooms",
            "capacity",
            "opened_on",
            "closed_on",
            "status",
        ]
        widgets = {
            "opened_on": DateInput(),
            "closed_on": DateInput(),
            "owner_name": forms.TextInput(),
            "owner_id_number": forms.TextInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The communes of the user's jurisdiction (every version of the tree: a place registered in a
        # 2014 ward stays editable), named with their district and city, from the shared cached picker.
        unit = self.fields["unit"]
        self.fields["unit"] = UnitPickerField(
            root_path=user.jurisdiction_path,
            levels=(UnitLevel.COMMUNE,),
            long_labels=True,
            label=unit.label,
            help_text=unit.help_text,
        )
        self._keep_unit_of_reach(self.instance.unit if self.instance.unit_id else None)
        self.fields["kind"].queryset = EstablishmentKind.objects.filter(active=True)
        self.fields["owner_name"].max_length = 120
        self.fields["owner_id_number"].max_length = 20
        style(self)

    def _keep_unit_of_reach(self, current) -> None:
        """An establishment of a pre-reform commune that a two-level ward of the user was made from stays
        editable where it is registered: its commune is offered besides the user's own."""
        picker = self.fields["unit"]
        if current is None or current.pk in picker.allowed:
            return
        picker.choices = [(current.pk, long_label(current)), *picker.choices]
        picker.allowed = picker.allowed | {current.pk}
        picker.widget.options = picker.choices


class LicenceForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["kind", "number", "issuer", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class PlanForm(TextGuardMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Đội kiểm tra"), queryset=Agency.objects.none())
    period_id = forms.CharField(label=_("Kỳ kế hoạch"), max_length=20)
    quota = forms.IntegerField(label=_("Số cơ sở phải kiểm tra"), min_value=1, max_value=10000)
    random_share = forms.IntegerField(
        label=_("Tỷ lệ chọn ngẫu nhiên (%)"), min_value=0, max_value=100, initial=20
    )
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, teams=None, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        # A year, six months or quarter chosen from a list (the plan's year first), never typed as a code.
        self.fields["period_id"].widget = PeriodSelect(
            years=(year, year - 1, year + 1), kinds=(YEAR, HALF, QUARTER)
        )
        style(self)


class InspectionForm(TextGuardMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Đội kiểm tra"), queryset=Agency.objects.none())
    started_at = forms.DateTimeField(
        label=_("Thời gian bắt đầu"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    leader_name = forms.CharField(label=_("Trưởng đoàn (họ tên, chức vụ)"), max_length=120)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Cơ quan tham gia đoàn"),
        queryset=Agency.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    confirm_few_agencies = forms.BooleanField(label=_("Xác nhận đoàn ít hơn 3 cơ quan"), required=False)
    members = forms.CharField(
        label=_("Thành viên đoàn"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    people_present = forms.IntegerField(
        label=_("Số người có mặt tại cơ sở"), min_value=0, max_value=10000, initial=0
    )
    findings = forms.CharField(
        label=_("Kết quả kiểm tra, vi phạm phát hiện"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    violation_found = forms.BooleanField(label=_("Phát hiện vi phạm"), required=False)
    follow_up = forms.CharField(
        label=_("Kiến nghị, biện pháp tiếp theo"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_due = forms.DateField(label=_("Hạn thực hiện kiến nghị"), required=False, widget=DateInput())

    def __init__(self, *args, teams=None, establishment=None, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        # Agencies of the establishment's commune, district and city, and of the ward of today's map a
        # pre-reform commune became (the team's members come from them).
        self.fields["agencies"].queryset = (
            Agency.objects.filter(unit__path__in=place_paths(establishment.unit), kind__in=TEAM_AGENCY_KINDS)
            .select_related("unit")
            .order_by("unit__path", "kind")
        )
        self.checklist = list(checklist)
        for item in self.checklist:
            self.fields[f"check_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=[("ok", _("Đạt")), ("violation", _("Vi phạm")), ("na", _("Không áp dụng"))],
                initial="ok",
            )
        style(self)

    def checklist_values(self) -> dict:
        return {item.code: self.cleaned_data[f"check_{item.pk}"] for item in self.checklist}


class PersonFoundForm(TextGuardMixin, forms.Form):
    person_id = forms.IntegerField(label=_("Mã hồ sơ người vi phạm (đã có)"), required=False, min_value=1)
    full_name = forms.CharField(label=_("Họ và tên (hồ sơ mới)"), required=False, max_length=120)
    birth_date = forms.DateField(label=_("Ngày sinh"), required=False, widget=DateInput())
    sex = forms.ChoiceField(
        label=_("Giới tính"), choices=[("female", _("Nữ")), ("male", _("Nam"))], required=False
    )
    id_number = forms.CharField(label=_("Số CMND/CCCD"), required=False, max_length=20)
    act = forms.ModelChoiceField(label=_("Hành vi vi phạm"), queryset=None)
    role = forms.ChoiceField(label=_("Vai trò"), choices=())
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, day=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["act"].queryset = LegalAct.objects.in_force_on(day) if day else LegalAct.objects.all()
        self.fields["role"].choices = EventRole.choices
        style(self)

    def clean(self):
        data = super().clean()
        if not data.get("person_id") and not (data.get("full_name") and data.get("birth_date")):
            raise forms.ValidationError(_("Nhập mã hồ sơ đã có, hoặc họ tên và ngày sinh để lập hồ sơ mới."))
        return data


class AttachmentForm(TextGuardMixin, forms.Form):
    """A photo or a scan of the signed minutes attached to an inspection (checked by ``core.uploads``)."""

    file = UploadField(
        purpose=ATTACHMENT,
        label=_("Tệp (ảnh JPEG, PNG, WebP hoặc bản chụp PDF, tối đa 10 MB)"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=AttachmentKind.choices)
    caption = forms.CharField(label=_("Mô tả"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class SanctionProposalForm(TextGuardMixin, forms.Form):
    act = forms.ModelChoiceField(label=_("Hành vi vi phạm"), queryset=BusinessAct.objects.all())
    offender_type = forms.ChoiceField(label=_("Đối tượng bị xử phạt"), choices=OwnerType.choices)
    occurred_on = forms.DateField(label=_("Ngày vi phạm"), widget=DateInput())
    proposed_amount = forms.IntegerField(
        label=_("Số tiền đề nghị phạt (đồng)"), min_value=0, max_value=10**12
    )
    proposed_measure = forms.ChoiceField(label=_("Hình thức bổ sung đề nghị"), choices=Measure.choices)
    proposal_note = forms.CharField(
        label=_("Nội dung đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act"].widget.attrs["data-searchable"] = ""  # typed ahead, however short the list
        self.fields["act"].label_from_instance = lambda a: (
            f"{a.reference} — {a.wording}"
            + ("" if a.verified else f" ({_('nguồn: chưa đối chiếu văn bản gốc')})")
        )
        style(self)


class SanctionDecisionForm(TextGuardMixin, forms.Form):
    authority = forms.ModelChoiceField(label=_("Cơ quan ra quyết định"), queryset=Agency.objects.none())
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=120, required=False)
    amount = forms.IntegerField(label=_("Số tiền phạt (đồng)"), min_value=0, max_value=10**12)
    measure = forms.ChoiceField(label=_("Hình thức bổ sung"), choices=Measure.choices)
    suspension_months = forms.IntegerField(
        label=_("Thời hạn đình chỉ (tháng)"), required=False, min_value=1, max_value=24
    )

    def __init__(self, *args, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["authority"].queryset = Agency.objects.filter(
            unit__path__in=place_paths(establishment.unit), kind__in=AUTHORITY_KINDS
        )
        style(self)


class EnforceForm(TextGuardMixin, forms.Form):
    enforced_on = forms.DateField(label=_("Ngày thi hành xong"), widget=DateInput())
    fine_paid = forms.BooleanField(label=_("Đã nộp phạt"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class RevocationAnswerForm(TextGuardMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Trả lời"), choices=[c for c in RevocationAnswer.choices if c[0] != "pending"]
    )
    answered_on = forms.DateField(label=_("Ngày trả lời"), widget=DateInput())
    answer_note = forms.CharField(
        label=_("Nội dung trả lời"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class PoliceCheckForm(TextGuardMixin, forms.Form):
    establishment = forms.IntegerField(
        label=_("Mã cơ sở"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    checked_on = forms.DateField(label=_("Ngày kiểm tra"), widget=DateInput())
    result = forms.ChoiceField(label=_("Kết quả"), choices=CheckResult.choices, widget=forms.RadioSelect)
    people_checked = forms.IntegerField(
        label=_("Số người được kiểm tra"),
        min_value=0,
        max_value=1000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["result"].widget.attrs["class"] = "form-check-input"


class HealthCheckForm(TextGuardMixin, forms.Form):
    checked_on = forms.DateField(label=_("Ngày kiểm tra"), widget=DateInput())
    compliant = forms.BooleanField(label=_("Đạt quy định chuyên môn y tế"), required=False)
    staff_certified = forms.IntegerField(
        label=_("Số nhân viên có chứng chỉ"), min_value=0, max_value=1000, initial=0
    )
    condoms_supplied = forms.IntegerField(
        label=_("Số bao cao su cấp phát"), min_value=0, max_value=1_000_000, initial=0
    )
    in_condom_programme = forms.BooleanField(label=_("Tham gia chương trình 100% bao cao su"), required=False)
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class EligibilityForm(TextGuardMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Mục đích tra cứu"), choices=LookupPurpose.choices)
    detail = forms.CharField(label=_("Ghi rõ (số hồ sơ đề nghị cấp phép…)"), required=False, max_length=300)
    owner_name = forms.CharField(label=_("Họ tên người đề nghị cấp phép"), required=False, max_length=120)
    owner_id_number = forms.CharField(label=_("Số CMND/CCCD"), required=False, max_length=20)
    registration_number = forms.CharField(
        label=_("Hoặc số đăng ký kinh doanh"), required=False, max_length=40
    )
    address = forms.CharField(label=_("Địa chỉ cơ sở đề nghị cấp phép"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class ImportUploadForm(TextGuardMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
