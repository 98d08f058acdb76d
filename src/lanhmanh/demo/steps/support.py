"""Demo data of outreach and support: providers, the two programmes of T07, outreach tasks, cases with
consent, services, referrals (one overdue) and enrolments that move T07.

``load(context)`` is the demo step ``support.load`` (order 60, after the registry): it needs the demo
accounts (order 20) and is idempotent: the providers and their logins are kept (password reset) and the
rest is written only when the demo programmes do not exist yet.

Two more logins make the referral journeys work: ``truongnghe`` (a social worker at the district's
vocational school, who accepts training and job referrals) and ``trungtamyte`` (a health worker at the
district health centre, who accepts health referrals). They go into ``context.accounts``, so
``load_demo`` prints them in its table of logins on every run.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lanhmanh.core.audit import audited_insert
from lanhmanh.demo.loader import step
from lanhmanh.demo.steps.org import vietnamese_name
from lanhmanh.org.models import Agency, AgencyKind, Role, User
from lanhmanh.people import services as people_services
from lanhmanh.support import services
from lanhmanh.support.models import Programme, Referral

PROGRAMMES = [
    {
        "code": "ctr-1993",
        "name": "Chương trình 1993/CTr-SLĐTBXH ngày 11/10/2012 của Sở LĐTBXH",
        "funder": "Ngân sách Thành phố",
        "legal_basis": "Chương trình số 1993/CTr-SLĐTBXH ngày 11/10/2012",
        "starts_on": dt.date(2012, 10, 11),
        "ends_on": dt.date(2015, 12, 31),
        "budget": 400_000_000,
        "women_only": True,
        "min_age": 16,
        "max_age": 50,
        "case_kinds": ["adult", "trafficking"],
        "criteria_text": "Phụ nữ bán dâm, bán dâm nghiện ma túy có nhu cầu học nghề, việc làm.",
        "service_kinds": ["training", "job", "psych"],
    },
    {
        "code": "plan-2012-2015",
        "name": "Dự án hòa nhập cộng đồng cho nữ thanh niên bị bóc lột tình dục (Plan tài trợ, 2012–2015)",
        "funder": "Tổ chức Plan",
        "starts_on": dt.date(2012, 1, 1),
        "ends_on": dt.date(2015, 12, 31),
        "budget": 1_200_000_000,
        "women_only": True,
        "min_age": 16,
        "max_age": 30,
        "case_kinds": ["adult", "trafficking", "child"],
        "criteria_text": "Nữ thanh niên từ 16 đến 30 tuổi bị bóc lột tình dục.",
        "service_kinds": ["psych", "legal", "training", "job", "loan", "reintegration"],
    },
]

WOMEN = [
    ("Nguyễn Thị Hương", dt.date(1991, 4, 12)),
    ("Trần Thị Thu", dt.date(1989, 9, 3)),
    ("Lê Thị Ngọc", dt.date(1994, 1, 25)),
    ("Phạm Thị Hồng", dt.date(1987, 11, 8)),
    ("Hoàng Thị Lan", dt.date(1993, 6, 30)),
    ("Vũ Thị Thanh", dt.date(1990, 2, 14)),
]


def _provider(code: str, name: str, unit) -> Agency:
    agency, _created = Agency.objects.get_or_create(
        code=code, defaults={"name": name, "kind": AgencyKind.SERVICE_PROVIDER, "unit": unit}
    )
    return agency


SCHOOL_CODE = "01-002-truong-nghe"
CLINIC_CODE = "01-002-trung-tam-y-te"

# (username, role, provider code, title, female)
PROVIDER_LOGINS = [
    ("truongnghe", Role.SOCIAL_WORKER, SCHOOL_CODE, "Cán bộ tuyển sinh, giới thiệu việc làm", True),
    ("trungtamyte", Role.HEALTH_WORKER, CLINIC_CODE, "Bác sĩ Trung tâm Y tế quận", False),
]


def providers(district) -> tuple[Agency, Agency]:
    """The district's vocational school and health centre (kept if present)."""
    school = _provider(SCHOOL_CODE, f"Trường Trung cấp nghề {district.full_name}", district)
    clinic = _provider(CLINIC_CODE, f"Trung tâm Y tế {district.full_name}", district)
    return school, clinic


