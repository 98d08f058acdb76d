"""Forms of the communes app: the score sheets (one field group per item), the review, templates,
model communes. Scores are checked again by the services (points of the item), which name the item."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from lanhmanh.communes.evidence import EVIDENCE
from lanhmanh.communes.models import Classification, CriterionItem, ProposalRule, StatisticsLayout
from lanhmanh.core.forms import DateInput, TextGuardMixin
from lanhmanh.core.uploads import UploadField

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _score_field(label, required=False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "size": 5, "class": "form-control form-control-sm"}
        ),
    )


class SelfAssessmentForm(TextGuardMixin, forms.Form):
    """The commune's scores, evidence and links, item by item."""

    summary = forms.CharField(
        label=_("Nhận xét chung của xã"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for a in self.answers:
            code = a.item.code
            self.fields[f"score_{a.item_id}"] = _score_field(_("Điểm tiêu chí %(code)s") % {"code": code})
            self.fields[f"evidence_{a.item_id}"] = forms.CharField(
                label=_("Minh chứng tiêu chí %(code)s") % {"code": code},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )
            self.fields[f"links_{a.item_id}"] = forms.CharField(
                label=_("Liên kết hồ sơ tiêu chí %(code)s") % {"code": code},
                required=False,
                max_length=2000,
                help_text=_("Mỗi dòng một địa chỉ (trang hồ sơ trong hệ thống hoặc tài liệu)."),
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
            )
            if not self.is_bound:
                self.initial[f"score_{a.item_id}"] = (
                    "" if a.self_score is None else f"{a.self_score.normalize():f}"
                )
                self.initial[f"evidence_{a.item_id}"] = a.evidence
                self.initial[f"links_{a.item_id}"] = a.links

    def answers_data(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            a.item_id: {
                "score": data.get(f"score_{a.item_id}"),
                "evidence": data.get(f"evidence_{a.item_id}", ""),
                "links": data.get(f"links_{a.item_id}", ""),
            }
            for a in self.answers
        }


class ReviewForm(TextGuardMixin, forms.Form):
    """The district's scores (blank: keep the commune's) and reasons for every change."""

    note = forms.CharField(
        label=_("Kết luận phúc tra"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for a in self.answers:
            code = a.item.code
            self.fields[f"score_{a.item_id}"] = _score_field(
                _("Điểm phúc tra tiêu chí %(code)s") % {"code": code}
            )
            self.fields[f"reason_{a.item_id}"] = forms.CharField(
                label=_("Lý do điều chỉnh tiêu chí %(code)s") % {"code": code},
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def changes(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            a.item_id: {
                "score": data.get(f"score_{a.item_id}"),
                "reason": data.get(f"reason_{a.item_id}", ""),
            }
            for a in self.answers
            if (data.get(f"score_{a.item_id}") or "").strip()
        }


class EvidenceFileForm(TextGuardMixin, forms.Form):
    """One file of evidence for the assessment or one of its items (checked by ``core.uploads``)."""

    file = UploadField(
        purpose=EVIDENCE,
        label=_("Tệp minh chứng"),
        error_messages={"required": _("Chọn tệp minh chứng để tải lên.")},
        help_text=_(
            "Biên bản, ảnh, quyết định: PDF, Word, Excel, PowerPoint, ODT/ODS hoặc ảnh JPEG/PNG/WebP; tối đa 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}),
    )
    item = forms.TypedChoiceField(
        label=_("Minh chứng cho"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Chọn một tiêu chí của phiếu (hoặc “cả phiếu”).")},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    description = forms.CharField(
        label=_("Mô tả tệp"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {i.pk: i for i in items}
        self.fields["item"].choices = [("", _("Cả phiếu (minh chứng chung)"))] + [
            (i.pk, f"{i.code}. {i.text[:70]}") for i in items
        ]

    def chosen_item(self):
        return self.items.get(self.cleaned_data.get("item"))


class StatisticsLayoutForm(TextGuardMixin, forms.ModelForm):
    """A statistics layout, columns typed one per line as ``measure | heading``."""

    columns_text = forms.CharField(
        label=_("Các cột (mỗi dòng: mã số liệu | tên cột)"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 10, "class": "form-control font-monospace"}),
    )

    class Meta:
        model = StatisticsLayout
        fields = ["title", "subtitle", "form_number", "signer", "source", "verified", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, measures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = measures or {}
        if not self.is_bound:
            self.initial["columns_text"] = "\n".join(
                f"{c['key']} | {c['label']}" for c in self.instance.columns or []
            )
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_columns_text(self):
        columns = []
        errors = []
        lines = [line for line in self.cleaned_data["columns_text"].splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            key, _sep, label = (part.strip() for part in line.partition("|"))
            if key not in self.measures:
                errors.append(
                    forms.ValidationError(
                        _("Dòng %(n)s: “%(key)s” không phải là mã số liệu có sẵn (%(keys)s)."),
                        params={"n": number, "key": key[:40], "keys": ", ".join(self.measures)},
                    )
                )
            elif not label or len(label) > 200:
                errors.append(
                    forms.ValidationError(
                        _("Dòng %(n)s: tên cột phải có và không quá 200 ký tự."), params={"n": number}
                    )
                )
            else:
                columns.append({"key": key, "label": label})
        if errors:
            raise forms.ValidationError(errors)
        if not 2 <= len(columns) <= 20:
            raise forms.ValidationError(_("Biểu phải có từ 2 đến 20 cột."))
        return columns


class OpenAssessmentForm(TextGuardMixin, forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)


class ReasonForm(TextGuardMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ItemForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = CriterionItem
        fields = ["text", "points", "mandatory", "source", "verified", "indicator_code", "rule", "threshold"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = ProposalRule.choices
        self.fields["rule"].required = False
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ClassificationForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Classification
        fields = ["name", "min_score", "needs_mandatory"]


class DesignateForm(TextGuardMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Xã, phường, thị trấn"), queryset=None)
    designated_on = forms.DateField(
        label=_("Ngày chỉ định"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 15/01/2014.")},
        widget=DateInput(),
    )
    decision = forms.CharField(label=_("Văn bản chỉ định"), required=False, max_length=300)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.full_name} ({u.parent.full_name})"
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "Chọn một xã, phường, thị trấn trong danh sách."
        )
        self.fields["unit"].error_messages["required"] = _("Chọn xã, phường, thị trấn.")


class EvaluationForm(TextGuardMixin, forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    kept = forms.TypedChoiceField(
        label=_("Kết quả"),
        choices=[("1", _("Duy trì được mô hình")), ("0", _("Không duy trì được mô hình"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("Nhận xét"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EndDesignationForm(TextGuardMixin, forms.Form):
    ended_on = forms.DateField(
        label=_("Ngày thôi"),
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 15/01/2014.")},
        widget=DateInput(),
    )
    reason = forms.CharField(label=_("Lý do thôi chỉ định"), max_length=2000)


class ActivitiesForm(TextGuardMixin, forms.Form):
    activities = forms.ModelMultipleChoiceField(
        label=_("Hoạt động đã ghi nhận tại xã"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities
        self.fields["activities"].label_from_instance = lambda a: f"{a.held_on:%d/%m/%Y} – {a.title}"


def this_year() -> int:
    return dt.date.today().year
