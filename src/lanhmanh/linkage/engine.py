"""Probabilistic record linkage of person records (Splink 5 on an embedded DuckDB).

Runs on plain records (a pyarrow table, a mapping of columns, or an iterable of dicts): no Django.

Input fields (every one optional except an id; see ``FIELDS``):
    full_name, or surname / middle_name / given_name; birth_date (any of dd/mm/yyyy, yyyy-mm-dd,
    yyyy, 00/00/yyyy, or a date); birth_year; id_number (9-digit CMND or 12-digit CCCD); sex;
    residence_unit and hometown_unit (administrative unit codes such as ``01.002.00076``).

Pipeline: ``prepare()`` turns raw values into matching features and lists what it could not use;
``LinkageModel.train()`` estimates the model without labels (u by random sampling, m by EM on two
blocking passes, λ from deterministic rules); ``predict()`` scores the pairs found by the blocking
rules; ``cluster()`` links pairs above a threshold into people; ``explain()`` says which fields
agreed and how much each counted. ``save()`` / ``load()`` keep the trained model as Splink JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT
from splink.internals.exceptions import SplinkException

from lanhmanh.core.text import OPTIONAL_MIDDLE, canonical_surname, fold, split_name
from lanhmanh.linkage.entry import default_scorer, features_from_row

logger = logging.getLogger(__name__)

# Input fields the engine understands, with the Vietnamese description printed by ``lanhmanh link --help``.
FIELDS: dict[str, str] = {
    "id": "mã dòng (nếu không có: số thứ tự dòng)",
    "full_name": "họ và tên đầy đủ (họ, tên đệm, tên)",
    "surname": "họ (nếu tách riêng)",
    "middle_name": "tên đệm (nếu tách riêng)",
    "given_name": "tên (nếu tách riêng)",
    "birth_date": "ngày sinh: dd/mm/yyyy, yyyy-mm-dd, yyyy hoặc 00/00/yyyy",
    "birth_year": "năm sinh (khi không có ngày sinh)",
    "id_number": "số CMND (9 chữ số) hoặc CCCD (12 chữ số)",
    "sex": "giới tính: nữ/nam (female/male, F/M)",
    "residence_unit": "mã đơn vị hành chính nơi ở (thường trú hoặc tạm trú)",
    "hometown_unit": "mã đơn vị hành chính quê quán",
}

FEATURE_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("surname_f", pa.string()),
        ("surname_key", pa.string()),
        ("middle_f", pa.string()),
        ("middle_core", pa.string()),
        ("given_f", pa.string()),
        ("name_concat", pa.string()),
        ("name_core", pa.string()),
        ("sgy_key", pa.string()),
        ("yo_key", pa.string()),
        ("dob", pa.string()),
        ("dob_year", pa.int32()),
        ("dob_month", pa.int32()),
        ("dob_day", pa.int32()),
        ("id_number", pa.string()),
        ("sex", pa.string()),
        ("residence", pa.string()),
        ("residence_district", pa.string()),
        ("hometown", pa.string()),
        ("hometown_province", pa.string()),
    ]
)

# Thresholds on the match probability: above UPPER a pair is linked, between LOWER and UPPER it is
# reviewed by a person, below LOWER it is dropped. A wrong merge is worse than a missed one.
UPPER_THRESHOLD = 0.995
# Batch linking of a whole file (``lanhmanh link``, the benchmark), from one scoring of the
# 1,000,000-record synthetic registry swept over 0.5 … 0.9 on seeds 7 and 2014. 0.75 is the most
# recall with precision ≥ 0.99 on both (seed 7: P 0.9917, R 0.9258, F1 0.9576; seed 2014: P 0.9905,
# R 0.9298, F1 0.9592); seed 7 alone would pick 0.7 (P 0.9901), which falls to P 0.9890 on seed
# 2014. Precision first: a wrong merge is worse than a missed one.
LINK_THRESHOLD = 0.75
DUCKDB_MEMORY_LIMIT = "2GB"
# What DuckDB may spill to disk (issue #19: under 10 GB of temporary disk). Each model spills into a
# directory of its own under the system's temporary directory (not DuckDB's default ``.tmp`` in the
# working directory), removed when the model is closed; past this size DuckDB stops with an error
# instead of filling the disk.
DUCKDB_MAX_TEMP = "10GB"
LOWER_THRESHOLD = 0.80
# Clustering: two records of one cluster scored below VETO split it, rebuilt from links ≥ STRICT.
VETO = 0.01
STRICT_THRESHOLD = 0.999


@dataclass(frozen=True)
class Problem:
    """A value the engine could not use: row id, input field, reason (Vietnamese)."""

    row: str
    field: str
    reason: str


@dataclass
class Prepared:
    table: pa.Table
    problems: list[Problem] = field(default_factory=list)


# Preparation ---------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[T ].*)?$")
_YEAR = re.compile(r"^(\d{4})$")
_SEX = {
    "f": "female",
    "female": "female",
    "nu": "female",
    "nư": "female",
    "m": "male",
    "male": "male",
    "nam": "male",
}


def parse_birth(value: Any, today: dt.date | None = None) -> tuple[dt.date | None, int | None, str]:
    """(date, year, reason-if-unusable). '00/00/1990' and '1990' give the year alone."""
    today = today or dt.date.today()
    if value is None:
        return None, None, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value.year, ""
    text = str(value).strip()
    if not text:
        return None, None, ""
    day = month = year = None
    if m := _DMY.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _YMD.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _YEAR.match(text):
        year = int(m.group(1))
    else:
        return None, None, "ngày sinh không đọc được"
    if not 1900 <= year <= today.year:
        return None, None, "năm sinh ngoài khoảng 1900 đến nay"
    if not day or not month:
        return None, year, ""  # 00/00/1990: only the year is known
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return None, year, "ngày/tháng sinh không tồn tại, chỉ dùng năm sinh"
    if born > today:
        return None, None, "ngày sinh ở tương lai"
    return born, year, ""


def parse_id_number(value: Any) -> tuple[str | None, str]:
    text = str(value or "").strip()
    if not text:
        return None, ""
    compact = re.sub(r"[\s.\-]", "", text)
    if not compact.isdigit():
        return None, "số giấy tờ có chữ cái hoặc ký tự lạ"
    if len(compact) not in (9, 12):
        return None, "số giấy tờ không phải 9 (CMND) hoặc 12 (CCCD) chữ số"
    if len(set(compact)) == 1:
        return None, "số giấy tờ toàn một chữ số"
    return compact, ""


@lru_cache(maxsize=500_000)
def _name_features(full_name: str) -> tuple[str | None, ...]:
    parts = split_name(full_name)
    if not parts.given:
        return (None,) * 7
    surname, middle, given = fold(parts.surname), fold(parts.middle), fold(parts.given)  # once each
    surname_key = canonical_surname(surname)
    middle_core = " ".join(w for w in middle.split() if w not in OPTIONAL_MIDDLE)
    concat = f"{surname}{middle}{given}".replace(" ", "") or None
    # The name without what is often left out or spelled regionally ("Thị"/"Văn", Võ/Vũ).
    core = f"{surname_key}{middle_core}{given}".replace(" ", "") or None
    return (
        surname or None,
        surname_key or None,
        middle or None,
        middle_core or None,
        given or None,
        concat,
        core,
    )


def _unit(value: Any) -> tuple[str | None, str | None, str | None]:
    """(unit, its first two levels, its first level): '01.002.00076' → ('01.002.00076', '01.002', '01')."""
    text = re.sub(r"\s+", "", str(value or ""))
    if not text:
        return None, None, None
    pieces = text.split(".")
    return text, ".".join(pieces[:2]), pieces[0]


def _columns(records: Any) -> tuple[dict[str, list[Any]], int]:
    if isinstance(records, pa.Table):
        data = {name: records.column(name).to_pylist() for name in records.column_names}
    elif isinstance(records, Mapping):
        data = {k: list(v) for k, v in records.items()}
    else:
        rows = list(records)
        keys = {k for row in rows for k in row}
        data = {k: [row.get(k) for row in rows] for k in keys}
    lengths = {len(v) for v in data.values()}
    if len(lengths) > 1:
        raise ValueError("Các cột có số dòng khác nhau.")
    return data, (lengths.pop() if lengths else 0)


def prepare(records: Any, *, today: dt.date | None = None) -> Prepared:
    """Matching features of raw records; never raises on a bad value, lists it in ``problems``."""
    data, count = _columns(records)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"Trường không được hỗ trợ: {', '.join(unknown)}. Các trường: {', '.join(FIELDS)}.")
    today = today or dt.date.today()
    problems: list[Problem] = []
    out: dict[str, list[Any]] = {name: [] for name in FEATURE_SCHEMA.names}

    def col(name: str) -> list[Any]:
        return data.get(name) or [None] * count

    ids = data.get("id") or [str(i + 1) for i in range(count)]
    full, sur, mid, giv = col("full_name"), col("surname"), col("middle_name"), col("given_name")
    births, years, id_numbers, sexes = col("birth_date"), col("birth_year"), col("id_number"), col("sex")
    residences, hometowns = col("residence_unit"), col("hometown_unit")
    seen_ids: set[str] = set()
    for i in range(count):
        row = str(ids[i]).strip() if ids[i] is not None else ""
        if not row or row in seen_ids:
            problems.append(Problem(row or str(i + 1), "id", "mã dòng trống hoặc trùng, dùng số thứ tự dòng"))
            row = f"#{i + 1}"
        seen_ids.add(row)
        name = full[i] if full[i] else " ".join(str(p) for p in (sur[i], mid[i], giv[i]) if p)
        features = _name_features(str(name or ""))
        if features[4] is None:
            problems.append(Problem(row, "full_name", "họ tên trống"))
        elif features[0] is None:
            problems.append(Problem(row, "full_name", "họ tên chỉ có một từ: chỉ so sánh như tên"))
        born, year, reason = parse_birth(births[i], today)
        if reason:
            problems.append(Problem(row, "birth_date", reason))
        if year is None and years[i] not in (None, ""):
            try:
                year = int(str(years[i]).strip())
            except ValueError:
                year = None
            if year is None or not 1900 <= year <= today.year:
                problems.append(Problem(row, "birth_year", "năm sinh không hợp lệ"))
                year = None
        number, reason = parse_id_number(id_numbers[i])
        if reason:
            problems.append(Problem(row, "id_number", reason))
        sex_text = fold(str(sexes[i] or ""))
        sex = _SEX.get(sex_text)
        if sex_text and sex is None and sex_text not in ("unknown", "khong ro", "other", "khac"):
            problems.append(Problem(row, "sex", "giới tính không đọc được"))
        residence, residence_district, _ = _unit(residences[i])
        hometown, _, hometown_province = _unit(hometowns[i])
        # Blocking keys: surname + given name + birth year for every record, and the same key for the
        # records that only know the year (so a year-only record meets full dates of that year).
        sgy = f"{features[1] or ''}|{features[4]}|{year}" if features[4] and year else None
        values = (
            row,
            *features,
            sgy,
            sgy if born is None else None,
            born.isoformat() if born else None,
            year,
            born.month if born else None,
            born.day if born else None,
            number,
            sex,
            residence,
            residence_district,
            hometown,
            hometown_province,
        )
        for name, value in zip(FEATURE_SCHEMA.names, values, strict=True):
            out[name].append(value)
    return Prepared(pa.Table.from_pydict(out, schema=FEATURE_SCHEMA), problems)


# Model settings ------------------------------------------------------------------------------------


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


FIELD_LABELS: dict[str, str] = {}


def _comparison(name: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    FIELD_LABELS[name] = description
    return {"output_column_name": name, "comparison_description": description, "comparison_levels": levels}


def _else() -> dict[str, Any]:
    return _level("ELSE", "khác nhau")


COMPARISONS = [
    # The name as a whole: its parts are typed with correlated errors (no diacritics, "Thị" left out),
    # so one comparison with graded levels counts them once. Term frequencies make "Nguyễn Thị Linh"
    # count for less than a rare name.
    _comparison(
        "name",
        "Họ và tên",
        [
            _level("given_f_l IS NULL OR given_f_r IS NULL", "thiếu", null=True),
            _level("name_concat_l = name_concat_r", "trùng họ tên", tf="name_concat"),
            _level("name_core_l = name_core_r", "trùng khi bỏ “Thị”/“Văn” hoặc họ viết khác", tf="name_core"),
            _level(
                "surname_key_l = surname_key_r AND given_f_l = given_f_r",
                "trùng họ và tên, khác tên đệm",
                tf="given_f",
            ),
            _level(
                "surname_key_l = surname_key_r AND jaro_winkler_similarity(given_f_l, given_f_r) >= 0.85"
                " AND coalesce(middle_core_l, '') = coalesce(middle_core_r, '')",
                "trùng họ và tên đệm, tên gần giống",
            ),
            _level("jaro_winkler_similarity(name_concat_l, name_concat_r) >= 0.92", "họ tên gần giống"),
            _level("given_f_l = given_f_r", "trùng tên, khác họ", tf="given_f"),
            _else(),
        ],
    ),
    _comparison(
        "birth",
        "Ngày sinh",
        [
            _level("dob_year_l IS NULL OR dob_year_r IS NULL", "thiếu", null=True),
            _level("dob_l = dob_r", "trùng ngày sinh"),
            _level(
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                "ngày và tháng đảo chỗ",
            ),
            _level("damerau_levenshtein(dob_l, dob_r) <= 1", "ngày sinh sai một chữ số"),
            _level(
                "(dob_l IS NULL OR dob_r IS NULL) AND dob_year_l = dob_year_r",
                "chỉ biết năm sinh, trùng năm",
            ),
            _level("dob_year_l = dob_year_r AND dob_month_l = dob_month_r", "cùng năm và tháng sinh"),
            _level("dob_year_l = dob_year_r", "cùng năm sinh, khác ngày"),
            _level("abs(dob_year_l - dob_year_r) <= 1", "năm sinh lệch một năm"),
            _else(),
        ],
    ),
    _comparison(
        "id_number",
        "Số CMND/CCCD",
        [
            # A 9-digit CMND and a 12-digit CCCD of one person are different numbers: no evidence.
            _level(
                "id_number_l IS NULL OR id_number_r IS NULL OR length(id_number_l) <> length(id_number_r)",
                "thiếu hoặc khác loại giấy tờ (CMND/CCCD)",
                null=True,
            ),
            _level("id_number_l = id_number_r", "trùng số giấy tờ"),
            _level("damerau_levenshtein(id_number_l, id_number_r) <= 1", "sai một chữ số"),
            _else(),
        ],
    ),
    _comparison(
        "residence",
        "Nơi ở",
        [
            _level("residence_l IS NULL OR residence_r IS NULL", "thiếu", null=True),
            _level("residence_l = residence_r", "cùng xã/phường", tf="residence"),
            _level("residence_district_l = residence_district_r", "cùng quận/huyện"),
            _else(),
        ],
    ),
    # Where one was born does not change when one moves: stronger evidence than the residence.
    _comparison(
        "hometown",
        "Quê quán",
        [
            _level("hometown_l IS NULL OR hometown_r IS NULL", "thiếu", null=True),
            _level("hometown_l = hometown_r", "cùng quê", tf="hometown"),
            _level("hometown_province_l = hometown_province_r", "cùng tỉnh"),
            _else(),
        ],
    ),
    _comparison(
        "sex",
        "Giới tính",
        [
            _level("sex_l IS NULL OR sex_r IS NULL", "thiếu", null=True),
            _level("sex_l = sex_r", "cùng giới tính"),
            _else(),
        ],
    ),
]

# Pairs worth scoring: each rule is cheap on its own, together they keep the known error kinds.
BLOCKING_RULES = [
    "l.id_number = r.id_number",  # same document, whatever the name
    # same name (without "Thị"/"Văn", Võ = Vũ) and birth year: day/month typos, swaps, year only
    "l.name_core = r.name_core AND l.dob_year = r.dob_year",
    # names typed without spaces (one word): the whole name and the year
    "l.name_concat = r.name_concat AND l.dob_year = r.dob_year AND (l.surname_f IS NULL OR r.surname_f IS NULL)",
    "l.name_core = r.name_core AND l.residence = r.residence",  # birth date missing or wrong
    "l.name_core = r.name_core AND l.hometown = r.hometown",
    "l.given_f = r.given_f AND l.dob_year = r.dob_year AND l.residence = r.residence",  # surname garbled
    # a typo in the given name (rarely its first letter), or another middle name: same date of birth
    "l.dob = r.dob AND l.surname_key = r.surname_key AND left(l.given_f, 1) = left(r.given_f, 1)",
    "l.dob = r.dob AND l.given_f = r.given_f",  # typos in the surname, middle name left out
    # a name typed badly or left empty: the same birth date and the same commune
    "l.dob = r.dob AND l.residence = r.residence",
    # a typo or another middle name with year only: surname, initial, birth year and one place
    "l.surname_key = r.surname_key AND left(l.given_f, 1) = left(r.given_f, 1) AND l.dob_year = r.dob_year"
    " AND l.residence = r.residence",
    "l.surname_key = r.surname_key AND left(l.given_f, 1) = left(r.given_f, 1) AND l.dob_year = r.dob_year"
    " AND l.hometown = r.hometown",
    # wrong year, or day and month swapped: same name, same day and month in either order
    "l.name_core = r.name_core AND least(l.dob_day, l.dob_month) = least(r.dob_day, r.dob_month)"
    " AND greatest(l.dob_day, l.dob_month) = greatest(r.dob_day, r.dob_month)",
]

TRAINING_RULES = [
    "l.dob = r.dob",  # estimates the name, document, place and sex comparisons
    "l.name_core = r.name_core",  # estimates the birth date comparison
]
DETERMINISTIC_RULES = [
    "l.id_number = r.id_number AND l.dob_year = r.dob_year",
    "l.name_concat = r.name_concat AND l.dob = r.dob AND l.residence = r.residence",
]


def settings_dict() -> dict[str, Any]:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": json.loads(json.dumps(COMPARISONS)),
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "max_iterations": 20,
        "em_convergence": 0.001,
    }


# The model -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldWeight:
    comparison: str  # output column name: given_name, birth, …
    label: str  # Vietnamese field name
    level: str  # which level it fell in ("trùng tên", "thiếu", …)
    weight: float  # log2 Bayes factor, term-frequency adjustment included


@dataclass(frozen=True)
class ScoredPair:
    left: str
    right: str
    match_weight: float
    match_probability: float
    fields: tuple[FieldWeight, ...]


def _silence_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


class LinkageModel:
    """A Splink linker over one DuckDB connection and one prepared table."""

    def __init__(
        self,
        prepared: Prepared | pa.Table,
        settings: dict[str, Any] | str | Path | None = None,
        blocking_rules: Sequence[str] | None = None,
    ):

        _silence_splink()
        table = prepared.table if isinstance(prepared, Prepared) else prepared
        self.connection = duckdb.connect()
        self.connection.execute("SET threads TO 2")
        # Spill to disk rather than grow past the budget (peak under 4 GB for 1M records).
        self.connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        self.temp_directory = tempfile.mkdtemp(prefix="lanhmanh-duckdb-")
        self._remove_temp = weakref.finalize(self, shutil.rmtree, self.temp_directory, ignore_errors=True)
        self.connection.execute(f"SET temp_directory = '{self.temp_directory}'")
        self.connection.execute(f"SET max_temp_directory_size = '{DUCKDB_MAX_TEMP}'")
        self.connection.execute("SET preserve_insertion_order = false")
        self.db_api = DuckDBAPI(self.connection)
        frame = self.db_api.register(table, dataset_display_name="records")
        if isinstance(settings, (str, Path)):
            settings = json.loads(Path(settings).read_text(encoding="utf-8"))
        settings = dict(settings or settings_dict())
        if blocking_rules is not None:  # the rules a blocking plan kept (counted, tightened) for this input
            settings["blocking_rules_to_generate_predictions"] = list(blocking_rules)
        self.linker = Linker(frame, settings, log_level=None)
        self.table = table

    # Training ------------------------------------------------------------------------------------
    def train(self, *, u_pairs: float = 3e5, em_pairs: float = 3e5, seed: int = 2014) -> LinkageModel:
        """Estimate every parameter without labels. Deterministic for a given input and seed."""
        training = self.linker.training
        self.estimate_match_rate()
        training.estimate_u_using_random_sampling(
            max_pairs=u_pairs, seed=seed, min_count_per_level=None, num_chunks=1
        )
        self._exact_u()
        for rule in TRAINING_RULES:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=em_pairs
            )
        self._fill_unobserved_u()
        self._floor_m()
        return self

    # Agreeing on the full birth date: u near 5e-5, so the 300,000 random pairs hold only 5 to 20 of
    # them and the estimate moved by a factor of two from one registry to another (2.4e-5 on one of a
    # million records, 6.7e-5 on another of 200,000): one bit of weight on every pair born the same
    # day, and precision over- or under-estimated with it (issue #19). It is counted exactly instead,
    # from the column's value counts: the pairs that agree on ``column`` among those that both have
    # ``present`` (the comparison's null level), leaving out the pairs that also agree on
    # ``apart`` (nearly all the true matches among them; strangers seldom share a name).
    EXACT_U = {"birth": ("dob", "dob_year", "name_core")}

    def _exact_u(self) -> None:
        self.connection.register("lanhmanh_exact_u", self.table)
        try:
            for comparison in self.linker._settings_obj.comparisons:
                spec = self.EXACT_U.get(comparison.output_column_name)
                if spec is None:
                    continue
                column, present, apart = spec
                query = f"""
                    WITH r AS (SELECT {column} AS v, {apart} AS a FROM lanhmanh_exact_u WHERE {present} IS NOT NULL),
                    same AS (SELECT count(*) AS n FROM r WHERE v IS NOT NULL GROUP BY v),
                    both_ AS (SELECT count(*) AS n FROM r WHERE v IS NOT NULL AND a IS NOT NULL GROUP BY v, a),
                    apart_ AS (SELECT count(*) AS n FROM r WHERE a IS NOT NULL GROUP BY a)
                    SELECT (SELECT count(*) FROM r), (SELECT sum(n * (n - 1) / 2) FROM same),
                        (SELECT sum(n * (n - 1) / 2) FROM both_), (SELECT sum(n * (n - 1) / 2) FROM apart_)
                """  # noqa: S608 — our own column names
                records, same, same_both, same_apart = (
                    float(x or 0) for x in self.connection.execute(query).fetchall()[0]
                )
                pairs = records * (records - 1) / 2 - same_apart
                if pairs <= 0 or same - same_both <= 0:
                    continue  # too few records to count: the sampled u stays
                levels = [level for level in comparison.comparison_levels if not level.is_null_level]
                exact, rest = levels[0], levels[1:]
                u = (same - same_both) / pairs
                before = float(exact.u_probability or 0.0)
                scale = (1 - u) / (1 - before) if before < 1 else 1.0
                _set_u(exact, u, "exact, from value counts")
                for level in rest:  # the other levels keep their shares of what is left
                    if level._u_probability not in (None, LEVEL_NOT_OBSERVED_TEXT):
                        _set_u(level, float(level._u_probability) * scale, "random sampling, rescaled")
        finally:
            self.connection.unregister("lanhmanh_exact_u")

    # EM on synthetic or clean data finds some disagreements never happen among matches (a different
    # sex, hometown province or birth day): a weight of -30 bits would then veto a match on one
    # mistyped field. Real registries have errors the training data lacks, so no level is impossible.
    M_FLOOR = 0.002

    def _floor_m(self) -> None:
        for comparison in self.linker._settings_obj.comparisons:
            levels = [level for level in comparison.comparison_levels if not level.is_null_level]
            values = [max(float(level.m_probability or 0.0), self.M_FLOOR) for level in levels]
            total = sum(values)
            for level, value in zip(levels, values, strict=True):
                level.m_probability = value / total

    # Levels that random sampling never saw among non-matches (two records with the same ID number
    # by chance): Splink would fall back to a generic u. A collision of 9 or 12 digits is rarer.
    UNOBSERVED_U = {"id_number": 1e-7}

    def _fill_unobserved_u(self) -> None:
        for comparison in self.linker._settings_obj.comparisons:
            for level in comparison.comparison_levels:
                if level.is_null_level or level._u_probability not in (None, LEVEL_NOT_OBSERVED_TEXT):
                    continue
                level.u_probability = self.UNOBSERVED_U.get(comparison.output_column_name, 1e-6)

    def estimate_match_rate(self) -> float:
        """λ, the chance two random records match, from deterministic rules (kept if none fire)."""
        core = self.linker._settings_obj.core_model_settings
        before = core.probability_two_random_records_match
        try:
            self.linker.training.estimate_probability_two_random_records_match(
                DETERMINISTIC_RULES, recall=0.6
            )
        except ValueError as error:  # more deterministic matches than the recall allows
            logger.info("Match rate not re-estimated (%s)", error)
        after = self.linker._settings_obj.core_model_settings.probability_two_random_records_match
        if not 0 < after < 1:
            self.linker._settings_obj.core_model_settings.probability_two_random_records_match = before
        return self.linker._settings_obj.core_model_settings.probability_two_random_records_match

    @classmethod
    def trained(cls, prepared: Prepared | pa.Table, **kwargs: Any) -> LinkageModel:
        return cls(prepared).train(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return self.linker.misc.save_model_to_json()

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, prepared: Prepared | pa.Table, model: str | Path | dict[str, Any]) -> LinkageModel:
        return cls(prepared, model)

    # Prediction ----------------------------------------------------------------------------------
    def predict(self, threshold: float = LOWER_THRESHOLD):
        """Scored pairs at or above ``threshold`` match probability (a Splink dataframe)."""
        return self.linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")

    def pairs(self, predictions, *, threshold: float = LOWER_THRESHOLD) -> list[ScoredPair]:
        """The predicted pairs at or above ``threshold``, each with its per-field explanation."""
        relation = predictions.as_duckdbpyrelation()
        names = relation.columns
        rows = relation.filter(f"match_probability >= {float(threshold)}").fetchall()
        return [self.explain(dict(zip(names, row, strict=True))) for row in rows]

    def explain(self, row: Mapping[str, Any]) -> ScoredPair:
        """Which fields agreed and how much each counted (log2 Bayes factor, with TF adjustment)."""
        fields = []
        for comparison in self.linker._settings_obj.comparisons:
            name = comparison.output_column_name
            gamma = row.get(f"gamma_{name}")
            level_label = "?"
            for level in comparison.comparison_levels:
                if level.comparison_vector_value == gamma:
                    level_label = level.label_for_charts
            weight = float(row.get(f"mw_{name}") or 0.0) + float(row.get(f"mw_tf_adj_{name}") or 0.0)
            fields.append(FieldWeight(name, FIELD_LABELS.get(name, name), level_label, weight))
        return ScoredPair(
            left=str(row["unique_id_l"]),
            right=str(row["unique_id_r"]),
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            fields=tuple(fields),
        )

    def cluster(self, predictions, *, threshold: float = UPPER_THRESHOLD) -> dict[str, str]:
        """unique_id → cluster id (the smallest unique_id of its cluster) for pairs ≥ ``threshold``.

        Links are transitive, so a chain A–B–C can join two people who were never alike: a cluster
        in which two records were scored and found clearly different (probability below ``VETO``)
        is rebuilt from its strongest links only (≥ ``STRICT_THRESHOLD``), and a record still in
        conflict there is left on its own. Precision first.
        """
        relation = predictions.as_duckdbpyrelation()
        edges = (
            relation.filter(f"match_probability >= {float(threshold)}")
            .select("unique_id_l, unique_id_r, match_probability")
            .fetchall()
        )
        clusters = _components((str(a), str(b)) for a, b, _ in edges)
        conflicted = self._vetoed(relation, clusters)
        if conflicted:
            strict = max(threshold, STRICT_THRESHOLD)
            kept = [
                (str(a), str(b)) for a, b, p in edges if clusters[str(a)] not in conflicted or p >= strict
            ]
            clusters = _components(kept)
            if loose := self._vetoed(relation, clusters, members=True):
                clusters = _components((a, b) for a, b in kept if a not in loose and b not in loose)
        return {uid: clusters.get(uid, uid) for uid in map(str, self.table.column("unique_id").to_pylist())}

    def _vetoed(self, relation, clusters: dict[str, str], *, members: bool = False) -> set[str]:
        """Clusters (or their records) holding two records scored below ``VETO``: found in DuckDB,
        so the millions of low-scored pairs never come into Python."""
        if not clusters:
            return set()
        self.connection.register(
            "lanhmanh_clusters", pa.table({"uid": list(clusters), "cid": list(clusters.values())})
        )
        try:
            low = relation.filter(f"match_probability < {VETO}").select(
                "CAST(unique_id_l AS VARCHAR) AS l, CAST(unique_id_r AS VARCHAR) AS r"
            )
            clusters_table = self.connection.table("lanhmanh_clusters")
            rows = (
                low.set_alias("low")
                .join(clusters_table.set_alias("a"), "low.l = a.uid")
                .join(clusters_table.set_alias("b"), "low.r = b.uid AND a.cid = b.cid")
                .select("low.l, low.r, a.cid")
                .fetchall()
            )
        finally:
            self.connection.unregister("lanhmanh_clusters")
        if members:
            return {uid for left, right, _ in rows for uid in (left, right)}
        return {cid for _, _, cid in rows}

    def register_default_frequencies(self) -> None:
        """Term-frequency tables of this input's values, from the default model's training registry."""

        scorer = default_scorer()
        rows = self.table.select(
            [
                "surname_key",
                "middle_core",
                "given_f",
                "name_concat",
                "name_core",
                "residence",
                "hometown",
                "hometown_province",
            ]
        ).to_pylist()
        for column in ("name_concat", "name_core", "given_f", "residence", "hometown"):
            freq: dict[str, float] = {}
            for row in rows:
                if row[column] is not None:
                    freq[row[column]] = scorer.tf(column, features_from_row(row))
            if freq:
                table = pa.table({column: list(freq), f"tf_{column}": list(freq.values())})
                frame = self.db_api.register(table, dataset_display_name=f"tf_{column}_default")
                self.linker.table_management.register_term_frequency_lookup(frame, column)

    def close(self) -> None:
        self.connection.close()
        self._remove_temp()


def _set_u(level, value: float, description: str) -> None:
    """Set a level's u so that it stays: Splink re-derives u after each EM session from the values
    recorded by training (their median), so the recorded value is replaced too."""
    level._trained_u_probabilities = []
    level._add_trained_u_probability(value, description)
    level.u_probability = value


def _components(edges) -> dict[str, str]:
    """Connected components of an edge list (union-find): member → smallest member."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return {uid: find(uid) for uid in parent}


