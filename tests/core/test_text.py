"""core.text: NFC, tone placement, folding and name parsing, with property-based checks."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanhmanh.core.text import (
    NameParts,
    fold,
    fold_name,
    name_variants,
    normalise,
    normalise_name,
    place_tones,
    split_name,
)

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
ALPHABET = (
    VIETNAMESE_LETTERS
    + VIETNAMESE_LETTERS.upper()
    + " \t\n\u00a0"
    + "".join(("\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "\u0302", "\u0306", "\u031b"))
)
vietnamese_text = st.text(alphabet=ALPHABET, max_size=40)
any_text = st.one_of(vietnamese_text, st.text(max_size=30))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("hòa", "hoà"),
        ("hoà", "hoà"),
        ("Thúy", "Thuý"),
        ("thuý", "thuý"),
        ("khỏe", "khoẻ"),
        ("khoẻ", "khoẻ"),
        ("Thủy", "Thuỷ"),
        ("HÒA", "HOÀ"),
        ("Hoàng", "Hoàng"),  # closed syllable: one spelling only
        ("Quý", "Quý"),  # qu + y: the u belongs to the consonant
        ("Quỳnh", "Quỳnh"),
        ("giữa", "giữa"),
        ("ngoài", "ngoài"),
        ("mía", "mía"),
        ("Nguyễn Thị Hòa", "Nguyễn Thị Hoà"),
    ],
)
def test_normalise_stores_the_new_tone_placement(typed, stored):
    assert normalise(typed) == stored
    assert normalise(unicodedata.normalize("NFD", typed)) == stored


def test_old_style_is_available_for_display():
    assert place_tones("Hoà Thuý khoẻ", "old") == "Hòa Thúy khỏe"


def test_normalise_collapses_whitespace_and_keeps_case():
    assert normalise("  NGUYỄN\t thị \n HÒA ") == "NGUYỄN thị HOÀ"
    assert normalise(None) == ""
    assert normalise("001 234") == "001 234"


def test_fold_removes_tones_marks_and_case():
    assert fold("Nguyễn Thị Hòa") == fold("NGUYEN THI HOÀ") == "nguyen thi hoa"
    assert fold("Đặng  Văn Được ") == "dang van duoc"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("NGUYỄN THỊ HÒA", "Nguyễn Thị Hoà"),
        ("nguyễn thị hoà", "Nguyễn Thị Hoà"),
        ("NguyễnThịHòa", "Nguyễn Thị Hoà"),
        ("NguyenVanAn", "Nguyen Van An"),
        ("  trần   văn  bình ", "Trần Văn Bình"),
        ("Lê Thị Mai (2)", "Lê Thị Mai"),
        ("", ""),
    ],
)
def test_normalise_name(typed, name):
    assert normalise_name(typed) == name


def test_split_name_into_three_parts():
    assert split_name("nguyễn thị thu hòa") == NameParts("Nguyễn", "Thị Thu", "Hoà")
    assert split_name("Trần Bình") == NameParts("Trần", "", "Bình")
    assert split_name("Hoa") == NameParts("", "", "Hoa")
    assert split_name("   ") == NameParts("", "", "")


def test_name_parts_alternates():
    parts = split_name("Võ Thị Ngọc Hòa")
    assert parts.folded_surname == "vo"
    assert parts.surname_key == "vu"
    assert parts.middle_core == "ngoc"
    assert split_name("Huỳnh Mai").surname_key == split_name("Hoàng Mai").surname_key == "hoang"
    assert name_variants("Nguyễn Thị Hoà") == {"nguyen thi hoa", "nguyen hoa"}
    assert name_variants("") == set()


@settings(max_examples=300)
@given(any_text)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=300)
@given(any_text)
def test_fold_commutes_with_normalise(text):
    assert fold(normalise(text)) == fold(text)
    assert normalise(fold(text)) == fold(text)
    assert fold(fold(text)) == fold(text)


@settings(max_examples=300)
@given(vietnamese_text)
def test_fold_ignores_nfd_and_tone_placement(text):
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)
    assert fold(place_tones(unicodedata.normalize("NFC", text), "old")) == fold(text)


@settings(max_examples=300)
@given(any_text)
def test_name_normalisation_is_idempotent_and_commutes_with_folding(text):
    name = normalise_name(text)
    assert normalise_name(name) == name
    assert fold_name(name) == fold_name(text)
    assert fold_name(fold_name(text)) == fold_name(text)
    parts = split_name(text)
    assert split_name(parts.full) == parts