def provider_logins(context) -> tuple[list[User], int]:
    """One login per provider (demo password; existing ones kept, password reset and unlocked).
    Returns the logins and how many were created."""
    roles = {r.code: r for r in Role.objects.filter(code__in={p[1] for p in PROVIDER_LOGINS})}
    users = []
    created = 0
    for username, role, agency_code, title, female in PROVIDER_LOGINS:
        family, given = vietnamese_name(context, female=female)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=given,
                last_name=family,
                email=f"{username}@demo.lanhmanh.invalid",
                agency=Agency.objects.get(code=agency_code),
                title=title,
            )
            user.set_password(context.password)
            user.full_clean()
            audited_insert(actor=None, instance=user, reason="Tài khoản demo của cơ sở cung cấp dịch vụ")
            user.roles.set([roles[role]])
            created += 1
        else:
            user.set_password(context.password)
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["password", "failed_logins", "locked_until"])
        context.accounts[f"{role}@{agency_code}"] = user
        users.append(user)
    return users, created


@step(order=60, name="support.load")
def load(context) -> str | None:
    worker = context.accounts.get(Role.SOCIAL_WORKER)
    if worker is None:
        return None
    commune = worker.agency.unit
    district = commune.parent
    school, clinic = providers(district)
    provider_logins(context)
    if Programme.objects.filter(code="ctr-1993").exists():
        return None
    programmes = [services.programme_create(actor=None, **spec) for spec in PROGRAMMES]
    persons = [
        people_services.person_create(
            actor=worker,
            full_name=name,
            birth_date=birth,
            birth_year=birth.year,
            sex="female",
            permanent_unit=commune,
        )
        for name, birth in WOMEN
    ]
    services.outreach_task_create(
        actor=worker,
        person=persons[4],
        unit=commune,
        agency=worker.agency,
        worker=worker,
        due_on=dt.date(2014, 12, 15),
        notes="Gặp qua câu lạc bộ phụ nữ phường",
    )
    declined = services.outreach_task_create(
        actor=worker, person=persons[5], unit=commune, agency=worker.agency, due_on=dt.date(2014, 9, 1)
    )
    services.contact_attempt_record(
        actor=worker, task=declined, made_on=dt.date(2014, 8, 20), method="visit", result="declined"
    )
    cases = []
    for index, person in enumerate(persons[:4]):
        opened = dt.date(2014, 3 + index, 10)
        consents = [("counselling", worker.agency), ("training", school), ("jobs", school)]
        if index % 2 == 0:
            consents.append(("health", clinic))
        case = services.case_open(
            actor=worker,
            person=person,
            unit=commune,
            opened_on=opened,
            consents=consents,
            assessment="Cần học nghề và việc làm ổn định; hỗ trợ tâm lý.",
        )
        services.goal_add(
            actor=worker, case=case, description="Hoàn thành khóa học nghề", target_on=dt.date(2014, 12, 31)
        )
        services.service_record(
            actor=worker, case=case, kind="psych", provider=worker.agency, given_on=opened
        )
        services.follow_up_plan(actor=worker, case=case, due_on=opened + dt.timedelta(days=60 + 15 * index))
        cases.append(case)
    for case in cases[:3]:
        enrolment = services.enrolment_create(
            actor=worker,
            programme=programmes[0],
            case=case,
            enrolled_on=case.opened_on + dt.timedelta(days=7),
        )
        services.service_record(
            actor=worker,
            case=case,
            kind="training",
            provider=school,
            programme=programmes[0],
            given_on=case.opened_on + dt.timedelta(days=14),
            cost=3_000_000,
        )
        services.enrolment_progress(
            actor=worker,
            enrolment=enrolment,
            training_completed_on=dt.date(2014, 10, 31),
            employed_on=dt.date(2014, 11, 20),
            employer="Công ty may Thăng Long",
        )
    due = timezone.localdate() + dt.timedelta(days=7)
    services.referral_send(actor=worker, case=cases[0], to_agency=school, purpose="jobs", due_on=due)
    overdue = services.referral_send(
        actor=worker, case=cases[3], to_agency=school, purpose="training", due_on=due
    )
    # The overdue referral dates from 2014, so that both home pages show it.
    Referral.objects.filter(pk=overdue.pk).update(sent_on=dt.date(2014, 11, 1), due_on=dt.date(2014, 11, 15))
    services.referral_send(actor=worker, case=cases[2], to_agency=clinic, purpose="health", due_on=due)
    return f"Hỗ trợ: {len(cases)} hồ sơ, 2 nhiệm vụ tiếp cận, 3 chuyển gửi (1 quá hạn), 3 người đạt chỉ tiêu T07."
