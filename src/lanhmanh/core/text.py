"""Vietnamese text helpers: normalisation, diacritic folding and personal-name parsing.

``normalise()`` is what every stored text goes through: Unicode NFC, one tone-placement convention,
whitespace collapsed. ``fold()`` is the matching key: lower-case ASCII, no diacritics, đ → d.
``normalise_name()`` and ``split_name()`` add what only names need: capitalisation, names typed
without spaces, and the surname / middle name / given name parts with their usual alternates.

Tone placement. Vietnamese writes the tone mark of the open syllables ``oa``, ``oe`` and ``uy`` in two
ways: on the first vowel (the "old" style of the 1950s dictionaries and of most keyboards: hòa, khỏe,
thúy) or on the main vowel (the "new" style of the 1984 Ministry of Education rules: hoà, khoẻ, thuý).
We store the new style (``TONE_STYLE``); both inputs normalise to it, and folding ignores tones
anyway, so the choice never changes a match. Other syllables have one spelling in both styles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

_SPACES = re.compile(r"\s+")

# The five tone marks as combining characters (huyền, sắc, hỏi, ngã, nặng).
TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
# "new": hoà, khoẻ, thuý (main vowel); "old": hòa, khỏe, thúy (first vowel).
TONE_STYLE = "new"

_PLAIN_VOWELS = "aeiouy"
_MARKED_VOWELS = "ăâêôơư"  # vowels carrying a vowel-quality mark: the tone goes on them
_VOWELS = _PLAIN_VOWELS + _MARKED_VOWELS
_CONSONANTS = "bcdfghjklmnpqrstvwxzđ"


def _build_tables() -> tuple[dict[str, tuple[str, int]], dict[tuple[str, int], str]]:
    """Map each toned or untoned vowel to (toneless vowel, tone index 0-5) and back."""
    split: dict[str, tuple[str, int]] = {}
    join: dict[tuple[str, int], str] = {}
    for vowel in _VOWELS:
        for tone, mark in enumerate(("", *TONE_MARKS)):
            for base in (vowel, vowel.upper()):
                composed = unicodedata.normalize("NFC", base + mark)
                split[composed] = (base, tone)
                join[(base, tone)] = composed
    return split, join


_SPLIT, _JOIN = _build_tables()


def _is_vowel(ch: str) -> bool:
    return ch.lower() in _VOWELS


def _tone_position(letters: list[str], style: str) -> int | None:
    """Index of the letter carrying the tone in a toneless syllable, or None if it has no vowel."""
    lower = [ch.lower() for ch in letters]
    start = 0
    # "qu" and "gi" + vowel: the u / i belongs to the initial consonant.
    initial = "".join(lower[:2])
    if len(lower) >= 3 and (initial == "qu" or (initial == "gi" and _is_vowel(lower[2]))):
        start = 2
    first = next((i for i in range(start, len(lower)) if _is_vowel(lower[i])), None)
    if first is None:
        if start == 2 and lower[1] in "iu":  # "gì", "gìn"-like: the i is the vowel after all
            return 1
        return None
    end = first
    while end < len(lower) and _is_vowel(lower[end]):
        end += 1
    nucleus = range(first, end)
    marked = [i for i in nucleus if lower[i] in _MARKED_VOWELS]
    if marked:
        return marked[-1]
    count = end - first
    if count == 1:
        return first
    if end < len(lower):  # closed syllable: hoàng, toán, quýt
        return end - 1
    if count >= 3:  # ngoài, khuỷu, ngoẹo
        return first + 1
    pair = lower[first] + lower[first + 1]
    if pair in ("oa", "oe", "uy"):
        return first + 1 if style == "new" else first
    return first  # mái, áo, mía, múa, túi


def _place_tone_in_word(word: str, style: str) -> str:
    letters: list[str] = []
    tones: list[int] = []
    for ch in word:
        if ch in _SPLIT:
            base, tone = _SPLIT[ch]
        elif ch.isascii() and ch.isalpha() or ch in "đĐ":
            base, tone = ch, 0
        else:
            return word  # not a Vietnamese syllable: leave it alone
        letters.append(base)
        tones.append(tone)
    marked = [t for t in tones if t]
    if len(marked) != 1:
        return word
    position = _tone_position(letters, style)
    if position is None or not _is_vowel(letters[position]):
        return word
    result = list(letters)
    result[position] = _JOIN[(letters[position], marked[0])]
    return "".join(result)


@lru_cache(maxsize=65536)
def place_tones(text: str, style: str = TONE_STYLE) -> str:
    """Every syllable of an NFC text with its tone mark where ``style`` puts it (hòa → hoà in "new")."""
    # A word is a run of letters and combining marks: a stray mark keeps its word untouched.
    return "".join(
        _place_tone_in_word(chunk, style) if is_word else chunk
        for is_word, chunk in ((key, "".join(group)) for key, group in groupby(text, key=_is_word_character))
    )


def _is_word_character(ch: str) -> bool:
    return ch.isalpha() or bool(unicodedata.combining(ch))


def normalise(text: str | None) -> str:
    """NFC, one tone-placement convention, surrounding spaces removed, inner whitespace runs collapsed.

    Case is kept: 'Nguye\u0302\u0303n  Thị  Hòa' → 'Nguyễn Thị Hoà'. Idempotent.
    """
    if not text:
        return ""
    composed = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return place_tones(composed)


def fold(text: str | None) -> str:
    """Lower-case ASCII form for matching: 'Nguyễn  Thị Đào' → 'nguyen thi dao'.

    Diacritics are removed after NFD decomposition; đ/Đ (a letter of its own, not a composed one)
    becomes d. NFC and NFD input, and both tone placements, fold to the same key.
    """
    if not text:
        return ""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


# Names ---------------------------------------------------------------------------------------------

_NAME_JUNK = re.compile(r"[^\w\s'-]|[\d_]")

# Middle names that carry sex rather than identity, often left out: "Nguyễn Thị Hoa" = "Nguyễn Hoa".
OPTIONAL_MIDDLE = ("thi", "van")

# Folded surname → its canonical spelling for matching: regional or old spellings of one surname.
SURNAME_ALTERNATES = {
    "vo": "vu",  # Võ (South) / Vũ (North): the same family name
    "huynh": "hoang",  # Huỳnh (South) / Hoàng (North), since the Nguyễn lords' taboo
    "li": "ly",
    "ngo": "ngo",
    "nguyen": "nguyen",
    "ng": "nguyen",
    "nguyn": "nguyen",
    "nguyenn": "nguyen",
    "dao": "dao",
    "do": "do",
    "dam": "dam",
    "kieu": "kieu",
    "trinh": "trinh",
}


def _split_camel_case(text: str) -> str:
    """'NguyễnThịHoà' → 'Nguyễn Thị Hoà': a space before each capital that follows a small letter."""
    out = []
    previous = ""
    for ch in text:
        if ch.isupper() and previous.islower():
            out.append(" ")
        out.append(ch)
        previous = ch
    return "".join(out)


def _one_to_one(ch: str, changed: str) -> str:
    return changed if len(changed) == 1 else ch  # ß → SS, İ → i̇: keep the letter as typed


def _capitalise_word(word: str) -> str:
    return "".join(_one_to_one(ch, ch.upper() if i == 0 else ch.lower()) for i, ch in enumerate(word))


def normalise_name(text: str | None) -> str:
    """A personal name in one form: 'NGUYỄN thị  hòa' → 'Nguyễn Thị Hoà', 'NguyenThiHoa' → 'Nguyen Thi Hoa'.

    Digits and punctuation other than apostrophes and hyphens are dropped. Idempotent.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = _split_camel_case(text)
    text = _NAME_JUNK.sub(" ", text)
    text = normalise(text)
    return " ".join(_capitalise_word(w) for w in text.split(" ") if w)


