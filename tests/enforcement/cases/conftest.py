"""Fixtures of criminal cases: a prosecutor, a police officer of another district, a brokering case in Hoàn Kiếm."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.enforcement.cases import services
from lanhmanh.enforcement.cases.models import Offence
from tests.conftest import DONG_ANH, HOAN_KIEM, TRANG_TIEN, agency, make_user, unit

ACT = dt.date(2014, 3, 2)


@pytest.fixture
def prosecutor(db):
    return make_user("prosecutor", agency("01", "procuracy"), "prosecutor")


@pytest.fixture
def other_police(db):
    return make_user("other_police", agency(DONG_ANH, "police"), "police")


@pytest.fixture
def brokering(db) -> Offence:
    return Offence.objects.get(code="blhs1999-255-1")


def identity(name="Trần Văn Hùng", birth=dt.date(1985, 4, 12), sex="male", **extra) -> dict:
    return {
        "full_name": name,
        "sex": sex,
        "birth_date": birth,
        "birth_year": birth.year,
        "id_number": extra.pop("id_number", ""),
        "permanent_unit": extra.pop("permanent_unit", unit(TRANG_TIEN)),
        "permanent_address": extra.pop("permanent_address", "12 Tràng Tiền"),
        **extra,
    }


@pytest.fixture
def case(police, brokering):
    return services.case_open(
        actor=police,
        offence=brokering,
        act_on=ACT,
        unit=unit(TRANG_TIEN),
        detected_on=dt.date(2014, 3, 3),
        busted_on=dt.date(2014, 3, 5),
        address="Nhà nghỉ Hoa Hồng, phố Tràng Tiền",
        summary="Đường dây môi giới mại dâm qua điện thoại",
    )


def advance(case, police, prosecutor, court_clerk, *, tried=True):
    """Prosecute, indict and (optionally) try the case: the three agencies each at their stage."""
    services.case_stage_record(actor=police, case=case, stage="prosecuted", on=dt.date(2014, 3, 6))
    services.case_stage_record(actor=prosecutor, case=case, stage="indicted", on=dt.date(2014, 5, 20))
    if tried:
        services.case_stage_record(
            actor=court_clerk, case=case, stage="tried", on=dt.date(2014, 6, 25), mobile_trial=True
        )
    case.refresh_from_db()
    return case


__all__ = ["ACT", "HOAN_KIEM", "advance", "identity"]
