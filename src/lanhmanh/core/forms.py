"""Forms of the core app: the text-input guard every form uses, and the search form of the audit page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
    validate_slug,
    validate_unicode_slug,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.models import AccessRecord, Breach, ChangeRecord
from lanhmanh.core.pickers import period_choices
from lanhmanh.core.selectors import ACTION_ACCESS, AuditFilters

# Text inputs ---------------------------------------------------------------------------------------

# A free-text box with no limit of its own: about two typed pages, far beyond any note we keep.
TEXT_MAX_LENGTH = 5000
NUL_MESSAGE = _(
    "“%(field)s” có ký tự không hợp lệ (ký tự NUL, thường do dán từ tệp khác): hãy xoá và gõ lại nội dung."
)
TOO_LONG_MESSAGE = _("“%(field)s” dài quá: tối đa %(limit)s ký tự, đang có %(length)s ký tự.")


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class _NoNulCharacters:
    """PostgreSQL refuses text with a NUL byte: refuse it first, naming the field."""

    def __init__(self, field: forms.Field, name: str):
        self.field, self.name = field, name

    def __call__(self, value) -> None:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed", params=_params(self))


class _MaxLength(MaxLengthValidator):
    def __init__(self, limit: int, field: forms.Field, name: str):
        super().__init__(limit)
        self.field, self.name = field, name

    def __call__(self, value) -> None:
        if not isinstance(value, str):  # a field that turns its text into a number or a date
            return
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            params = {**_params(self), "limit": _count(self.limit_value), "length": _count(length)}
            raise ValidationError(TOO_LONG_MESSAGE, code=self.code, params=params)


def text_error(text: str, label, limit: int = TEXT_MAX_LENGTH) -> str | None:
    """The message for a text that has a NUL byte or is longer than ``limit``, else None.

    For services that take text without a form (the API): the same rule and words as the forms.
    """
    if "\x00" in text:
        return NUL_MESSAGE % {"field": label}
    if len(text) > limit:
        return TOO_LONG_MESSAGE % {"field": label, "limit": _count(limit), "length": _count(len(text))}
    return None


def _params(validator) -> dict:
    return {"field": str(validator.field.label or validator.name)}


# Dates a person could mean: nothing in this system happened before 1900 (birth years) or is planned more
# than 30 years ahead. 0001-01-01 or 9999-12-31 is a typo or a probe, never a due date.
EARLIEST_YEAR = 1900
YEARS_AHEAD = 30
DATE_RANGE_MESSAGE = _("“%(field)s”: ngày %(value)s không hợp lý (chỉ nhận từ năm %(low)s đến năm %(high)s).")
SLUG_MESSAGE = _("“%(field)s” chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang (-) và gạch dưới (_).")


class _PlausibleDate:
    def __init__(self, field: forms.Field, name: str):
        self.field, self.name = field, name

    def __call__(self, value) -> None:
        if not isinstance(value, dt.date):
            return
        high = timezone.localdate().year + YEARS_AHEAD
        if not EARLIEST_YEAR <= value.year <= high:
            params = {
                **_params(self),
                "value": value.strftime("%d/%m/%Y"),
                "low": EARLIEST_YEAR,
                "high": high,
            }
            raise ValidationError(DATE_RANGE_MESSAGE, code="date_range", params=params)


def _guard_other_field(field: forms.Field, name: str) -> None:
    if hasattr(field, "validate_no_null_characters"):
        # Select lists of records check NUL themselves, in English ("Null characters are not allowed."):
        # the same Vietnamese message as text fields instead.
        field.validate_no_null_characters = _NoNulCharacters(field, name)
    if isinstance(field, forms.DateField | forms.DateTimeField) and not any(
        isinstance(v, _PlausibleDate) for v in field.validators
    ):
        field.validators = [*field.validators, _PlausibleDate(field, name)]


def guard_text_fields(form: forms.BaseForm) -> None:
    """Give every text field of ``form`` a length limit and a NUL check with messages naming it.

    A field without ``max_length`` gets ``TEXT_MAX_LENGTH``. Django's own checks (English for NUL)
    are replaced. Idempotent: call it again after adding fields.
    """
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            _guard_other_field(field, name)
            continue
        if any(isinstance(v, _MaxLength) for v in field.validators):
            continue
        if isinstance(field, forms.SlugField):
            # Django's Vietnamese catalogue has no text for its slug message: say it in Vietnamese here.
            field.error_messages["invalid"] = SLUG_MESSAGE % {"field": field.label or name}
            field.validators = [
                RegexValidator(v.regex, SLUG_MESSAGE % {"field": field.label or name}, code="invalid")
                if v in (validate_slug, validate_unicode_slug)
                else v
                for v in field.validators
            ]
        limit = field.max_length or TEXT_MAX_LENGTH
        field.max_length = limit
        field.validators = [
            v
            for v in field.validators
            if not isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator)
        ]
        field.validators += [_NoNulCharacters(field, name), _MaxLength(limit, field, name)]
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(limit))


_UNSTYLED = (forms.HiddenInput, forms.MultipleHiddenInput, forms.CheckboxSelectMultiple, forms.RadioSelect)


def bootstrap_widget(widget: forms.Widget) -> None:
    """Bootstrap's class on a widget that has none (a form's own choice of class is kept)."""
    if widget.attrs.get("class") or isinstance(widget, _UNSTYLED):
        return
    if isinstance(widget, forms.CheckboxInput):
        widget.attrs["class"] = "form-check-input"
    elif isinstance(widget, forms.Select):
        widget.attrs["class"] = "form-select"
    else:
        widget.attrs["class"] = "form-control"


class TextGuardMixin:
    """Put before ``forms.Form`` / ``forms.ModelForm``: over-long text and NUL bytes become field errors.

    Fields added in a subclass's ``__init__`` are guarded too (again in ``full_clean``). Every field a
    template shows gets Bootstrap's look (``bootstrap_widget``): a new form matches the others for free;
    app.css marks the label of a required field.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)

    def __getitem__(self, name):
        bound = super().__getitem__(name)
        bootstrap_widget(bound.field.widget)
        return bound

    def full_clean(self):
        guard_text_fields(self)
        super().full_clean()


