"""Forms of the core app: the search form of the data-protection audit page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.core.selectors import ACTION_ACCESS, AuditFilters

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AuditSearchForm(forms.Form):
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