def fold_name(text: str | None) -> str:
    """The folded matching key of a name: ``fold(normalise_name(text))``."""
    return fold(normalise_name(text))


def canonical_surname(folded_surname: str) -> str:
    return SURNAME_ALTERNATES.get(folded_surname, folded_surname)


@dataclass(frozen=True)
class NameParts:
    """A Vietnamese name in its three parts (surname first, given name last), each normalised."""

    surname: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.surname, self.middle, self.given) if p)

    @property
    def folded_surname(self) -> str:
        return fold(self.surname)

    @property
    def folded_middle(self) -> str:
        return fold(self.middle)

    @property
    def folded_given(self) -> str:
        return fold(self.given)

    @property
    def surname_key(self) -> str:
        """Folded surname with its regional alternates merged (Võ = Vũ, Huỳnh = Hoàng)."""
        return canonical_surname(self.folded_surname)

    @property
    def middle_core(self) -> str:
        """Folded middle name without the optional 'Thị' / 'Văn'."""
        return " ".join(w for w in self.folded_middle.split() if w not in OPTIONAL_MIDDLE)


def split_name(text: str | None) -> NameParts:
    """'Nguyễn Thị Thu Hoà' → surname 'Nguyễn', middle 'Thị Thu', given 'Hoà'.

    A single word is taken as the given name (how people are called); an empty name gives three
    empty parts.
    """
    words = normalise_name(text).split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", "", words[0])
    return NameParts(words[0], " ".join(words[1:-1]), words[-1])


def name_variants(text: str | None) -> set[str]:
    """Folded spellings under which the same person may be recorded (with/without Thị, surname alternates)."""
    parts = split_name(text)
    if not parts.given:
        return set()
    surnames = {parts.folded_surname, parts.surname_key} - {""}
    middles = {parts.folded_middle, parts.middle_core}
    return {" ".join(w for w in (s, m, parts.folded_given) if w) for s in surnames or {""} for m in middles}