DEFAULT_MODEL = Path(__file__).with_name("default_model.json")
# Relative frequencies of folded surnames, middle names and given names in the default model's
# training data: the term-frequency adjustments of the entry-time scorer (no DuckDB there).
DEFAULT_FREQUENCIES = Path(__file__).with_name("default_frequencies.json")
TF_COLUMNS = ("surname_key", "middle_core", "given_f", "residence", "hometown_province")


def save_frequencies(prepared: Prepared, path: str | Path) -> None:
    """Share of records with each value of the name and place columns (values under 1e-5 dropped)."""
    out: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        values = [
            v or ""
            for v in prepared.table.column(column).to_pylist()
            if v is not None or column == "middle_core"
        ]
        total = len(values) or 1
        counts: dict[str, int] = {}
        for value in values:
            counts[value] = counts.get(value, 0) + 1
        out[column] = {k: round(n / total, 7) for k, n in sorted(counts.items()) if n / total >= 1e-5}
    Path(path).write_text(json.dumps(out, ensure_ascii=False, indent=0), encoding="utf-8")


# Below this many records EM has too few pairs to learn from: the shipped model is used instead.
MIN_TRAINING_RECORDS = 5000


def build_model(
    prepared: Prepared,
    model: str | Path | dict[str, Any] | None = None,
    *,
    blocking_rules: Sequence[str] | None = None,
) -> LinkageModel:
    """A ready model: ``model`` if given, else trained by EM, else (small or degenerate input) the
    shipped default model, trained on a synthetic registry of 100,000 records. ``blocking_rules``: the
    rules of a ``blocking_plan`` instead of the model's own."""

    if model:
        return LinkageModel(prepared, model, blocking_rules)
    if prepared.table.num_rows >= MIN_TRAINING_RECORDS:
        linkage = LinkageModel(prepared, None, blocking_rules)
        try:
            return linkage.train()
        except (SplinkException, duckdb.Error, ZeroDivisionError) as error:
            logger.warning("EM training failed (%s): using the default model", error)
            linkage.close()
    # The shipped model keeps its own match rate: estimated on a few rows it would be far too high
    # and link everything; the shipped one errs on the side of not merging. Term frequencies too come
    # from its training registry: in five records every name would look common.
    linkage = LinkageModel(prepared, DEFAULT_MODEL, blocking_rules)
    linkage.register_default_frequencies()
    return linkage


