"""A figure of the two-level map counts records kept in pre-reform units under the unit that succeeded them.

Rule (``org.successions.counted_path``): over a period that ends on or after 1/7/2025, a record of a
pre-reform commune counts under the new commune it became; a commune split between several counts whole
under its ``default`` part (the package's part for an address without a street), so each record counts
once and the city total is the sum of its communes; periods that end before the reform keep 2014's
districts.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.people import services as people
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.premises import services as premises
from lanhmanh.premises.models import CheckResult, EstablishmentKind, PoliceCheck
from tests.conftest import HANG_BAC, TRANG_TIEN, make_user
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

HOAN_KIEM_WARD = "01.00070"  # Hàng Bạc whole, part of Tràng Tiền
CUA_NAM_WARD = "01.00073"  # the default part of Tràng Tiền
OLD_HOAN_KIEM_DISTRICT = "01.002"


@pytest.fixture
def map_2025(db):
    call_command("import_units_2025", "--province", "01", "--co-quan", stdout=StringIO())
    call_command("link_unit_successors", "--province", "01", stdout=StringIO())


def old(path):
    return AdministrativeUnit.objects.get(path=path, valid_to__isnull=False)


def new(path):
    return AdministrativeUnit.objects.get(path=path)


@pytest.fixture
def violations(map_2025, police):
    """Sanctions of 2026 for violations made in June 2025 in the old Hàng Bạc and Tràng Tiền wards, one
    made in 2026 in the new Hoàn Kiếm ward, and one of March 2025 decided before the reform."""
    ward_police = make_user(
        "police_2026", Agency.objects.get(unit=new(HOAN_KIEM_WARD), kind=AgencyKind.POLICE), "police"
    )

    def record(actor, unit, day, decided, name):
        person = Person(full_name=name, sex="female", birth_year=1990)
        person.save()
        act = LegalAct.objects.in_force_on(day).filter(kind="selling").order_by("article", "clause").first()
        people.violation_record(
            actor=actor,
            person=person,
            occurred_at=at(day.isoformat()),
            place_unit=unit,
            act=act,
            role="seller",
            sanction={"number": f"{name[-1]}/QĐ", "decided_on": decided, "kind": "warning"},
        )

    record(police, old(HANG_BAC), dt.date(2025, 3, 1), dt.date(2025, 3, 5), "Người A")
    record(police, old(HANG_BAC), dt.date(2025, 6, 20), dt.date(2026, 1, 10), "Người B")
    record(police, old(TRANG_TIEN), dt.date(2025, 6, 25), dt.date(2026, 2, 1), "Người C")
    record(ward_police, new(HOAN_KIEM_WARD), dt.date(2026, 3, 1), dt.date(2026, 3, 2), "Người D")


def rows(result) -> dict:
    return {cell.key[0]: cell.value for cell in result.rows}


def test_a_violation_in_an_old_ward_counts_under_its_successor_ward_in_a_2026_breakdown(violations):
    result = evaluate("people.sanctions", "01", "2026", by="child")
    # Hàng Bạc (whole into Hoàn Kiếm) and the 2026 one in Hoàn Kiếm; Tràng Tiền, split, under its default part.
    assert rows(result) == {HOAN_KIEM_WARD: 2, CUA_NAM_WARD: 1}
    assert evaluate("people.sanctions", "01", "2026", by="commune").rows == result.rows
    assert evaluate("people.sanctions", HOAN_KIEM_WARD, "2026").total.value == 2
    assert evaluate("people.sanctions", CUA_NAM_WARD, "2026").total.value == 1
    # The city total is every record once, and the sum of its communes.
    assert result.total.value == sum(rows(result).values()) == 3


def test_a_split_ward_counts_whole_under_its_default_part_and_never_twice(violations):
    trang_tien = old(TRANG_TIEN)
    parts = dict(trang_tien.succession_links.values_list("successor__path", "default"))
    assert parts == {CUA_NAM_WARD: True, HOAN_KIEM_WARD: False}
    for path in (CUA_NAM_WARD, HOAN_KIEM_WARD):
        by_month = rows(evaluate("people.sanctions", path, "2026", by="month"))
        # Tràng Tiền's sanction of February 2026 is Cửa Nam's only.
        assert by_month.get("202602", 0) == (1 if path == CUA_NAM_WARD else 0)
    assert rows(evaluate("people.persons_sanctioned", "01", "2026", by="child")) == {
        HOAN_KIEM_WARD: 2,
        CUA_NAM_WARD: 1,
    }


def test_periods_before_the_reform_keep_2014s_districts_and_those_across_it_use_the_new_map(violations):
    assert rows(evaluate("people.sanctions", "01", "2025Q1", by="child")) == {OLD_HOAN_KIEM_DISTRICT: 1}
    assert rows(evaluate("people.sanctions", OLD_HOAN_KIEM_DISTRICT, "2025Q1", by="child")) == {HANG_BAC: 1}
    # 2025 ends on the new map: the March 2025 sanction counts in Hoàn Kiếm ward, the city total once.
    whole_year = evaluate("people.sanctions", "01", "2025", by="child")
    assert rows(whole_year) == {HOAN_KIEM_WARD: 1} and whole_year.total.value == 1


def test_the_protected_tree_of_a_2026_breakdown_has_only_new_communes(violations, commune_officer):
    # A reader outside the owning agencies gets the suppressed tree: the same keys, small counts hidden.
    result = evaluate("people.sanctions", "01", "2026", by="child", user=commune_officer)
    assert {cell.key[0] for cell in result.rows} == {HOAN_KIEM_WARD, CUA_NAM_WARD}
    assert all(cell.display == "< 5" for cell in result.rows)


def test_an_establishment_registered_in_an_old_ward_counts_for_its_successor_with_or_without_rollup(
    map_2025, inspector, police
):
    place = premises.establishment_create(
        actor=inspector,
        kind=EstablishmentKind.objects.get(code="karaoke"),
        name="Karaoke Ánh Sao",
        address="12 phố Tràng Tiền",
        unit=old(TRANG_TIEN),
        owner_type="individual",
        owner_name="Trần Văn Chủ",
        opened_on=dt.date(2010, 5, 1),
    )
    PoliceCheck.objects.create(
        establishment=place,
        agency=police.agency,
        checked_on=dt.date(2026, 2, 10),
        result=CheckResult.NO_VIOLATION,
        created_by=police,
    )
    assert rows(evaluate("premises.establishments", "01", "2026", by="child")) == {CUA_NAM_WARD: 1}
    for use_rollup in (True, False):
        checks = evaluate("premises.police_checks", "01", "2026", by="child", use_rollup=use_rollup)
        assert (rows(checks), checks.total.value) == ({CUA_NAM_WARD: 1}, 1)
        ward = evaluate("premises.police_checks", CUA_NAM_WARD, "202602", use_rollup=use_rollup)
        assert ward.total.value == 1
    # "district" on the two-level map is the unit one step below the city: the commune.
    assert rows(evaluate("premises.police_checks", "01", "2026Q1", by="district")) == {CUA_NAM_WARD: 1}
    # 2014 still counts the establishment in Hoàn Kiếm district.
    assert rows(evaluate("premises.establishments", "01", "2014", by="district")) == {
        OLD_HOAN_KIEM_DISTRICT: 1
    }
