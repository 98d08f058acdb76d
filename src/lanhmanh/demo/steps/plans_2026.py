"""Demo data of the 2026 plan on the two-level map: Hanoi's 126 communes and wards (1/7/2025), their
successor links and bodies, the 2026 plan copied from 2014, and a few months of 2026 records.

Logins: ``canbophuong`` (the culture–social office of Phường Hoàn Kiếm, a 2026 ward officer) reports
monthly straight to the city (``dieuphoi`` approves: no district step). The 2014 logins keep working
under the 2014 plan (their plan choice is set to it); ``dieuphoi`` switches plan on the home page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password

from lanhmanh.core.audit import audited_insert
from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.demo.steps.org import ACCOUNTS, vietnamese_name
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind, Role, User
from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025
from lanhmanh.org.successions import package_source, succession_rows, unit_successions_link
from lanhmanh.people import services as people
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.plans.models import Activity, ActivityKind, PlanChoice
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.plan_2026 import load_plan_2026
from lanhmanh.plans.services import activity_create
from lanhmanh.reporting import services as reporting
from lanhmanh.reporting.models import ReportForm, Submission
from lanhmanh.reporting.services import values_of

WARD = "01.00070"  # Phường Hoàn Kiếm since 1/7/2025
WARD_LOGIN = "canbophuong"
POLICE_LOGIN = "conganphuong"
TRANG_TIEN = "01.002.00079"  # the pre-reform ward, now split between Cửa Nam and Hoàn Kiếm
CROSSED_NAME = "Lê Thị Hạnh"
CROSSED_ID = "001195012345"
MONTHS = ("202601", "202602", "202603")
REPORTING_COMMUNES = (
    12  # the first communes (by code) report; the others show as late on the completeness page
)
MARK = "[demo 2026] "
ACTIVITIES = (
    (WARD, ActivityKind.TRAINING, "Tập huấn cho Đội 178 phường", (2, 10), 9, 11, 30),
    ("01.00073", ActivityKind.CAMPAIGN, "Tuyên truyền tại khu phố cổ", (3, 5), 40, 52, 400),
    ("01.00004", ActivityKind.CLUB_MEETING, "Sinh hoạt câu lạc bộ đồng đẳng", (3, 20), 0, 9, 15),
    ("01.00008", ActivityKind.WORKSHOP, "Hội thảo mô hình xã, phường không tệ nạn", (4, 14), 18, 20, 60),
)


def _officer(agency: Agency) -> User:
    user, created = User.objects.get_or_create(
        username=f"bc26-{agency.unit.code}",
        defaults={
            "agency": agency,
            "password": make_password(None),
            "first_name": f"Cán bộ {agency.unit.full_name}",
            "title": "Phòng Văn hóa – Xã hội (tài khoản mẫu, không đăng nhập được)",
        },
    )
    if created:
        user.roles.set(Role.objects.filter(code=Role.COMMUNE_OFFICER))
    return user


def _ward_login(context: DemoContext, agency: Agency) -> User:
    family, given = vietnamese_name(context, female=True)
    user = User.objects.filter(username=WARD_LOGIN).first()
    if user is None:
        user = User(
            username=WARD_LOGIN,
            first_name=given,
            last_name=family,
            email=f"{WARD_LOGIN}@demo.lanhmanh.invalid",
            agency=agency,
            title="Công chức Phòng Văn hóa – Xã hội phường (kế hoạch 2026)",
        )
        user.set_password(context.password)
        user.full_clean()
        audited_insert(actor=None, instance=user, reason="Tài khoản demo (kế hoạch 2026)")
        user.roles.set(Role.objects.filter(code=Role.COMMUNE_OFFICER))
    else:
        user.set_password(context.password)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
    return user


def _police_login(context: DemoContext, ward: AdministrativeUnit) -> User:
    """``conganphuong``: the police of Phường Hoàn Kiếm (2026), who records the ward's violations."""
    police = Agency.objects.get(unit=ward, kind=AgencyKind.POLICE)
    user = User.objects.filter(username=POLICE_LOGIN).first()
    if user is None:
        family, given = vietnamese_name(context, female=False)
        user = User(
            username=POLICE_LOGIN,
            first_name=given,
            last_name=family,
            email=f"{POLICE_LOGIN}@demo.lanhmanh.invalid",
            agency=police,
            title="Cán bộ Công an phường (kế hoạch 2026)",
        )
        user.set_password(context.password)
        user.full_clean()
        audited_insert(actor=None, instance=user, reason="Tài khoản demo (kế hoạch 2026)")
        user.roles.set(Role.objects.filter(code=Role.POLICE))
    else:
        user.set_password(context.password)
        user.save(update_fields=["password"])
    return user