def link(
    records: Any,
    *,
    model: str | Path | dict[str, Any] | None = None,
    threshold: float = UPPER_THRESHOLD,
) -> tuple[dict[str, str], list[Problem], LinkageModel]:
    """Prepare, train (or load ``model``), predict and cluster: unique_id → cluster id, and problems."""
    clusterings, problems, linkage = link_sweep(records, (threshold,), model=model)
    return clusterings[0], problems, linkage


def link_sweep(
    records: Any,
    thresholds: Sequence[float],
    *,
    model: str | Path | dict[str, Any] | None = None,
) -> tuple[list[dict[str, str]], list[Problem], LinkageModel]:
    """Like ``link``, but one clustering per threshold, all from ONE prediction (scored once)."""
    prepared = prepare(records)
    if prepared.table.num_rows < 2:
        linkage = LinkageModel(prepared, model or DEFAULT_MODEL)
        ids = prepared.table.column("unique_id").to_pylist()
        return [{uid: uid for uid in ids} for _ in thresholds], prepared.problems, linkage
    linkage = build_model(prepared, model)
    predictions = linkage.predict(threshold=0.0)  # low scores too: they veto transitive links
    clusterings = [linkage.cluster(predictions, threshold=t) for t in thresholds]
    return clusterings, prepared.problems, linkage


