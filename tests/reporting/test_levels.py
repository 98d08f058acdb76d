"""A level reports its own work only: commune → district → city, every computed figure equals the records.

Records are kept at two communes of Hoàn Kiếm, at the district itself and at the city itself. Each
level opens its report (prefilled from its own records), sends it unchanged and the level above
approves it; the consolidation then adds every level once, so for each computed field the
consolidated figure is exactly what the records give for the whole area.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.plans.models import Activity
from lanhmanh.reporting import services
from lanhmanh.reporting.aggregation import consolidate
from lanhmanh.reporting.services import values_of
from lanhmanh.support.models import ContactAttempt, Enrolment, OutreachTask, Programme, SupportCase

from ..conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN
from .conftest import GOOD_VALUES

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2014, 11, 14, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2014, 11, 10)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(21)))


def _person(name: str, unit, sex: str = "female") -> Person:
    person = Person(full_name=name, sex=sex, birth_year=1990, permanent_unit=unit)
    person.save()
    return person


@pytest.fixture
def records(police, social_worker):
    """Sanctions, activities, outreach and jobs at two communes, at the district and at the city."""
    act = LegalAct.objects.get(code="167-2013-23-1")
    units = {p: AdministrativeUnit.objects.get(path=p) for p in (TRANG_TIEN, HANG_BAC, HOAN_KIEM, "01")}
    programme = Programme.objects.create(
        code="ct-1993", name="Chương trình 1993", starts_on=dt.date(2014, 1, 1)
    )
    plan_day = dt.date(2014, 10, 8)
    number = 0
    # (unit, warnings, fines (paid?), activities, reached, employed)
    spec = {
        TRANG_TIEN: (1, (True, False), 1, 2, 1),
        HANG_BAC: (2, (True,), 2, 1, 0),
        HOAN_KIEM: (1, (False, True, True), 1, 1, 1),
        "01": (0, (), 1, 0, 1),
    }
    for path, (warnings, fines, activities, reached, employed) in spec.items():
        unit = units[path]
        agency = Agency.objects.filter(unit=unit).first()
        for i in range(warnings + len(fines)):
            if path == "01":
                break
            number += 1
            fine = i >= warnings
            paid = fine and fines[i - warnings]
            sanction = {
                "number": f"{number}/QĐ",
                "decided_on": plan_day,
                "kind": "fine" if fine else "warning",
            }
            if fine:
                sanction.update(amount=200_000, payment_status="paid" if paid else "unpaid")
                if paid:
                    sanction["paid_on"] = dt.date(2014, 10, 20)
            people_services.violation_record(
                actor=police,
                person=_person(f"Người bán {number}", unit),
                occurred_at=_at(plan_day),
                place_unit=unit,
                act=act,
                role="seller",
                sanction=sanction,
            )
        for i in range(activities):
            Activity(
                kind="training" if i == 0 else "campaign",
                title=f"Hoạt động {i + 1} tại {unit.name}",
                held_on=plan_day,
                unit=unit,
                organiser=agency,
                participants_male=3,
                participants_female=7,
            ).save()
        for i in range(max(reached, employed)):
            person = _person(f"Chị {path} {i}", unit)
            task = OutreachTask.objects.create(
                person=person, source="manual", unit=unit, agency=agency, due_on=plan_day
            )
            if i < reached:
                ContactAttempt.objects.create(
                    task=task, made_on=plan_day, method="visit", result="reached", worker=social_worker
                )
            if i < employed:
                case = SupportCase.objects.create(
                    person=person,
                    unit=unit,
                    lead_agency=agency,
                    lead_worker=social_worker,
                    opened_on=plan_day,
                )
                Enrolment.objects.create(
                    programme=programme,
                    person=person,
                    case=case,
                    enrolled_on=dt.date(2014, 1, 5),
                    training_completed_on=dt.date(2014, 6, 30),
                    employed_on=plan_day,
                )


def _send_as_prefilled(officer, form, period_id, today):
    submission = services.submission_open(actor=officer, form=form, period_id=period_id, today=today)
    prefilled = values_of(submission)
    computed = {f.code for f in form.fields.all() if f.is_computed}
    reported = {code: value for code, value in GOOD_VALUES.items() if code not in computed}
    values = {
        f.code: str(prefilled[f.code]) if prefilled.get(f.code) is not None else reported.get(f.code, "0")
        for f in form.fields.all()
        if f.is_number
    }
    # Figures whose register is not in the system yet (checks, criminal cases) are typed, with a reason.
    reasons = {code: "Theo sổ theo dõi của đơn vị" for code in computed if prefilled.get(code) is None}
    services.submission_save(actor=officer, submission=submission, values=values, reasons=reasons)
    services.submission_submit(actor=officer, submission=submission, now=SENT)
    return submission


def test_each_level_prefills_its_own_work_and_the_consolidation_equals_the_records_at_every_level(
    records, forms, commune_officer, other_commune_officer, district_officer, police, coordinator
):
    for officer in (commune_officer, other_commune_officer):
        services.submission_approve(
            actor=district_officer, submission=_send_as_prefilled(officer, forms["xa-thang"], "201410", TODAY)
        )
    district = _send_as_prefilled(district_officer, forms["huyen-thang"], "201410", TODAY)
    # The district's own report holds the district's own work, not its communes' again.
    own = values_of(district)
    assert (own["sellers_sanctioned"], own["warnings"], own["fined"]) == (4, 1, 3)
    assert (own["fines_imposed"], own["fines_collected"]) == (600_000, 400_000)
    assert (own["activities_held"], own["outreach"], own["trained_employed"]) == (1, 1, 1)
    services.submission_approve(actor=coordinator, submission=district)
    services.submission_approve(
        actor=coordinator,
        submission=_send_as_prefilled(police, forms["cong-an-thang"], "201410", TODAY),
    )

    hoan_kiem = AdministrativeUnit.objects.get(path=HOAN_KIEM)
    result = consolidate(forms["huyen-thang"], hoan_kiem, "201410", user=district_officer)
    rows = {row.field.code: row for block in result.blocks for row in block.rows}
    computed = sorted(code for code, row in rows.items() if row.field.is_computed and row.records is not None)
    assert computed == [
        "activities_held",
        "fined",
        "fines_collected",
        "fines_imposed",
        "hotspots_eliminated",  # the hotspot register (enforcement)
        "hotspots_found",
        "hotspots_kept_clean",
        "hotspots_reemerged",
        "outreach",
        "participants",
        "sellers_sanctioned",
        "trained_employed",
        "trainings_held",
        "warnings",
    ]
    assert {
        code: (rows[code].own, rows[code].below, rows[code].total) for code in ("sellers_sanctioned",)
    } == {"sellers_sanctioned": (4, 6, 10)}
    assert {code: rows[code].total for code in computed} == {code: rows[code].records for code in computed}
    assert not any(rows[code].differs for code in computed)

    city_report = services.submission_open(
        actor=coordinator, form=forms["thanh-pho-nam"], period_id="2014", today=dt.date(2015, 1, 10)
    )
    assert values_of(city_report)["activities_held"] == 1  # the city's own training only
    city = consolidate(
        forms["thanh-pho-nam"], AdministrativeUnit.objects.get(path="01"), "2014", user=coordinator
    )
    rows = {row.field.code: row for block in city.blocks for row in block.rows}
    computed = sorted(code for code, row in rows.items() if row.field.is_computed and row.records is not None)
    assert {"police_warnings", "police_fined", "persons_sanctioned", "police_fines_imposed"} <= set(computed)
    assert {code: rows[code].total for code in computed} == {code: rows[code].records for code in computed}
    assert (rows["activities_held"].total, rows["trained_employed"].total, rows["police_warnings"].total) == (
        5,
        3,
        4,
    )


def test_the_form_says_where_each_prefilled_figure_comes_from_and_flags_a_corrected_one(
    records, forms, district_officer, commune_officer, client_for
):
    district = services.submission_open(
        actor=district_officer, form=forms["huyen-thang"], period_id="201410", today=TODAY
    )
    page = client_for(district_officer).get(f"/bao-cao/{district.pk}/?muc=xu-ly").content.decode()
    source = page[page.index('data-prefill-source="warnings"') :]
    source = source[: source.index("</div>")]
    assert "Số lượt người bán dâm bị cảnh cáo" in source
    assert "chỉ hồ sơ do chính Quận Hoàn Kiếm quản lý (phần của cấp dưới do cấp dưới báo cáo)" in source
    commune = services.submission_open(
        actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer,
        submission=commune,
        values={"trained_employed": "29", "people_checked": "20"},
        reasons={"trained_employed": "Theo danh sách của Hội Phụ nữ phường"},
    )
    page = client_for(commune_officer).get(f"/bao-cao/{commune.pk}/?muc=ho-tro").content.decode()
    assert 'data-mismatch="trained_employed"' in page
    assert 'data-mismatch="warnings"' not in page
    assert "hồ sơ trên địa bàn Phường Tràng Tiền" in page
