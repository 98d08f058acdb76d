"""Input forms of criminal cases (Vietnamese labels; services re-check every rule)."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import TextGuardMixin
from lanhmanh.core.scoping import path_q
from lanhmanh.core.text import normalise
from lanhmanh.enforcement.cases.models import (
    Measure,
    Offence,
    PressKind,
    RingRole,
    SentenceKind,
    SupportOffer,
    VictimKind,
)
from lanhmanh.enforcement.models import Hotspot
from lanhmanh.enforcement.selectors import hotspots_visible
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.forms import DateInput, UnitChoiceField, style
from lanhmanh.people.models import Person, Sex
from lanhmanh.people.selectors import persons_visible
from lanhmanh.premises.models import Establishment
from lanhmanh.premises.selectors import establishments_visible

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
BAD_DATE = _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2014.")


def date_field(label, *, required=True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "invalid": BAD_DATE,
            "required": _("Nhập %(label)s.") % {"label": str(label).lower()},
        },
    )


class OffenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offence) -> str:
        return f"{obj.title} — {obj.reference}"


def offence_field() -> OffenceChoiceField:
    return OffenceChoiceField(
        queryset=Offence.objects.order_by("-valid_from", "article", "clause"),
        label=_("Tội danh (điều, khoản)"),
        help_text=_("Chọn điều khoản của Bộ luật Hình sự có hiệu lực vào ngày thực hiện hành vi."),
    )


class PlaceChoiceField(forms.ModelChoiceField):
    """An establishment or hotspot, named with its address and commune."""

    def label_from_instance(self, obj) -> str:
        address = getattr(obj, "address", "")
        return f"{obj.name}{' — ' + address if address else ''} ({obj.unit.full_name})"


def units_in(user):
    return (
        AdministrativeUnit.objects.filter(path_q(user.jurisdiction_path))
        .select_related("parent")
        .order_by("path", "valid_from")
    )


class CaseForm(TextGuardMixin, forms.Form):
    number = forms.CharField(label=_("Số hồ sơ (nếu có)"), required=False, max_length=40)
    offence = offence_field()
    act_on = date_field(_("Ngày thực hiện hành vi"))
    unit = UnitChoiceField(queryset=AdministrativeUnit.objects.none(), label=_("Nơi xảy ra (xã, phường)"))
    address = forms.CharField(label=_("Địa chỉ, cơ sở kinh doanh, tụ điểm"), required=False, max_length=300)
    establishment = PlaceChoiceField(
        queryset=Establishment.objects.none(),
        required=False,
        label=_("Cơ sở kinh doanh (nếu xảy ra tại cơ sở đã có trong sổ theo dõi)"),
    )
    hotspot = PlaceChoiceField(
        queryset=Hotspot.objects.none(),
        required=False,
        label=_("Tụ điểm (nếu xảy ra tại tụ điểm đã có trong danh sách)"),
    )
    detected_on = date_field(_("Ngày phát hiện"))
    busted_on = date_field(_("Ngày phá án"), required=False)
    summary = forms.CharField(
        label=_("Tóm tắt vụ án"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_in(user)
        self.fields["establishment"].queryset = establishments_visible(user).order_by("unit_path", "name")
        self.fields["hotspot"].queryset = hotspots_visible(user).order_by("unit__path", "name")
        style(self)


class StageForm(TextGuardMixin, forms.Form):
    on = date_field(_("Ngày"))
    mobile_trial = forms.BooleanField(label=_("Xét xử lưu động tại khu dân cư"), required=False)
    model_trial = forms.BooleanField(label=_("Phiên tòa rút kinh nghiệm (mẫu)"), required=False)

    def __init__(self, *args, stage: str, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label
        if stage != "tried":
            del self.fields["mobile_trial"]
            del self.fields["model_trial"]
        style(self)


class IdentityForm(TextGuardMixin, forms.Form):
    """The identity of a defendant or victim: a registry person chosen from the suggestions, or a new one."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.HiddenInput(),
        error_messages={"invalid_choice": _("Hồ sơ đã chọn không còn trong phạm vi của anh/chị.")},
    )
    full_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=120)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = date_field(_("Ngày sinh"), required=False)
    birth_year = forms.IntegerField(label=_("Năm sinh (khi không biết ngày sinh)"), required=False)
    id_number = forms.CharField(label=_("Số CMND/CCCD"), required=False, max_length=20)
    permanent_unit = UnitChoiceField(
        queryset=AdministrativeUnit.objects.select_related("parent").order_by("path", "valid_from"),
        required=False,
        label=_("Nơi thường trú (xã, phường)"),
    )
    permanent_address = forms.CharField(label=_("Địa chỉ thường trú"), required=False, max_length=300)

    def __init__(self, *args, user, form_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons_visible(user)
        for name in ("full_name", "id_number", "birth_date", "birth_year"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("cases:person_suggest"),
                    "hx-trigger": "change, keyup changed delay:500ms",
                    "hx-target": "#person-suggestions",
                    "hx-include": f"#{form_id}",
                }
            )
        style(self)

    def clean(self):
        data = super().clean()
        if data.get("person") is not None:
            return data
        data["full_name"] = normalise(data.get("full_name") or "")
        if not data["full_name"]:
            self.add_error("full_name", _("Nhập họ và tên, hoặc chọn một hồ sơ đã có trong cơ sở dữ liệu."))
        if not data.get("birth_date") and not data.get("birth_year") and "birth_year" not in self.errors:
            self.add_error("birth_year", _("Nhập ngày sinh hoặc ít nhất năm sinh."))
        return data

    def identity(self) -> dict:
        data = self.cleaned_data
        birth_date = data.get("birth_date")
        return {
            "full_name": data["full_name"],
            "sex": data["sex"],
            "birth_date": birth_date,
            "birth_year": birth_date.year if birth_date else data.get("birth_year"),
            "id_number": normalise(data.get("id_number") or ""),
            "permanent_unit": data.get("permanent_unit"),
            "permanent_address": normalise(data.get("permanent_address") or ""),
        }


