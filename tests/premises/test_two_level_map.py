"""The establishment register on the two-level map (since 1/7/2025): an establishment keeps the commune it
was registered in; the officers of the wards that commune became (successor links) read it, its
inspections, police checks and sanctions, and write on it as on their own, marked "nay thuộc …"; the
officers of any other ward get 404."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from lanhmanh.org.models import AdministrativeUnit, AgencyKind
from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025
from lanhmanh.premises import selectors, services
from lanhmanh.premises.forms import InspectionForm, SanctionDecisionForm
from lanhmanh.premises.models import Establishment, PoliceCheck
from tests.conftest import agency, make_user, unit
from tests.premises.conftest import at

pytestmark = pytest.mark.django_db
HOAN_KIEM_WARD = "01.00070"  # took part of Tràng Tiền
CUA_NAM_WARD = "01.00073"  # took the other part (Tràng Tiền's default part)
BA_DINH_WARD = "01.00004"


@pytest.fixture
def two_level(db):
    units_import_2025(province_code="01")
    call_command("link_unit_successors", "--province", "01", stdout=StringIO())
    agencies_seed_communes(
        province=AdministrativeUnit.objects.get(path="01", valid_to__isnull=True), day=REFORM_2025
    )


def ward_staff(path: str, prefix: str) -> dict:
    """A ward's Team 178 inspector, police officer and commune officer."""
    return {
        "inspector": make_user(f"{prefix}_dtlk", agency(path, AgencyKind.TEAM_178), "inspector"),
        "police": make_user(f"{prefix}_ca", agency(path, AgencyKind.POLICE), "police"),
        "officer": make_user(f"{prefix}_cb", agency(path, AgencyKind.COMMUNE_SOCIAL), "commune-officer"),
    }


@pytest.fixture
def records_2014(inspector, police, place, team, three_agencies, using_business_2014):
    """The karaoke bar in Tràng Tiền with its 2014 inspection, police check and sanction proposal."""
    inspection = services.inspection_record(
        actor=inspector,
        establishment=place,
        team=team,
        started_at=at("2014-03-10"),
        agencies=three_agencies,
        leader_name="Nguyễn Văn Trưởng",
        violation_found=True,
        findings="Phòng hát không có cửa kính.",
    )
    check = services.police_check_record(
        actor=police, establishment=place, checked_on=dt.date(2014, 4, 2), result="ok"
    )
    sanction = services.sanction_propose(
        actor=inspector,
        establishment=place,
        inspection=inspection,
        act=using_business_2014,
        offender_type="individual",
        occurred_on=dt.date(2014, 3, 10),
        proposed_amount=15_000_000,
        proposed_measure="revocation",
    )
    return {"inspection": inspection, "check": check, "sanction": sanction}


def pages(place, records) -> list[str]:
    return [
        reverse("premises:establishment_detail", args=[place.pk]),
        reverse("premises:inspection_detail", args=[records["inspection"].pk]),
        reverse("premises:sanction_detail", args=[records["sanction"].pk]),
    ]


def test_the_officers_of_the_wards_an_old_ward_became_read_its_register_marked_with_today_s_ward(
    two_level, place, records_2014, client_for
):
    today = unit(CUA_NAM_WARD).full_name  # Tràng Tiền's default part
    for path, prefix in ((HOAN_KIEM_WARD, "hk"), (CUA_NAM_WARD, "cn")):
        for role, user in ward_staff(path, prefix).items():
            assert list(selectors.establishments_visible(user)) == [place], role
            assert list(selectors.inspections_visible(user)) == [records_2014["inspection"]], role
            assert list(selectors.police_checks_visible(user)) == [records_2014["check"]], role
            assert list(selectors.sanctions_visible(user)) == [records_2014["sanction"]], role
            client = client_for(user)
            for url in pages(place, records_2014):
                response = client.get(url)
                assert response.status_code == 200, (role, url)
                assert f"(nay thuộc {today})" in response.content.decode(), (role, url)
            listed = client.get(reverse("premises:establishment_list")).content.decode()
            assert "Karaoke Ánh Sao" in listed
            assert listed.count("data-now-part-of") == 1


def test_the_officers_of_another_ward_get_404(two_level, place, records_2014, client_for):
    for role, user in ward_staff(BA_DINH_WARD, "bd").items():
        assert not selectors.establishments_visible(user).exists(), role
        assert not selectors.inspections_visible(user).exists(), role
        assert not selectors.police_checks_visible(user).exists(), role
        assert not selectors.sanctions_visible(user).exists(), role
        client = client_for(user)
        for url in pages(place, records_2014):
            assert client.get(url).status_code == 404, (role, url)
        assert "Karaoke Ánh Sao" not in client.get(reverse("premises:establishment_list")).content.decode()


