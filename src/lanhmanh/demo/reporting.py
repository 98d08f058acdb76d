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