class DefendantForm(IdentityForm):
    ring_role = forms.ChoiceField(label=_("Vai trò trong đường dây"), choices=RingRole.choices)
    offence = offence_field()
    measure = forms.ChoiceField(label=_("Biện pháp ngăn chặn"), choices=Measure.choices, initial=Measure.NONE)


class VictimForm(IdentityForm):
    kind = forms.ChoiceField(label=_("Bị hại"), choices=VictimKind.choices)
    offer = forms.ChoiceField(
        label=_("Đề nghị hỗ trợ"),
        choices=SupportOffer.choices,
        required=False,
        help_text=_("Bị hại chưa đủ 18 tuổi luôn được đề nghị mở hồ sơ bảo vệ trẻ em."),
    )


class SentenceForm(TextGuardMixin, forms.Form):
    sentence_kind = forms.ChoiceField(label=_("Hình phạt"), choices=SentenceKind.choices)
    sentence_months = forms.IntegerField(
        label=_("Thời hạn (tháng)"), required=False, min_value=0, max_value=600
    )
    probation_months = forms.IntegerField(
        label=_("Thời gian thử thách (tháng, án treo)"), required=False, min_value=0, max_value=600
    )
    sentenced_on = date_field(_("Ngày tuyên án"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class PressForm(TextGuardMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại hình"), choices=PressKind.choices)
    outlet = forms.CharField(label=_("Cơ quan báo chí"), max_length=160)
    title = forms.CharField(label=_("Tiêu đề bài, chương trình"), max_length=300)
    published_on = date_field(_("Ngày đăng, phát"))
    url = forms.URLField(
        label=_("Đường dẫn"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": _("Đường dẫn không hợp lệ: nhập địa chỉ đầy đủ, ví dụ https://…")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