# The audit page ------------------------------------------------------------------------------------

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy whatever the browser's language (a native date input follows the
    browser's locale: mm/dd/yyyy in an English Chromium). ISO dates are accepted too (formats module)."""

    input_type = "text"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "data-date-input": "",
            **(attrs or {}),
        }
        attrs.pop("type", None)
        super().__init__(attrs=attrs, format=format or "%d/%m/%Y")


class PeriodSelect(forms.Select):
    """A reporting period chosen from a list (years, six months, quarters, months of ``years``), never
    typed as a code; the value posted is still the period id (201410, 2014Q3, 2014) the services check."""

    def __init__(self, attrs=None, *, years=(), kinds=None):
        attrs = {"class": "form-select", "data-period-select": "", **(attrs or {})}
        super().__init__(attrs=attrs, choices=period_choices(years, *([kinds] if kinds else [])))


class DateTimeInput(forms.DateTimeInput):
    """Date and 24-hour time typed as dd/mm/yyyy hh:mm, whatever the browser's language."""

    input_type = "text"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        attrs = {
            "placeholder": "dd/mm/yyyy hh:mm",
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "16",
            **(attrs or {}),
        }
        attrs.pop("type", None)
        super().__init__(attrs=attrs, format=format or "%d/%m/%Y %H:%M")


BAD_DATE_MESSAGE = _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2024.")
DATES_REVERSED_MESSAGE = _("“Đến ngày” phải bằng hoặc sau “Từ ngày”.")
PURPOSE_WITH_CHANGE_ACTION_MESSAGE = _(
    "Mục đích chỉ có ở nhật ký truy cập: chọn thao tác “Xem dữ liệu” hoặc bỏ trống thao tác."
)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": BAD_DATE_MESSAGE},
        widget=DateInput(),
    )


class AuditSearchForm(TextGuardMixin, forms.Form):
    """Filters of the audit page, all optional; sent by GET so a search is a link that can be shared."""

    actor = forms.CharField(label=_("Tên đăng nhập người thực hiện"), required=False, max_length=150)
    model = forms.ChoiceField(label=_("Loại bản ghi"), required=False)
    object_id = forms.CharField(label=_("Mã bản ghi"), required=False, max_length=64)
    date_from = _date_field(_("Từ ngày"))
    date_to = _date_field(_("Đến ngày"))
    action = forms.ChoiceField(
        label=_("Thao tác"),
        required=False,
        # An access-log row has no action of its own: "read" stands beside the change actions.
        choices=[("", _("Tất cả")), *ChangeRecord.Action.choices, (ACTION_ACCESS, _("Xem dữ liệu"))],
    )
    purpose = forms.ChoiceField(
        label=_("Mục đích truy cập"),
        required=False,
        choices=[("", _("Tất cả")), *AccessRecord.Purpose.choices],
    )

    def __init__(self, *args, model_choices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Tất cả")), *model_choices]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"audit-{name}")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", DATES_REVERSED_MESSAGE)
        action = cleaned.get("action")
        if cleaned.get("purpose") and action and action != ACTION_ACCESS:
            self.add_error("purpose", PURPOSE_WITH_CHANGE_ACTION_MESSAGE)
        return cleaned

    def filters(self) -> AuditFilters:
        """The cleaned search as selector filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor", ""),
            model=data.get("model", ""),
            object_id=data.get("object_id", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action", ""),
            purpose=data.get("purpose", ""),
        )


# The breach register --------------------------------------------------------------------------------


class BreachForm(TextGuardMixin, forms.ModelForm):
    class Meta:
        model = Breach
        fields = [
            "title",
            "discovered_at",
            "window_start",
            "window_end",
            "description",
            "data_categories",
            "subjects_estimate",
            "records_estimate",
            "consequences",
            "measures",
            "authority",
        ]
        widgets = {name: DateTimeInput() for name in ("discovered_at", "window_start", "window_end")} | {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("description", "consequences", "measures")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("discovered_at", "window_start", "window_end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


# List filters --------------------------------------------------------------------------------------


class ListFilterForm(TextGuardMixin, forms.Form):
    """The filters of a list page (sent by GET, every field optional), drawn by ``core/_list_filters.html``.

    A value that does not fit (a status that does not exist, a typo in a link) is dropped, never a
    server error: ``values()`` keeps only the fields that validated, and the page shows the list as if
    that filter had not been asked for.
    """

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data else None, *args, **kwargs)

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}

    @property
    def active(self) -> bool:
        """Whether any filter is in use (the page then offers "Xoá bộ lọc")."""
        return bool(self.values())
