from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lanhmanh.org.models import Agency
from lanhmanh.premises import ranking, services
from lanhmanh.premises.models import Inspection, InspectionPlan, PlanItem
from tests.premises.conftest import at

pytestmark = pytest.mark.django_db


def record(inspector, place, team, agencies, **extra):
    fields = {
        "actor": inspector,
        "establishment": place,
        "team": team,
        "started_at": at("2014-03-10"),
        "agencies": agencies,
        "leader_name": "Nguyễn Văn Trưởng, Phó Trưởng phòng LĐTBXH",
        **extra,
    }
    return services.inspection_record(**fields)


def test_an_inspection_of_a_closed_establishment_is_refused(inspector, place, team, three_agencies):
    services.establishment_update(actor=inspector, establishment=place, closed_on=dt.date(2013, 12, 31))
    with pytest.raises(ValidationError) as error:
        record(inspector, place, team, three_agencies)
    assert error.value.message_dict == {
        "started_at": [
            "Cơ sở đã ngừng hoạt động từ ngày 31/12/2013: không thể ghi nhận kiểm tra ngày 10/03/2014."
        ]
    }
    assert not Inspection.objects.exists()


def test_an_inspection_before_the_establishment_opened_is_refused(inspector, place, team, three_agencies):
    with pytest.raises(ValidationError) as error:
        record(inspector, place, team, three_agencies, started_at=at("2009-01-05"))
    assert error.value.message_dict["started_at"] == [
        "Cơ sở bắt đầu hoạt động ngày 01/05/2010: không thể ghi nhận kiểm tra ngày 05/01/2009."
    ]


def test_a_team_of_one_agency_is_refused_and_two_need_confirmation(inspector, place, team, three_agencies):
    with pytest.raises(ValidationError) as error:
        record(inspector, place, team, three_agencies[:1])
    assert error.value.message_dict["agencies"] == [
        "Đoàn kiểm tra liên ngành phải có thành viên của ít nhất hai cơ quan (công an, lao động, văn hóa, y tế, "
        "công thương…); đoàn này chỉ có 1 cơ quan."
    ]
    with pytest.raises(ValidationError) as error:
        record(inspector, place, team, three_agencies[:2])
    assert "Đánh dấu “Xác nhận đoàn ít hơn 3 cơ quan” để vẫn lưu." in error.value.message_dict["agencies"][0]
    inspection = record(inspector, place, team, three_agencies[:2], confirm_few_agencies=True)
    assert inspection.team_level == 2
    assert Inspection.objects.count() == 1


def test_a_violating_checklist_item_marks_the_inspection(inspector, place, team, three_agencies):
    inspection = record(
        inspector, place, team, three_agencies, checklist={"phong": "violation", "giay-phep": "ok"}
    )
    assert inspection.violation_found is True


def test_a_person_found_is_recorded_in_the_registry_and_linked(
    client_for, inspector, place, team, three_agencies
):
    from lanhmanh.people.models import LegalAct, Violation

    inspection = record(inspector, place, team, three_agencies)
    act = LegalAct.objects.get(code="167-2013-23-1")
    response = client_for(inspector).post(
        reverse("premises:inspection_detail", args=[inspection.pk]),
        {
            "full_name": "Lê Thị Hoa",
            "birth_date": "1992-02-02",
            "sex": "female",
            "act": act.pk,
            "role": "seller",
        },
    )
    assert response.status_code == 302
    violation = Violation.objects.get()
    assert violation.inspection_link.inspection == inspection
    assert (violation.place_unit, violation.establishment_name) == (place.unit, "Karaoke Ánh Sao")
    inspection.refresh_from_db()
    assert inspection.violation_found is True


