"""Dates are typed and read day first (dd/mm/yyyy) whatever the browser's or the screen's language."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django import forms
from django.utils import translation

from lanhmanh.core.forms import DateInput, DateTimeInput

SRC = Path(__file__).resolve().parents[2] / "src" / "lanhmanh"


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeInput())


def test_a_typed_day_first_date_means_the_same_day_in_both_languages():
    for language in ("vi", "en"):
        with translation.override(language):
            form = _Form({"day": "05/06/2014", "moment": "05/06/2014 21:30"})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["day"] == dt.date(2014, 6, 5)
            assert form.cleaned_data["moment"].replace(tzinfo=None) == dt.datetime(2014, 6, 5, 21, 30)


def test_a_date_is_shown_as_dd_mm_yyyy_in_a_text_input_not_the_browsers_date_picker():
    html = str(_Form(initial={"day": dt.date(2014, 6, 5), "moment": dt.datetime(2014, 6, 5, 21, 30)}))
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="05/06/2014"' in html and 'value="05/06/2014 21:30"' in html
    assert 'placeholder="dd/mm/yyyy"' in html


def test_no_form_uses_the_browsers_locale_dependent_date_inputs():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*")
        if path.suffix in {".py", ".html"} and "vendor" not in path.parts
        if re.search(
            r"""["']type["']:\s*["'](date|datetime-local)["']|input_type = ["']date|type="date""",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert offenders == []
