"""Demo data of the registry: ~200 synthetic persons with violations and sanctions in Hanoi, 2014.

Everything is synthetic (seeded Faker 'vi_VN' and surnames drawn with their real frequencies) and
written through the people services, so it passes the same checks as real entries: fines within the
catalogue's range, decision after the violation, place within the recording police's district. A
few persons have a second violation of the same act while the first still counts (repeat
violations); some live in other provinces; some are known by birth year only; some fines are paid.

Idempotent: when the demo violations exist already, nothing is written. Registered as the loader
step ``people.registry`` (order 40) by ``lanhmanh.demo.steps.people``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random

from django.apps import apps
from django.utils import timezone
from faker import Faker

from lanhmanh.demo.loader import SEED, DemoContext, step
from lanhmanh.org.levels import COMMUNE_LEVEL, DISTRICT_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
from lanhmanh.people import services
from lanhmanh.people.bulk import (
    full_name,
    id_number,
    persons_create,
    random_sanction,
    repeat_flags_refresh_all,
    spelling_variant,
    violations_create,
)
from lanhmanh.people.models import LegalAct, Person, Violation

PERSONS = 200
BUYERS = 20
REPEATS = 15

# District (2014 GSO path) → share of the violations recorded there.
DISTRICTS = {
    "01.002": 0.30,  # Hoàn Kiếm: the demo police login works here
    "01.007": 0.20,  # Hai Bà Trưng
    "01.006": 0.15,  # Đống Đa
    "01.001": 0.10,  # Ba Đình
    "01.008": 0.15,  # Hoàng Mai
    "01.004": 0.10,  # Long Biên
}

# The most frequent Vietnamese surnames with their approximate share of the population.
SURNAMES = {
    "Nguyễn": 38.4,
    "Trần": 12.1,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 5.1,
    "Phan": 4.5,
    "Vũ": 3.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đinh": 0.5,
    "Trịnh": 0.4,
    "Đào": 0.4,
    "Mai": 0.3,
}
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Phương")
MIDDLE_MALE = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Tuấn")
OTHER_PROVINCES = {
    "Thanh Hóa": ("Huyện Hoằng Hóa", "Huyện Nông Cống", "Thành phố Thanh Hóa"),
    "Nghệ An": ("Huyện Diễn Châu", "Huyện Quỳnh Lưu"),
    "Hải Dương": ("Huyện Gia Lộc", "Huyện Kinh Môn"),
    "Bắc Giang": ("Huyện Lục Nam", "Huyện Yên Thế"),
    "Phú Thọ": ("Huyện Lâm Thao", "Thị xã Phú Thọ"),
    "Thái Bình": ("Huyện Kiến Xương", "Huyện Tiền Hải"),
    "Nam Định": ("Huyện Hải Hậu", "Huyện Giao Thủy"),
}
PLACES = (
    "Nhà nghỉ {name}",
    "Khách sạn {name}",
    "Quán karaoke {name}",
    "Cơ sở massage {name}",
    "Vườn hoa ven hồ",
    "Khu vực ven đường",
)
PLACE_NAMES = ("Hoa Hồng", "Bình Minh", "Sao Mai", "Thủy Tiên", "Phương Đông", "Ánh Dương", "Hồng Hà")

SELLING = "167-2013-23-1"
SELLING_GROUP = "167-2013-23-2"
BUYING = "167-2013-22-1"


def _ensure_catalogue() -> None:
    """The shipped legal catalogue (a flushed test database has lost the migration's rows)."""
    if not LegalAct.objects.filter(code=SELLING).exists():
        module = importlib.import_module("lanhmanh.people.migrations.0002_legal_catalogue")
        module.load(apps, None)


def _officers(context: DemoContext) -> dict[str, User]:
    """One police officer per demo district: the demo police login in Hoàn Kiếm, no-login officers elsewhere."""
    role = Role.objects.get(code="police")
    officers = {}
    for path in DISTRICTS:
        agency = Agency.objects.get(unit__path=path, kind="police")
        demo_login = context.accounts.get("police")
        if demo_login is not None and demo_login.agency_id == agency.pk:
            officers[path] = demo_login
            continue
        username = f"demo-{agency.code}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name="Cán bộ",
                last_name="Đội CSHS",
                agency=agency,
                title="Cán bộ Đội Cảnh sát hình sự (dữ liệu demo, không đăng nhập)",
            )
            user.set_unusable_password()
            user.save()
            user.roles.set([role])
        officers[path] = user
    return officers


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.choice((19, 20, 21, 22, 23, 0, 1, 14, 15))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.choice((0, 10, 20, 30, 45)))))


