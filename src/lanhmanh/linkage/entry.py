"""Scoring one typed or imported record against candidate persons, in Python (no DuckDB).

The trained model's m and u probabilities (``default_model.json``, Splink's own format) are applied
level by level with the same conditions as the engine's SQL (``engine.COMPARISONS``); term-frequency
adjustments use the name and place frequencies saved with the model (``default_frequencies.json``).
Candidates come from the blind indexes and the blocking keys stored on Person (``blocking``), so a
look-up reads a few hundred rows at most, even at a million persons.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lanhmanh.linkage import engine


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity (as DuckDB's ``jaro_winkler_similarity``)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_flags, b_flags = [False] * len(a), [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_flags[j] and b[j] == ch:
                a_flags[i] = b_flags[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_chars = [ch for ch, f in zip(a, a_flags, strict=True) if f]
    b_chars = [ch for ch, f in zip(b, b_flags, strict=True) if f]
    transpositions = sum(x != y for x, y in zip(a_chars, b_chars, strict=True)) / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def damerau_levenshtein(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@dataclass(frozen=True)
class Features:
    """The engine's matching features of one record (``engine.prepare``'s columns)."""

    surname_f: str | None
    surname_key: str | None
    middle_f: str | None
    middle_core: str | None
    given_f: str | None
    name_concat: str | None
    name_core: str | None
    dob: str | None
    dob_year: int | None
    dob_month: int | None
    dob_day: int | None
    id_number: str | None
    sex: str | None
    residence: str | None
    residence_district: str | None
    hometown: str | None
    hometown_province: str | None


def features(
    *,
    full_name: str,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    id_number: str = "",
    sex: str = "",
    residence_unit: str = "",
    hometown_unit: str = "",
) -> Features:
    names = engine._name_features(full_name or "")
    number, _ = engine.parse_id_number(id_number)
    residence, residence_district, _ = engine._unit(residence_unit)
    hometown, _, hometown_province = engine._unit(hometown_unit)
    year = birth_date.year if birth_date else birth_year
    return Features(
        *names,
        birth_date.isoformat() if birth_date else None,
        year,
        birth_date.month if birth_date else None,
        birth_date.day if birth_date else None,
        number,
        sex if sex in ("female", "male") else None,
        residence,
        residence_district,
        hometown,
        hometown_province,
    )


def features_from_row(row: dict[str, Any]) -> Features:
    """Features with only the given columns set (the others None): for frequency look-ups."""
    return Features(**{name: row.get(name) for name in Features.__dataclass_fields__})


def _name_level(l: Features, r: Features) -> int:  # noqa: E741 - l/r as in the engine's SQL
    if l.given_f is None or r.given_f is None:
        return 0
    if l.name_concat == r.name_concat:
        return 1
    if l.name_core == r.name_core:
        return 2
    if l.surname_key == r.surname_key and l.given_f == r.given_f:
        return 3
    if (
        l.surname_key is not None
        and l.surname_key == r.surname_key
        and jaro_winkler(l.given_f, r.given_f) >= 0.85
        and (l.middle_core or "") == (r.middle_core or "")
    ):
        return 4
    if jaro_winkler(l.name_concat or "", r.name_concat or "") >= 0.92:
        return 5
    if l.given_f == r.given_f:
        return 6
    return 7


def _birth_level(l: Features, r: Features) -> int:  # noqa: E741
    if l.dob_year is None or r.dob_year is None:
        return 0
    both = l.dob is not None and r.dob is not None
    if both and l.dob == r.dob:
        return 1
    if both and l.dob_year == r.dob_year and l.dob_month == r.dob_day and l.dob_day == r.dob_month:
        return 2
    if both and damerau_levenshtein(l.dob, r.dob) <= 1:
        return 3
    if not both and l.dob_year == r.dob_year:
        return 4
    if both and l.dob_year == r.dob_year and l.dob_month == r.dob_month:
        return 5
    if l.dob_year == r.dob_year:
        return 6
    if abs(l.dob_year - r.dob_year) <= 1:
        return 7
    return 8


def _id_level(l: Features, r: Features) -> int:  # noqa: E741
    if l.id_number is None or r.id_number is None or len(l.id_number) != len(r.id_number):
        return 0
    if l.id_number == r.id_number:
        return 1
    return 2 if damerau_levenshtein(l.id_number, r.id_number) <= 1 else 3


def _place_level(l_unit, r_unit, l_wide, r_wide) -> int:
    if l_unit is None or r_unit is None:
        return 0
    if l_unit == r_unit:
        return 1
    return 2 if l_wide == r_wide else 3


def _sex_level(l: Features, r: Features) -> int:  # noqa: E741
    if l.sex is None or r.sex is None:
        return 0
    return 1 if l.sex == r.sex else 2


def _residence_level(left: Features, right: Features) -> int:
    return _place_level(left.residence, right.residence, left.residence_district, right.residence_district)


def _hometown_level(left: Features, right: Features) -> int:
    return _place_level(left.hometown, right.hometown, left.hometown_province, right.hometown_province)


LEVELS = {
    "name": _name_level,
    "birth": _birth_level,
    "id_number": _id_level,
    "residence": _residence_level,
    "hometown": _hometown_level,
    "sex": _sex_level,
}


class Scorer:
    """Match weights of record pairs from a saved Splink model, with term-frequency adjustments."""

    MIN_FREQUENCY = 1e-5

    def __init__(self, model: dict[str, Any], frequencies: dict[str, dict[str, float]]):
        self.prior = math.log2(
            model["probability_two_random_records_match"]
            / (1 - model["probability_two_random_records_match"])
        )
        self.levels: dict[str, list[dict[str, Any]]] = {}
        for comparison in model["comparisons"]:
            self.levels[comparison["output_column_name"]] = comparison["comparison_levels"]
        self.frequencies = frequencies

    def _frequency(self, column: str, value: str | None) -> float:
        table = self.frequencies.get(column, {})
        if (value or "") in table:
            return max(table[value or ""], self.MIN_FREQUENCY)
        # A value the training registry never had is rare there, not unique: the rarest one seen.
        return max(self._rarest(column), self.MIN_FREQUENCY)

    @lru_cache(maxsize=16)  # noqa: B019 - a few columns, scorers live as long as the process
    def _rarest(self, column: str) -> float:
        return min(self.frequencies.get(column, {}).values(), default=self.MIN_FREQUENCY)

    def tf(self, column: str, f: Features) -> float:
        if column in ("name_concat", "name_core"):  # the parts taken as independent
            return (
                self._frequency("surname_key", f.surname_key)
                * self._frequency("middle_core", f.middle_core)
                * self._frequency("given_f", f.given_f)
            )
        if column == "hometown":  # one commune among the province's: ~250 communes a province
            return self._frequency("hometown_province", f.hometown_province) / 250
        return self._frequency(column, getattr(f, column))

    def score(self, left: Features, right: Features) -> tuple[float, float, list[engine.FieldWeight]]:
        """(match probability, match weight, per-field weights)."""
        total = self.prior
        fields = []
        for name, level_of in LEVELS.items():
            levels = self.levels[name]
            level = levels[level_of(left, right)]
            weight = 0.0
            if not level.get("is_null_level"):
                m, u = level.get("m_probability") or 1e-6, level.get("u_probability") or 1e-6
                weight = math.log2(m / u)
                if column := level.get("tf_adjustment_column"):
                    weight += level.get("tf_adjustment_weight", 1.0) * math.log2(u / self.tf(column, left))
            total += weight
            fields.append(
                engine.FieldWeight(
                    name, engine.FIELD_LABELS.get(name, name), level["label_for_charts"], weight
                )
            )
        return 1 / (1 + 2 ** (-total)), total, fields


@lru_cache(maxsize=4)
def _load(model_path: Path, frequencies_path: Path) -> Scorer:
    model = json.loads(model_path.read_text(encoding="utf-8"))
    frequencies = (
        json.loads(frequencies_path.read_text(encoding="utf-8")) if frequencies_path.is_file() else {}
    )
    return Scorer(model, frequencies)


def default_scorer() -> Scorer:
    return _load(engine.DEFAULT_MODEL, engine.DEFAULT_FREQUENCIES)
