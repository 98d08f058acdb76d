from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.premises import services
from lanhmanh.premises.models import BusinessAct, EstablishmentKind
from tests.conftest import DONG_ANH, HOAN_KIEM, TRANG_TIEN

OWNER = "Trần Văn Chủ"
OWNER_ID = "001080012345"


def at(day: str, hour: int = 21) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def trang_tien(db):
    return AdministrativeUnit.objects.get(path=TRANG_TIEN)


@pytest.fixture
def karaoke(db):
    return EstablishmentKind.objects.get(code="karaoke")


@pytest.fixture
def massage(db):
    return EstablishmentKind.objects.get(code="xoa-bop")


@pytest.fixture
def place(inspector, trang_tien, karaoke):
    """A karaoke bar in Tràng Tiền ward (Hoàn Kiếm) run by an individual, with a culture licence."""
    return services.establishment_create(
        actor=inspector,
        kind=karaoke,
        name="Karaoke Ánh Sao",
        address="12 phố Tràng Tiền",
        unit=trang_tien,
        registration_number="01A8012345",
        owner_type="individual",
        owner_name=OWNER,
        owner_id_number=OWNER_ID,
        opened_on=dt.date(2010, 5, 1),
        licences=[
            {
                "kind": "culture",
                "number": "125/GP-VHTTDL",
                "issuer": "Sở VHTTDL Hà Nội",
                "issued_on": dt.date(2010, 4, 20),
            }
        ],
    )


@pytest.fixture
def massage_place(inspector, trang_tien, massage):
    return services.establishment_create(
        actor=inspector,
        kind=massage,
        name="Xoa bóp Thanh Tâm",
        address="3 phố Hàng Khay",
        unit=trang_tien,
        owner_type="organisation",
        organisation_name="Công ty TNHH Thanh Tâm",
        opened_on=dt.date(2012, 1, 1),
    )


@pytest.fixture
def team(db):
    return Agency.objects.get(code="01-002-team-178")


@pytest.fixture
def city_team(db):
    return Agency.objects.get(code="01-city-team-178")


@pytest.fixture
def three_agencies(db):
    return list(Agency.objects.filter(code__in=["01-002-police", "01-002-labour", "01-culture"]))


@pytest.fixture
def using_business_2014(db):
    return BusinessAct.objects.get(code="nd167-25-2-loi-dung-kinh-doanh")


@pytest.fixture
def hoan_kiem_committee(db):
    return Agency.objects.get(code="01-002-committee")


@pytest.fixture
def dong_anh_unit(db):
    return AdministrativeUnit.objects.get(path=DONG_ANH)


@pytest.fixture
def hoan_kiem(db):
    return AdministrativeUnit.objects.get(path=HOAN_KIEM)
