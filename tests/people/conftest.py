from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.models import LegalAct, Person
from tests.conftest import TRANG_TIEN


def at(day: str, hour: int = 21) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def trang_tien(db):
    return AdministrativeUnit.objects.get(path=TRANG_TIEN)


@pytest.fixture
def selling_2014(db):
    return LegalAct.objects.get(code="167-2013-23-1")


@pytest.fixture
def buying_2014(db):
    return LegalAct.objects.get(code="167-2013-22-1")


@pytest.fixture
def resident(db, trang_tien):
    person = Person(
        full_name="Nguyễn Thị Đào",
        birth_date=dt.date(1990, 3, 4),
        birth_year=1990,
        sex="female",
        id_number="001190012345",
        phone="0912345678",
        permanent_unit=trang_tien,
        permanent_address="Số 5 phố Tràng Tiền",
    )
    person.save()
    return person
