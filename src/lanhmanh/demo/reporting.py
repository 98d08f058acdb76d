"""Demo data of the reporting app: the shipped forms, and Hoàn Kiếm's monthly reports for August and September 2014.

Every ward of Hoàn Kiếm reports (through a synthetic officer account that cannot sign in; Tràng Tiền
through the demo login ``canboxa``); most reports arrive on time and are approved by ``phonglaodong``,
a few arrive late, one is returned with a comment, and in September two wards have not reported, so
the completeness pages show who is late. October 2014 is left for the demo login to fill in.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password

from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.org.models import Agency, Role, User
from lanhmanh.reporting import services
from lanhmanh.reporting.models import ReportForm, Submission
from lanhmanh.reporting.services import report_forms_load, values_of

DISTRICT = "01.002"
MONTHS = ("201408", "201409")
TODAY = dt.date(2014, 12, 1)
MISSING_IN_SEPTEMBER = 2


def _officer(agency: Agency, context: DemoContext) -> User:
    demo_login = context.accounts.get(Role.COMMUNE_OFFICER)
    if demo_login is not None and demo_login.agency_id == agency.pk:
        return demo_login
    user, created = User.objects.get_or_create(
        username=f"bc-{agency.unit.code}",
        defaults={
            "agency": agency,
            "password": make_password(None),
            "first_name": f"Cán bộ {agency.unit.full_name}",
            "title": "Công chức LĐTBXH (tài khoản mẫu, không đăng nhập được)",
        },
    )
    if created:
        user.roles.set(Role.objects.filter(code=Role.COMMUNE_OFFICER))
    return user


def _values(submission: Submission, context: DemoContext) -> dict[str, object]:
    """The figures a ward officer types: only those the records cannot give. Sanctions, fines,
    outreach, jobs and activities stay as the records prefilled them (no figure typed twice)."""
    rnd = context.random
    prefilled = values_of(submission)
    sanctioned = prefilled.get("sellers_sanctioned") or 0
    return {
        "sellers_known": rnd.randint(2, 25),
        "suspect_establishments": rnd.randint(0, 4),
        "hotspots_found": prefilled.get("hotspots_found") or 0,
        "people_checked": sanctioned + rnd.randint(0, 10),
        "health_referrals": rnd.randint(0, 8),
        # From the hotspot register (enforcement), as prefilled: no figure the register contradicts.
        "hotspots_eliminated": prefilled.get("hotspots_eliminated") or 0,
        "hotspots_kept_clean": prefilled.get("hotspots_kept_clean") or 0,
        "hotspots_reemerged": prefilled.get("hotspots_reemerged") or 0,
        "assessment": "Tình hình tệ nạn mại dâm trên địa bàn cơ bản ổn định; tiếp tục duy trì tổ công tác.",
    }


@step(order=70, name="reporting.monthly")
def reporting_demo(context: DemoContext) -> str:
    """The report forms, and Hoàn Kiếm's ward reports for August and September 2014 (idempotent)."""
    report_forms_load()
    forms = {f.code: f for f in ReportForm.objects.all()}
    approver = context.accounts.get(Role.DISTRICT_LABOUR)
    agencies = list(
        Agency.objects.filter(unit__path__startswith=DISTRICT + ".", kind="commune-social").select_related(
            "unit"
        )
    )
    if approver is None or not agencies:
        return "Báo cáo: đã nạp biểu mẫu."
    if Submission.objects.filter(form=forms["xa-thang"], period_id=MONTHS[0], agency__in=agencies).exists():
        return "Báo cáo: dữ liệu mẫu đã có."
    created = 0
    for month in MONTHS:
        for index, agency in enumerate(agencies):
            if month == MONTHS[-1] and index >= len(agencies) - MISSING_IN_SEPTEMBER:
                continue
            officer = _officer(agency, context)
            submission = services.submission_open(
                actor=officer, form=forms["xa-thang"], period_id=month, today=TODAY
            )
            services.submission_save(
                actor=officer, submission=submission, values=_values(submission, context)
            )
            due = submission.due_date
            day = (
                due - dt.timedelta(days=context.random.randint(0, 6))
                if index % 5
                else due + dt.timedelta(days=3)
            )
            sent = dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC)
            services.submission_submit(actor=officer, submission=submission, now=sent)
            if month == MONTHS[-1] and index == 1:
                services.submission_return(
                    actor=approver,
                    submission=submission,
                    comment="Số tiền phạt đã thu chưa khớp biên lai, đề nghị rà soát.",
                )
            elif not (month == MONTHS[-1] and index == 2):
                services.submission_approve(actor=approver, submission=submission)
            created += 1
    return f"Báo cáo: {created} báo cáo tháng của các phường quận Hoàn Kiếm (tháng 8–9/2014)."


ASSESSMENT = "Đã triển khai đầy đủ nhiệm vụ được giao; đề nghị tiếp tục bố trí kinh phí cho năm sau."
UPWARD_TITLE = "Báo cáo nhanh kết quả phòng, chống mại dâm tháng 10/2014"


