"""Input forms: one section of a report, the decisions of the approver, an ad hoc request."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import DateInput, PeriodSelect, TextGuardMixin
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.reporting.models import FormField, ReportForm, SubmissionValue
from lanhmanh.reporting.validation import format_number


class SectionForm(TextGuardMixin, forms.Form):
    """The fields of one section: a value each, a correction reason for computed ones, a confirmation box."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reopen_reason = forms.CharField(
        label=_("Lý do sửa báo cáo đã duyệt"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fields: list[FormField], values: dict, needs_reopen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.report_fields = fields
        self.values = values
        if not needs_reopen:
            del self.fields["reopen_reason"]
        for f in fields:
            value = values.get(f.code)
            if f.is_number:
                self.fields[f.code] = forms.CharField(
                    label=f.label,
                    required=False,
                    initial=format_number(value.number) if value else "",
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "form-control text-end"}),
                    help_text=f.help_text,
                )
                if f.is_computed:
                    self.fields[f"{f.code}__reason"] = forms.CharField(
                        label=_("Lý do điều chỉnh"),
                        required=False,
                        max_length=SubmissionValue._meta.get_field("correction_reason").max_length,
                        initial=value.correction_reason if value else "",
                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                    )
                if f.plausible_max is not None:
                    self.fields[f"{f.code}__confirm"] = forms.BooleanField(
                        label=_("Xác nhận số liệu lớn"), required=False
                    )
            else:
                self.fields[f.code] = forms.CharField(
                    label=f.label,
                    required=False,
                    initial=value.text if value else "",
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                )

    def rows(self):
        """(field, value, bound input, reason input, confirm input) for the template."""
        for f in self.report_fields:
            yield (
                f,
                self.values.get(f.code),
                self[f.code],
                self[f"{f.code}__reason"] if f"{f.code}__reason" in self.fields else None,
                self[f"{f.code}__confirm"] if f"{f.code}__confirm" in self.fields else None,
            )

    def payload(self) -> tuple[dict, dict, set]:
        data = self.cleaned_data
        values = {f.code: data.get(f.code, "") for f in self.report_fields}
        reasons = {f.code: data.get(f"{f.code}__reason", "") for f in self.report_fields if f.is_computed}
        confirmed = {f.code for f in self.report_fields if data.get(f"{f.code}__confirm")}
        return values, reasons, confirmed


class OpenReportForm(TextGuardMixin, forms.Form):
    form = forms.ModelChoiceField(
        label=_("Biểu mẫu"),
        queryset=ReportForm.objects.none(),
        to_field_name="code",
        error_messages={
            "invalid_choice": _("Biểu mẫu này không thuộc các báo cáo cơ quan của anh/chị phải lập."),
            "required": _("Chọn biểu mẫu báo cáo."),
        },
    )
    period_id = forms.CharField(label=_("Kỳ báo cáo"), max_length=20)

    def __init__(self, *args, forms_qs=None, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if forms_qs is not None:
            self.fields["form"].queryset = forms_qs
        self.fields["form"].widget.attrs["class"] = "form-select"
        # Chosen from a list (the plan's year first, the year before, the year after), never typed.
        year = year or dt.date.today().year
        self.fields["period_id"].widget = PeriodSelect(years=(year, year - 1, year + 1))


class SubmitForm(TextGuardMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Giải trình (nếu có)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(TextGuardMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Ý kiến (bắt buộc khi trả lại)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeriodOrSpanForm(forms.Form):
    """A report period chosen from a list (months, quarters, six months and years of the plan's year and the
    years around it), or a span of days by its two dates: never a code typed by hand."""

    period_id = forms.CharField(
        label=_("Kỳ số liệu"),
        max_length=20,
        required=False,
        help_text=_("Chọn một tháng, quý, 6 tháng hoặc năm; hoặc nhập “Từ ngày” và “Đến ngày” bên dưới."),
    )
    starts_on = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())

    def period_choices(self, year: int | None) -> None:
        year = year or dt.date.today().year
        self.fields["period_id"].widget = PeriodSelect(years=(year, year - 1, year + 1))

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts or ends:
            if not (starts and ends):
                self.add_error("ends_on" if starts else "starts_on", _("Nhập cả “Từ ngày” và “Đến ngày”."))
            elif ends < starts:
                self.add_error("ends_on", _("“Đến ngày” phải bằng hoặc sau “Từ ngày”."))
            elif data.get("period_id"):
                self.add_error("period_id", _("Chọn một kỳ hoặc nhập từ ngày – đến ngày, không cả hai."))
            else:
                data["period_id"] = f"{starts:%Y%m%d}-{ends:%Y%m%d}"
        elif not data.get("period_id") and "period_id" not in self.errors:
            self.add_error("period_id", _("Chọn kỳ số liệu, hoặc nhập từ ngày – đến ngày."))
        return data


class AdHocRequestForm(TextGuardMixin, PeriodOrSpanForm):
    field_order = ("form", "title", "period_id", "starts_on", "ends_on", "due_date", "units")

    form = forms.ModelChoiceField(
        label=_("Biểu mẫu"), queryset=ReportForm.objects.filter(periodicity="adhoc", active=True)
    )
    title = forms.CharField(label=_("Nội dung yêu cầu"), max_length=255)
    due_date = forms.DateField(label=_("Hạn nộp"), widget=DateInput())
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị được yêu cầu"),
        queryset=AdministrativeUnit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args, user, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period_choices(year)
        self.fields["units"].queryset = (
            # The units one step below, in the version of the tree valid today (2026: communes under
            # the city; 2014: districts).
            AdministrativeUnit.objects.filter(parent=user.unit)
            .valid_on(timezone.localdate())
            .order_by("path")
        )
        # Forms the units below fill in (the city's own answers to requests from above are not asked down).
        self.fields["form"].queryset = self.fields["form"].queryset.filter(
            submitter_level__gt=user.unit.level
        )


class UpwardRequestForm(TextGuardMixin, PeriodOrSpanForm):
    """A request from above recorded by the city coordinator: who asked, their document, what, by when."""

    issuer = forms.ChoiceField(label=_("Cơ quan cấp trên yêu cầu"))
    reference = forms.CharField(
        label=_("Số, ký hiệu văn bản yêu cầu"),
        max_length=100,
        required=False,
        help_text=_("Ví dụ: 1234/LĐTBXH-PCTNXH."),
    )
    title = forms.CharField(label=_("Nội dung yêu cầu"), max_length=255)
    form = forms.ModelChoiceField(
        label=_("Biểu mẫu trả lời"), queryset=ReportForm.objects.none(), empty_label=None
    )
    due_date = forms.DateField(label=_("Hạn nộp"), widget=DateInput())

    field_order = ("issuer", "reference", "title", "form", "period_id", "starts_on", "ends_on", "due_date")

    def __init__(self, *args, user, issuers, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period_choices(year)
        self.fields["issuer"].choices = [(i, i) for i in issuers]
        self.fields["form"].queryset = ReportForm.objects.filter(
            periodicity="adhoc",
            active=True,
            submitter_level=user.unit.level,
            submitter_agency_kind=user.agency.kind,
        ).order_by("code")