def _day_in_2014(
    rng: random.Random, *, after: dt.date | None = None, before: dt.date | None = None
) -> dt.date:
    start = after or dt.date(2014, 1, 2)
    end = before or dt.date(2014, 12, 20)
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@step(order=40, name="people.registry")
def people_registry(context: DemoContext) -> str | None:
    """~200 persons with violations and sanctions across six Hanoi districts in 2014, a few repeats."""
    _ensure_catalogue()
    officers = _officers(context)
    if Violation.objects.filter(recording_officer__in=officers.values()).exists():
        return None
    fake = Faker("vi_VN")
    fake.seed_instance(SEED + 40)
    rng = random.Random(SEED + 40)
    acts = {a.code: a for a in LegalAct.objects.filter(code__in=[SELLING, SELLING_GROUP, BUYING])}
    communes = list(
        AdministrativeUnit.objects.filter(level=COMMUNE_LEVEL, parent__path__startswith="01.").order_by(
            "path"
        )
    )
    by_district: dict[str, list[AdministrativeUnit]] = {}
    for unit in communes:
        by_district.setdefault(unit.parent.path, []).append(unit)
    numbers: dict[str, int] = {}
    used_ids: set[str] = set()
    surnames, weights = list(SURNAMES), list(SURNAMES.values())
    violations = repeats = 0

    def decision_number(path: str) -> str:
        numbers[path] = numbers.get(path, 0) + 1
        return f"{numbers[path]:03d}/QĐ-XPHC"

    def record(person, path: str, day: dt.date, act: LegalAct, role: str) -> None:
        nonlocal violations
        place = rng.choice(by_district[path])
        decided = day + dt.timedelta(days=rng.choice((0, 1, 1, 2, 3)))
        if act.warning_allowed and rng.random() < 0.4:
            sanction = {"kind": "warning"}
        else:
            low, high = act.fine_min_individual, act.fine_max_individual
            amount = rng.randrange(low, high + 1, 50_000) if high > low else low
            sanction = {"kind": "fine", "amount": amount}
            if rng.random() < 0.7:
                sanction |= {
                    "payment_status": "paid",
                    "paid_on": decided + dt.timedelta(days=rng.randint(0, 20)),
                }
        template = rng.choice(PLACES)
        services.violation_record(
            actor=officers[path],
            person=person,
            occurred_at=_at(rng, day),
            place_unit=place,
            place_address=f"{rng.randint(1, 180)} phố {fake.street_name()}",
            establishment_name=template.format(name=rng.choice(PLACE_NAMES)) if "{name}" in template else "",
            act=act,
            role=role,
            sanction={"number": decision_number(path), "decided_on": decided, **sanction},
        )
        violations += 1

    districts, shares = list(DISTRICTS), list(DISTRICTS.values())
    for index in range(PERSONS):
        buyer = index < BUYERS
        female = not buyer
        family = rng.choices(surnames, weights)[0]
        middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
        given = fake.first_name_female() if female else fake.first_name_male()
        full_name = f"{family} {middle} {given}"
        age = rng.randint(25, 55) if buyer else rng.randint(19, 40)
        birth_date = dt.date(2014 - age, rng.randint(1, 12), rng.randint(1, 28))
        known_by_year = rng.random() < 0.2
        fields = {
            "full_name": full_name,
            "sex": "female" if female else "male",
            "birth_date": None if known_by_year else birth_date,
            "birth_year": birth_date.year,
        }
        if not known_by_year or rng.random() < 0.5:
            while True:
                if rng.random() < 0.5:
                    id_number = f"0{rng.randint(10, 38):02d}{rng.randint(0, 999_999):06d}"[:9]
                else:
                    id_number = f"0{rng.randint(1, 96):02d}{1 if female else 0}{birth_date.year % 100:02d}"
                    id_number += f"{rng.randint(0, 999_999):06d}"
                if id_number not in used_ids:
                    used_ids.add(id_number)
                    break
            fields["id_number"] = id_number
        if rng.random() < 0.35:
            province = rng.choice(list(OTHER_PROVINCES))
            fields["permanent_address"] = (
                f"Thôn {rng.randint(1, 12)}, xã {fake.last_name()} {fake.first_name_male()}, "
                f"{rng.choice(OTHER_PROVINCES[province])}, tỉnh {province}"
            )
            fields["temporary_unit"] = rng.choice(communes)
            fields["temporary_address"] = f"Phòng trọ {rng.randint(1, 40)}, ngõ {rng.randint(1, 200)}"
            fields["hometown_address"] = f"tỉnh {province}"
        else:
            fields["permanent_unit"] = rng.choice(communes)
            fields["permanent_address"] = f"Số {rng.randint(1, 150)} {fake.street_name()}"
        if rng.random() < 0.3:
            fields["phone"] = f"09{rng.randint(0, 99_999_999):08d}"
        path = rng.choices(districts, shares)[0]
        person = services.person_create(actor=officers[path], **fields)
        if buyer:
            record(person, path, _day_in_2014(rng), acts[BUYING], "buyer")
            continue
        act = acts[SELLING_GROUP] if rng.random() < 0.1 else acts[SELLING]
        if repeats < REPEATS and index % 10 == 3:
            first = _day_in_2014(rng, before=dt.date(2014, 7, 31))
            record(person, path, first, act, "seller")
            second = _day_in_2014(
                rng, after=first + dt.timedelta(days=20), before=first + dt.timedelta(days=120)
            )
            record(person, path, second, acts[SELLING], "seller")
            repeats += 1
        else:
            record(person, path, _day_in_2014(rng), act, "seller")
    return f"Cơ sở dữ liệu người vi phạm: {PERSONS} người, {violations} vi phạm ({repeats} người tái phạm)."


