"""Synthetic Vietnamese person registries with known truth, for evaluating the linkage engine.

People are drawn with real surname frequencies (Nguyễn about 38 %, then Trần, Lê, Phạm, Hoàng/Huỳnh,
Phan, Vũ/Võ …) and common given and middle names; 20 % of people are recorded more than once, by
different agencies, each record carrying the errors seen in real registries at realistic rates:
names typed without diacritics, in capitals or without spaces, old or new tone placement, NFD
input, "Thị" left out, regional surname spellings, typos; birth dates with day and month swapped,
only the year, a wrong digit, or missing; the old 9-digit or the new 12-digit ID number, often none.

``generate(n, seed)`` returns columns (a dict of equal-length lists) in the engine's input fields,
plus ``person`` (the truth) for scoring.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from lanhmanh.core.text import fold, place_tones

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
FEMALE_GIVEN = [
    "Linh",
    "Trang",
    "Hương",
    "Hà",
    "Ngọc",
    "Anh",
    "Thảo",
    "Hằng",
    "Huyền",
    "Mai",
    "Lan",
    "Nga",
    "Phương",
    "Thu",
    "Hoà",
    "Thuý",
    "Hoa",
    "Hạnh",
    "Yến",
    "Nhung",
    "Dung",
    "Hồng",
    "Loan",
    "Vân",
    "Giang",
    "Oanh",
    "Thuỷ",
    "Liên",
    "Quỳnh",
    "Ly",
    "Nhi",
    "Vy",
    "My",
    "Hiền",
    "Thanh",
    "Tâm",
    "Trinh",
    "Diệp",
    "Khánh",
    "Chi",
    "Ngân",
    "Hậu",
    "Duyên",
    "Xuân",
    "Nhàn",
    "Quyên",
    "Tuyết",
    "Hoài",
    "Lệ",
    "Thắm",
    "Hiên",
    "Hạ",
    "Uyên",
    "Diễm",
    "Loan",
    "Tuyền",
    "Nguyệt",
    "Sương",
    "Kiều",
    "Như",
    "Hân",
    "Châm",
    "Thoa",
    "Gấm",
    "Lụa",
    "Huệ",
    "Cúc",
    "Đào",
    "Lý",
    "Ánh",
    "Bích",
    "Khuê",
    "Hoan",
    "Thơ",
    "Tươi",
    "Lựu",
    "Mơ",
    "Nhạn",
    "Phượng",
    "Ngà",
]  # noqa: SIM905 - a line of names reads better than a list
MALE_GIVEN = [
    "Anh",
    "Hùng",
    "Dũng",
    "Tuấn",
    "Minh",
    "Nam",
    "Hải",
    "Long",
    "Quang",
    "Sơn",
    "Thắng",
    "Trung",
    "Đức",
    "Hiếu",
    "Cường",
    "Tùng",
    "Huy",
    "Phong",
    "Khoa",
    "Bình",
    "Toàn",
    "Thành",
    "Hoà",
    "Khoẻ",
    "Việt",
    "Hoàng",
    "Lâm",
    "Kiên",
    "Duy",
    "Tiến",
    "Thịnh",
    "Vinh",
    "Phúc",
    "Tài",
    "Lộc",
    "Hưng",
    "Khải",
    "Quý",
    "Thuỵ",
]  # noqa: SIM905
FEMALE_MIDDLE = ["Thị"] * 14 + [
    "Thị Thu",
    "Thị Thanh",
    "Thị Ngọc",
    "Thị Kim",
    "Thị Hồng",
    "Thị Minh",
    "Thị Thuý",
    "Thị Phương",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Phương",
    "Kim",
    "Hồng",
    "Mỹ",
    "Thuỳ",
    "Diệu",
    "Bảo",
    "Khánh",
    "Hoài",
    "Quỳnh",
]
MALE_MIDDLE = ["Văn"] * 10 + ["Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Ngọc", "Xuân", "Anh", "Đình"]
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
    surname_spelling: float = 0.03
    given_typo: float = 0.02
    single_word: float = 0.005
    empty_name: float = 0.003
    year_only: float = 0.10
    swap_day_month: float = 0.03
    date_typo: float = 0.02
    no_birth: float = 0.02
    impossible_date: float = 0.005  # "00/00/1990" or 31/02
    id_present: float = 0.55
    id_typo: float = 0.01
    id_letters: float = 0.005
    sex_missing: float = 0.10
    moved: float = 0.30  # residence differs from the person's first record
    hometown_missing: float = 0.40


def _weighted(rng: random.Random, table: dict[str, float], k: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=k)


def _zipf(names: list[str]) -> dict[str, float]:
    return {name: 1.0 / (rank + 1) ** 0.9 for rank, name in enumerate(dict.fromkeys(names))}


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


def _random_unit(rng: random.Random) -> str:
    return f"{rng.choice(['01'] * 6 + ['79', '31', '48', '38', '40', '26', '33', '35', '36'])}.{rng.randint(1, 30):03d}.{rng.randint(1, 600):05d}"


def _people(rng: random.Random, count: int) -> list[dict]:
    surnames = _weighted(rng, SURNAMES, count)
    female_given = _zipf(FEMALE_GIVEN)
    male_given = _zipf(MALE_GIVEN)
    start = dt.date(1960, 1, 1).toordinal()
    end = dt.date(2006, 12, 31).toordinal()
    people = []
    for i in range(count):
        female = rng.random() < 0.8
        given = _weighted(rng, female_given if female else male_given, 1)[0]
        middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
        born = dt.date.fromordinal(rng.randint(start, end))
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
                "residence": _random_unit(rng),
                "hometown": _random_unit(rng),
            }
        )
    return people


def _name(rng: random.Random, person: dict, r: Rates) -> str:
    surname, middle, given = person["surname"], person["middle"], person["given"]
    if rng.random() < r.surname_spelling and surname in SURNAME_SPELLINGS:
        surname = SURNAME_SPELLINGS[surname]
    if rng.random() < r.drop_thi and middle.split()[0] in ("Thị", "Văn"):
        middle = " ".join(middle.split()[1:])
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


def _birth(rng: random.Random, born: dt.date, r: Rates) -> str:
    roll = rng.random()
    if roll < r.no_birth:
        return ""
    roll -= r.no_birth
    if roll < r.year_only:
        return str(born.year) if rng.random() < 0.5 else f"00/00/{born.year}"
    roll -= r.year_only
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


def _id_number(rng: random.Random, person: dict, r: Rates) -> str:
    if rng.random() >= r.id_present:
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
        for _ in range(min(copies, records - made)):
            made += 1
            columns["id"].append(f"R{made:07d}")
            columns["person"].append(person["person"])
            columns["full_name"].append(_name(rng, person, r))
            columns["birth_date"].append(_birth(rng, person["born"], r))
            columns["id_number"].append(_id_number(rng, person, r))
            columns["sex"].append("" if rng.random() < r.sex_missing else person["sex"])
            columns["residence_unit"].append(
                _random_unit(rng) if rng.random() < r.moved else person["residence"]
            )
            columns["hometown_unit"].append("" if rng.random() < r.hometown_missing else person["hometown"])
    order = list(range(made))
    rng.shuffle(order)
    return {key: [values[i] for i in order] for key, values in columns.items()}