# Blocking that holds (issue #19 item 6) -------------------------------------------------------------

# Pairs the blocking joins may produce (the sum over the rules, an upper bound of the pairs scored). The
# failed run of issue #19 spilled 75 GB for about 450 million pairs of one rule (~170 bytes a pair), so
# 100 million stay under the 10 GB disk target with the 2 GB memory limit; the synthetic registry's
# rules sum to about 124,000 at 50,000 records (so roughly 50 million at a million, blocks growing
# quadratically). Not measured at a million on this machine: --max-pairs changes it.
MAX_PAIRS = 100_000_000
# A single rule may produce at most this share of MAX_PAIRS before it is tightened or dropped.
RULE_SHARE = 0.4
# Pairs a plan aims at, so that a fresh million-record file links within the 5-minute target of issue
# #19 on two cores: scoring took about 13 s per million pairs at 1M records (EM and preparation about
# a minute more; load 1.2-1.5). Over it the largest rules are tightened first, each with the
# ``TIGHTENINGS`` that make it smaller without making it a subset of another rule; nothing is refused
# for it (``--max-pairs`` refuses). The synthetic registries with commune-level hometowns make about
# 10 million pairs at 1M and are left as they are; with province-level hometowns, "same core name and
# hometown" and "same surname, initial, year and hometown" made 24 of 34.5 million pairs for 0.1 % of
# the matches found at 0.75 (the ones no other rule finds).
TARGET_PAIRS = 15_000_000
# What a rule over budget is tightened with, in order (each one an equality, so it narrows the join).
TIGHTENINGS = (
    ("l.dob_year = r.dob_year", "cùng năm sinh"),
    ("l.sex = r.sex", "cùng giới tính"),
    ("l.residence_district = r.residence_district", "cùng quận/huyện nơi ở"),
    ("l.surname_key = r.surname_key", "cùng họ"),
)