POPULATION = 3_000  # persons of the bulk-written population (on top of the ~200 written through services)
POPULATION_DUPLICATES = 150  # of them: the same person recorded again under another spelling
POPULATION_MARK = "Dữ liệu demo (danh sách tổng hợp 2014–2016)"
# The population is the registry of several years (Decree 167/2013 applies from 2014 to 2021): about
# 9 % of it falls in 2014, so that with the ~200 persons written through services the 2014 plan's
# T03 (500 sanctions of sellers) lands near its goal (~470, as the 2011 baseline of 2,302 women with
# files in the whole city suggests), not at 3,250.
POPULATION_YEARS = (2014, 2015, 2016)
POPULATION_YEAR_WEIGHTS = (0.09, 0.46, 0.45)


@step(order=41, name="people.population")
def people_population(context: DemoContext) -> str | None:
    """A few thousand more persons with violations over every district and month of 2014, written in bulk.

    Repeat violations, residents of other provinces, persons known by birth year only and duplicates
    with spelling differences (no diacritics, a dropped middle name, a tone mark or a typo: for the
    linkage issue). Encrypted and indexed in Python, inserted in batches; the repeat flags are then
    computed by the counting rules. No outreach tasks or audit rows: this is history loaded in bulk.
    """

    _ensure_catalogue()
    if Violation.objects.filter(recording_officer_name=POPULATION_MARK).exists():
        return None
    rng = random.Random(SEED + 41)
    acts = {a.code: a for a in LegalAct.objects.filter(code__in=[SELLING, SELLING_GROUP, BUYING])}
    communes: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=COMMUNE_LEVEL, path__startswith="01.", valid_from__isnull=True
    ).order_by("path"):
        communes.setdefault(unit.path[:6], []).append(unit)
    police = {
        path: agency
        for path, agency in (
            (a.unit.path, a)
            for a in Agency.objects.filter(kind="police", unit__level=DISTRICT_LEVEL).select_related("unit")
        )
        if path in communes
    }
    districts = sorted(police)
    # Inner-city districts see more of it than the rural ones.
    weights = [4 if d <= "01.009" else 1 for d in districts]
    all_communes = [u for d in districts for u in communes[d]]
    numbers: dict[int, int] = {}
    persons = []
    plans = []  # (person index, district, [violation days], act, role)
    used_ids: set[str] = set()
    for index in range(POPULATION - POPULATION_DUPLICATES):
        buyer = rng.random() < 0.12
        female = not buyer
        age = rng.randint(25, 60) if buyer else rng.randint(19, 42)
        birth = dt.date(2014 - age, rng.randint(1, 12), rng.randint(1, 28))
        by_year = rng.random() < 0.15
        person = Person(
            full_name=full_name(rng, female=female),
            sex="female" if female else "male",
            birth_date=None if by_year else birth,
            birth_year=birth.year,
        )
        if rng.random() < 0.75:
            number = id_number(rng, female=female, birth_year=birth.year)
            if number not in used_ids:
                used_ids.add(number)
                person.id_number = number
        if rng.random() < 0.35:
            province = rng.choice(list(OTHER_PROVINCES))
            person.permanent_address = f"{rng.choice(OTHER_PROVINCES[province])}, tỉnh {province}"
            person.temporary_unit = rng.choice(all_communes) if rng.random() < 0.7 else None
            person.temporary_address = f"Phòng trọ {rng.randint(1, 40)}" if person.temporary_unit else ""
        else:
            person.permanent_unit = rng.choice(all_communes)
            person.permanent_address = f"Số {rng.randint(1, 150)}, ngõ {rng.randint(1, 300)}"
        if rng.random() < 0.25:
            person.phone = f"09{rng.randint(0, 99_999_999):08d}"
        persons.append(person)
        district = rng.choices(districts, weights)[0]
        year = rng.choices(POPULATION_YEARS, POPULATION_YEAR_WEIGHTS)[0]
        first = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 340))
        days = [first]
        if not buyer and rng.random() < 0.15:  # a repeat within months
            days.append(min(first + dt.timedelta(days=rng.randint(20, 150)), dt.date(year, 12, 28)))
        act = acts[BUYING] if buyer else acts[SELLING_GROUP if rng.random() < 0.1 else SELLING]
        plans.append((index, district, days, act, "buyer" if buyer else "seller"))
    # Duplicates: a seller recorded again, in another district, under another spelling of her name.
    sellers = [p for p in plans if p[4] == "seller"]
    for index, _district, _days, act, role in rng.sample(sellers, POPULATION_DUPLICATES):
        original = persons[index]
        copy = Person(
            full_name=spelling_variant(original.full_name, rng),
            sex=original.sex,
            birth_date=original.birth_date if rng.random() < 0.8 else None,
            birth_year=original.birth_year,
            id_number=original.id_number if rng.random() < 0.3 else "",
            permanent_unit=original.permanent_unit,
            permanent_address=original.permanent_address,
            temporary_unit=original.temporary_unit,
        )
        persons.append(copy)
        day = dt.date(rng.choices(POPULATION_YEARS, POPULATION_YEAR_WEIGHTS)[0], 1, 1) + dt.timedelta(
            days=rng.randint(0, 350)
        )
        plans.append((len(persons) - 1, rng.choices(districts, weights)[0], [day], act, role))
    persons_create(persons)
    rows = []
    for index, district, days, act, role in plans:
        agency = police[district]
        for day in days:
            numbers[agency.pk] = numbers.get(agency.pk, 0) + 1
            violation = Violation(
                person=persons[index],
                occurred_at=_at(rng, day),
                place_unit=rng.choice(communes[district]),
                place_address=f"Số {rng.randint(1, 200)}",
                act=act,
                role=role,
                recording_agency=agency,
                recording_officer_name=POPULATION_MARK,
            )
            decision = random_sanction(
                rng, act, day, authority_id=agency.pk, number=f"{numbers[agency.pk]:04d}/QĐ-XPHC-TH"
            )
            rows.append((violation, decision))
    violations_create(rows)
    repeats = repeat_flags_refresh_all([p.pk for p in persons])
    return (
        f"Dân số demo: {len(persons)} người ({POPULATION_DUPLICATES} bản ghi trùng khác chính tả), "
        f"{len(rows)} vi phạm ở {len(districts)} quận, huyện; {repeats} lượt tái phạm."
    )