def test_a_minor_found_is_not_recorded_as_an_offender(client_for, inspector, place, team, three_agencies):
    from lanhmanh.people.models import LegalAct, Person

    inspection = record(inspector, place, team, three_agencies)
    act = LegalAct.objects.get(code="167-2013-23-1")
    response = client_for(inspector).post(
        reverse("premises:inspection_detail", args=[inspection.pk]),
        {
            "full_name": "Lê Thị Nhỏ",
            "birth_date": "1998-02-02",
            "sex": "female",
            "act": act.pk,
            "role": "seller",
        },
    )
    assert response.status_code == 200
    assert "chưa đủ 18 tuổi" in response.content.decode()
    assert not Person.objects.exists()  # nothing half-saved: the person is rolled back with the violation


def test_the_minutes_are_an_a4_word_document_with_decree_30_margins(
    client_for, inspector, place, team, three_agencies
):
    from docx import Document

    inspection = record(inspector, place, team, three_agencies, findings="Phòng hát số 3 chốt cửa trong.")
    response = client_for(inspector).get(reverse("premises:inspection_minutes", args=[inspection.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    sides = (section.left_margin, section.right_margin)
    assert [round(v.mm) for v in (*sizes, *sides)] == [210, 297, 20, 20, 30, 15]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BIÊN BẢN KIỂM TRA" in text
    assert "Phòng hát số 3 chốt cửa trong." in text
    assert "Tên cơ sở: Karaoke Ánh Sao. Loại hình: Karaoke." in text


def test_an_inspection_page_is_404_outside_the_district(
    client_for, inspector, other_district_officer, place, team, three_agencies
):
    inspection = record(inspector, place, team, three_agencies)
    url = reverse("premises:inspection_detail", args=[inspection.pk])
    assert client_for(other_district_officer).get(url).status_code == 404
    assert (
        client_for(other_district_officer)
        .get(reverse("premises:inspection_minutes", args=[inspection.pk]))
        .status_code
        == 404
    )


def test_the_ranking_puts_places_with_violations_first_and_says_why(
    inspector, place, massage_place, team, three_agencies
):
    record(inspector, place, team, three_agencies, violation_found=True)
    ranked = ranking.rank("01.002", dt.date(2014, 6, 1))
    assert [pk for pk, _s, _r in ranked[:2]] == [place.pk, massage_place.pk]
    pk, points, reasons = ranked[0]
    assert points == 25 + 20  # one inspection with a violation, karaoke's weight; inspected 3 months ago
    assert [str(r) for r in reasons] == [
        "1 lần kiểm tra phát hiện vi phạm trong 3 năm (+25)",
        "Loại hình có nguy cơ (+20)",
    ]
    _pk, points, reasons = ranked[1]
    assert points == 20 + 25
    assert "Chưa từng được Đội 178 kiểm tra (+20)" in [str(r) for r in reasons]


def test_a_plan_proposes_a_ranked_part_and_a_random_part(client_for, inspector, team, place, massage_place):
    plan = services.plan_create(actor=inspector, team=team, period_id="2014Q2", quota=2, random_share=50)
    proposals = ranking.propose(plan)
    assert [p.selection for p in proposals] == ["ranked", "random"]
    client = client_for(inspector)
    body = client.get(reverse("premises:plan_detail", args=[plan.pk])).content.decode()
    assert "Danh sách đề xuất theo mức độ rủi ro" in body and "Ngẫu nhiên" in body
    response = client.post(reverse("premises:plan_detail", args=[plan.pk]), {"chon": [str(place.pk)]})
    assert response.status_code == 302
    assert list(PlanItem.objects.values_list("establishment_id", flat=True)) == [place.pk]


def test_a_plan_for_a_period_that_does_not_parse_is_refused(inspector, team):
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=inspector, team=team, period_id="2014Q7", quota=5, random_share=10)
    assert list(error.value.message_dict) == ["period_id"]
    assert not InspectionPlan.objects.exists()


def test_commune_team_178_agencies_are_seeded():
    assert Agency.objects.filter(kind="team-178", unit__level=3).count() == 584
