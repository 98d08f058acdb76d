from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.premises import services
from lanhmanh.premises.models import Establishment
from tests.premises.conftest import OWNER, OWNER_ID

pytestmark = pytest.mark.django_db


def test_the_owner_identity_is_encrypted_and_found_by_blind_index(place):
    from django.db import connection

    from lanhmanh.core.crypto import id_number_index

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner_name, owner_id_number FROM premises_establishment WHERE id = %s", [place.pk]
        )
        stored_name, stored_id = cursor.fetchone()
    assert OWNER not in stored_name and OWNER_ID not in stored_id
    assert Establishment.objects.get(owner_id_index=id_number_index("001 080 012 345")).pk == place.pk
    history = ChangeRecord.objects.get(model="premises.establishment", object_id=str(place.pk))
    assert history.after["owner_name"] == "***"


def test_a_duplicate_by_normalised_name_address_and_registration_is_refused(
    place, inspector, trang_tien, karaoke
):
    with pytest.raises(ValidationError) as error:
        services.establishment_create(
            actor=inspector,
            kind=karaoke,
            name="KARAOKE  ánh sao",
            address="12 Phố Tràng Tiền.",
            unit=trang_tien,
            registration_number="01a8-012345",
            owner_type="organisation",
            organisation_name="Công ty X",
            opened_on=dt.date(2011, 1, 1),
        )
    assert error.value.messages == [
        f"Trùng với cơ sở đã có “Karaoke Ánh Sao” (mã {place.pk}): cùng tên, địa chỉ và số đăng ký kinh doanh."
    ]
    assert Establishment.objects.count() == 1


def test_a_licence_number_used_by_another_establishment_is_refused(place, massage_place, inspector):
    with pytest.raises(ValidationError) as error:
        services.licence_add(
            actor=inspector,
            establishment=massage_place,
            kind="culture",
            number="125/gp-vhttdl",
            issuer="Sở VHTTDL",
            issued_on=dt.date(2012, 1, 1),
        )
    assert error.value.message_dict == {
        "number": ["Số giấy 125/gp-vhttdl đã được dùng cho cơ sở khác: “Karaoke Ánh Sao”."]
    }
    assert massage_place.licences.count() == 0


def test_an_establishment_outside_the_officers_district_is_refused(inspector, karaoke):
    from lanhmanh.org.models import AdministrativeUnit

    dong_anh_commune = AdministrativeUnit.objects.filter(path__startswith="01.017.", level=3).first()
    with pytest.raises(ValidationError) as error:
        services.establishment_create(
            actor=inspector,
            kind=karaoke,
            name="Karaoke Đông Anh",
            address="1 đường Cao Lỗ",
            unit=dong_anh_commune,
            owner_type="organisation",
            organisation_name="Công ty Y",
            opened_on=dt.date(2011, 1, 1),
        )
    assert error.value.message_dict["unit"] == [
        "Xã, phường phải thuộc địa bàn của cơ quan anh/chị (Quận Hoàn Kiếm)."
    ]


def test_the_list_filters_by_kind_unit_and_status(client_for, inspector, place, massage_place, karaoke):
    client = client_for(inspector)
    url = reverse("premises:establishment_list")
    body = client.get(url, {"kind": karaoke.pk}).content.decode()
    assert "Karaoke Ánh Sao" in body and "Xoa bóp Thanh Tâm" not in body
    body = client.get(url, {"status": "closed"}).content.decode()
    assert "Karaoke Ánh Sao" not in body and "Không có cơ sở nào." in body
    body = client.get(url, {"unit": place.unit.pk}).content.decode()
    assert "Karaoke Ánh Sao" in body and "Xoa bóp Thanh Tâm" in body


@pytest.mark.parametrize(
    "persona, status",
    [
        ("inspector", 200),
        ("police", 200),
        ("district_officer", 200),
        ("coordinator", 200),
        ("commune_officer", 200),
        ("other_commune_officer", 404),  # Hàng Bạc ward: same district, another commune
        ("other_district_officer", 404),
        ("licensing", 404),  # the culture department looks up eligibility only
        ("social_worker", 404),
        ("court_clerk", 404),
        ("sysadmin", 404),
        ("dpo", 404),
    ],
)
def test_who_may_open_an_establishment(request, client_for, place, persona, status):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("premises:establishment_detail", args=[place.pk]))
    assert response.status_code == status


def test_a_commune_officer_of_another_district_gets_404(client_for, place, karaoke):
    from lanhmanh.org.models import Agency
    from tests.conftest import make_user

    officer = make_user(
        "dong_anh_commune",
        Agency.objects.filter(kind="commune-social", unit__path__startswith="01.017.").first(),
        "commune-officer",
    )
    assert (
        client_for(officer).get(reverse("premises:establishment_detail", args=[place.pk])).status_code == 404
    )


