from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.models import STORED_STATUSES, Activity, BudgetLine, TaskStatus

NEGATIVE = _("Số người tham dự không được âm.")
FUTURE = _("Ngày tổ chức không được ở tương lai.")


class TaskUpdateForm(forms.Form):
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


class ActivityForm(forms.ModelForm):
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
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

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


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["title", "activity", "recorded_on", "allocated", "disbursed", "spent"]
        widgets = {"recorded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

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
