from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import DateInput, TextGuardMixin
from lanhmanh.core.uploads import UploadField
from lanhmanh.indicators.evaluation import has_source
from lanhmanh.indicators.models import IndicatorKind
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.plans.evidence import EVIDENCE
from lanhmanh.plans.models import STORED_STATUSES, Activity, BudgetLine, Plan, Target, TaskStatus

NEGATIVE = _("Số người tham dự không được âm.")
FUTURE = _("Ngày tổ chức không được ở tương lai.")


class TaskUpdateForm(TextGuardMixin, forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=[(s.value, s.label) for s in STORED_STATUSES])
    evidence_note = forms.CharField(
        label=_("Kết quả, minh chứng"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    evidence_link = forms.CharField(label=_("Liên kết đến hồ sơ"), max_length=500, required=False)
    evidence_file = UploadField(
        purpose=EVIDENCE,
        label=_("Tệp minh chứng"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, ODT/ODS hoặc ảnh JPEG/PNG/WebP; tối đa 10 MB."),
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == TaskStatus.DONE and not (
            (data.get("evidence_note") or "").strip()
            or data.get("evidence_link")
            or data.get("evidence_file")
        ):
            self.add_error("evidence_note", _("Công việc đã hoàn thành cần có kết quả hoặc minh chứng."))
        return data


class ActivityForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "held_on",
            "unit",
            "audience",
            "participants_male",
            "participants_female",
            "materials",
            "materials_note",
        ]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = AdministrativeUnit.objects.subtree(user.jurisdiction_path)
        self.fields["unit"].initial = user.unit.pk
        for name in ("participants_male", "participants_female", "materials"):
            self.fields[name].min_value = None
            self.fields[name].validators = []
            self.fields[name].widget.attrs["min"] = 0

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(FUTURE)
        return day

    def _not_negative(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value < 0:
            raise forms.ValidationError(
                NEGATIVE if name.startswith("participants") else _("Số tài liệu không được âm.")
            )
        return value

    def clean_participants_male(self):
        return self._not_negative("participants_male")

    def clean_participants_female(self):
        return self._not_negative("participants_female")

    def clean_materials(self):
        return self._not_negative("materials")


class BudgetLineForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["title", "activity", "recorded_on", "allocated", "disbursed", "spent"]
        widgets = {"recorded_on": DateInput()}

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.instance.agency = user.agency
        self.fields["activity"].queryset = Activity.objects.filter(
            organiser=user.agency, held_on__year=plan.year
        ).order_by("-held_on")
        self.fields["activity"].required = False
        for name in ("allocated", "disbursed", "spent"):
            self.fields[name].widget.attrs["min"] = 0


class PlanCopyForm(TextGuardMixin, forms.Form):
    """The year (and optionally the number and date) of the plan a copy starts."""

    year = forms.IntegerField(
        label=_("Năm của kế hoạch mới"),
        error_messages={
            "invalid": _("Năm của kế hoạch mới phải là một số, ví dụ 2015."),
            "required": _("Cần nêu năm của kế hoạch mới."),
        },
    )
    number = forms.CharField(label=_("Số hiệu"), max_length=60, required=False)
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["year"].initial = plan.year + 1

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year <= self.plan.year:
            raise forms.ValidationError(
                _("Năm của kế hoạch mới (%(year)s) phải sau năm %(old)s của kế hoạch gốc.")
                % {"year": year, "old": self.plan.year}
            )
        if year > 2100:
            raise forms.ValidationError(_("Năm không hợp lệ (tối đa 2100)."))
        if Plan.objects.filter(copied_from=self.plan, year=year).exists():
            raise forms.ValidationError(_("Kế hoạch này đã được sao sang năm %(year)s.") % {"year": year})
        # Another plan of the same area and year (the service checks it again, inside its transaction).
        clash = Plan.objects.filter(year=year, scope_unit__path=self.plan.scope_unit.path).first()
        if clash is not None:
            raise forms.ValidationError(
                _("Năm %(year)s đã có kế hoạch “%(title)s”: sửa kế hoạch đó, không sao chép đè.")
                % {"year": year, "title": clash.title}
            )
        return year

    def clean_issued_on(self):
        day = self.cleaned_data.get("issued_on")
        year = self.cleaned_data.get("year")
        if day and year and day.year > year:
            raise forms.ValidationError(_("Ngày ban hành không được sau năm của kế hoạch."))
        return day


class TargetForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "title",
            "kind",
            "indicator",
            "value",
            "second_indicator",
            "second_value",
            "min_value",
            "max_value",
            "lead_agencies",
            "supporting_agencies",
            "note",
        ]
        widgets = {"title": forms.Textarea(attrs={"rows": 3}), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(unit=self.instance.plan.scope_unit).order_by("name")
        self.fields["lead_agencies"].queryset = agencies
        self.fields["supporting_agencies"].queryset = agencies
        self.fields["lead_agencies"].error_messages["required"] = _(
            "Chỉ tiêu cần ít nhất một cơ quan chủ trì."
        )
        for name in ("value", "second_value", "min_value", "max_value"):
            self.fields[name].widget.attrs["min"] = 0
        for name in ("indicator", "second_indicator"):
            self.fields[name].label_from_instance = _indicator_label

    def _sourced(self, name: str):
        indicator = self.cleaned_data.get(name)
        unchanged = indicator is not None and indicator.pk == getattr(self.instance, f"{name}_id", None)
        if indicator is not None and not unchanged and not has_source(indicator):
            raise forms.ValidationError(NO_SOURCE % {"indicator": f"{indicator.name} ({indicator.code})"})
        return indicator

    def clean_indicator(self):
        return self._sourced("indicator")

    def clean_second_indicator(self):
        return self._sourced("second_indicator")


NO_SOURCE = _(
    "Chỉ số “%(indicator)s” chưa có nguồn số liệu (chưa có sổ theo dõi nào tính ra, cũng chưa có biểu mẫu "
    "báo cáo nào có chỉ số này), nên chỉ tiêu sẽ không theo dõi được. Hãy chọn chỉ số khác."
)


def _indicator_label(indicator) -> str:
    if not has_source(indicator):
        note = _("chưa có nguồn số liệu")
    elif indicator.kind == IndicatorKind.REPORTED:
        note = _("theo báo cáo")
    else:
        note = indicator.get_kind_display().lower()
    return f"{indicator.name} ({indicator.code}) — {note}"


DROP = "bo"
# Bodies the 2025 reform abolished → the kind of body on the new map that took their work over (offered
# first): a district labour office's tasks go to a commune's culture–social office.
TAKEN_OVER_BY = {AgencyKind.DISTRICT_LABOUR: AgencyKind.COMMUNE_SOCIAL}


class GapResolveForm(forms.Form):
    """Where an item of a copied plan goes: a unit (or an agency) valid in the new plan's year, or dropped."""

    choice = forms.ChoiceField(label=_("Chuyển sang"))

    def __init__(self, *args, gap, **kwargs):
        super().__init__(*args, **kwargs)
        self.gap = gap
        plan = gap.plan
        day = dt.date(plan.year, 1, 1)
        units = AdministrativeUnit.objects.subtree(plan.scope_unit).valid_on(day).order_by("path")
        if gap.wants_agency:
            kind = gap.old_agency.kind if gap.old_agency_id else None
            agencies = Agency.objects.filter(active=True, unit__in=units).select_related("unit")
            # The same kind of body on the new map; a kind the reform abolished (the district labour
            # office) offers every body, so the coordinator picks who took the work over.
            kind = TAKEN_OVER_BY.get(kind, kind)
            if kind and agencies.filter(kind=kind).exists():
                agencies = agencies.filter(kind=kind)
            options = [(f"a{a.pk}", a.name) for a in agencies.order_by("unit__path", "name")]
        else:
            below = units.exclude(pk=plan.scope_unit_id)
            options = [(f"u{u.pk}", u.full_name) for u in below]
        self.fields["choice"].choices = [
            ("", _("— chọn —")),
            *options,
            (DROP, _("Bỏ, không chuyển sang năm mới")),
        ]
        self.fields["choice"].error_messages["invalid_choice"] = _(
            "Đơn vị, cơ quan đã chọn không có trên bản đồ hành chính năm %(year)s của kế hoạch."
        ) % {"year": plan.year}
        self.fields["choice"].error_messages["required"] = _(
            "Chọn nơi chuyển mục “%(label)s”, hoặc chọn bỏ."
        ) % {"label": gap.label}

    def resolved(self) -> dict:
        choice = self.cleaned_data["choice"]
        if choice == DROP:
            return {"drop": True}
        pk = int(choice[1:])
        if choice.startswith("a"):
            return {"agency": Agency.objects.select_related("unit").get(pk=pk)}
        return {"unit": AdministrativeUnit.objects.get(pk=pk)}