_EQUALITY = re.compile(r"^(.+?)\s*=\s*(.+)$")


class BlockingTooLarge(ValueError):
    """The blocking rules would produce more pairs than the limit: refused before scoring."""


def _split_and(rule: str) -> list[str]:
    """The top-level AND terms of a blocking rule (parentheses kept together)."""
    terms, depth, start, upper = [], 0, 0, rule.upper()
    i = 0
    while i < len(rule):
        char = rule[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" AND ", i):
            terms.append(rule[start:i].strip())
            start = i + 5
            i += 4
        i += 1
    terms.append(rule[start:].strip())
    return [t for t in terms if t]


def rule_keys(rule: str) -> list[str]:
    """The equality keys of a rule (``l.x = r.x`` → ``x``): its join; other terms only filter."""
    keys = []
    for term in _split_and(rule):
        if match := _EQUALITY.match(term):
            left, right = match.group(1).strip(), match.group(2).strip()
            if "l." in left and "r." in right and left.replace("l.", "r.") == right:
                keys.append(left.replace("l.", ""))
    return keys


def count_rule_pairs(connection, table_name: str, rule: str) -> int:
    """Pairs a rule would produce before its filter terms (the join's size: Σ n(n−1)/2 over its blocks),
    by one GROUP BY: exact for the join, seconds at a million records, nothing materialised."""
    keys = rule_keys(rule)
    if not keys:
        raise ValueError(f"Luật chặn không có điều kiện bằng nhau: {rule}")
    not_null = " AND ".join(f"({k}) IS NOT NULL" for k in keys)
    blocks = f"SELECT count(*) AS n FROM {table_name} WHERE {not_null} GROUP BY {', '.join(keys)}"  # noqa: S608 — own rules
    sql = f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM ({blocks})"  # noqa: S608 — own rules
    return int(connection.execute(sql).fetchall()[0][0])


