from django import forms
from django.utils.translation import gettext_lazy as _

from lanhmanh.linkage.models import PairStatus


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Kết luận"),
        choices=[(v, label) for v, label in PairStatus.choices if v != PairStatus.PENDING],
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn một kết luận.")},
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)