def test_health_staff_see_massage_places_only(client_for, health_worker, place, massage_place):
    client = client_for(health_worker)
    assert client.get(reverse("premises:establishment_detail", args=[place.pk])).status_code == 404
    assert client.get(reverse("premises:establishment_detail", args=[massage_place.pk])).status_code == 200


def test_the_owner_is_shown_after_a_purpose_and_the_read_is_logged(client_for, inspector, place):
    client = client_for(inspector)
    url = reverse("premises:establishment_detail", args=[place.pk])
    assert OWNER not in client.get(url).content.decode()
    body = client.post(url, {"purpose": "case_work", "detail": ""}).content.decode()
    assert OWNER in body and OWNER_ID in body
    log = AccessRecord.objects.get(actor=inspector)
    assert (log.model, log.object_id, log.purpose) == ("premises.establishment", str(place.pk), "case_work")


def test_health_staff_never_see_an_owners_name_without_a_purpose(client_for, health_worker, massage_place):
    body = (
        client_for(health_worker)
        .get(reverse("premises:establishment_detail", args=[massage_place.pk]))
        .content
    )
    assert "Công ty TNHH Thanh Tâm" in body.decode()  # an organisation is not personal data


def test_the_detail_page_shows_the_change_history(client_for, inspector, place):
    services.establishment_update(actor=inspector, establishment=place, opening_hours="8h–24h")
    body = (
        client_for(inspector).get(reverse("premises:establishment_detail", args=[place.pk])).content.decode()
    )
    assert "Lịch sử thay đổi" in body
    assert body.count("data-history") == 1
    assert ChangeRecord.objects.filter(model="premises.establishment", object_id=str(place.pk)).count() == 2


def test_the_create_form_names_the_field_in_vietnamese(client_for, inspector, karaoke, trang_tien):
    response = client_for(inspector).post(
        reverse("premises:establishment_create"),
        {
            "kind": karaoke.pk,
            "name": "Karaoke Mới",
            "address": "5 Hàng Bài",
            "unit": trang_tien.pk,
            "owner_type": "individual",
            "owner_name": "",
            "opened_on": "2014-01-01",
            "closed_on": "2013-01-01",
            "status": "open",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nhập họ tên chủ cơ sở (cá nhân)." in body
    assert "Ngày ngừng hoạt động không được trước ngày bắt đầu hoạt động." in body
    assert not Establishment.objects.exists()


def test_the_map_beside_the_list_counts_establishments_by_district(
    client_for, inspector, place, massage_place
):
    response = client_for(inspector).get(reverse("premises:establishment_list"))
    regions = {r["code"]: r for r in response.context["map"].config["regions"]}
    assert regions["002"]["value"] == 2
    assert regions["017"]["value"] is None  # Đông Anh: outside the officer's reach, no number at all
    assert regions["002"]["url"] == ""  # a district officer's list has no other district to filter by
    assert 'data-district-map="establishments-map-config"' in response.content.decode()


def test_the_list_counts_the_register_once_from_the_maps_grouped_query(
    client_for, inspector, place, massage_place
):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(inspector).get(reverse("premises:establishment_list"))
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "premises_establishment" in q["sql"]
    ]
    assert len(counts) == 1
    assert "GROUP BY" in counts[0].upper()
    assert response.context["page"].paginator.count == 2
    assert "2 cơ sở" in response.content.decode()
    # Another measure on the map: the list counts its places itself, and still right.
    other = client_for(inspector).get(reverse("premises:establishment_list"), {"ban_do": "kiem-tra"})
    assert other.context["page"].paginator.count == 2
    narrowed = client_for(inspector).get(reverse("premises:establishment_list"), {"kind": place.kind_id})
    assert narrowed.context["page"].paginator.count == 1


def test_the_map_of_inspections_counts_the_year(client_for, inspector, place, team, three_agencies):
    from tests.premises.conftest import at

    for day in ("2014-03-10", "2014-05-10", "2013-05-10"):
        services.inspection_record(
            actor=inspector,
            establishment=place,
            team=team,
            started_at=at(day),
            agencies=three_agencies,
            leader_name="T",
        )
    response = client_for(inspector).get(
        reverse("premises:establishment_list"), {"ban_do": "kiem-tra", "nam": "2014"}
    )
    regions = {r["code"]: r["value"] for r in response.context["map"].config["regions"]}
    assert regions["002"] == 2


def test_a_city_users_map_links_each_district_to_the_filtered_list(client_for, coordinator, place):
    from lanhmanh.org.models import AdministrativeUnit

    client = client_for(coordinator)
    regions = {
        r["code"]: r
        for r in client.get(reverse("premises:establishment_list")).context["map"].config["regions"]
    }
    hoan_kiem = AdministrativeUnit.objects.get(path="01.002")
    assert regions["002"]["url"] == f"/co-so-kinh-doanh/?unit={hoan_kiem.pk}"
    body = client.get(regions["002"]["url"]).content.decode()
    assert "Karaoke Ánh Sao" in body
