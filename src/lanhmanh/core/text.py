"""Vietnamese text helpers: NFC normalisation and diacritic folding for exact-match keys.

Kept deliberately small; name parsing and tone-placement variants come later.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """NFC form, surrounding spaces removed, inner runs of whitespace collapsed to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """Lower-case ASCII form for matching: 'Nguyễn  Thị Đào' → 'nguyen thi dao'.

    Diacritics are removed after NFD decomposition; đ/Đ (a letter of its own, not a composed one)
    becomes d. NFC and NFD input fold to the same key.
    """
    text = normalise(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
