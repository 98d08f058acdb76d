"""Demo criminal cases of 2014 in the proportions of targets T01 and T05, written in bulk.

About 186 cases busted in 2014 (T01: 180, on track) plus cases busted late in 2013 and tried in 2014;
about 150 cases tried in 2014 with about 180 defendants (T05), a handful of mobile trials, some cases
suspended or closed, a few cases of late 2014 still under investigation past their legal limit (the
police home page's warnings); victims, some of them children, offered support through outreach tasks.

Everything synthetic (seeded). Idempotent: nothing is written when the demo cases exist. Registered as
the loader step ``cases.load`` (order 70) by ``lanhmanh.demo.steps.cases``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random

from django.apps import apps

from lanhmanh.enforcement.cases.indicators import ROLLUP_CODES
from lanhmanh.enforcement.cases.models import (
    CriminalCase,
    Defendant,
    InvestigatingBody,
    Offence,
    SentenceKind,
    StageLimit,
    SupportOffer,
    Victim,
)
from lanhmanh.indicators.rollup import rollup_rebuild
from lanhmanh.org.levels import COMMUNE_LEVEL, DISTRICT_LEVEL
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.bulk import full_name, persons_create
from lanhmanh.people.models import Person

MARK = "HS-DEMO-"
SEED_2014 = 2014  # the demo loader's seed (lanhmanh.demo.loader.SEED)
BUSTED_2014 = 186
CARRIED_FROM_2013 = 45
STUCK = 6  # late-2014 cases still under investigation, past the legal limit
MOBILE_TRIALS = 5

GROUP_WEIGHTS = {
    "blhs1999-255-1": 34,  # brokering
    "blhs1999-255-2": 8,
    "blhs1999-254-1": 24,  # harbouring
    "blhs1999-254-2": 6,
    "blhs1999-119-1": 9,  # trafficking in women
    "blhs1999-120-1": 3,
    "blhs1999-116-1": 5,  # child sexual abuse
    "blhs1999-256-1": 4,
    "blhs1999-115-1": 2,
    "blhs1999-111-1": 3,  # rape
}
RING_ROLES = {
    "brokering": ["broker", "organiser", "accomplice"],
    "harbouring": ["harbourer", "organiser", "accomplice"],
    "trafficking": ["trafficker", "organiser", "accomplice"],
    "child-abuse": ["perpetrator", "broker", "accomplice"],
    "rape": ["perpetrator", "accomplice", "accomplice"],
}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _plus(rng: random.Random, day: dt.date, low: int, high: int) -> dt.date:
    return day + dt.timedelta(days=rng.randint(low, high))


def _sentence(rng: random.Random, offence: Offence) -> tuple[str, int, int | None]:
    months = rng.randint(offence.min_months, min(offence.max_months, offence.min_months + 24))
    if months <= 36 and rng.random() < 0.2:
        return SentenceKind.SUSPENDED, months, rng.choice([24, 36, 48])
    return SentenceKind.PRISON, months, None


def _ensure_catalogue() -> None:
    """The shipped offence catalogue and stage limits (a flushed test database has lost the migration's rows)."""
    if (
        Offence.objects.filter(code__in=GROUP_WEIGHTS).count() < len(GROUP_WEIGHTS)
        or not StageLimit.objects.exists()
    ):
        module = importlib.import_module("lanhmanh.enforcement.cases.migrations.0002_catalogue_and_roles")
        module.seed(apps, None)


def load(context) -> str | None:
    """The loader step (``context``: the demo loader's ``DemoContext``; this app may not import the demo)."""
    if CriminalCase.objects.filter(number__startswith=MARK).exists():
        return None
    _ensure_catalogue()
    outreach_task = apps.get_model("support", "OutreachTask")  # a sibling app: looked up, not imported
    rng = random.Random(SEED_2014 + 70)  # noqa: S311 - synthetic demo data, not a secret
    offences = {o.code: o for o in Offence.objects.filter(code__in=GROUP_WEIGHTS)}
    police = {a.unit.path: a for a in Agency.objects.filter(kind="police").select_related("unit")}
    city_police, procuracy, court = (
        Agency.objects.get(code="01-city-police"),
        Agency.objects.get(code="01-procuracy"),
        Agency.objects.get(code="01-court"),
    )
    communes: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=COMMUNE_LEVEL, path__startswith="01.", valid_from__isnull=True
    ):
        communes.setdefault(unit.path[:6], []).append(unit)
    districts = sorted(path for path in communes if path in police)
    weights = [12 if d == "01.002" else 4 if d <= "01.009" else 1 for d in districts]
    labour = {
        a.unit.path: a
        for a in Agency.objects.filter(kind="district-labour", unit__level=DISTRICT_LEVEL).select_related(
            "unit"
        )
    }
    codes, code_weights = list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())

    cases: list[CriminalCase] = []
    plans: list[tuple[int, int]] = []  # (defendants, victims) per case
    windows = [(dt.date(2013, 7, 1), dt.date(2013, 12, 15))] * CARRIED_FROM_2013 + [
        (dt.date(2014, 1, 3), dt.date(2014, 12, 20))
    ] * BUSTED_2014
    for index, (start, end) in enumerate(windows):
        offence = offences[rng.choices(codes, code_weights)[0]]
        district = rng.choices(districts, weights)[0]
        unit = rng.choice(communes[district])
        busted = _day(rng, start, end)
        detected = busted - dt.timedelta(days=rng.randint(0, 20))
        act = detected - dt.timedelta(days=rng.randint(0, 10))
        agency = city_police if rng.random() < 0.15 else police[district]
        case = CriminalCase(
            number=f"{MARK}{index + 1:04d}",
            offence=offence,
            act_on=act,
            unit=unit,
            address=f"Số {rng.randint(1, 200)} phố {unit.name}" if rng.random() < 0.7 else "",
            investigating_body=InvestigatingBody.CITY_POLICE
            if agency is city_police
            else InvestigatingBody.DISTRICT_POLICE,
            investigating_agency=agency,
            detected_on=detected,
            busted_on=busted,
            prosecuted_on=_plus(rng, busted, 0, 3),
        )
        late = busted > dt.date(2014, 11, 1) and len([c for c in cases if c.stage == "prosecuted"]) < STUCK
        draw = rng.random()
        if late:  # still under investigation, past the limit: the Hoàn Kiếm police's warnings
            case.unit = rng.choice(communes["01.002"])
            case.investigating_agency = police["01.002"]
            case.investigating_body = InvestigatingBody.DISTRICT_POLICE
        elif draw < 0.05:
            case.suspended_on = _plus(rng, case.prosecuted_on, 60, 120)
        elif draw < 0.08:
            case.indicted_on = None
            case.procuracy = procuracy
            case.closed_on = _plus(rng, case.prosecuted_on, 60, 120)
        else:
            case.procuracy = procuracy
            case.indicted_on = _plus(rng, case.prosecuted_on, 40, 95)
            case.court = court
            case.tried_on = _plus(rng, case.indicted_on, 15, 45)
            if rng.random() < 0.12:
                case.appealed_on = _plus(rng, case.tried_on, 45, 90)
                case.final_on = case.appealed_on
            else:
                case.final_on = _plus(rng, case.tried_on, 16, 30)
        case.stage = case.current_stage()
        cases.append(case)
        defendants = rng.choices([1, 2, 3], [80, 16, 4])[0]
        group = offence.group
        sensitive = group in ("trafficking", "child-abuse", "rape")
        victims = rng.choice([1, 1, 2]) if (sensitive and rng.random() < 0.6) or rng.random() < 0.04 else 0
        case.defendant_count = defendants
        plans.append((defendants, victims))
    tried = [c for c in cases if c.tried_on and c.tried_on.year == 2014]
    for case in rng.sample(tried, MOBILE_TRIALS):
        case.mobile_trial = True
    for case in rng.sample(tried, 3):
        case.model_trial = True
    CriminalCase.objects.bulk_create(cases, batch_size=500)

    persons: list[Person] = []
    roles: list[tuple[str, object]] = []  # ("defendant", case) or ("victim", case)
    for case, (defendants, victims) in zip(cases, plans, strict=True):
        for _ in range(defendants):
            female = rng.random() < 0.45
            birth = dt.date(case.act_on.year - rng.randint(22, 55), rng.randint(1, 12), rng.randint(1, 28))
            unit = (
                rng.choice(communes[case.unit.path[:6]])
                if rng.random() < 0.6
                else rng.choice(communes[rng.choice(districts)])
            )
            persons.append(
                Person(
                    full_name=full_name(rng, female=female),
                    sex="female" if female else "male",
                    birth_date=birth,
                    birth_year=birth.year,
                    permanent_unit=unit,
                    permanent_address=f"Số {rng.randint(1, 150)}, ngõ {rng.randint(1, 300)}",
                )
            )
            roles.append(("defendant", case))
        for _ in range(victims):
            child = case.offence.group == "child-abuse" or (
                case.offence.group == "trafficking" and rng.random() < 0.3
            )
            age = rng.randint(13, 17) if child else rng.randint(18, 30)
            birth = dt.date(case.act_on.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
            if child and (case.act_on - birth).days >= 18 * 365:
                birth = case.act_on - dt.timedelta(days=16 * 365)
            persons.append(
                Person(
                    full_name=full_name(rng, female=True),
                    sex="female",
                    birth_date=birth,
                    birth_year=birth.year,
                    permanent_unit=rng.choice(communes[case.unit.path[:6]]),
                    permanent_address=f"Số {rng.randint(1, 150)}, ngõ {rng.randint(1, 300)}",
                )
            )
            roles.append(("victim", case))
    persons_create(persons)

    defendants_rows, victim_rows, tasks = [], [], []
    coordinator = Agency.objects.get(code="01-dolisa-pctnxh")
    for person, (role, case) in zip(persons, roles, strict=True):
        if role == "defendant":
            row = Defendant(
                case=case,
                person=person,
                ring_role=rng.choice(RING_ROLES[case.offence.group]),
                offence=case.offence,
                measure="detention" if rng.random() < 0.8 else "residence",
            )
            if case.tried_on:
                row.sentence_kind, row.sentence_months, row.probation_months = _sentence(rng, case.offence)
                row.sentenced_on = case.tried_on
            defendants_rows.append(row)
            continue
        minor = not person.is_adult_on(case.act_on)
        offer = (
            SupportOffer.CHILD
            if minor
            else (SupportOffer.TRAFFICKING if case.offence.group == "trafficking" else "")
        )
        victim = Victim(
            case=case,
            person=person,
            kind="abused" if minor else "trafficked" if offer else "exploited",
            minor=minor,
            offer=offer,
        )
        if offer:
            agency = labour.get(case.unit.path[:6], coordinator)
            referred = _plus(rng, case.busted_on, 1, 3)
            task = outreach_task(
                person=person,
                source="manual",
                unit=agency.unit,
                agency=agency,
                due_on=referred + dt.timedelta(days=3 if minor else 7),
                notes=f"Bị hại trong vụ án {case.number}: đề nghị {'mở hồ sơ bảo vệ trẻ em' if minor else 'hỗ trợ nạn nhân bị mua bán'}.",
            )
            tasks.append(task)
            victim.outreach_task = task
            victim.referred_on = referred
        victim_rows.append(victim)
    outreach_task.objects.bulk_create(tasks, batch_size=500)
    for victim in victim_rows:
        victim.outreach_task_id = victim.outreach_task.pk if victim.outreach_task else None
    Defendant.objects.bulk_create(defendants_rows, batch_size=500)
    Victim.objects.bulk_create(victim_rows, batch_size=500)
    rollup_rebuild(codes=ROLLUP_CODES)  # written in bulk: the signals that keep the rollup did not run
    in_2014 = [c for c in cases if c.busted_on.year == 2014]
    tried_ids = {c.pk for c in tried}
    tried_defendants = sum(1 for d in defendants_rows if d.case.pk in tried_ids)
    children = sum(1 for v in victim_rows if v.minor)
    return (
        f"Vụ án: {len(in_2014)} phá án năm 2014, {len(tried)} xét xử năm 2014 với {tried_defendants} bị cáo, "
        f"{MOBILE_TRIALS} xét xử lưu động; {len(victim_rows)} bị hại ({children} trẻ em)."
    )