def _person_across_the_reform(context: DemoContext, ward: AdministrativeUnit) -> int:
    """A woman sanctioned in November 2024 in the old Tràng Tiền ward and again in 2026 in the new Hoàn Kiếm
    ward: one person, both violations on her page, the second a repeat (counted across the reform)."""
    police = _police_login(context, ward)
    context.accounts[f"2026:{Role.POLICE}"] = police
    old_police = context.accounts.get(Role.POLICE)
    if old_police is None or Person.objects.by_id_number(CROSSED_ID).exists():
        return 0
    old_ward = AdministrativeUnit.objects.filter(path=TRANG_TIEN, valid_to__isnull=False).first()
    if old_ward is None:
        return 0
    person = people.person_create(
        actor=police,
        full_name=CROSSED_NAME,
        sex="female",
        birth_date=dt.date(1995, 4, 12),
        birth_year=1995,
        id_number=CROSSED_ID,
        permanent_unit=ward,
        permanent_address="Số 12 phố Tràng Tiền",
    )
    # The 2024 fine, paid on 1/3/2025, still counts for a year after (Art. 7.1 of the Law on Handling
    # Administrative Violations): the 2026 violation is a repeat, whatever the ward was called.
    paid = {"kind": "fine", "amount": 400_000, "payment_status": "paid", "paid_on": dt.date(2025, 3, 1)}
    for actor, unit, when, decided, sanction in (
        (old_police, old_ward, dt.datetime(2024, 11, 14, 15, 30, tzinfo=dt.UTC), dt.date(2024, 11, 16), paid),
        (
            police,
            ward,
            dt.datetime(2026, 2, 20, 16, 0, tzinfo=dt.UTC),
            dt.date(2026, 2, 22),
            {"kind": "warning"},
        ),
    ):
        act = (
            LegalAct.objects.in_force_on(when.date())
            .filter(kind="selling")
            .order_by("article", "clause")
            .first()
        )
        people.violation_record(
            actor=actor,
            person=person,
            occurred_at=when,
            place_unit=unit,
            place_address="Phố Tràng Tiền",
            act=act,
            role="seller",
            sanction={"number": f"90{when.year % 100}/QĐ-XPHC", "decided_on": decided, **sanction},
        )
    return 1


@step(order=80)
def plan_2026(context: DemoContext) -> str:
    """The two-level map of Hanoi with successor links and commune bodies, the 2026 plan, the 2026 ward
    login, Q1 2026 ward reports approved by the city, and a few 2026 activities (idempotent)."""
    notes = []
    if not AdministrativeUnit.objects.filter(path=WARD).exists():
        units_import_2025(province_code="01")
        linked = unit_successions_link(
            rows=succession_rows(province_code="01"), source=package_source(), province_code="01"
        )
        notes.append(f"liên kết kế thừa {linked.created}")
    province = AdministrativeUnit.objects.get(path="01", valid_to__isnull=True)
    bodies = agencies_seed_communes(province=province, day=REFORM_2025)
    load_plan_2014()
    plan = load_plan_2026()
    old = load_plan_2014()
    # The 2014 logins keep opening on the 2014 plan (as before the 2026 plan existed).
    for user in User.objects.filter(username__in=[a.username for a in ACCOUNTS]):
        PlanChoice.objects.get_or_create(user=user, defaults={"plan": old})
    ward = AdministrativeUnit.objects.get(path=WARD)
    office = Agency.objects.get(unit=ward, kind=AgencyKind.COMMUNE_SOCIAL)
    login = _ward_login(context, office)
    context.accounts[f"2026:{Role.COMMUNE_OFFICER}"] = login
    coordinator = context.accounts.get(Role.CITY_COORDINATOR)
    form = ReportForm.objects.get(code="xa-thang")
    created = 0
    if (
        coordinator is not None
        and not Submission.objects.filter(form=form, period_id=MONTHS[0], unit=ward).exists()
    ):
        offices = list(
            Agency.objects.filter(
                unit__parent=province, unit__valid_from=REFORM_2025, kind=AgencyKind.COMMUNE_SOCIAL
            )
            .select_related("unit")
            .order_by("unit__path")[:REPORTING_COMMUNES]
        )
        if office not in offices:
            offices[-1] = office
        today = dt.date(2026, 4, 30)
        for month in MONTHS:
            for index, agency in enumerate(offices):
                officer = login if agency == office else _officer(agency)
                submission = reporting.submission_open(actor=officer, form=form, period_id=month, today=today)
                prefilled = values_of(submission)
                values = {
                    "sellers_known": context.random.randint(1, 12),
                    "suspect_establishments": context.random.randint(0, 3),
                    "people_checked": (prefilled.get("sellers_sanctioned") or 0)
                    + context.random.randint(0, 6),
                    "health_referrals": context.random.randint(0, 4),
                    "assessment": "Tình hình cơ bản ổn định; Đội 178 phường duy trì kiểm tra định kỳ.",
                }
                reporting.submission_save(actor=officer, submission=submission, values=values)
                due = submission.due_date
                sent = dt.datetime.combine(due - dt.timedelta(days=index % 4), dt.time(9, 0), tzinfo=dt.UTC)
                reporting.submission_submit(actor=officer, submission=submission, now=sent)
                reporting.submission_approve(actor=coordinator, submission=submission)
                created += 1
    activities = 0
    if not Activity.objects.filter(title__startswith=MARK).exists():
        for path, kind, title, (month, day), male, female, materials in ACTIVITIES:
            place = AdministrativeUnit.objects.filter(path=path).first()
            organiser = (
                Agency.objects.filter(unit=place, kind=AgencyKind.COMMUNE_SOCIAL).first() if place else None
            )
            if organiser is None:
                continue
            activity_create(
                actor=coordinator,
                plan=plan,
                kind=kind,
                title=MARK + title,
                held_on=dt.date(2026, month, day),
                unit=place,
                organiser=organiser,
                audience="Cán bộ, hội viên và người dân trên địa bàn",
                participants_male=male,
                participants_female=female,
                materials=materials,
            )
            activities += 1
    crossed = _person_across_the_reform(context, ward)
    gaps = plan.copy_gaps.filter(resolved_at__isnull=True).count()
    notes.extend(
        [
            f"cơ quan cấp xã mới {bodies}",
            f"báo cáo tháng quý I/2026 {created}",
            f"hoạt động {activities}",
            f"người vi phạm trước và sau sắp xếp {crossed}",
            f"mục chưa chuyển được sang đơn vị mới {gaps}",
        ]
    )
    return "Kế hoạch 2026 (126 xã, phường): " + "; ".join(notes) + "."
