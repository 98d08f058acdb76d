"""A case's place as an establishment or hotspot: chosen through their apps' selectors, in the commune of
the case, shown on the case page and, read-only, on the establishment's and the hotspot's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lanhmanh.enforcement.cases import services
from lanhmanh.enforcement.cases.models import CriminalCase
from lanhmanh.enforcement.cases.selectors import cases_at
from lanhmanh.enforcement.models import HotspotKind
from lanhmanh.premises import services as premises_services
from lanhmanh.premises.models import EstablishmentKind
from tests.conftest import DONG_ANH, HANG_BAC, TRANG_TIEN, unit
from tests.enforcement.cases.conftest import ACT
from tests.enforcement.conftest import make_hotspot

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotspot(db):
    return make_hotspot(HotspotKind.objects.get(code="street"))


@pytest.fixture
def far_hotspot(db):
    return make_hotspot(
        HotspotKind.objects.get(code="street"),
        path=f"{DONG_ANH}.00457",
        police_path=DONG_ANH,
        name="Chợ Đông Anh",
    )


@pytest.fixture
def bar(inspector):
    return premises_services.establishment_create(
        actor=inspector,
        kind=EstablishmentKind.objects.get(code="karaoke"),
        name="Karaoke Ánh Sao",
        address="12 phố Tràng Tiền",
        unit=unit(TRANG_TIEN),
        registration_number="01A8012345",
        owner_type="individual",
        owner_name="Nguyễn Văn Chủ",
        owner_id_number="001085012345",
        opened_on=dt.date(2010, 5, 1),
        licences=[],
    )


def open_case(police, brokering, **place):
    return services.case_open(
        actor=police,
        offence=brokering,
        act_on=ACT,
        unit=place.pop("unit", unit(TRANG_TIEN)),
        detected_on=dt.date(2014, 3, 3),
        busted_on=dt.date(2014, 3, 5),
        address="12 phố Tràng Tiền",
        **place,
    )


def test_the_case_page_links_its_establishment_and_hotspot_and_their_pages_list_the_case(
    client_for, police, brokering, bar, hotspot
):
    case = open_case(police, brokering, establishment=bar, hotspot=hotspot)
    client = client_for(police)
    url = reverse("cases:case_detail", args=[case.pk])
    client.post(url, {"purpose": "investigation", "detail": ""})
    html = client.get(url).content.decode()
    assert reverse("premises:establishment_detail", args=[bar.pk]) in html
    assert reverse("enforcement:hotspot_detail", args=[hotspot.pk]) in html
    assert 'data-place="establishment"' in html and "Karaoke Ánh Sao" in html
    for page in (
        reverse("premises:establishment_detail", args=[bar.pk]),
        reverse("enforcement:hotspot_detail", args=[hotspot.pk]),
    ):
        html = client.get(page).content.decode()
        assert f'data-case="{case.pk}"' in html, page
        assert "Số vụ án hình sự gắn với nơi này: 1." in html


def test_outside_the_case_agencies_the_place_shows_a_protected_count_and_no_case(
    police, coordinator, brokering, hotspot
):
    open_case(police, brokering, hotspot=hotspot)
    seen = cases_at(coordinator, hotspot=hotspot)
    assert (seen.count, seen.display, seen.cases) == (1, "< 5", [])
    mine = cases_at(police, hotspot=hotspot)
    assert mine.display == "1" and len(mine.cases) == 1


def test_a_place_in_another_commune_is_refused_naming_the_field(police, brokering, bar):
    with pytest.raises(ValidationError) as refused:
        open_case(police, brokering, establishment=bar, unit=unit(HANG_BAC))
    message = refused.value.message_dict["establishment"][0]
    assert "Karaoke Ánh Sao" in message and "không phải nơi xảy ra" in message
    assert not CriminalCase.objects.exists()


def test_a_hotspot_out_of_the_officers_reach_is_refused(police, brokering, far_hotspot):
    with pytest.raises(ValidationError) as refused:
        open_case(police, brokering, hotspot=far_hotspot)
    assert "không thuộc phạm vi" in refused.value.message_dict["hotspot"][0]
    assert not CriminalCase.objects.exists()


def test_the_case_form_offers_the_places_and_the_api_returns_them(
    client_for, police, brokering, bar, hotspot
):
    client = client_for(police)
    html = client.get(reverse("cases:case_create")).content.decode()
    assert 'name="establishment"' in html and "Karaoke Ánh Sao" in html and 'name="hotspot"' in html
    response = client.post(
        reverse("cases:case_create"),
        {
            "offence": brokering.pk,
            "act_on": "02/03/2014",
            "unit": unit(TRANG_TIEN).pk,
            "detected_on": "03/03/2014",
            "establishment": bar.pk,
            "hotspot": hotspot.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = CriminalCase.objects.get()
    assert (case.establishment, case.hotspot) == (bar, hotspot)


def test_a_case_in_today_s_ward_names_an_establishment_registered_in_the_old_ward_it_was_made_from(db, bar):
    from io import StringIO

    from django.core.management import call_command

    from lanhmanh.enforcement.cases.models import Offence
    from lanhmanh.org.models import AdministrativeUnit
    from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025
    from tests.conftest import agency, make_user

    units_import_2025(province_code="01")
    call_command("link_unit_successors", "--province", "01", stdout=StringIO())
    agencies_seed_communes(
        province=AdministrativeUnit.objects.get(path="01", valid_to__isnull=True), day=REFORM_2025
    )
    ward = unit("01.00070")  # Phường Hoàn Kiếm, made in part from Tràng Tiền
    police = make_user("congan_hoan_kiem", agency(ward.path, "police"), "police")
    case = services.case_open(
        actor=police,
        offence=Offence.objects.get(code="blhs2015-328-1"),
        act_on=dt.date(2026, 3, 2),
        unit=ward,
        detected_on=dt.date(2026, 3, 3),
        address="12 phố Tràng Tiền",
        establishment=bar,
    )
    assert case.establishment == bar
