"""The hotspot register: status machine, patrols, re-emergence proposals, scoping and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.models import ChangeRecord
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import (
    HotspotEvent,
    HotspotStatus,
    Patrol,
    PatrolFinding,
    ProposalSource,
    ProposalStatus,
    ReemergenceProposal,
)
from lanhmanh.people.models import Violation
from tests.conftest import HOAN_KIEM, agency

pytestmark = pytest.mark.django_db


def test_a_new_hotspot_starts_active_with_its_history_and_an_audit_row(hotspot, police):
    assert hotspot.status == HotspotStatus.ACTIVE
    assert list(hotspot.events.values_list("status", "happened_on")) == [("active", dt.date(2013, 5, 1))]
    assert ChangeRecord.objects.filter(model="enforcement.hotspot", object_id=str(hotspot.pk)).count() == 1


def test_the_register_moves_active_to_plan_to_eliminated_to_kept_clean(hotspot, police):
    services.hotspot_transition(
        actor=police,
        hotspot=hotspot,
        status="planned",
        happened_on=dt.date(2014, 3, 1),
        tasks="Tuần tra\nLắp đèn",
    )
    services.hotspot_transition(
        actor=police, hotspot=hotspot, status="eliminated", happened_on=dt.date(2014, 9, 1)
    )
    services.hotspot_transition(
        actor=police, hotspot=hotspot, status="kept-clean", happened_on=dt.date(2015, 3, 1)
    )
    hotspot.refresh_from_db()
    assert (hotspot.status, hotspot.status_on) == ("kept-clean", dt.date(2015, 3, 1))
    assert list(hotspot.events.values_list("status", flat=True)) == [
        "active",
        "planned",
        "eliminated",
        "kept-clean",
    ]
    assert hotspot.events.get(status="planned").task_lines == ["Tuần tra", "Lắp đèn"]


def test_a_status_jump_from_active_to_kept_clean_is_refused_naming_the_allowed_step(hotspot, police):
    with pytest.raises(ValidationError) as error:
        services.hotspot_transition(
            actor=police, hotspot=hotspot, status="kept-clean", happened_on=dt.date(2014, 3, 1)
        )
    assert error.value.message_dict["status"] == [
        "Không thể chuyển tụ điểm từ “Đang hoạt động” sang “Giữ không tái hoạt động”. "
        "Bước tiếp theo hợp lệ: “Có phương án triệt xóa”."
    ]
    hotspot.refresh_from_db()
    assert hotspot.status == "active"
    assert hotspot.events.count() == 1


def test_a_plan_to_dismantle_needs_its_tasks(hotspot, police):
    with pytest.raises(ValidationError) as error:
        services.hotspot_transition(
            actor=police, hotspot=hotspot, status="planned", happened_on=dt.date(2014, 3, 1), tasks="  "
        )
    assert error.value.message_dict["tasks"] == [
        "Phương án triệt xóa cần ít nhất một nhiệm vụ (mỗi dòng một nhiệm vụ)."
    ]


def test_a_step_dated_before_the_current_status_is_refused(eliminated, police):
    with pytest.raises(ValidationError) as error:
        services.hotspot_transition(
            actor=police, hotspot=eliminated, status="kept-clean", happened_on=dt.date(2013, 1, 1)
        )
    assert error.value.message_dict["happened_on"] == [
        "Ngày này trước ngày của trạng thái hiện tại (20/11/2013)."
    ]


def test_a_patrol_before_the_hotspot_existed_is_refused_and_nothing_is_saved(eliminated, police):
    with pytest.raises(ValidationError) as error:
        services.patrol_record(
            actor=police,
            hotspot=eliminated,
            patrolled_on=dt.date(2012, 1, 1),
            agency=police.agency,
            finding="clean",
        )
    assert error.value.message_dict["patrolled_on"] == [
        "Ngày tuần tra trước ngày phát hiện tụ điểm (01/05/2013)."
    ]
    assert Patrol.objects.count() == 0


def test_a_clean_patrol_proposes_nothing(eliminated, police):
    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 2, 1),
        agency=police.agency,
        finding="clean",
    )
    assert ReemergenceProposal.objects.count() == 0


def test_activity_seen_at_an_eliminated_hotspot_proposes_a_reemergence_that_the_police_confirm(
    eliminated, police
):
    patrol = services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 2),
        agency=police.agency,
        finding=PatrolFinding.ACTIVITY,
    )
    proposal = ReemergenceProposal.objects.get()
    assert (proposal.source, proposal.patrol, proposal.status) == (
        ProposalSource.PATROL,
        patrol,
        ProposalStatus.OPEN,
    )
    # A second sighting does not pile up proposals.
    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 3),
        agency=police.agency,
        finding="activity",
    )
    assert ReemergenceProposal.objects.count() == 1

    services.proposal_decide(actor=police, proposal=proposal, confirm=True)
    eliminated.refresh_from_db()
    assert (eliminated.status, eliminated.status_on) == ("reemerged", dt.date(2014, 6, 2))
    assert HotspotEvent.objects.get(hotspot=eliminated, status="reemerged").how_found == "Tuần tra"
    with pytest.raises(ValidationError):
        services.proposal_decide(actor=police, proposal=proposal, confirm=True)


def test_rejecting_a_proposal_needs_a_reason_and_leaves_the_status(eliminated, police):
    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 2),
        agency=police.agency,
        finding="activity",
    )
    proposal = ReemergenceProposal.objects.get()
    with pytest.raises(ValidationError):
        services.proposal_decide(actor=police, proposal=proposal, confirm=False)
    services.proposal_decide(
        actor=police, proposal=proposal, confirm=False, note="Người đi đường, không phải mời chào"
    )
    eliminated.refresh_from_db()
    assert eliminated.status == "eliminated"


def test_a_violation_at_an_eliminated_hotspot_proposes_a_reemergence(
    eliminated, police, resident, selling_2014, trang_tien
):
    from tests.people.conftest import at

    violation = Violation.objects.create(
        person=resident,
        occurred_at=at("2014-04-05"),
        place_unit=trang_tien,
        place_address="Vườn hoa Lý Thái Tổ",
        act=selling_2014,
        role="seller",
        recording_agency=agency(HOAN_KIEM, "police"),
    )
    services.violation_link(actor=police, hotspot=eliminated, violation=violation)
    proposal = ReemergenceProposal.objects.get()
    assert (proposal.source, proposal.violation, proposal.observed_on) == (
        "violation",
        violation,
        dt.date(2014, 4, 5),
    )
    with pytest.raises(ValidationError) as error:
        services.violation_link(actor=police, hotspot=eliminated, violation=violation)
    assert error.value.message_dict["violation"] == ["Vi phạm này đã được gắn với một tụ điểm."]


# Pages and scoping -----------------------------------------------------------------------------------


def test_the_police_and_a_commune_officer_of_the_district_see_the_hotspot(
    hotspot, police, commune_officer, client_for
):
    for user in (police, commune_officer):
        response = client_for(user).get(f"/tu-diem/{hotspot.pk}/")
        assert response.status_code == 200
        assert "Phố Phạm Ngũ Lão" in response.content.decode()


def test_a_commune_officer_of_another_district_gets_404_on_the_hotspot(hotspot, client_for, db):
    from tests.conftest import make_user

    outsider = make_user("xa_dong_anh", agency("01.017.00457", "commune-social"), "commune-officer")
    assert client_for(outsider).get(f"/tu-diem/{hotspot.pk}/").status_code == 404
    assert client_for(outsider).get(f"/tu-diem/{hotspot.pk}/tuan-tra/").status_code == 404
    assert "Phố Phạm Ngũ Lão" not in client_for(outsider).get("/tu-diem/").content.decode()


def test_a_role_without_the_enforcement_class_gets_404_on_the_register(
    hotspot, social_worker, licensing, client_for
):
    for user in (social_worker, licensing):
        assert client_for(user).get("/tu-diem/").status_code == 404
        assert client_for(user).get(f"/tu-diem/{hotspot.pk}/").status_code == 404


def test_the_list_shows_the_hotspots_in_reach_only(hotspot, dong_anh_hotspot, police, client_for):
    page = client_for(police).get("/tu-diem/").content.decode()
    assert "Phố Phạm Ngũ Lão" in page
    assert "Khu vực chợ Đông Anh" not in page


def test_a_commune_officer_records_a_patrol_from_the_phone_page(eliminated, commune_officer, client_for):
    client = client_for(commune_officer)
    assert "Ghi lượt tuần tra" in client.get(f"/tu-diem/{eliminated.pk}/tuan-tra/").content.decode()
    response = client.post(
        f"/tu-diem/{eliminated.pk}/tuan-tra/",
        {"patrolled_on": "2014-07-01", "finding": "sanctioned", "people_sanctioned": "2", "note": ""},
    )
    assert response.status_code == 302
    patrol = Patrol.objects.get()
    assert (patrol.finding, patrol.people_sanctioned, patrol.agency) == (
        "sanctioned",
        2,
        commune_officer.agency,
    )
    assert ReemergenceProposal.objects.filter(hotspot=eliminated, status="open").count() == 1


def test_a_patrol_form_with_a_date_before_the_hotspot_shows_the_message(eliminated, police, client_for):
    response = client_for(police).post(
        f"/tu-diem/{eliminated.pk}/tuan-tra/", {"patrolled_on": "2010-01-01", "finding": "clean"}
    )
    assert response.status_code == 200
    assert "Ngày tuần tra trước ngày phát hiện tụ điểm (01/05/2013)." in response.content.decode()
    assert Patrol.objects.count() == 0


def test_a_commune_officer_may_not_change_the_status_nor_confirm(eliminated, commune_officer, client_for):
    client = client_for(commune_officer)
    assert (
        client.post(
            f"/tu-diem/{eliminated.pk}/trang-thai/", {"status": "kept-clean", "happened_on": "2014-01-01"}
        ).status_code
        == 404
    )
    eliminated.refresh_from_db()
    assert eliminated.status == "eliminated"


def test_the_police_change_the_status_through_the_page(hotspot, police, client_for):
    response = client_for(police).post(
        f"/tu-diem/{hotspot.pk}/trang-thai/",
        {"status": "planned", "happened_on": "2014-02-01", "tasks": "Chốt chặn buổi tối"},
    )
    assert response.status_code == 302
    hotspot.refresh_from_db()
    assert hotspot.status == "planned"


def test_the_page_refuses_a_jump_with_a_vietnamese_message(hotspot, police, client_for):
    response = client_for(police).post(
        f"/tu-diem/{hotspot.pk}/trang-thai/", {"status": "kept-clean", "happened_on": "2014-02-01"}
    )
    assert response.status_code == 400
    assert "Không thể chuyển tụ điểm sang trạng thái này từ trạng thái hiện tại." in response.content.decode()


def test_the_police_register_a_hotspot_through_the_page(police, street, client_for):
    from tests.conftest import TRANG_TIEN, unit

    response = client_for(police).post(
        "/tu-diem/them/",
        {
            "name": "Ven hồ Gươm, phố Lê Thái Tổ",
            "kind": street.pk,
            "unit": unit(TRANG_TIEN).pk,
            "address": "Phố Lê Thái Tổ",
            "latitude": "21.0290",
            "longitude": "",
            "first_found_on": "2014-02-01",
            "police_agency": agency(HOAN_KIEM, "police").pk,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai." in response.content.decode()


def test_the_proposal_is_confirmed_through_the_page_by_the_police(eliminated, police, client_for):
    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 2),
        agency=police.agency,
        finding="activity",
    )
    proposal = ReemergenceProposal.objects.get()
    client = client_for(police)
    assert "Xác nhận tái hoạt động" in client.get(f"/tu-diem/{eliminated.pk}/").content.decode()
    assert (
        client.post(f"/tu-diem/de-xuat/{proposal.pk}/", {"decision": "confirm", "note": ""}).status_code
        == 302
    )
    eliminated.refresh_from_db()
    assert eliminated.status == "reemerged"


def test_the_map_shows_points_in_reach_coloured_by_status(hotspot, dong_anh_hotspot, police, client_for):
    response = client_for(police).get("/tu-diem/ban-do/")
    assert response.status_code == 200
    config = response.context["map"].config
    assert [(p["label"], p["category"], p["url"]) for p in config["points"]] == [
        ("Phố Phạm Ngũ Lão", "active", f"/tu-diem/{hotspot.pk}/")
    ]
    assert {r["code"]: r["value"] for r in config["regions"]}["002"] == 1


def test_the_police_link_a_violation_of_the_ward_to_the_hotspot_from_its_page(
    eliminated, police, commune_officer, resident, selling_2014, trang_tien, client_for
):
    from tests.people.conftest import at

    violation = Violation.objects.create(
        person=resident,
        occurred_at=at("2014-04-05"),
        place_unit=trang_tien,
        place_address="Cổng vườn hoa",
        act=selling_2014,
        role="seller",
        recording_agency=agency(HOAN_KIEM, "police"),
    )
    page = client_for(police).get(f"/tu-diem/{eliminated.pk}/").content.decode()
    assert "05/04/2014 · Cổng vườn hoa" in page
    assert "Nguyễn Thị Đào" not in page
    assert (
        "data-violation-link"
        not in client_for(commune_officer).get(f"/tu-diem/{eliminated.pk}/").content.decode()
    )
    assert (
        client_for(commune_officer)
        .post(f"/tu-diem/{eliminated.pk}/vi-pham/", {"violation": violation.pk})
        .status_code
        == 404
    )
    response = client_for(police).post(f"/tu-diem/{eliminated.pk}/vi-pham/", {"violation": violation.pk})
    assert response.status_code == 302
    assert eliminated.violation_links.get().violation == violation
    assert ReemergenceProposal.objects.get().source == "violation"


def test_the_register_and_the_tip_list_cost_the_same_queries_for_one_or_three_rows(
    street, police, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import TRANG_TIEN, unit
    from tests.enforcement.conftest import make_hotspot

    client = client_for(police)

    def add(number: int) -> None:
        make_hotspot(street, name=f"Tụ điểm {number}")
        services.tip_submit(what=f"Tin báo {number}", unit=unit(TRANG_TIEN))

    def queries() -> tuple[int, int]:
        client.get("/tu-diem/")  # warm: the session's first read
        with CaptureQueriesContext(connection) as register:
            assert client.get("/tu-diem/").status_code == 200
        with CaptureQueriesContext(connection) as tips:
            assert client.get("/tin-bao/tiep-nhan/").status_code == 200
        return len(register), len(tips)

    add(1)
    one = queries()
    add(2)
    add(3)
    assert queries() == one