@dataclass
class RuleCount:
    rule: str
    pairs: int
    action: str = "giữ"  # giữ | siết | bỏ
    reason: str = ""
    original: str = ""


@dataclass
class BlockingPlan:
    rules: list[str]
    counts: list[RuleCount]
    max_pairs: int

    @property
    def total(self) -> int:
        """Pairs of the kept rules (an upper bound: a pair found by two rules is counted twice)."""
        return sum(c.pairs for c in self.counts if c.action != "bỏ")

    def lines(self) -> list[str]:
        out = ["Số cặp theo từng luật chặn (đếm trước khi chấm điểm):"]
        for count in self.counts:
            out.append(f"  {_n(count.pairs):>14} {count.action:<4} {count.original or count.rule}")
            if count.action == "siết":
                out.append(f"  {'':>14} → {count.rule}")
            if count.reason:
                out.append(f"  {'':>14}   ({count.reason})")
        out.append(f"  {_n(self.total):>14} tổng (giới hạn {_n(self.max_pairs)})")
        return out


def _n(number: int) -> str:
    """12.345.678: thousands separated the Vietnamese way."""
    return f"{number:,}".replace(",", ".")


def _tighten(
    connection, rule: str, budget: int, kept: Sequence[str]
) -> tuple[str, int | None, list[str], str | None]:
    """``rule`` with ``TIGHTENINGS`` added one by one until its pairs fit ``budget``: (the rule, its pairs
    or None when every tightening was not enough, the labels added, the ``kept`` rule it became
    redundant with, if any: its pairs all found by that rule already)."""
    tightened, added, smaller = rule, [], None
    for extra, label in TIGHTENINGS:
        key = extra.split(" = ")[0].replace("l.", "")
        if key in rule_keys(tightened):
            continue
        tightened = f"{tightened} AND {extra}"
        added.append(label)
        smaller = count_rule_pairs(connection, "records", tightened)
        if smaller <= budget:
            break
    else:
        smaller = None
    covered = next(
        (k for k in kept if smaller is not None and set(rule_keys(k)) <= set(rule_keys(tightened))), None
    )
    return tightened, smaller, added, covered


