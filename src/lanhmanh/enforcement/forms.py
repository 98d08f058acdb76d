"""Forms of the enforcement app: every one guards its text (``TextGuardMixin``) and speaks Vietnamese."""

from __future__ import annotations

import re
import time

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import TextGuardMixin
from lanhmanh.core.scoping import path_q
from lanhmanh.enforcement import links
from lanhmanh.enforcement.models import (
    Hotspot,
    HotspotKind,
    HotspotStatus,
    PatrolFinding,
    TipChannel,
    TipOutcome,
    TipStatus,
)
from lanhmanh.enforcement.public import image_check
from lanhmanh.org.models import AdministrativeUnit, Agency, UnitLevel
from lanhmanh.people.forms import DateInput, UnitChoiceField, style

MAX_IMAGES = 3


def current_units(root_path: str | None = None):
    """Districts and communes in force today (under ``root_path`` when given), for pickers.

    A database holding only an older tree (the 2014 demo, before the 2025 tree is imported) offers
    that tree rather than nothing."""
    units = (
        AdministrativeUnit.objects.filter(level__in=(UnitLevel.DISTRICT, UnitLevel.COMMUNE))
        .select_related("parent")
        .order_by("path", "valid_from")
    )
    if root_path:
        units = units.filter(path_q(root_path))
    current = units.valid_on(timezone.localdate())
    return current if current.exists() else units


_UNIT_CHOICES: dict[str, tuple[float, list[tuple[int, str]], dict]] = {}
UNIT_CHOICES_SECONDS = 600


def _unit_cache(root_path: str | None) -> tuple[float, list[tuple[int, str]], dict]:
    key = root_path or ""
    now = time.monotonic()
    cached = _UNIT_CHOICES.get(key)
    if cached is None or now - cached[0] > UNIT_CHOICES_SECONDS:
        label = UnitChoiceField(queryset=AdministrativeUnit.objects.none()).label_from_instance
        units = list(current_units(root_path))
        cached = (now, [(u.pk, label(u)) for u in units], {u.pk: u for u in units})
        _UNIT_CHOICES[key] = cached
    return cached


def unit_choices(root_path: str | None = None) -> list[tuple[int, str]]:
    """(pk, label) of ``current_units``, kept ten minutes per process: the public page lists every
    commune of the city (about 600) and must stay fast under load; units change a few times a decade."""
    return _unit_cache(root_path)[1]


def unit_choices_forget() -> None:
    """Drop the cached choices (a test that loads another map of units in the same process; the server
    itself picks a new map up within ``UNIT_CHOICES_SECONDS``)."""
    _UNIT_CHOICES.clear()


def unit_picked(root_path: str | None, pk: int):
    """The unit ``pk`` among the cached choices (no query), or None."""
    return _unit_cache(root_path)[2].get(pk)


class FastSelect(forms.Widget):
    """A select rendered in Python (one string join) from ready (value, label) pairs: no template per
    option and no normalising of 600 choices on every request."""

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs)
        self.options = options

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else str(value)
        parts = [format_html('<option value="">{}</option>', "—")]
        for option_value, label in self.options:
            selected = " selected" if str(option_value) == chosen else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', option_value, selected, label))
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(attrs), SafeString("".join(parts))
        )


