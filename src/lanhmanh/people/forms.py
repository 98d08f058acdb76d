"""Input forms of the registry (Vietnamese labels and messages)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.audit import Purpose
from lanhmanh.core.forms import DateInput, DateTimeInput, TextGuardMixin
from lanhmanh.core.text import normalise
from lanhmanh.org.levels import is_lowest
from lanhmanh.org.models import AdministrativeUnit, UnitLevel
from lanhmanh.org.pickers import UnitPickerField
from lanhmanh.people.models import EventRole, LegalAct, PaymentStatus, Person, SanctionKind

AMOUNT_MESSAGE = _(
    "Số tiền không hợp lệ: nhập số đồng, có thể dùng dấu chấm hoặc dấu phẩy ngăn cách hàng nghìn "
    "(ví dụ 1.000.000 hoặc 1,000,000)."
)
_AMOUNT = re.compile(r"^\d{1,3}([.,\s]\d{3})*$|^\d+$")


def parse_amount(text: str) -> int | None:
    """'1.000.000', '1,000,000', '1 000 000 đ' and '1000000' → 1000000; '' → None; anything else → ValueError."""
    cleaned = normalise(text).lower()
    for suffix in ("đồng", "vnđ", "vnd", "đ"):
        cleaned = cleaned.removesuffix(suffix).strip()
    if not cleaned:
        return None
    if not _AMOUNT.match(cleaned):
        raise ValueError(text)
    return int(re.sub(r"[.,\s]", "", cleaned))


class AmountField(forms.CharField):
    def to_python(self, value):
        try:
            return parse_amount(value or "")
        except ValueError:
            raise ValidationError(AMOUNT_MESSAGE, code="amount") from None


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        if obj.parent_id and is_lowest(obj.level):
            return f"{obj.full_name} ({obj.parent.full_name})"
        return obj.full_name


ALL_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


def unit_field(label, *, required=False) -> UnitPickerField:
    """Any unit of the tree, from the shared cached picker (``org.pickers``)."""
    return UnitPickerField(levels=ALL_LEVELS, required=required, label=label)


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (templates stay free of per-field markup)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class PersonForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "other_names",
            "sex",
            "birth_date",
            "birth_year",
            "id_number",
            "phone",
            "hometown_unit",
            "hometown_address",
            "permanent_unit",
            "permanent_address",
            "temporary_unit",
            "temporary_address",
            "notes",
        ]
        widgets = {
            "full_name": forms.TextInput(),
            "other_names": forms.TextInput(),
            "id_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "hometown_address": forms.TextInput(),
            "permanent_address": forms.TextInput(),
            "temporary_address": forms.TextInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "birth_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].required = False
        for name, label in (
            ("hometown_unit", _("Quê quán (đơn vị hành chính)")),
            ("permanent_unit", _("Nơi thường trú (xã, phường)")),
            ("temporary_unit", _("Nơi tạm trú (xã, phường)")),
        ):
            self.fields[name] = unit_field(label)
        # Suggestions of possibly the same person appear as the identity is typed.
        for name in ("full_name", "id_number", "birth_date", "birth_year"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("people:person_suggest"),
                    "hx-trigger": "change, keyup changed delay:500ms",
                    "hx-target": "#person-suggestions",
                    "hx-include": "#person-form",
                }
            )
        style(self)

    def clean(self):
        data = super().clean()
        if not data.get("birth_date") and not data.get("birth_year") and "birth_year" not in self.errors:
            self.add_error("birth_year", _("Nhập ngày sinh hoặc ít nhất năm sinh."))
        elif data.get("birth_date") and not data.get("birth_year"):
            self.instance.birth_year = data["birth_date"].year
        return data


class PurposeForm(TextGuardMixin, forms.Form):
    """The purpose stated before identities are shown. Nothing is preselected: the officer chooses."""

    purpose = forms.ChoiceField(
        label=_("Mục đích xem thông tin nhân thân"),
        choices=[("", _("— Chọn mục đích —")), *Purpose.choices],
        error_messages={"required": _("Chọn mục đích xem trước khi xem thông tin nhân thân.")},
    )
    detail = forms.CharField(label=_("Ghi rõ (bắt buộc khi chọn “Khác”)"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self):
        data = super().clean()
        data["detail"] = normalise(data.get("detail") or "")
        if data.get("purpose") == Purpose.OTHER and not data["detail"]:
            self.add_error("detail", _("Chọn “Khác” thì phải ghi rõ mục đích xem."))
        return data


class SearchForm(TextGuardMixin, forms.Form):
    id_number = forms.CharField(label=_("Số CMND/CCCD"), required=False, max_length=20)
    full_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=120)
    birth = forms.CharField(
        label=_("Ngày sinh hoặc năm sinh"),
        required=False,
        max_length=10,
        help_text=_("dd/mm/yyyy hoặc yyyy"),
    )

    def clean_birth(self):
        text = normalise(self.cleaned_data.get("birth"))
        if not text:
            return None
        if re.fullmatch(r"\d{4}", text):
            return int(text)
        try:
            return dt.datetime.strptime(text.replace("-", "/"), "%d/%m/%Y").date()
        except ValueError:
            raise ValidationError(_("Ngày sinh phải có dạng dd/mm/yyyy, hoặc chỉ năm sinh yyyy.")) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("id_number") and not (data.get("full_name") and data.get("birth")):
            raise ValidationError(_("Nhập số CMND/CCCD, hoặc họ và tên cùng ngày sinh (năm sinh)."))
        return data


class ViolationForm(TextGuardMixin, forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("Thời gian vi phạm"),
        widget=DateTimeInput(),
        input_formats=["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place_unit = forms.ModelChoiceField(queryset=AdministrativeUnit.objects.none(), label=_("Nơi vi phạm"))
    place_address = forms.CharField(label=_("Địa chỉ nơi vi phạm"), required=False, max_length=300)
    establishment_name = forms.CharField(label=_("Cơ sở kinh doanh (nếu có)"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Vai trò trong vụ việc"), choices=EventRole.choices)
    act = forms.ModelChoiceField(queryset=LegalAct.objects.all(), label=_("Hành vi vi phạm"))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    with_sanction = forms.BooleanField(label=_("Đã có quyết định xử phạt"), required=False)
    number = forms.CharField(label=_("Số quyết định"), required=False, max_length=60)
    decided_on = forms.DateField(label=_("Ngày ra quyết định"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("Hình thức xử phạt"), choices=SanctionKind.choices, required=False)
    amount = AmountField(label=_("Số tiền phạt (đồng)"), required=False)
    payment_status = forms.ChoiceField(
        label=_("Tình trạng nộp phạt"),
        choices=[
            (PaymentStatus.UNPAID, PaymentStatus.UNPAID.label),
            (PaymentStatus.PAID, PaymentStatus.PAID.label),
        ],
        required=False,
    )
    paid_on = forms.DateField(label=_("Ngày nộp phạt"), required=False, widget=DateInput())
    additional_measures = forms.CharField(label=_("Hình thức bổ sung"), required=False, max_length=500)

    SANCTION_FIELDS = (
        "number",
        "decided_on",
        "kind",
        "amount",
        "payment_status",
        "paid_on",
        "additional_measures",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place_unit"] = UnitPickerField(
            root_path=user.jurisdiction_path, levels=ALL_LEVELS, label=_("Nơi vi phạm (xã, phường)")
        )
        self.fields["act"].widget.attrs["data-searchable"] = ""  # typed ahead, however short the list
        self.fields["act"].label_from_instance = lambda act: (
            f"{act.wording} — {act.reference}"
            + ("" if act.verified else f" ({_('nguồn: chưa đối chiếu văn bản gốc')})")
        )
        style(self)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise ValidationError(_("Thời gian vi phạm không được ở tương lai."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("with_sanction"):
            for name in ("number", "decided_on", "kind"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Trường này bắt buộc khi đã có quyết định xử phạt."))
        return data

    def violation_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in (
                "occurred_at",
                "place_unit",
                "place_address",
                "establishment_name",
                "role",
                "act",
                "notes",
            )
        }
        if data.get("with_sanction"):
            kwargs["sanction"] = {name: data.get(name) for name in self.SANCTION_FIELDS}
            kwargs["sanction"]["additional_measures"] = data.get("additional_measures") or ""
            kwargs["sanction"]["payment_status"] = data.get("payment_status") or ""
        return kwargs


class ImportUploadForm(TextGuardMixin, forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx)"),
        help_text=_("Dùng mẫu tải về; tối đa 10.000 dòng, 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={
            "required": _("Chọn tệp Excel (.xlsx) để tải lên."),
            "empty": _("Tệp rỗng: chọn tệp Excel (.xlsx) theo mẫu."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class PaymentForm(TextGuardMixin, forms.Form):
    paid_on = forms.DateField(label=_("Ngày nộp phạt"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