def _tighten_for_target(
    connection, rule: str, pairs: int, budget: int, kept: Sequence[str]
) -> tuple[str, int, list[str]]:
    """``rule`` tightened step by step towards ``budget`` pairs, skipping an extra that would make it
    redundant with a ``kept`` rule (its pairs all found by that rule already): the smallest rule
    reached, its pairs and the labels added (none when nothing made it smaller)."""
    best, best_pairs, best_added = rule, pairs, []
    tightened, added = rule, []
    for extra, label in TIGHTENINGS:
        key = extra.split(" = ")[0].replace("l.", "")
        if key in rule_keys(tightened):
            continue
        candidate = f"{tightened} AND {extra}"
        if any(set(rule_keys(k)) <= set(rule_keys(candidate)) for k in kept if k != rule):
            continue
        count = count_rule_pairs(connection, "records", candidate)
        tightened, added = candidate, [*added, label]
        if count < best_pairs:
            best, best_pairs, best_added = tightened, count, list(added)
        if best_pairs <= budget:
            break
    return best, best_pairs, best_added


def blocking_plan(
    prepared: Prepared | pa.Table,
    *,
    rules: Sequence[str] = tuple(BLOCKING_RULES),
    max_pairs: int = MAX_PAIRS,
    rule_budget: int | None = None,
    target_pairs: int = TARGET_PAIRS,
) -> BlockingPlan:
    """Count each rule's pairs before scoring; tighten a rule over ``rule_budget`` (or drop it, saying
    why); then, while the kept rules exceed ``target_pairs`` (the pairs scored within the time target),
    tighten the largest rules first; refuse (``BlockingTooLarge``, a Vietnamese message) when the kept
    rules still exceed ``max_pairs``. Province-level and commune-level places alike: the counts decide,
    not the codes (a rule on a province-level hometown joins far more pairs, and is the one tightened)."""
    table = prepared.table if isinstance(prepared, Prepared) else prepared
    budget = rule_budget if rule_budget is not None else int(max_pairs * RULE_SHARE)
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    connection.register("records", table)
    try:
        counts: list[RuleCount] = []
        kept: list[str] = []
        for rule in rules:
            pairs = count_rule_pairs(connection, "records", rule)
            if pairs <= budget:
                counts.append(RuleCount(rule, pairs))
                kept.append(rule)
                continue
            tightened, smaller, added, covered = _tighten(connection, rule, budget, kept)
            over = f"{_n(pairs)} cặp vượt ngân sách {_n(budget)} cặp mỗi luật"
            if smaller is None:
                reason = f"{over}; siết thêm {', '.join(added)} vẫn không đủ nên bỏ luật này"
                counts.append(RuleCount(rule, pairs, "bỏ", reason))
            elif covered is not None:
                reason = f"{over}; siết thêm {', '.join(added)} thì trùng với luật đã có ({covered}) nên bỏ"
                counts.append(RuleCount(rule, pairs, "bỏ", reason))
            else:
                reason = f"{over}; siết thêm {', '.join(added)} còn {_n(smaller)} cặp"
                counts.append(RuleCount(tightened, smaller, "siết", reason, original=rule))
                kept.append(tightened)
        _fit_target(connection, counts, kept, target_pairs)
    finally:
        connection.close()
    plan = BlockingPlan(kept, counts, max_pairs)
    if plan.total > max_pairs or not kept:
        raise BlockingTooLarge(
            "\n".join(
                [
                    *plan.lines(),
                    (
                        f"Dừng trước khi chấm điểm: các luật chặn sẽ tạo khoảng {_n(plan.total)} cặp, vượt giới hạn "
                        f"{_n(max_pairs)} cặp (--max-pairs). Với bộ nhớ {DUCKDB_MEMORY_LIMIT} và đĩa tạm hiện có, "
                        "chạy tiếp có thể làm đầy đĩa. Hãy tăng --max-pairs nếu máy đủ bộ nhớ và đĩa, hoặc bổ sung "
                        "cột phân biệt hơn (ngày sinh đầy đủ, quê quán cấp xã, số giấy tờ)."
                    ),
                ]
            )
        )
    return plan