class UnitPickField(forms.Field):
    """A unit chosen from cached choices; cleans to the ``AdministrativeUnit``."""

    def __init__(self, *, root_path=None, **kwargs):
        self.root_path = root_path
        self.choices = unit_choices(root_path)
        super().__init__(widget=FastSelect(self.choices, attrs={"class": "form-select"}), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        text = str(value)
        # A unit id has a few digits: a huge number is refused before it reaches int().
        unit = unit_picked(self.root_path, int(text)) if text.isdigit() and len(text) <= 18 else None
        if unit is None:
            raise ValidationError(_("Địa bàn đã chọn không hợp lệ."), code="invalid_choice")
        return unit


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to ``MAX_IMAGES`` images, each checked and stripped of its metadata (``public.image_check``,
    through ``core.uploads``)."""

    widget = MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_IMAGES:
            raise ValidationError(_("Chỉ được gửi tối đa %(n)s ảnh mỗi lần.") % {"n": MAX_IMAGES})
        return [image_check(f) for f in files]


def _unit_field(label, queryset, *, required=True):
    field = UnitChoiceField(queryset=queryset, label=label, required=required)
    field.error_messages["invalid_choice"] = _("Địa bàn đã chọn không hợp lệ.")
    return field


class HotspotForm(TextGuardMixin, forms.Form):
    name = forms.CharField(label=_("Tên tụ điểm"), max_length=300)
    kind = forms.ModelChoiceField(queryset=HotspotKind.objects.filter(active=True), label=_("Loại tụ điểm"))
    address = forms.CharField(label=_("Địa chỉ, mô tả vị trí"), max_length=300)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    latitude = forms.DecimalField(
        label=_("Vĩ độ"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Kinh độ"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    first_found_on = forms.DateField(label=_("Ngày phát hiện"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Trạng thái khi vào sổ"),
        choices=[
            (HotspotStatus.ACTIVE, HotspotStatus.ACTIVE.label),
            (HotspotStatus.ELIMINATED, HotspotStatus.ELIMINATED.label),
        ],
    )
    status_on = forms.DateField(
        label=_("Ngày triệt xóa (nếu đã triệt xóa)"), widget=DateInput(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = _unit_field(_("Xã, phường"), current_units(user.jurisdiction_path))
        self.fields["police_agency"] = forms.ModelChoiceField(
            queryset=Agency.objects.filter(kind="police").filter(path_q(user.jurisdiction_path, "unit__path"))
            | Agency.objects.filter(kind="police", unit__path=user.jurisdiction_path[:6]),
            label=_("Công an phụ trách"),
        )
        self.order_fields(["name", "kind", "unit", "address", "description", "latitude", "longitude"])
        style(self)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."))
        if data.get("status") == HotspotStatus.ELIMINATED and not data.get("status_on"):
            self.add_error("status_on", _("Tụ điểm đã triệt xóa cần ngày triệt xóa."))
        return data


class TransitionForm(TextGuardMixin, forms.Form):
    status = forms.ChoiceField(label=_("Chuyển sang"), choices=HotspotStatus.choices)
    happened_on = forms.DateField(label=_("Ngày"), widget=DateInput())
    tasks = forms.CharField(
        label=_("Nhiệm vụ của phương án (mỗi dòng một nhiệm vụ)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    how_found = forms.CharField(label=_("Phát hiện qua"), max_length=300, required=False)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, hotspot: Hotspot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, HotspotStatus(s).label) for s in hotspot.allowed_next()]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "Không thể chuyển tụ điểm sang trạng thái này từ trạng thái hiện tại."
        )
        self.fields["happened_on"].initial = timezone.localdate()
        style(self)


class PatrolForm(TextGuardMixin, forms.Form):
    patrolled_on = forms.DateField(label=_("Ngày tuần tra"), widget=DateInput())
    finding = forms.ChoiceField(label=_("Kết quả"), choices=PatrolFinding.choices, widget=forms.RadioSelect)
    people_sanctioned = forms.IntegerField(
        label=_("Số người bị xử lý"),
        min_value=0,
        max_value=500,
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patrolled_on"].initial = timezone.localdate()
        style(self)
        self.fields["finding"].widget.attrs["class"] = "form-check-input"


class DecisionForm(TextGuardMixin, forms.Form):
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class TargetHotspotForm(TextGuardMixin, forms.Form):
    def __init__(self, *args, hotspots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotspot"] = forms.ModelChoiceField(
            queryset=hotspots, label=_("Tụ điểm trong sổ theo dõi")
        )
        style(self)


class TipForm(TextGuardMixin, forms.Form):
    """The public tip form: what, where, when, optional contact and images; a honeypot and a challenge."""

    what = forms.CharField(
        label=_("Bạn thấy gì?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Mô tả sự việc; không cần ghi tên của bạn."),
    )
    address = forms.CharField(label=_("Địa chỉ, vị trí"), max_length=300, required=False)
    place_name = forms.CharField(label=_("Tên cơ sở hoặc tụ điểm (nếu biết)"), max_length=200, required=False)
    when = forms.CharField(label=_("Thời gian xảy ra"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Cách liên hệ với bạn (không bắt buộc)"),
        max_length=300,
        required=False,
        help_text=_("Được mã hóa, chỉ cán bộ tiếp nhận tin báo xem được."),
    )
    images = ImagesField(label=_("Ảnh (tối đa 3 ảnh JPEG, PNG, WebP)"))
    # Honeypot: hidden from people by CSS; a bot that fills every field gives itself away.
    website = forms.CharField(label=_("Trang web"), required=False, max_length=200)
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=500)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)

    def __init__(self, *args, root_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickField(root_path=root_path, label=_("Xã, phường hoặc quận, huyện"))
        self.order_fields(["what", "unit", "address", "place_name", "when", "contact", "images"])
        self.fields["what"].error_messages["required"] = _("Nội dung tin báo không được để trống.")
        style(self)
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_what(self):
        text = self.cleaned_data["what"]
        if not text.strip():
            raise ValidationError(_("Nội dung tin báo không được để trống."))
        return text


class TipIntakeForm(TipForm):
    """Officers typing a hotline or mailbox tip: the same structure, a channel, no anti-bot fields."""

    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"), choices=[c for c in TipChannel.choices if c[0] != TipChannel.WEB]
    )
    with_receipt = forms.BooleanField(
        label=_("Cấp mã tra cứu cho người báo tin (đọc lại qua điện thoại)"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("website", "challenge", "nonce"):
            del self.fields[name]
        self.fields["what"].label = _("Nội dung tin báo")
        self.fields["contact"].label = _("Thông tin liên hệ của người báo tin")
        self.order_fields(["channel", "what", "unit", "address", "place_name", "when", "contact", "images"])
        style(self)
        self.fields["with_receipt"].widget.attrs["class"] = "form-check-input"


class ReceiptForm(TextGuardMixin, forms.Form):
    receipt = forms.CharField(label=_("Mã tra cứu"), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["receipt"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class TipAddForm(TextGuardMixin, forms.Form):
    receipt = forms.CharField(widget=forms.HiddenInput, max_length=40)
    text = forms.CharField(
        label=_("Thông tin bổ sung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    images = ImagesField(label=_("Ảnh (tối đa 3 ảnh JPEG, PNG, WebP)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class TriageForm(TextGuardMixin, forms.Form):
    assigned_team = forms.CharField(label=_("Tổ, đội"), max_length=120, required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=[("", "—"), *TipStatus.choices], required=False)
    outcome = forms.ChoiceField(label=_("Kết quả xác minh"), choices=TipOutcome.choices, required=False)
    outcome_note = forms.CharField(
        label=_("Ghi chú kết quả"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note = forms.CharField(
        label=_("Ghi chú nội bộ"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, hotspots, tip, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_agency"] = forms.ModelChoiceField(
            queryset=Agency.objects.filter(
                path_q(user.jurisdiction_path, "unit__path"), kind__in=("police", "team-178")
            )
            .select_related("unit")
            .order_by("unit__path", "kind"),
            label=_("Giao cho đơn vị"),
            required=False,
            initial=tip.assigned_agency_id,
        )
        self.fields["hotspot"] = forms.ModelChoiceField(
            queryset=hotspots, label=_("Liên kết với tụ điểm"), required=False, initial=tip.hotspot_id
        )
        self.fields["assigned_team"].initial = tip.assigned_team
        self.fields["outcome"].initial = tip.outcome
        self.order_fields(
            ["assigned_agency", "assigned_team", "hotspot", "outcome", "outcome_note", "status", "note"]
        )
        style(self)


class TipLinkForm(TextGuardMixin, forms.Form):
    """Link a tip to a record: its kind and its number (or the address of its page, pasted)."""

    kind = forms.ChoiceField(label=_("Loại hồ sơ"))
    object_id = forms.CharField(
        label=_("Số hiệu hồ sơ hoặc địa chỉ trang hồ sơ"),
        max_length=300,
        help_text=_(
            "Số cuối trong địa chỉ trang hồ sơ, ví dụ …/cuoc-kiem-tra/125/ → 125 (dán cả địa chỉ cũng được)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—")] + [(k.code, k.label) for k in links.kinds()]
        self.fields["kind"].error_messages["required"] = _("Chọn loại hồ sơ cần liên kết.")
        self.fields["kind"].error_messages["invalid_choice"] = _("Chọn loại hồ sơ cần liên kết.")
        self.fields["object_id"].error_messages["required"] = _("Nhập số hiệu hồ sơ cần liên kết.")
        style(self)

    def clean_object_id(self):
        text = self.cleaned_data["object_id"].strip()
        if not text.isdigit():
            # A pasted page address: the last number in its path.
            numbers = re.findall(r"/(\d+)(?=/|$)", text.split("?", 1)[0].split("#", 1)[0])
            if not numbers:
                raise ValidationError(_("Nhập số hiệu hồ sơ (chữ số) hoặc dán địa chỉ trang hồ sơ."))
            text = numbers[-1]
        return text


def max_image_mb() -> int:
    return settings.TIP_IMAGE_MAX_BYTES // 1048576
