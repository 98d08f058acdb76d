from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import DateInput, TextGuardMixin
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import STORED_STATUSES, Activity, BudgetLine, Plan, Target, TaskStatus

NEGATIVE = _("Số người tham dự không được âm.")
FUTURE = _("Ngày tổ chức không được ở tương lai.")


class TaskUpdateForm(TextGuardMixin, forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=[(s.value, s.label) for s in STORED_STATUSES])
    evidence_note = forms.CharField(
        label=_("Kết quả, minh chứng"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    evidence_link = forms.CharField(label=_("Liên kết đến hồ sơ"), max_length=500, required=False)
    evidence_file = forms.FileField(label=_("Tệp minh chứng"), required=False)

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
