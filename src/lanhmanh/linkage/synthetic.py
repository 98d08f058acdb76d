"""Synthetic Vietnamese person registries with known truth, for evaluating the linkage engine.

People are drawn with real surname frequencies (Nguyễn about 38 %, then Trần, Lê, Phạm, Hoàng/Huỳnh,
Phan, Vũ/Võ …) and wide pools of real given and middle names in frequency tiers (about 250 female
and 150 male given names; "Thị"/"Văn" declining with the year of birth: see ``FEMALE_GIVEN_TIERS``
for the sources and reasoning); 20 % of people are recorded more than once (2 to 5
records), by different agencies. ``generate(n, seed)`` returns columns (a dict of equal-length lists)
in the engine's input fields, plus ``person`` (the truth) for scoring.

Places. Residences are real 2014 Hanoi commune codes (``org/data/hanoi-divisions-2014.json``),
concentrated where the plan's caseload is: the inner-city districts weigh four times the suburban
ones, so two strangers share a commune far more often than with uniform codes (that is what made
the first default model overrate "same commune"). Hometowns are a Hanoi commune for 40 % of people
and a commune of another northern or central province for the rest (real province codes).

Error rates, each drawn independently per record (``Rates``), and why:
- ``ascii_only`` 30 %: police and commune forms are often typed without a Vietnamese keyboard, and
  Excel lists exported from older software lose the marks.
- ``old_tones`` 50 %: the common keyboards (Unikey, Telex defaults) and most people write hòa/thúy;
  the 1984 rule (hoà/thuý) is the minority, so about one record in two differs from the other.
- ``nfd`` 10 %: text pasted from macOS or web forms arrives decomposed.
- ``capitals`` 10 %, ``no_spaces`` 2 %: names in capitals on forms; spaces lost in some exports.
- ``drop_thi`` 15 % (of records whose middle name starts with "Thị"/"Văn"): routinely left out
  when a person gives her name orally.
- ``drop_middle`` 3 %: the whole middle name left out ("Nguyễn Linh" for "Nguyễn Thu Linh").
- ``surname_spelling`` 3 %: Võ/Vũ and Huỳnh/Hoàng, the regional spellings of one family name.
- ``given_typo`` 2 %, ``date_typo`` 2 %, ``id_typo`` 1 %: one key wrong, the usual manual-entry rate.
- Birth year only, about 11 % of records: people without papers say "sinh năm 1990" and forms then
  hold 00/00/1990. It is the person's: 30 % of the people without papers (``year_only_person``)
  know only the year, so every record of theirs has it; any other record has its date left as
  00/00 in 2 % of cases (``year_only_record``).
- ``swap_day_month`` 3 % (when the day is ≤ 12): mm/dd from spreadsheets set to an English locale.
- ``no_birth`` 2 %, ``impossible_date`` 0.5 %, ``single_word`` 0.5 %, ``empty_name`` 0.3 %: the bad
  input the engine must survive.
- Papers, about 56 % of records with an ID number: papers too belong to the person. 70 % of people
  have a document (``papers``) and 80 % of their records hold its number (``id_shown``: not shown
  at every stop, or not typed); the others have none on any record. When present, the old 9-digit
  CMND (only people born before 1995 have one) is used in 35 % of records and the 12-digit CCCD
  otherwise: the CMND and CCCD of one person are different numbers, so they never agree.
- ``sex_missing`` 10 %, ``sex_wrong`` 0.3 %: the field is often left blank, rarely mistyped.
- ``moved`` 30 %: people in this population move often; a record then holds another commune, in
  the same district for 60 % of moves (``move_within_district``: rented rooms nearby), else anywhere.
- ``hometown_missing`` 40 %: the hometown is an optional field most forms skip.

``Rates(correlated=False)`` draws the year-only (10 %), ID-number (55 %) and move errors
independently per record, with moves anywhere in the city: the harsher registry of the first
benchmark runs, kept to compare with (``BENCH_LINKAGE_CORRELATED=0``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lanhmanh.core.text import fold, place_tones
from lanhmanh.linkage import engine

# Share of the population (%), after published surveys of Vietnamese surnames.
SURNAMES = {
    "Nguyễn": 38.4,
    "Trần": 12.1,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 3.5,
    "Huỳnh": 1.6,
    "Phan": 4.5,
    "Vũ": 2.2,
    "Võ": 1.7,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đào": 0.5,
    "Đinh": 0.5,
    "Trương": 0.5,
    "Lâm": 0.4,
    "Mai": 0.4,
    "Trịnh": 0.4,
    "Lương": 0.4,
    "Cao": 0.3,
    "Đoàn": 0.3,
    "Hà": 0.3,
    "Tạ": 0.2,
    "Tô": 0.2,
    "Lưu": 0.2,
    "Chu": 0.2,
    "Kiều": 0.1,
    "Thái": 0.1,
    "Quách": 0.1,
    "Vương": 0.1,
    "La": 0.1,
    "Khuất": 0.1,
    "Nghiêm": 0.1,
    "Triệu": 0.1,
}
# Given and middle names. No public table of Vietnamese given-name frequencies covers the whole
# population, so the pools below are real names in frequency tiers (estimates from name lists and
# registries, not measurements): a few very common names (Linh, Trang, Hương … each near 2 % of
# women), a few dozen common ones, and long tails of less common and old-fashioned names (Lượt,
# Mùi, Thìn, Gái …), about 250 female and 150 male given names in all. The earlier pool of ~80 female
# names made strangers share name + birth date far more often than in a real registry (the exact
# name + birth-date baseline reached only P 0.89 at 1M records). Folding still merges some
# (Hương/Hường, Thu/Thư), as it does for real.
FEMALE_GIVEN_TIERS: dict[float, str] = {
    20: "Linh Trang Hương Anh Ngọc Hà Thảo Huyền",
    9: "Hằng Mai Lan Nga Phương Thu Hoa Hạnh Yến Nhung Dung Hồng Loan Vân Giang Oanh Thuỷ Liên "
    "Quỳnh Ly Hiền Thanh Tâm Nhi Duyên Thuý Chi",
    4: "Hoà Vy My Trinh Diệp Khánh Ngân Hậu Xuân Nhàn Quyên Tuyết Hoài Lệ Thắm Hạ Uyên Diễm Tuyền "
    "Nguyệt Sương Kiều Như Hân Thoa Huệ Cúc Ánh Bích Phượng Ngà Dương Hải Lương Thơm Tuyến Hường "
    "Thuận Lý Lành Luyến Hảo Thương Trâm Vi Thư Diệu Lài Mến Mơ Nhạn Huế Thêu Xuyến Tươi Thơ Lụa "
    "Gấm Quế Ninh Bình Đào Hoan Nương Trà Tú Vui Tình Sen",
    1.5: "Ái An Bảo Băng Cầm Châu Chinh Dạ Đan Điệp Đoan Hiên Hoàn Hợi Huyên Kim Khuê Lam Liễu "
    "Lịch Lựu Mận Mỹ Minh Mùi Nguyên Nhài Nhân Nhiên Nhuần Phấn Phúc Phụng Quý Quyến Sâm Sinh "
    "Tần Thái Thìn Thoan Thục Tiên Toan Trúc Tố Tư Tuệ Tuyên Uyển Vinh Xoan Xuyên Yên Ý Ngát "
    "Ngoan Mừng Lợi Khanh Khuyên Hợp Đông Lộc Diễn Doan Hoá Lanh Mây Na Phi Thi Thuần Trầm "
    "Viên Xinh Thảnh Hiệp Lâm Quyên Son Huê Thuỳ Chung Dịu Giáng Hồ Kha Khê Loan Mai Nhị",
    0.5: "Bông Đẹp Gái Hai Hiểu Khiết Lê Nhâm Nhớ Ơn Quỳ Sa Sang Sim Thêm Thoại Út Vàng Bé "
    "Lượt Ngần Phận Phước Thường Tịnh Vượng Điềm Nhuận Soa Cậy Hến Lài Rạng Tuất Dần Tý Mão "
    "Tỵ Ngọ Thân Dậu Hiếu Nhất Nhung Chiêm Ngư Lừng Bưởi",
}
MALE_GIVEN_TIERS: dict[float, str] = {
    20: "Anh Hùng Dũng Tuấn Minh Nam Hải Long",
    9: "Quang Sơn Thắng Trung Đức Hiếu Cường Tùng Huy Phong Khoa Bình Toàn Thành Việt Hoàng Lâm "
    "Kiên Duy Tiến Thịnh Vinh Phúc Tài Lộc Hưng Quân Hoà Hiệp Mạnh",
    4: "Khải Quý Thuỵ Khoẻ Hậu Tú Trường Hoà Đạt Hoan Khánh Khang Lợi Luân Lực Mạnh Nghĩa Nhân "
    "Phát Phương Quyết Tâm Thái Thanh Thiện Thuận Tín Trí Trọng Tú Tuyên Tư Vũ Vương Xuân Bảo "
    "Chiến Công Cương Định Đông Giang Hà Hạnh Hào Hoan Học Hợp Huấn Hưởng Khiêm Khôi Kiệt Lân "
    "Linh Luận Ngọc Nguyên Nhật Phú Quốc Sang Sáng Tạo Thạch Thông Thuật Tiệp Toản Tráng Triều",
    1.5: "Bách Bằng Cảnh Chính Chương Danh Diện Doanh Dương Đàn Đảm Đăng Điệp Đoàn Độ Giáp Hách "
    "Hãn Hậu Hiển Hoạt Huân Huỳnh Kha Khương Lạc Lai Lĩnh Lượng Mẫn Ngạn Nhạc Ninh Phán Phiên "
    "Phụng Quảng Quyền Sĩ Sinh Sỹ Tá Tấn Thao Thiêm Thìn Thoại Thường Tịnh Toại Tới Tuân Tuệ "
    "Tường Uy Văn Vĩnh Vỹ Yên Tý Sửu Dần Mão Ngọ Thân Tuất Hợi Út Tèo Bảy Tám Chín",
}
# Middle names. "Thị" (women) and "Văn" (men) dominate the older cohorts and have been declining for
# decades: we give "Thị" to 75 % of women born in 1960, falling linearly to 25 % of those born in
# 2006 (and "Văn" from 60 % to 25 % of men); a few carry "Thị" plus a second middle name. The
# others take one of the usual middle names (Thu, Thanh, Ngọc, Minh, Hồng, Kim, Phương, Thuỳ …),
# weighted roughly by how often they are met.
THI_SHARE = (0.75, 0.25)
VAN_SHARE = (0.60, 0.25)
FEMALE_MIDDLE_THI = ["Thị"] * 48 + [
    "Thị Thu",
    "Thị Thanh",
    "Thị Ngọc",
    "Thị Kim",
    "Thị Hồng",
    "Thị Minh",
    "Thị Thuý",
    "Thị Phương",
    "Thị Bích",
    "Thị Mai",
    "Thị Lan",
    "Thị Thuỳ",
]
FEMALE_MIDDLE_OTHER: dict[str, float] = {
    **dict.fromkeys(("Thu", "Thanh", "Ngọc"), 6.0),
    **dict.fromkeys(("Hồng", "Minh", "Kim", "Phương", "Thuỳ"), 4.0),
    **dict.fromkeys(("Mai", "Bích", "Mỹ"), 3.0),
    **dict.fromkeys(
        [
            "Diệu",
            "Hải",
            "Khánh",
            "Lan",
            "Hoài",
            "Quỳnh",
            "Thảo",
            "Bảo",
            "Tuyết",
            "Vân",
            "Xuân",
            "Hương",
            "Hà",
            "Ánh",
            "Cẩm",
            "Thuý",
        ],
        2.0,
    ),
    **dict.fromkeys(
        [
            "Như",
            "Tú",
            "Trà",
            "Hạnh",
            "Hoàng",
            "Huyền",
            "Linh",
            "Nguyệt",
            "Phượng",
            "Yến",
            "Hiền",
            "Huệ",
            "Gia",
            "Đan",
            "Tường",
            "Uyên",
            "An",
            "Lệ",
            "Trúc",
            "Kiều",
            "Việt",
            "Hồng",
            "Ngọc",
            "Thục",
            "Quế",
            "Tâm",
            "Nhật",
            "Hoa",
        ],
        1.0,
    ),
}
MALE_MIDDLE_OTHER: dict[str, float] = {
    **dict.fromkeys(("Đức", "Minh", "Quang", "Hữu", "Thành", "Công"), 4.0),
    **dict.fromkeys(
        [
            "Ngọc",
            "Xuân",
            "Anh",
            "Đình",
            "Tuấn",
            "Hoàng",
            "Mạnh",
            "Trọng",
            "Duy",
            "Tiến",
            "Thanh",
            "Hải",
            "Quốc",
        ],
        2.0,
    ),
    **dict.fromkeys(
        [
            "Bá",
            "Trung",
            "Việt",
            "Khắc",
            "Huy",
            "Kim",
            "Nhật",
            "Chí",
            "Gia",
            "Thế",
            "Đăng",
            "Như",
            "Viết",
            "Tất",
            "Phú",
        ],
        1.0,
    ),
}
SURNAME_SPELLINGS = {"Vũ": "Võ", "Võ": "Vũ", "Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Lý": "Lí"}


@dataclass(frozen=True)
class Rates:
    """Probability of each error kind in one record (independently drawn)."""

    ascii_only: float = 0.30  # typed without diacritics
    old_tones: float = 0.50  # hòa/thúy/khỏe instead of hoà/thuý/khoẻ
    nfd: float = 0.10
    capitals: float = 0.10
    no_spaces: float = 0.02
    drop_thi: float = 0.15  # "Thị" (or "Văn") left out
    drop_middle: float = 0.03  # the whole middle name left out
    surname_spelling: float = 0.03
    given_typo: float = 0.02
    single_word: float = 0.005
    empty_name: float = 0.003
    year_only: float = 0.10
    swap_day_month: float = 0.03
    date_typo: float = 0.02
    no_birth: float = 0.02
    impossible_date: float = 0.005  # "00/00/1990" or 31/02
    id_present: float = 0.55  # independent errors only (see ``correlated``)
    id_typo: float = 0.01
    id_letters: float = 0.005
    sex_missing: float = 0.10
    sex_wrong: float = 0.003
    moved: float = 0.30  # residence differs from the person's first record
    hometown_missing: float = 0.40
    # Correlated errors (the default): papers and the knowledge of one's birth date belong to the
    # person, not to the record, and most moves are short. ``correlated=False`` draws every error
    # independently per record (``id_present``, ``year_only`` and moves anywhere in the city).
    correlated: bool = True
    papers: float = 0.70  # share of people who have an identity document
    id_shown: float = 0.80  # of their records, the share holding the number (≈ 56 % of all records)
    year_only_person: float = 0.30  # of people without papers, those who know only their birth year
    year_only_record: float = 0.02  # otherwise, a record with the date left as 00/00/yyyy
    move_within_district: float = 0.60  # of moves, those to another commune of the same district


def _weighted(rng: random.Random, table: dict[str, float], k: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=k)


def _tiered(tiers: dict[float, str]) -> dict[str, float]:
    """name → weight; a name listed in two tiers keeps the first (higher) weight."""
    table: dict[str, float] = {}
    for weight, names in tiers.items():
        for name in names.split():
            table.setdefault(name, weight)
    return table


class _Pool:
    """Weighted draws from a name table (cumulative weights computed once)."""

    def __init__(self, table: dict[str, float]):
        self.names = list(table)
        self.cum: list[float] = []
        total = 0.0
        for weight in table.values():
            total += weight
            self.cum.append(total)

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum)[0]


def _share(shares: tuple[float, float], year: int) -> float:
    """Linear from ``shares[0]`` for people born in 1960 to ``shares[1]`` for those born in 2006."""
    t = min(1.0, max(0.0, (year - 1960) / 46))
    return shares[0] + (shares[1] - shares[0]) * t


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]  # dropped letter
    if kind < 0.7 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters
    return word[:i] + rng.choice("aeinhtuo") + word[i + 1 :]


HANOI_UNITS = Path(__file__).resolve().parent.parent / "org" / "data" / "hanoi-divisions-2014.json"
# Inner-city districts (codes up to 009, plus Hà Đông 268) see four times the suburban caseload.
INNER_CITY = {"001", "002", "003", "004", "005", "006", "007", "008", "009", "268"}
# Provinces people in Hanoi's registry most often come from (GSO codes), roughly by weight.
HOMETOWN_PROVINCES = {
    "01": 40, "26": 4, "27": 4, "30": 5, "33": 5, "34": 6, "35": 5, "36": 7, "37": 4, "38": 7,
    "40": 5, "42": 3, "22": 2, "24": 3, "25": 3, "19": 2, "20": 1, "31": 2, "79": 1, "10": 1,
}  # fmt: skip


@lru_cache(maxsize=1)
def hanoi_communes() -> tuple[list[str], list[float]]:
    """Every 2014 Hanoi commune path (``01.002.00076``) with its weight in the synthetic population."""
    data = json.loads(HANOI_UNITS.read_text(encoding="utf-8"))
    paths, weights = [], []
    for district in data["districts"]:
        weight = 4.0 if district["code"] in INNER_CITY else 1.0
        for commune in district["communes"]:
            paths.append(f"{data['province']['code']}.{district['code']}.{commune['code']}")
            weights.append(weight)
    return paths, weights


def _residence(rng: random.Random) -> str:
    paths, weights = hanoi_communes()
    return rng.choices(paths, weights)[0]


@lru_cache(maxsize=1)
def _district_communes() -> dict[str, list[str]]:
    by_district: dict[str, list[str]] = {}
    for path in hanoi_communes()[0]:
        by_district.setdefault(path.rsplit(".", 1)[0], []).append(path)
    return by_district


def _moved(rng: random.Random, residence: str, r: Rates) -> str:
    """Another commune: of the same district for most moves (rented rooms nearby), else anywhere."""
    if r.correlated and rng.random() < r.move_within_district:
        return rng.choice(_district_communes()[residence.rsplit(".", 1)[0]])
    return _residence(rng)


def _hometown(rng: random.Random) -> str:
    province = rng.choices(list(HOMETOWN_PROVINCES), list(HOMETOWN_PROVINCES.values()))[0]
    if province == "01":
        return _residence(rng)
    return f"{province}.{rng.randint(1, 12):03d}.{rng.randint(1, 250):05d}"


def _people(rng: random.Random, count: int) -> list[dict]:
    surnames = _weighted(rng, SURNAMES, count)
    female_given = _Pool(_tiered(FEMALE_GIVEN_TIERS))
    male_given = _Pool(_tiered(MALE_GIVEN_TIERS))
    female_middle = _Pool(FEMALE_MIDDLE_OTHER)
    male_middle = _Pool(MALE_MIDDLE_OTHER)
    start = dt.date(1960, 1, 1).toordinal()
    end = dt.date(2006, 12, 31).toordinal()
    people = []
    for i in range(count):
        female = rng.random() < 0.8
        born = dt.date.fromordinal(rng.randint(start, end))
        given = (female_given if female else male_given).draw(rng)
        if female:
            if rng.random() < _share(THI_SHARE, born.year):
                middle = rng.choice(FEMALE_MIDDLE_THI)
            else:
                middle = female_middle.draw(rng)
        else:
            middle = "Văn" if rng.random() < _share(VAN_SHARE, born.year) else male_middle.draw(rng)
        cccd = (
            f"0{rng.randint(1, 96):02d}{0 if female else 1}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
        )
        cmnd = f"{rng.randint(1, 38):02d}{rng.randint(0, 9999999):07d}" if born.year < 1995 else ""
        people.append(
            {
                "person": f"P{i:07d}",
                "surname": surnames[i],
                "middle": middle,
                "given": given,
                "sex": "female" if female else "male",
                "born": born,
                "cccd": cccd,
                "cmnd": cmnd,
                "residence": _residence(rng),
                "hometown": _hometown(rng),
            }
        )
    return people


def _name(rng: random.Random, person: dict, r: Rates) -> str:
    surname, middle, given = person["surname"], person["middle"], person["given"]
    if rng.random() < r.surname_spelling and surname in SURNAME_SPELLINGS:
        surname = SURNAME_SPELLINGS[surname]
    if rng.random() < r.drop_thi and middle.split()[0] in ("Thị", "Văn"):
        middle = " ".join(middle.split()[1:])
    if rng.random() < r.drop_middle:
        middle = ""
    if rng.random() < r.given_typo:
        given = _typo(rng, given)
    words = [w for w in (surname, middle, given) if w]
    if rng.random() < r.single_word:
        words = [given]
    if rng.random() < r.empty_name:
        return ""
    text = " ".join(words)
    if rng.random() < r.old_tones:
        text = place_tones(text, "old")
    if rng.random() < r.ascii_only:
        text = " ".join(w.capitalize() for w in fold(text).split())
    if rng.random() < r.capitals:
        text = text.upper()
    if rng.random() < r.no_spaces:
        text = text.replace(" ", "")
    if rng.random() < r.nfd:
        text = unicodedata.normalize("NFD", text)
    return text


def _birth(rng: random.Random, born: dt.date, r: Rates, year_only: float | None = None) -> str:
    year_only = r.year_only if year_only is None else year_only
    roll = rng.random()
    if roll < r.no_birth:
        return ""
    roll -= r.no_birth
    if roll < year_only:
        return str(born.year) if rng.random() < 0.5 else f"00/00/{born.year}"
    roll -= year_only
    if roll < r.impossible_date:
        return f"31/02/{born.year}"
    roll -= r.impossible_date
    day, month, year = born.day, born.month, born.year
    if roll < r.swap_day_month and day <= 12:
        day, month = month, day
    elif roll < r.swap_day_month + r.date_typo:
        day = max(1, min(28, day + rng.choice((-1, 1, 10, -10)) if day > 10 else day + 1))
    fmt = rng.random()
    if fmt < 0.7:
        return f"{day:02d}/{month:02d}/{year}"
    if fmt < 0.9:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{day}/{month}/{year}"


def _id_number(rng: random.Random, person: dict, r: Rates, present: float | None = None) -> str:
    if rng.random() >= (r.id_present if present is None else present):
        return ""
    number = person["cmnd"] if person["cmnd"] and rng.random() < 0.35 else person["cccd"]
    if rng.random() < r.id_typo:
        i = rng.randrange(len(number))
        number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
    if rng.random() < r.id_letters:
        number = "B" + number[1:]
    if rng.random() < 0.2:
        number = f"{number[:3]} {number[3:6]} {number[6:]}"
    return number


def generate(records: int, *, seed: int = 2014, rates: Rates | None = None) -> dict[str, list]:
    """``records`` rows; 20 % of people have 2 to 5 records each; column ``person`` is the truth."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not secrets
    r = rates or Rates()
    people = _people(rng, int(records / 1.28) + 10)
    columns: dict[str, list] = {
        key: []
        for key in (
            "id",
            "person",
            "full_name",
            "birth_date",
            "id_number",
            "sex",
            "residence_unit",
            "hometown_unit",
        )
    }
    made = 0
    for person in people:
        if made >= records:
            break
        copies = 1
        if rng.random() < 0.20:
            copies = rng.choices((2, 3, 4, 5), weights=(70, 20, 7, 3))[0]
        year_only = id_shown = None  # independent errors: the per-record rates
        if r.correlated:
            papers = rng.random() < r.papers
            id_shown = r.id_shown if papers else 0.0
            year_only = 1.0 if not papers and rng.random() < r.year_only_person else r.year_only_record
        for _ in range(min(copies, records - made)):
            made += 1
            columns["id"].append(f"R{made:07d}")
            columns["person"].append(person["person"])
            columns["full_name"].append(_name(rng, person, r))
            columns["birth_date"].append(_birth(rng, person["born"], r, year_only))
            columns["id_number"].append(_id_number(rng, person, r, id_shown))
            sex = person["sex"]
            if rng.random() < r.sex_wrong:
                sex = "male" if sex == "female" else "female"
            columns["sex"].append("" if rng.random() < r.sex_missing else sex)
            columns["residence_unit"].append(
                _moved(rng, person["residence"], r) if rng.random() < r.moved else person["residence"]
            )
            columns["hometown_unit"].append("" if rng.random() < r.hometown_missing else person["hometown"])
    order = list(range(made))
    rng.shuffle(order)
    return {key: [values[i] for i in order] for key, values in columns.items()}


def train_default_model(records: int = 100_000, *, seed: int = 2014) -> Path:
    """Retrain the shipped default model on a synthetic registry with Hanoi's commune distribution,
    and save it with the name frequencies the entry-time scorer needs (``entry.NameFrequencies``)."""

    data = generate(records, seed=seed)
    data.pop("person")
    prepared = engine.prepare(data)
    model = engine.LinkageModel(prepared).train()
    try:
        model.save(engine.DEFAULT_MODEL)
        engine.save_frequencies(prepared, engine.DEFAULT_FREQUENCIES)
    finally:
        model.close()
    return engine.DEFAULT_MODEL


if __name__ == "__main__":  # python -m lanhmanh.linkage.synthetic: retrain the shipped default model
    print(train_default_model())
