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


def test_the_shared_field_puts_each_checkbox_before_its_label_in_bootstraps_form_check():
    import re

    from django.template.loader import render_to_string

    form = Plain()
    agree = render_to_string("core/_field.html", {"field": form["agree"]})
    assert re.search(
        r'<div class="form-check"><input type="checkbox"[^>]*class="form-check-input"[^>]*>\s*<label class="form-check-label" for="id_agree">Đồng ý',
        agree,
    )
    assert 'class="form-label"' not in agree  # no label above the box

    picks = render_to_string("core/_field.html", {"field": form["picks"]})
    assert "<fieldset" in picks and '<legend class="form-label' in picks
    assert re.search(
        r'<div class="form-check"><input class="form-check-input" type="checkbox" name="picks" value="a" id="id_picks_0">\s*<label class="form-check-label" for="id_picks_0">A</label>',
        picks,
    )
    # The field's own label is the legend, above the choices: never after them.
    assert picks.index("<legend") < picks.index("<input")

    hidden = render_to_string("core/_field.html", {"field": form["secret"]})
    assert "<label" not in hidden and 'type="hidden"' in hidden


def test_the_apps_field_includes_all_use_the_shared_one():
    from pathlib import Path

    import lanhmanh

    root = Path(lanhmanh.__file__).parent
    for name in ("people/templates/people/_field.html", "enforcement/templates/enforcement/_field.html"):
        assert (root / name).read_text().strip() == '{% include "core/_field.html" %}'
    assert (
        '{% include "core/_field.html" with wide=True %}'
        in (root / "plans/templates/plans/_fields.html").read_text()
    )