def _fit_target(connection, counts: list[RuleCount], kept: list[str], target: int) -> None:
    """While the kept rules make more than ``target`` pairs, tighten the largest one not yet tried
    (``counts`` and ``kept`` changed in place). A rule that no tightening makes smaller stays: the
    target is time, not a limit (``--max-pairs`` is the limit)."""
    tried: set[int] = set()
    while (total := sum(c.pairs for c in counts if c.action != "bỏ")) > target:
        candidates = [i for i, c in enumerate(counts) if c.action != "bỏ" and i not in tried]
        if not candidates:
            return
        i = max(candidates, key=lambda j: counts[j].pairs)
        tried.add(i)
        count = counts[i]
        # Its share of the excess, but never below an even share of the target: a rule is tightened
        # no further than it needs, and the next largest takes the rest.
        rule_target = max(count.pairs - (total - target), target // len(kept))
        tightened, pairs, added = _tighten_for_target(connection, count.rule, count.pairs, rule_target, kept)
        if not added:
            continue
        reason = (
            f"cả kế hoạch {_n(total)} cặp, vượt mục tiêu {_n(target)} cặp (để chấm điểm trong khoảng 5 phút "
            f"trên 2 nhân, --target-pairs); luật lớn nhất được siết thêm {', '.join(added)} còn {_n(pairs)} cặp"
        )
        if count.reason:
            reason = f"{count.reason}; {reason}"
        kept[kept.index(count.rule)] = tightened
        counts[i] = RuleCount(tightened, pairs, "siết", reason, original=count.original or count.rule)


# Estimated precision and recall without truth (issue #19 item 5) ----------------------------------

THRESHOLD_GRID = tuple(round(0.5 + 0.005 * i, 3) for i in range(100)) + (0.999, 0.9995)


@dataclass(frozen=True)
class Estimate:
    threshold: float
    precision: float  # expected share of true matches among the pairs at or above the threshold
    recall: float  # expected share of all true matches among the scored pairs found at or above it
    pairs: int


def estimates(
    probabilities_sql: str, connection, thresholds: Sequence[float] = THRESHOLD_GRID
) -> list[Estimate]:
    """Pairwise precision and recall expected under the model: each scored pair is a match with its
    match probability (or 1/0 where a reviewer decided it), so E[TP(t)] = Σ p over pairs ≥ t,
    precision = E[TP]/pairs ≥ t, recall = E[TP(t)] / Σ p over every scored pair. ``probabilities_sql``
    selects a column ``p`` (which decides the pairs linked at t) and may select ``q``, the same pairs'
    probabilities under another estimate of the match rate: each figure is then the more cautious of
    the two (see ``estimates_of``)."""
    columns = ["p", "q"] if "q" in connection.sql(probabilities_sql).columns else ["p"]
    parts = [f"sum({c})" for c in columns]
    for t in thresholds:
        parts += [f"sum({c}) FILTER (WHERE p >= {t})" for c in columns]
        parts.append(f"count(*) FILTER (WHERE p >= {t})")
    query = f"SELECT {', '.join(parts)} FROM ({probabilities_sql})"  # noqa: S608 — floats and our own SQL
    row = [float(x or 0.0) for x in connection.execute(query).fetchall()[0]]  # the connection is used again
    k = len(columns)
    totals = row[:k]
    out = []
    for i, t in enumerate(thresholds):
        at = row[k + i * (k + 1) : k + (i + 1) * (k + 1)]
        found, n = at[:k], int(at[k])
        precision = min(f / n for f in found) if n else 1.0
        recall = min(f / total if total else 1.0 for f, total in zip(found, totals, strict=True))
        out.append(Estimate(t, precision, recall, n))
    return out


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


# The match rate λ comes from deterministic rules with an assumed recall (``estimate_match_rate``);
# where that assumption is off, λ is off, and so is every probability below certainty: on the
# synthetic registries λ came out 20-40 % low (2.1e-6 against 3.16e-6 at 200,000 records), so the
# matches hidden among the low-scored pairs were left out of the recall's denominator (estimated
# recall 0.01-0.025 over the true one). The fixed point λ = Σ p(λ) over the scored pairs / all pairs
# (what EM would set it to, the pairs outside the blocking counted as non-matches) came within 4 %
# of the true rate on each. It re-weighs the same linked pairs: the estimates take the more cautious
# of the two figures, so the threshold a precision chooses is never lowered by it.
FIXED_POINT_ITERATIONS = 20


def fixed_point_match_rate(model: LinkageModel, weights_sql: str) -> float:
    """λ such that λ × (all pairs) = Σ match probability at λ over the scored pairs; ``weights_sql``
    selects ``mw`` (Splink's match weight, prior included) and ``y`` (a reviewer's 1/0, else NULL)."""
    lam0 = float(model.linker._settings_obj.core_model_settings.probability_two_random_records_match)
    rows = model.table.num_rows
    all_pairs = rows * (rows - 1) / 2
    if not 0 < lam0 < 1 or all_pairs <= 0:
        return lam0
    lam = lam0
    for _ in range(FIXED_POINT_ITERATIONS):
        shift = _logit2(lam) - _logit2(lam0)
        query = f"SELECT sum(coalesce(y, 1 / (1 + pow(2, -(mw + {shift}))))) FROM ({weights_sql})"  # noqa: S608 — a float and our own SQL
        expected = float(model.connection.execute(query).fetchall()[0][0] or 0.0)
        new = min(max(expected / all_pairs, 1e-12), 0.5)
        if abs(new - lam) <= 1e-4 * lam:
            return new
        lam = new
    return lam


def estimates_of(
    model: LinkageModel,
    predictions,
    labels: Mapping[tuple[str, str], float] | None = None,
    thresholds: Sequence[float] = THRESHOLD_GRID,
) -> list[Estimate]:
    """``estimates`` over a Splink prediction, reviewers' decisions (``labels``: (id, id) → 1 or 0) in
    place of the model's probability for the pairs they decided; each figure the more cautious under
    the model's match rate and under its fixed point (``fixed_point_match_rate``). The linked pairs
    are the model's (``match_probability`` ≥ t) either way."""
    name = predictions.physical_name
    pairs = [(min(a, b), max(a, b), float(y)) for (a, b), y in (labels or {}).items()]
    model.connection.register(
        "lanhmanh_labels",
        pa.table(
            {"l": [p[0] for p in pairs], "r": [p[1] for p in pairs], "y": [p[2] for p in pairs]},
            schema=pa.schema([("l", pa.string()), ("r", pa.string()), ("y", pa.float64())]),
        ),
    )
    try:
        uid_l, uid_r = "CAST(pr.unique_id_l AS VARCHAR)", "CAST(pr.unique_id_r AS VARCHAR)"
        join = f"lab.l = least({uid_l}, {uid_r}) AND lab.r = greatest({uid_l}, {uid_r})"
        source = f"SELECT pr.match_probability AS p0, pr.match_weight AS mw, lab.y AS y FROM {name} pr LEFT JOIN lanhmanh_labels lab ON {join}"  # noqa: S608 — Splink's table
        if not pairs:
            source = (
                f"SELECT match_probability AS p0, match_weight AS mw, CAST(NULL AS DOUBLE) AS y FROM {name}"  # noqa: S608 — Splink's table
            )
        lam0 = float(model.linker._settings_obj.core_model_settings.probability_two_random_records_match)
        lam = fixed_point_match_rate(model, source)
        shift = _logit2(lam) - _logit2(lam0) if 0 < lam0 < 1 else 0.0
        query = f"SELECT coalesce(y, p0) AS p, coalesce(y, 1 / (1 + pow(2, -(mw + {shift})))) AS q FROM ({source})"  # noqa: S608 — a float and our own SQL
        return estimates(query, model.connection, thresholds)
    finally:
        model.connection.unregister("lanhmanh_labels")


def choose_threshold(found: Sequence[Estimate], precision: float) -> Estimate | None:
    """The lowest threshold whose estimated precision reaches ``precision`` (most recall), or None."""
    for estimate in sorted(found, key=lambda e: e.threshold):
        if estimate.pairs and estimate.precision >= precision:
            return estimate
    return None
