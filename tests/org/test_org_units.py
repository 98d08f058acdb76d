import pytest

from lanhmanh.org.models import AdministrativeUnit, Agency, UnitLevel

pytestmark = pytest.mark.django_db


def test_hanoi_2014_has_one_city_30_districts_584_communes():
    units = AdministrativeUnit.objects.subtree("01")
    assert units.filter(level=UnitLevel.PROVINCE).count() == 1
    assert units.districts().count() == 30
    assert units.communes().count() == 584


def test_subtree_of_a_district_is_the_district_and_its_communes():
    hoan_kiem = AdministrativeUnit.objects.get(path="01.002")
    assert hoan_kiem.name == "Hoàn Kiếm"
    subtree = AdministrativeUnit.objects.subtree(hoan_kiem)
    assert subtree.communes().count() == hoan_kiem.children.count() == 18
    assert all(u.path.startswith("01.002") for u in subtree)


def test_every_district_and_commune_has_committee_police_and_labour_office():
    for unit in AdministrativeUnit.objects.subtree("01").filter(level__gt=1):
        kinds = set(Agency.objects.filter(unit=unit).values_list("kind", flat=True))
        labour = "district-labour" if unit.level == UnitLevel.DISTRICT else "commune-social"
        assert {"committee", "police", labour, "womens-union"} <= kinds, unit


def test_a_users_full_name_is_in_vietnamese_order(police):
    police.last_name, police.first_name = "Đặng", "Minh Hồng"
    assert police.get_full_name() == "Đặng Minh Hồng"
    assert police.get_short_name() == "Hồng"
