from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import DateInput, ListFilterForm, TextGuardMixin
from lanhmanh.core.uploads import UploadField
from lanhmanh.indicators.evaluation import has_source
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.org.pickers import UnitPickerField
from lanhmanh.plans.evidence import EVIDENCE
from lanhmanh.plans.models import (
    STORED_STATUSES,
    Activity,
    Allocation,
    AudienceGroup,
    BudgetLine,
    Channel,
    Duty,
    FundingSource,
    Plan,
    Target,
    TaskStatus,
)

NEGATIVE = _("Số người tham dự không được âm.")
FUTURE = _("Ngày tổ chức không được ở tương lai.")


class TaskFilterForm(ListFilterForm):
    """Filters of the task list: words of the title, state, plan and (for the coordinator) the agency."""

    q = forms.CharField(label=_("Tìm theo tên công việc"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *TaskStatus.choices]
    )
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch"), required=False, queryset=Plan.objects.none(), empty_label=_("Tất cả")
    )
    owner = forms.ModelChoiceField(
        label=_("Cơ quan thực hiện"), required=False, queryset=Agency.objects.none(), empty_label=_("Tất cả")
    )

    def __init__(self, data=None, *, plans, owners):
        super().__init__(data)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda plan: f"{plan.year}: {plan.title}"
        self.fields["owner"].queryset = owners

    def apply(self, tasks):
        values = self.values()
        if values.get("q"):
            tasks = tasks.filter(title__icontains=values["q"])
        if values.get("state"):
            tasks = tasks.filter(state=values["state"])
        if values.get("plan"):
            tasks = tasks.filter(duty__plan=values["plan"])
        if values.get("owner"):
            tasks = tasks.filter(owner=values["owner"])
        return tasks


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
            "plan",
            "duty",
            "kind",
            "title",
            "held_on",
            "unit",
            "audience_groups",
            "channel",
            "audience",
            "participants_male",
            "participants_female",
            "materials",
            "materials_note",
        ]
        widgets = {"held_on": DateInput(), "audience_groups": forms.CheckboxSelectMultiple}
        labels = {"audience": _("Mô tả thêm về người tham dự")}

    def __init__(self, *args, user, plans, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = AdministrativeUnit.objects.subtree(user.jurisdiction_path)
        self.fields["unit"].initial = user.unit.pk
        self.fields["plan"].queryset = plans
        self.fields["plan"].required = False  # the plan of the year unless another is chosen
        self.fields["plan"].empty_label = None
        self.default_plan = plan
        if plan is not None:
            self.fields["plan"].initial = plan.pk
        self.fields["channel"].required = False
        self.fields["duty"].queryset = duties_of(plans, user)
        self.fields["duty"].label_from_instance = duty_label
        self.fields["duty"].help_text = _(
            "Nhiệm vụ của kế hoạch mà hoạt động này thực hiện (không bắt buộc)."
        )
        groups = AudienceGroup.objects.filter(active=True)
        self.fields["audience_groups"].queryset = groups
        self.fields["audience_groups"].label_from_instance = lambda group: (
            f"{group.name} ({_('nhóm ưu tiên')})" if group.priority else group.name
        )
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

    def clean_plan(self):
        return self.cleaned_data.get("plan") or self.default_plan

    def clean_channel(self):
        return self.cleaned_data.get("channel") or Channel.DIRECT

    def clean(self):
        data = super().clean()
        plan, duty, day = data.get("plan"), data.get("duty"), data.get("held_on")
        if plan and duty and duty.plan_id != plan.pk:
            self.add_error("duty", _("Nhiệm vụ này thuộc kế hoạch khác, không thuộc kế hoạch đã chọn."))
        if plan and day and day.year != plan.year:
            self.add_error(
                "held_on",
                _("Ngày tổ chức (%(day)s) không thuộc năm %(year)s của kế hoạch.")
                % {"day": day.strftime("%d/%m/%Y"), "year": plan.year},
            )
        return data

    def clean_participants_male(self):
        return self._not_negative("participants_male")

    def clean_participants_female(self):
        return self._not_negative("participants_female")

    def clean_materials(self):
        return self._not_negative("materials")


def duties_of(plans, user):
    """The duties of the given plans, the user's agency's own first, then by group and order."""
    own = Exists(Duty.agencies.through.objects.filter(duty_id=OuterRef("pk"), agency_id=user.agency_id))
    return (
        Duty.objects.filter(plan__in=plans).annotate(own=own).order_by("-own", "plan__year", "group", "order")
    )


def duty_label(duty: Duty) -> str:
    text = duty.text if len(duty.text) <= 110 else duty.text[:107].rstrip() + "…"
    return f"{duty.group}.{duty.order} {text}"


class BudgetLineForm(TextGuardMixin, forms.ModelForm):
    def clean_funding_source(self):
        return self.cleaned_data.get("funding_source") or FundingSource.CITY

    class Meta:
        model = BudgetLine
        fields = [
            "title",
            "funding_source",
            "allocation",
            "duty",
            "activity",
            "recorded_on",
            "allocated",
            "disbursed",
            "spent",
        ]
        widgets = {"recorded_on": DateInput()}

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.instance.agency = user.agency
        self.fields["activity"].queryset = Activity.objects.filter(
            organiser=user.agency, held_on__year=plan.year
        ).order_by("-held_on")
        self.fields["activity"].required = False
        self.fields["duty"].queryset = duties_of([plan], user)
        self.fields["duty"].label_from_instance = duty_label
        self.fields["funding_source"].required = False  # the city budget unless said otherwise
        self.fields["allocation"].queryset = Allocation.objects.filter(plan=plan, agency=user.agency)
        self.fields["allocation"].help_text = _(
            "Dòng kinh phí thuộc kế hoạch phân bổ nào (chỉ thêm được vào kế hoạch phân bổ đang lập)."
        )
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


class AllocationForm(TextGuardMixin, forms.Form):
    title = forms.CharField(
        label=_("Tên kế hoạch phân bổ"),
        max_length=300,
        error_messages={"required": _("Cần nêu tên kế hoạch phân bổ kinh phí.")},
    )


class AllocationDecisionForm(TextGuardMixin, forms.Form):
    """The People's Committee's answer to an allocation plan: approved by decision number and date, or
    returned with a reason."""

    APPROVE, RETURN = "approve", "return"
    decision = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[(APPROVE, _("Phê duyệt")), (RETURN, _("Trả lại để sửa"))],
        widget=forms.RadioSelect,
    )
    decision_number = forms.CharField(label=_("Số quyết định phê duyệt"), max_length=60, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False, widget=DateInput())
    return_reason = forms.CharField(
        label=_("Lý do trả lại"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE:
            if not (data.get("decision_number") or "").strip():
                self.add_error("decision_number", _("Cần ghi số quyết định phê duyệt, ví dụ 1234/QĐ-UBND."))
            if not data.get("decision_date"):
                self.add_error("decision_date", _("Cần ghi ngày của quyết định phê duyệt (dd/mm/yyyy)."))
            elif data["decision_date"] > timezone.localdate():
                self.add_error("decision_date", _("Ngày quyết định không được ở tương lai."))
        elif data.get("decision") == self.RETURN and not (data.get("return_reason") or "").strip():
            self.add_error("return_reason", _("Cần nêu lý do trả lại để cơ quan lập biết cần sửa gì."))
        return data


class DutyForm(TextGuardMixin, forms.Form):
    due_on = forms.DateField(label=_("Hạn hoàn thành"), required=False, widget=DateInput())
    targets = forms.ModelMultipleChoiceField(
        label=_("Phục vụ chỉ tiêu"),
        queryset=Target.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Chỉ số theo dõi thêm"),
        queryset=None,
        required=False,
        help_text=_("Ngoài chỉ số của các chỉ tiêu đã chọn."),
    )

    def __init__(self, *args, duty: Duty, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = duty.plan.targets.order_by("order")
        self.fields["targets"].label_from_instance = lambda t: f"{t.code} · {t.title[:90]}"
        self.fields["indicators"].queryset = Indicator.objects.order_by("name")
        self.initial.setdefault("due_on", duty.due_on)
        self.initial.setdefault("targets", list(duty.targets.all()))
        self.initial.setdefault("indicators", list(duty.indicators.all()))


class DistrictPlanForm(TextGuardMixin, forms.Form):
    """A district's plan under the city plan: the district (chosen by the coordinator; a district office
    plans for its own), the title, number and date of issue."""

    unit = forms.ModelChoiceField(label=_("Quận, huyện"), queryset=AdministrativeUnit.objects.none())
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300)
    number = forms.CharField(label=_("Số hiệu"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.full_name
        if units.count() == 1:
            self.initial.setdefault("unit", units.first())


class DistrictPlanEditForm(TextGuardMixin, forms.Form):
    """A district plan's title, number and date of issue, changed after it was issued."""

    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300)
    number = forms.CharField(label=_("Số hiệu"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DateInput())


class DistrictDutyForm(TextGuardMixin, forms.Form):
    text = forms.CharField(
        label=_("Nội dung nhiệm vụ"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Giao cho cơ quan"), queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("Hạn hoàn thành"), widget=DateInput())

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(unit=plan.scope_unit).order_by("name")


class TargetItemForm(TextGuardMixin, forms.Form):
    name = forms.CharField(label=_("Tên điểm, đơn vị"), max_length=300)

    def __init__(self, *args, target: Target, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(
            root_path=target.unit.path, long_labels=True, required=False, label=_("Thuộc đơn vị")
        )
