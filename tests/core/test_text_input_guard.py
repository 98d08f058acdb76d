"""The shared guard of text inputs (core.forms.TextGuardMixin): limits and NUL bytes named in Vietnamese."""

from __future__ import annotations

from django import forms

from lanhmanh.core.forms import TEXT_MAX_LENGTH, TextGuardMixin
from tests.bad_text import LONG, NUL, refusal


class NoteForm(TextGuardMixin, forms.Form):
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea)
    code = forms.CharField(label="Mã", max_length=20, required=False)
    count = forms.IntegerField(label="Số lượng", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"] = forms.CharField(label="Thêm sau", required=False)


def test_a_text_without_a_limit_gets_the_default_one_and_the_browser_is_told():
    form = NoteForm()
    assert form.fields["note"].max_length == TEXT_MAX_LENGTH == 5000
    assert 'maxlength="5000"' in str(form["note"])
    assert form.fields["code"].max_length == 20


def test_over_long_text_is_refused_with_the_field_name_and_both_lengths():
    form = NoteForm({"note": LONG, "code": "x" * 21, "later": LONG})
    assert form.errors == {
        "note": [refusal("long", "Ghi chú")],
        "code": ["“Mã” dài quá: tối đa 20 ký tự, đang có 21 ký tự."],
        "later": [refusal("long", "Thêm sau")],
    }


def test_a_nul_byte_is_refused_in_vietnamese_in_every_text_field():
    form = NoteForm({"note": NUL, "code": "\x00", "later": NUL, "count": "3"})
    assert form.errors == {
        "note": [refusal("nul", "Ghi chú")],
        "code": [refusal("nul", "Mã")],
        "later": [refusal("nul", "Thêm sau")],
    }


def test_ordinary_text_at_the_limit_passes():
    form = NoteForm({"note": "Đ" * 5000, "code": "x" * 20, "count": "3"})
    assert form.is_valid(), form.errors


def test_a_nul_in_a_select_of_records_gets_the_vietnamese_message(db):
    """Issue #21 item 13: Django's record select said "Null characters are not allowed." in English."""
    from django import forms as django_forms

    from lanhmanh.core.forms import TextGuardMixin
    from lanhmanh.org.models import Agency

    class Pick(TextGuardMixin, django_forms.Form):
        agency = django_forms.ModelChoiceField(label="Cơ quan", queryset=Agency.objects.all())
        agencies = django_forms.ModelMultipleChoiceField(label="Các cơ quan", queryset=Agency.objects.all())

    form = Pick({"agency": "1\x00", "agencies": ["2\x00"]})
    assert not form.is_valid()
    assert form.errors["agency"] == [
        "“Cơ quan” có ký tự không hợp lệ (ký tự NUL, thường do dán từ tệp khác): hãy xoá và gõ lại nội dung."
    ]
    assert "Null characters" not in str(form.errors)