def _filled(submission: Submission, typed: dict[str, object]) -> dict[str, object]:
    """The values to save: what the records or the quarters prefilled stays; the rest is typed (0 by default)."""
    values: dict[str, object] = {}
    for field in submission.form.fields.all():
        value = values_of(submission).get(field.code)
        if field.code in typed:
            values[field.code] = typed[field.code]
        elif field.is_number and value is None:
            values[field.code] = 0
    if "people_checked" in values:  # at least the persons sanctioned were checked
        values["people_checked"] = (values_of(submission).get("sellers_sanctioned") or 0) + int(
            values["people_checked"] or 0
        )
    return values


def _file(officer, form, period_id, typed, *, approver=None, request=None, reason="") -> Submission:
    submission = services.submission_open(
        actor=officer, form=form, period_id=period_id, request=request, today=TODAY
    )
    values = _filled(submission, typed)
    prefilled = values_of(submission)
    reasons = {
        code: reason
        for code, value in values.items()
        if reason and prefilled.get(code) is not None and str(prefilled[code]) != str(value)
    }
    services.submission_save(actor=officer, submission=submission, values=values, reasons=reasons)
    services.submission_submit(
        actor=officer,
        submission=submission,
        now=dt.datetime.combine(min(submission.due_date, TODAY), dt.time(10), tzinfo=dt.UTC),
    )
    if approver is not None:
        services.submission_approve(actor=approver, submission=submission)
    return submission


def _city_police_officer() -> User | None:
    agency = Agency.objects.filter(code="01-city-police").first()
    if agency is None:
        return None
    user, created = User.objects.get_or_create(
        username="bc-cong-an-tp",
        defaults={
            "agency": agency,
            "password": make_password(None),
            "first_name": "Cán bộ Phòng PC45, Công an Thành phố",
            "title": "Đầu mối báo cáo (tài khoản mẫu, không đăng nhập được)",
        },
    )
    if created:
        user.roles.set(Role.objects.filter(code=Role.POLICE))
    return user


@step(order=72, name="reporting.periodic")
def reporting_periodic_demo(context: DemoContext) -> str:
    """Filed reports of the other forms a coordinator sees (idempotent): the culture department's quarters of
    2014 and its 2013 year, the Hoàn Kiếm police's third quarter, the City Police's third quarter (waiting
    for approval), and the city's answer to an ad hoc request of the Ministry (sent)."""
    coordinator = context.accounts.get(Role.CITY_COORDINATOR)
    culture = context.accounts.get(Role.SECTOR_REPORTER)
    police = context.accounts.get(Role.POLICE)
    if coordinator is None or culture is None or police is None:
        return "Báo cáo định kỳ khác: chưa có tài khoản mẫu."
    forms = {f.code: f for f in ReportForm.objects.all()}
    if Submission.objects.filter(form=forms["van-hoa-nam"], agency=culture.agency).exists():
        return "Báo cáo định kỳ khác: dữ liệu mẫu đã có."
    rnd = context.random
    culture_typed = {
        "culture_campaigns": rnd.randint(8, 20),
        "culture_campaign_participants": rnd.randint(1500, 4000),
        "culture_residential_areas": rnd.randint(60, 140),
        "culture_communes_assessed": rnd.randint(20, 45),
        "culture_checks": rnd.randint(60, 120),
        "culture_violations": rnd.randint(3, 12),
        "culture_licences_refused": rnd.randint(0, 3),
        "culture_assessment": ASSESSMENT,
    }
    # 2013 was reported on paper: no quarters in the system to prefill the year, so each figure has its reason.
    _file(
        culture,
        forms["van-hoa-nam"],
        "2013",
        culture_typed,
        approver=coordinator,
        reason="Năm 2013 báo cáo quý bằng văn bản giấy; số liệu theo sổ theo dõi của Sở.",
    )
    for quarter in ("2014Q2", "2014Q3"):
        _file(culture, forms["van-hoa-quy"], quarter, culture_typed, approver=coordinator)
    _file(police, forms["cong-an-quy"], "2014Q3", {"police_notes": ASSESSMENT}, approver=coordinator)
    filed = 4
    city_police = _city_police_officer()
    if city_police is not None:
        _file(city_police, forms["cong-an-tp-quy"], "2014Q3", {"police_notes": ASSESSMENT})
        filed += 1
    request = services.upward_request_record(
        actor=coordinator,
        form=forms["thanh-pho-dot-xuat"],
        issuer="Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)",
        reference="4321/LĐTBXH-PCTNXH",
        title=UPWARD_TITLE,
        period_id="201410",
        due_date=dt.date(2014, 12, 10),
        today=TODAY,
    )
    _file(
        coordinator, request.form, "", {"sellers_known": 180, "suspect_establishments": 25}, request=request
    )
    return (
        f"Báo cáo định kỳ khác: {filed + 1} báo cáo (quý, năm của Sở Văn hóa, Công an; báo cáo đột xuất "
        "trả lời Bộ LĐTBXH)."
    )
