from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.support import services
from lanhmanh.support.models import Programme
from tests.conftest import HOAN_KIEM, TRANG_TIEN, make_user
from tests.factories import PersonFactory

OPENED = dt.date(2014, 6, 2)


@pytest.fixture
def trang_tien(db):
    return AdministrativeUnit.objects.get(path=TRANG_TIEN)


def provider(code: str, name: str) -> Agency:
    return Agency.objects.create(
        code=code,
        name=name,
        kind=AgencyKind.SERVICE_PROVIDER,
        unit=AdministrativeUnit.objects.get(path=HOAN_KIEM),
    )


@pytest.fixture
def school(db):
    return provider("01-002-truong-nghe", "Trường Trung cấp nghề Hoàn Kiếm")


@pytest.fixture
def clinic(db):
    return provider("01-002-trung-tam-y-te", "Trung tâm Y tế quận Hoàn Kiếm")


@pytest.fixture
def school_worker(db, school):
    return make_user("school_worker", school, "social-worker")


@pytest.fixture
def clinic_worker(db, clinic):
    return make_user("clinic_worker", clinic, "health-worker")


@pytest.fixture
def woman(db, trang_tien):
    return PersonFactory(
        full_name="Trần Thị Mai",
        birth_date=dt.date(1992, 8, 15),
        phone="0987654321",
        permanent_unit=trang_tien,
        permanent_address="Số 9 phố Tràng Tiền",
    )


@pytest.fixture
def girl(db, trang_tien):
    return PersonFactory(full_name="Lê Thị Hoa", birth_date=dt.date(2000, 1, 10), permanent_unit=trang_tien)


@pytest.fixture
def case(social_worker, woman, trang_tien, school):
    """A case opened by the Tràng Tiền Women's Union: consent for training and jobs with the school, not health."""
    return services.case_open(
        actor=social_worker,
        person=woman,
        unit=trang_tien,
        opened_on=OPENED,
        assessment="Muốn học nghề may, cần việc làm ổn định",
        consents=[
            ("counselling", social_worker.agency),
            ("training", school),
            ("jobs", school),
        ],
    )


@pytest.fixture
def programme_1993(db):
    return Programme.objects.create(
        code="ctr-1993",
        name="Chương trình 1993/CTr-SLĐTBXH",
        funder="Sở LĐTBXH Hà Nội",
        starts_on=dt.date(2012, 10, 11),
        ends_on=dt.date(2015, 12, 31),
        women_only=True,
        min_age=16,
        max_age=45,
        case_kinds=["adult", "trafficking"],
    )
