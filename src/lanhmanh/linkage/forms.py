from django import forms
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.forms import ListFilterForm
from lanhmanh.linkage.models import PairStatus
from lanhmanh.linkage.services import AUTO_PRECISION, AUTO_PRECISIONS

QUEUE_ONLY_UNSURE = "chua-chac"
QUEUE_ONLY_NEW = "moi"


class QueueFilterForm(ListFilterForm):
    """Filters of the duplicate review queue: a district, pairs marked unsure or not, the reviewer's area."""

    quan = forms.ChoiceField(label=_("Quận/huyện"), required=False)
    loai = forms.ChoiceField(
        label=_("Loại cụm"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            (QUEUE_ONLY_NEW, _("Chưa xem lần nào")),
            (QUEUE_ONLY_UNSURE, _("Đã đánh dấu chưa chắc")),
        ],
    )
    cua_toi = forms.BooleanField(label=_("Chỉ cụm trong địa bàn của tôi"), required=False)

    def __init__(self, data=None, *, districts: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["quan"].choices = [("", _("Tất cả")), *districts]

    def apply(self, clusters: list) -> list:
        values = self.values()
        if values.get("quan"):
            clusters = [c for c in clusters if values["quan"] in c.districts]
        if values.get("loai") == QUEUE_ONLY_UNSURE:
            clusters = [c for c in clusters if c.unsure]
        elif values.get("loai") == QUEUE_ONLY_NEW:
            clusters = [c for c in clusters if not c.unsure]
        if values.get("cua_toi"):
            clusters = [c for c in clusters if c.in_jurisdiction]
        return clusters


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Kết luận"),
        choices=[(v, label) for v, label in PairStatus.choices if v != PairStatus.PENDING],
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn một kết luận.")},
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ClusterForm:
    """A reviewer's grouping of a candidate cluster: ``group_<id>`` = which person each record is.

    Not a Django form: the fields are the cluster's records, and a record posted with two groups (a
    split that would leave it in two persons) must be named, not silently take the last value.
    """

    ACTIONS = ("same", "different", "unsure")

    def __init__(self, members: list[int], data=None):
        self.members = members
        self.data = data
        self.errors: list[str] = []
        self.groups: dict[int, str] = {}
        self.action = ""
        self.note = ""

    def choices(self) -> list[tuple[str, str]]:
        return [(str(i), _("Người %(n)s") % {"n": i}) for i in range(1, len(self.members) + 1)]

    def is_valid(self) -> bool:
        data = self.data
        self.action = data.get("action", "")
        if self.action not in self.ACTIONS:
            self.errors.append(str(_("Chọn một kết luận: cùng một người, khác nhau hoặc chưa chắc.")))
            return False
        self.note = (data.get("note") or "").strip()[:300]
        allowed = {value for value, _label in self.choices()}
        for member in self.members:
            values = {v for v in data.getlist(f"group_{member}") if v}
            if len(values) > 1:
                self.errors.append(
                    str(
                        _("Hồ sơ #%(id)s được xếp vào %(n)s người khác nhau: mỗi hồ sơ chỉ thuộc một người.")
                        % {"id": member, "n": len(values)}
                    )
                )
            elif values and not values <= allowed:
                self.errors.append(str(_("Hồ sơ #%(id)s: nhóm không hợp lệ.") % {"id": member}))
            elif values:
                self.groups[member] = values.pop()
        for key in data:
            if key.startswith("group_") and key[6:] not in {str(m) for m in self.members}:
                self.errors.append(
                    str(_("Hồ sơ %(id)s không thuộc cụm này: hãy mở lại cụm hồ sơ.") % {"id": key[6:]})
                )
        if self.action == "different":
            self.groups = {m: str(i) for i, m in enumerate(self.members, start=1)}
        elif self.action == "same" and not self.errors:
            missing = [m for m in self.members if m not in self.groups]
            if missing:
                self.errors.append(
                    str(
                        _("Chưa xếp hồ sơ %(ids)s vào người nào.")
                        % {"ids": ", ".join(f"#{m}" for m in missing)}
                    )
                )
        return not self.errors


def _percent(value: float) -> str:
    return f"{value * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " %"


class RunStartForm(forms.Form):
    """A new deduplication run: the estimated precision its automatic merges must reach (issue #19 item 5)."""

    precision = forms.TypedChoiceField(
        label=_("Độ chính xác tối thiểu của việc tự động hợp nhất"),
        coerce=float,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_(
            "Cặp đạt ngưỡng được hợp nhất tự động (có ghi nhật ký, hoàn tác được); cặp còn lại vào hàng đợi "
            "xem xét. Mức cao hơn: ít hợp nhất sai hơn nhưng nhiều cặp phải xem xét hơn."
        ),
        error_messages={
            "required": _("Độ chính xác tối thiểu: hãy chọn một mức."),
            "invalid_choice": _("Độ chính xác tối thiểu: «%(value)s» không phải một mức trong danh sách."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["precision"]
        field.choices = [
            (
                str(level),
                _percent(level)
                + (" — " + str(_("mặc định")) if level == AUTO_PRECISION else "")
                + (" — " + str(_("thận trọng nhất")) if level == max(AUTO_PRECISIONS) else ""),
            )
            for level in AUTO_PRECISIONS
        ]
        field.initial = str(AUTO_PRECISION)
