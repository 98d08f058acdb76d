"""Demo data of the establishment register: a register in the baseline's proportions, 2013–2014 checks.

About 4,000 establishments over Hanoi's 30 districts of 2014, each kind in the proportion of the 2011
baseline (plan 89/KH-UBND: 24,974 establishments, 81 % cheap lodging houses), urban districts weighted
twice; 70 % run by individuals (identities encrypted). 2013 and 2014 inspections by the district teams,
the city Team 178 inspecting 46 establishments in 2014 (T08 asks 40–60), about 1,380 police checks in
2014 (T04 asks 1,500: a little behind), sanctions against the worst places, revocation proposals (some
answered), health checks of massage places and the condom programme. Written with ``bulk_create``; the
T04 rollup is rebuilt afterwards. Two fixed places in Tràng Tiền ward serve the journeys: a karaoke bar
to inspect, and a guest house whose owner was sanctioned, for the licence-eligibility look-up.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from lanhmanh.demo.loader import SEED, DemoContext, step
from lanhmanh.indicators.rollup import rollup_rebuild
from lanhmanh.org.levels import COMMUNE_LEVEL, DISTRICT_LEVEL, is_district
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind, User
from lanhmanh.people.bulk import full_name, id_number
from lanhmanh.premises import reference
from lanhmanh.premises.models import (
    BusinessAct,
    BusinessSanction,
    Establishment,
    EstablishmentKind,
    HealthCheck,
    Inspection,
    InspectionAgency,
    InspectionPlan,
    Licence,
    PlanItem,
    PoliceCheck,
    RevocationProposal,
)

TOTAL = 4000
MARK = "[demo]"
STREETS = (
    "Hàng Bài",
    "Tràng Tiền",
    "Lê Duẩn",
    "Giải Phóng",
    "Kim Mã",
    "Láng Hạ",
    "Nguyễn Trãi",
    "Cầu Giấy",
    "Trần Duy Hưng",
    "Minh Khai",
    "Tôn Đức Thắng",
    "Nguyễn Văn Cừ",
    "Hoàng Quốc Việt",
    "Xuân Thủy",
    "Quang Trung",
    "Lạc Long Quân",
    "Âu Cơ",
    "Tam Trinh",
    "Ngọc Hồi",
    "Quốc lộ 5",
)
BRAND = (
    "Hoa Hồng",
    "Bình Minh",
    "Thiên Đường",
    "Sao Mai",
    "Hải Âu",
    "Phương Nam",
    "Hồng Hà",
    "Ánh Dương",
    "Thanh Xuân",
    "Kim Long",
    "Ngọc Lan",
    "Tùng Lâm",
    "Mai Anh",
    "Hoàng Gia",
    "Đông Đô",
    "Thăng Long",
)
KIND_PREFIX = {
    "khach-san": "Khách sạn",
    "nha-nghi": "Nhà nghỉ",
    "vu-truong": "Vũ trường",
    "karaoke": "Karaoke",
    "xoa-bop": "Massage",
    "goi-dau": "Gội đầu thư giãn",
    "cafe-den-mo": "Cà phê",
    "tam-nuoc-khoang": "Xông hơi",
    "nha-tro": "Nhà trọ",
}
JOURNEY_KARAOKE = "Karaoke Ánh Sao"
JOURNEY_GUEST_HOUSE = "Nhà nghỉ Hoa Sữa"
JOURNEY_OWNER = ("Phạm Văn Long", "001075001234")


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _day(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, 28)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@step(order=50, name="premises.register")
@transaction.atomic
def premises_register(context: DemoContext) -> str | None:
    reference.load()
    if Establishment.objects.filter(created_by__isnull=True, name=JOURNEY_KARAOKE).exists():
        return None
    rng = random.Random(SEED + 50)  # noqa: S311 - synthetic demo data, not secrets
    kinds = list(EstablishmentKind.objects.filter(baseline_count__isnull=False))
    baseline = sum(k.baseline_count for k in kinds)
    communes = list(
        AdministrativeUnit.objects.filter(
            level=COMMUNE_LEVEL, path__startswith="01.", valid_from__isnull=True
        )
        .select_related("parent")
        .order_by("path")
    )
    weights = [2 if c.parent.kind == "quan" else 1 for c in communes]
    trang_tien = next(c for c in communes if c.path == "01.002.00079")
    establishments: list[Establishment] = []
    licences: list[Licence] = []
    serial = 0

    def add(kind, unit, name, address, *, owner=None, opened=None, organisation=False):
        nonlocal serial
        serial += 1
        individual = owner is not None or (not organisation and rng.random() < 0.7)
        if individual and owner is None:
            female = rng.random() < 0.5
            owner = (
                full_name(rng, female=female),
                id_number(rng, female=female, birth_year=rng.randint(1955, 1990)),
            )
        e = Establishment(
            kind=kind,
            name=name,
            address=address,
            unit=unit,
            registration_number=f"01{'A' if individual else 'B'}8{serial:06d}",
            owner_type="individual" if individual else "organisation",
            owner_name=owner[0] if individual else "",
            owner_id_number=owner[1] if individual else "",
            organisation_name="" if individual else f"Công ty TNHH {name.split(' ', 1)[-1]} {serial}",
            opening_hours="8h00 – 24h00" if kind.code in ("karaoke", "vu-truong", "cafe-den-mo") else "",
            rooms=rng.randint(5, 40)
            if kind.code in ("khach-san", "nha-nghi", "nha-tro", "karaoke")
            else None,
            opened_on=opened or dt.date(rng.randint(2000, 2013), rng.randint(1, 12), 1),
        )
        if rng.random() < 0.03:
            e.closed_on = dt.date(2014, rng.randint(1, 11), 15)
            e.status = "closed"
        e.refresh_keys()
        establishments.append(e)
        return e

    by_code = {k.code: k for k in kinds}
    journey_karaoke = add(
        by_code["karaoke"],
        trang_tien,
        JOURNEY_KARAOKE,
        "12 phố Tràng Tiền",
        owner=("Trần Văn Chủ", "001080012345"),
        opened=dt.date(2010, 5, 1),
    )
    journey_karaoke.closed_on, journey_karaoke.status = None, "open"
    guest = add(
        by_code["nha-nghi"],
        trang_tien,
        JOURNEY_GUEST_HOUSE,
        "8 phố Hàng Khay",
        owner=JOURNEY_OWNER,
        opened=dt.date(2008, 3, 1),
    )
    guest.closed_on, guest.status = None, "open"
    for kind in kinds:
        for _ in range(round(TOTAL * kind.baseline_count / baseline)):
            unit = rng.choices(communes, weights)[0]
            name = f"{KIND_PREFIX.get(kind.code, kind.name)} {rng.choice(BRAND)}"
            address = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
            add(kind, unit, name, address)
    Establishment.objects.bulk_create(establishments, batch_size=500)
    establishments = list(Establishment.objects.select_related("kind", "unit").order_by("pk"))
    for e in establishments:
        if e.kind.code != "nha-tro" or rng.random() < 0.3:
            licences.append(
                Licence(
                    establishment=e,
                    kind="security",
                    number=f"{e.pk:05d}/GCN-ANTT",
                    number_key=f"{e.pk:05d}GCNANTT",
                    issuer="Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
                    issued_on=e.opened_on,
                )
            )
        if e.kind.code in ("karaoke", "vu-truong", "xoa-bop", "goi-dau", "tam-nuoc-khoang", "khach-san"):
            licences.append(
                Licence(
                    establishment=e,
                    kind="culture",
                    number=f"{e.pk:05d}/GP-VHTTDL",
                    number_key=f"{e.pk:05d}GPVHTTDL",
                    issuer="Sở Văn hóa, Thể thao và Du lịch Hà Nội",
                    issued_on=e.opened_on,
                )
            )
    Licence.objects.bulk_create(licences, batch_size=1000)
    counts = _activity(context, rng, establishments, guest)

    rollup_rebuild(codes=["premises.police_checks"])
    return (
        f"Cơ sở kinh doanh: {len(establishments)}; kiểm tra Đội 178: {counts['inspections']}; "
        f"kiểm tra hành chính: {counts['checks']}; xử phạt cơ sở: {counts['sanctions']}."
    )


def _activity(context: DemoContext, rng: random.Random, establishments: list[Establishment], guest) -> dict:

    creator = context.accounts.get("inspector") or User.objects.get(username="doi178")
    police_user = context.accounts.get("police") or User.objects.get(username="congan")
    agencies = {
        a.code: a
        for a in Agency.objects.filter(unit__path__startswith="01").filter(
            kind__in=[
                AgencyKind.TEAM_178,
                AgencyKind.POLICE,
                AgencyKind.DISTRICT_LABOUR,
                AgencyKind.PEOPLES_COMMITTEE,
                AgencyKind.CULTURE,
                AgencyKind.HEALTH,
                AgencyKind.TRADE,
            ],
            unit__level__lte=DISTRICT_LEVEL,
        )
    }
    city_team = agencies["01-city-team-178"]
    city_members = [
        agencies["01-city-police"],
        agencies["01-culture"],
        agencies["01-health"],
        agencies["01-trade"],
    ]
    open_2014 = [e for e in establishments if e.opened_on < dt.date(2014, 1, 1) and e.closed_on is None]
    risky = [e for e in open_2014 if e.kind.risk_weight >= 15]
    # Plans: the city team's year (quota 50, 20 % random) and each district team's year.
    city_plan = InspectionPlan.objects.create(
        team=city_team,
        period_id="2014",
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        quota=50,
        random_share=20,
        notes=MARK,
        created_by=creator,
    )
    district_plans = {}
    inspections: list[Inspection] = []
    members: list[tuple[int, list]] = []

    def inspect(e, team, level, day, plan, agency_list, bad_rate):
        bad = rng.random() < bad_rate
        if day < e.opened_on:
            return
        inspections.append(
            Inspection(
                team=team,
                team_level=level,
                plan=plan,
                establishment=e,
                started_at=_aware(day, rng.choice((9, 14, 20, 22))),
                inspected_on=day,
                leader_name="Trưởng đoàn kiểm tra",
                members="",
                checklist={},
                findings="Phát hiện nhân viên có hành vi mua bán dâm tại phòng."
                if bad
                else "Không phát hiện vi phạm.",
                violation_found=bad,
                people_present=rng.randint(2, 30),
                created_by=creator,
            )
        )
        members.append((len(inspections) - 1, agency_list))

    city_sample = rng.sample(risky, 46)
    PlanItem.objects.bulk_create(
        [
            PlanItem(plan=city_plan, establishment=e, selection="ranked" if i < 40 else "random", score=0)
            for i, e in enumerate(city_sample)
        ]
    )
    for e in city_sample:
        inspect(e, city_team, 1, _day(rng, 2014, 2, 11), city_plan, city_members, 0.2)
    by_district: dict[str, list[Establishment]] = {}
    for e in open_2014:
        by_district.setdefault(e.unit.path[:6], []).append(e)
    for path, places in sorted(by_district.items()):
        team = agencies.get(f"{path.replace('.', '-')}-team-178")
        if team is None:
            continue
        crew = [
            a
            for a in (
                agencies.get(f"{path.replace('.', '-')}-police"),
                agencies.get(f"{path.replace('.', '-')}-labour"),
                agencies["01-culture"],
            )
            if a is not None
        ]
        district_risky = [e for e in places if e.kind.risk_weight >= 15] or places
        quota = max(5, len(district_risky) // 2)
        plan = InspectionPlan.objects.create(
            team=team,
            period_id="2014",
            starts_on=dt.date(2014, 1, 1),
            ends_on=dt.date(2014, 12, 31),
            quota=quota,
            random_share=20,
            notes=MARK,
            created_by=creator,
        )
        district_plans[path] = plan
        for e in rng.sample(district_risky, min(len(district_risky), quota // 2)):
            inspect(e, team, 2, _day(rng, 2013), None, crew, 0.15)
        chosen = rng.sample(district_risky, min(len(district_risky), quota))
        PlanItem.objects.bulk_create(
            [PlanItem(plan=plan, establishment=e, selection="ranked", score=0) for e in chosen],
            ignore_conflicts=True,
        )
        for e in chosen[: int(quota * rng.uniform(0.6, 0.95))]:
            inspect(e, team, 2, _day(rng, 2014, 1, 11), plan, crew, 0.15)
    Inspection.objects.bulk_create(inspections, batch_size=500)
    InspectionAgency.objects.bulk_create(
        [InspectionAgency(inspection=inspections[i], agency=a) for i, crew in members for a in crew],
        batch_size=1000,
    )
    # Police checks: ~1,380 in 2014 over all districts, a few in 2013.
    police = {
        a.unit.path: a for a in agencies.values() if a.kind == AgencyKind.POLICE and is_district(a.unit.level)
    }
    checks = []
    for year, count in ((2013, 400), (2014, 1380)):
        for _ in range(count):
            e = rng.choice(risky)
            day = _day(rng, year)
            if day < e.opened_on:
                continue
            checks.append(
                PoliceCheck(
                    establishment=e,
                    agency=police[e.unit.path[:6]],
                    checked_on=day,
                    result="violation" if rng.random() < 0.06 else "ok",
                    people_checked=rng.randint(0, 12),
                    notes=MARK,
                    created_by=police_user or creator,
                )
            )
    PoliceCheck.objects.bulk_create(checks, batch_size=1000)
    # Sanctions: about a third of the 2014 inspections that found a violation; revocation for the worst.
    act = BusinessAct.objects.get(code="nd167-25-2-loi-dung-kinh-doanh")
    sanctions = []
    numbers: dict[str, int] = {}
    bad = [i for i in inspections if i.violation_found and i.inspected_on.year == 2014]
    for inspection in bad[::2]:
        e = inspection.establishment
        path = e.unit.path[:6]
        numbers[path] = numbers.get(path, 0) + 1
        organisation = e.owner_type == "organisation"
        amount = (
            rng.choice((20_000_000, 30_000_000))
            if organisation
            else rng.choice((10_000_000, 15_000_000, 20_000_000))
        )
        decided = inspection.inspected_on + dt.timedelta(days=rng.randint(7, 20))
        sanctions.append(
            BusinessSanction(
                establishment=e,
                inspection=inspection,
                act=act,
                offender_type=e.owner_type,
                occurred_on=inspection.inspected_on,
                proposed_amount=amount,
                proposed_measure="revocation" if rng.random() < 0.25 else "none",
                proposed_by=creator,
                proposed_on=inspection.inspected_on,
                status="enforced" if rng.random() < 0.6 else "decided",
                authority=agencies[f"{path.replace('.', '-')}-committee"],
                decision_number=f"{numbers[path]:02d}/QĐ-XPVPHC",
                decided_on=decided,
                signer_title="Chủ tịch UBND quận",
                amount=amount,
            )
        )
        sanctions[-1].measure = sanctions[-1].proposed_measure
        if sanctions[-1].status == "enforced":
            sanctions[-1].enforced_on, sanctions[-1].fine_paid = decided + dt.timedelta(days=20), True
    guest_inspection = Inspection.objects.create(
        team=agencies["01-002-team-178"],
        team_level=2,
        establishment=guest,
        started_at=_aware(dt.date(2014, 4, 8), 22),
        inspected_on=dt.date(2014, 4, 8),
        leader_name="Trưởng đoàn kiểm tra",
        violation_found=True,
        findings="Chủ cơ sở để khách mua bán dâm tại phòng 204.",
        created_by=creator,
    )
    sanctions.append(
        BusinessSanction(
            establishment=guest,
            inspection=guest_inspection,
            act=act,
            offender_type="individual",
            occurred_on=dt.date(2014, 4, 8),
            proposed_amount=20_000_000,
            proposed_measure="revocation",
            proposed_by=creator,
            proposed_on=dt.date(2014, 4, 9),
            status="enforced",
            authority=agencies["01-002-committee"],
            decision_number="99/QĐ-XPVPHC",
            decided_on=dt.date(2014, 4, 20),
            signer_title="Chủ tịch UBND quận",
            amount=20_000_000,
            measure="revocation",
            enforced_on=dt.date(2014, 5, 10),
            fine_paid=True,
        )
    )
    BusinessSanction.objects.bulk_create(sanctions)
    culture = agencies["01-culture"]
    proposals = []
    for s in BusinessSanction.objects.filter(measure="revocation").select_related("establishment"):
        licence = s.establishment.licences.filter(kind="culture").first() or s.establishment.licences.first()
        if licence is None:
            continue
        answered = rng.random() < 0.6
        proposals.append(
            RevocationProposal(
                sanction=s,
                licence=licence,
                licensing_agency=culture,
                sent_on=s.decided_on,
                answer="revoked" if answered else "pending",
                answered_on=s.decided_on + dt.timedelta(days=25) if answered else None,
            )
        )
        if answered:
            licence.status, licence.status_changed_on = "revoked", s.decided_on + dt.timedelta(days=25)
            licence.save(update_fields=["status", "status_changed_on"])
    RevocationProposal.objects.bulk_create(proposals)
    # Health checks of massage places; 40 % in the condom programme.
    health = agencies["01-health"]
    massage = [e for e in open_2014 if e.kind.health_checks]
    HealthCheck.objects.bulk_create(
        [
            HealthCheck(
                establishment=e,
                agency=health,
                checked_on=_day(rng, 2014),
                compliant=rng.random() < 0.8,
                staff_certified=rng.randint(0, 6),
                condoms_supplied=rng.choice((0, 100, 200, 500)),
                notes=MARK,
                created_by=creator,
            )
            for e in massage
            if rng.random() < 0.5
        ]
    )
    Establishment.objects.filter(pk__in=[e.pk for e in massage if rng.random() < 0.4]).update(
        in_condom_programme=True
    )
    return {"inspections": len(inspections) + 1, "checks": len(checks), "sanctions": len(sanctions)}
