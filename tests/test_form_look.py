"""Every form gets Bootstrap's look without per-form code (issue #17, item 19)."""

from __future__ import annotations

from django import forms

from lanhmanh.core.forms import TextGuardMixin


class Plain(TextGuardMixin, forms.Form):
    name = forms.CharField(label="Tên")
    kind = forms.ChoiceField(label="Loại", choices=[("a", "A")])
    agree = forms.BooleanField(label="Đồng ý", required=False)
    picks = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    own = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control-sm"}), required=False)


def test_widgets_get_bootstrap_classes_unless_they_chose_their_own():
    form = Plain()
    html = {name: str(form[name]) for name in form.fields}
    assert 'class="form-control"' in html["name"] and "required" in html["name"]
    assert 'class="form-select"' in html["kind"]
    assert 'class="form-check-input"' in html["agree"]
    assert "form-control" not in html["picks"] and "form-control" not in html["secret"]
    assert 'class="form-control-sm"' in html["own"]