def test_a_ward_officer_edits_the_old_ward_s_establishment_where_it_is_registered(
    two_level, place, trang_tien, client_for
):
    user = ward_staff(HOAN_KIEM_WARD, "hk")["inspector"]
    client = client_for(user)
    url = reverse("premises:establishment_edit", args=[place.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert f'<option value="{trang_tien.pk}" selected>' in form.content.decode()
    response = client.post(
        url,
        {
            "kind": place.kind_id,
            "name": "Karaoke Ánh Sao Mới",
            "address": place.address,
            "unit": trang_tien.pk,
            "registration_number": place.registration_number,
            "owner_type": "individual",
            "owner_name": "Trần Văn Chủ",
            "owner_id_number": "001080012345",
            "opened_on": "2010-05-01",
            "status": "open",
        },
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.name, place.unit) == ("Karaoke Ánh Sao Mới", trang_tien)
    other = ward_staff(BA_DINH_WARD, "bd")["inspector"]
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).post(url, {"name": "x"}).status_code == 404
    place.refresh_from_db()
    assert place.name == "Karaoke Ánh Sao Mới"


def test_another_ward_may_not_register_an_establishment_in_the_old_ward(two_level, karaoke, trang_tien):
    other = ward_staff(BA_DINH_WARD, "bd")["inspector"]
    with pytest.raises(ValidationError) as error:
        services.establishment_create(
            actor=other, kind=karaoke, name="Karaoke Lạ", address="9 Tràng Tiền", unit=trang_tien
        )
    assert error.value.message_dict["unit"] == [
        f"Xã, phường phải thuộc địa bàn của cơ quan anh/chị ({other.unit.full_name})."
    ]
    assert not Establishment.objects.filter(name="Karaoke Lạ").exists()


def test_the_ward_police_record_a_check_of_the_old_ward_s_establishment_and_others_cannot(
    two_level, place, client_for
):
    url = reverse("premises:police_check_create")
    data = {"establishment": place.pk, "checked_on": "2026-03-02", "result": "ok", "people_checked": 2}
    ward_police = ward_staff(HOAN_KIEM_WARD, "hk")["police"]
    assert client_for(ward_police).post(url, data).status_code == 302
    assert PoliceCheck.objects.get().created_by == ward_police
    other_police = ward_staff(BA_DINH_WARD, "bd")["police"]
    body = client_for(other_police).post(url, data).content.decode()
    assert "Không có cơ sở mã này trong địa bàn của anh/chị." in body
    assert PoliceCheck.objects.count() == 1


def test_the_ward_s_team_inspects_with_the_ward_s_agencies(two_level, place):
    staff = ward_staff(HOAN_KIEM_WARD, "hk")
    team = agency(HOAN_KIEM_WARD, AgencyKind.TEAM_178)
    members = [agency(HOAN_KIEM_WARD, kind) for kind in (AgencyKind.POLICE, AgencyKind.COMMUNE_SOCIAL)]
    form = InspectionForm(teams=selectors.teams_for(staff["inspector"]), establishment=place)
    assert set(members) <= set(form.fields["agencies"].queryset)
    assert agency(BA_DINH_WARD, AgencyKind.POLICE) not in form.fields["agencies"].queryset
    inspection = services.inspection_record(
        actor=staff["inspector"],
        establishment=place,
        team=team,
        started_at=at("2026-03-02"),
        agencies=[*members, agency("01", AgencyKind.CULTURE)],
        leader_name="Lê Văn Đội",
        violation_found=False,
    )
    assert list(selectors.inspections_visible(staff["officer"])) == [inspection]


def test_the_committee_of_the_ward_an_old_ward_became_may_decide_its_sanction(
    two_level, records_2014, coordinator
):
    sanction = records_2014["sanction"]
    ward_committee = agency(HOAN_KIEM_WARD, AgencyKind.PEOPLES_COMMITTEE)
    elsewhere = agency(BA_DINH_WARD, AgencyKind.PEOPLES_COMMITTEE)
    choices = SanctionDecisionForm(establishment=sanction.establishment).fields["authority"].queryset
    assert ward_committee in choices
    assert elsewhere not in choices
    decision = {
        "actor": coordinator,
        "sanction": sanction,
        "decision_number": "12/QĐ-XPHC",
        "decided_on": dt.date(2026, 3, 20),
        "amount": 15_000_000,
    }
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(authority=elsewhere, **decision)
    assert error.value.message_dict["authority"] == ["Cơ quan này không có thẩm quyền tại địa bàn của cơ sở."]
    decided = services.sanction_decide(authority=ward_committee, **decision)
    assert decided.authority == ward_committee


def test_the_ward_s_team_plan_proposes_the_old_ward_s_establishments_and_another_ward_s_does_not(
    two_level, place
):
    from lanhmanh.premises import ranking

    own = services.plan_create(
        actor=ward_staff(HOAN_KIEM_WARD, "hk")["inspector"],
        team=agency(HOAN_KIEM_WARD, AgencyKind.TEAM_178),
        period_id="2026Q2",
        quota=2,
        random_share=0,
    )
    assert [p.establishment_id for p in ranking.propose(own)] == [place.pk]
    other = services.plan_create(
        actor=ward_staff(BA_DINH_WARD, "bd")["inspector"],
        team=agency(BA_DINH_WARD, AgencyKind.TEAM_178),
        period_id="2026Q2",
        quota=2,
        random_share=0,
    )
    assert ranking.propose(other) == []
