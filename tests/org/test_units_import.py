"""The national tree after the 1/7/2025 reform, and bad input for unit imports."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from lanhmanh.org.models import AdministrativeUnit, UnitKind
from lanhmanh.org.services import UnitRow, national_2025_rows, units_import, units_import_2025

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
DAY_BEFORE = dt.date(2025, 6, 30)


def run(*args) -> str:
    out = StringIO()
    call_command("import_units_2025", *args, stdout=out)
    return out.getvalue()


def test_hanoi_2025_is_a_later_version_under_the_same_city():
    before = AdministrativeUnit.objects.count()
    output = run("--province", "01")
    assert output == (
        "Tỉnh, thành phố: 1; xã, phường, đặc khu: 126.\n"
        "Tạo mới: 126; giữ nguyên: 1; đóng hiệu lực (30/6/2025): 0; liên kết kế thừa: 0.\n"
    )
    assert AdministrativeUnit.objects.count() == before + 126
    hanoi = AdministrativeUnit.objects.get(path="01")
    assert (hanoi.valid_from, hanoi.valid_to) == (None, None)
    ba_dinh = AdministrativeUnit.objects.get(path="01.00004")
    assert (ba_dinh.name, ba_dinh.kind, ba_dinh.level, ba_dinh.parent) == ("Ba Đình", UnitKind.WARD, 3, hanoi)
    assert (ba_dinh.valid_from, ba_dinh.valid_to) == (REFORM, None)
    assert ba_dinh.full_name == "Phường Ba Đình"
    current = AdministrativeUnit.objects.subtree("01").valid_on(REFORM)
    assert current.count() == 127
    assert current.districts().count() == 0
    assert set(current.communes().values_list("kind", flat=True)) == {UnitKind.WARD, UnitKind.COMMUNE}
    # The 2014 tree is untouched and still answers questions about the past.
    assert AdministrativeUnit.objects.subtree("01").valid_on(dt.date(2014, 6, 1)).count() == 615


def test_second_run_creates_nothing():
    run("--province", "01")
    count = AdministrativeUnit.objects.count()
    assert run("--province", "01") == (
        "Tỉnh, thành phố: 1; xã, phường, đặc khu: 126.\n"
        "Tạo mới: 0; giữ nguyên: 127; đóng hiệu lực (30/6/2025): 0; liên kết kế thừa: 0.\n"
    )
    assert AdministrativeUnit.objects.count() == count


def test_national_list_has_34_provinces_and_two_levels():
    rows = national_2025_rows()
    provinces = [r for r in rows if r.parent_code is None]
    assert len(provinces) == 34
    assert len(rows) - len(provinces) == 3321
    assert {r.kind for r in provinces} == {UnitKind.PROVINCE, UnitKind.CENTRAL_CITY}
    assert {r.kind for r in rows if r.parent_code} == {UnitKind.WARD, UnitKind.COMMUNE, UnitKind.SPECIAL_ZONE}
    assert {r.parent_code for r in rows if r.parent_code} == {r.code for r in provinces}
    assert UnitRow("79", "Hồ Chí Minh", UnitKind.CENTRAL_CITY, None) in rows
    assert UnitRow("31", "Hải Phòng", UnitKind.CENTRAL_CITY, None) in rows
    assert UnitRow("04", "Cao Bằng", UnitKind.PROVINCE, None) in rows
    assert UnitRow("00070", "Hoàn Kiếm", UnitKind.WARD, "01") in rows


def test_a_renamed_province_is_closed_and_linked_to_its_successor():
    old = AdministrativeUnit.objects.create(
        code="46", name="Thừa Thiên Huế", kind=UnitKind.PROVINCE, level=1, path="46"
    )
    district = AdministrativeUnit.objects.create(
        code="474", name="Huế", kind=UnitKind.PROVINCIAL_CITY, level=2, parent=old, path="46.474"
    )
    commune = AdministrativeUnit.objects.create(
        code="19753", name="Phú Hội", kind=UnitKind.WARD, level=3, parent=district, path="46.474.19753"
    )
    output = run("--province", "46")
    new = AdministrativeUnit.objects.get(path="46", valid_from=REFORM)
    assert (new.name, new.kind) == ("Huế", UnitKind.CENTRAL_CITY)
    created = AdministrativeUnit.objects.filter(valid_from=REFORM).subtree("46").count()
    assert output == (
        f"Tỉnh, thành phố: 1; xã, phường, đặc khu: {created - 1}.\n"
        f"Tạo mới: {created}; giữ nguyên: 0; đóng hiệu lực (30/6/2025): 3; liên kết kế thừa: 1.\n"
    )
    for unit in (old, district, commune):
        unit.refresh_from_db()
        assert unit.valid_to == DAY_BEFORE
    assert list(old.successors.all()) == [new]
    assert list(AdministrativeUnit.objects.filter(path="46").valid_on(REFORM)) == [new]
    assert list(AdministrativeUnit.objects.filter(path="46").valid_on(DAY_BEFORE)) == [old]
    # Idempotent: nothing created, closed or linked twice.
    assert run("--province", "46").endswith(
        f"Tạo mới: 0; giữ nguyên: {created}; đóng hiệu lực (30/6/2025): 0; liên kết kế thừa: 0.\n"
    )
    assert old.successors.count() == 1


def test_an_unknown_province_code_is_refused():
    with pytest.raises(CommandError) as refused:
        run("--province", "02")
    assert str(refused.value) == "Không có tỉnh, thành phố mã “02” trong danh mục sau 1/7/2025."
    with pytest.raises(CommandError) as refused:
        run("--province", "1")
    assert str(refused.value) == "Mã tỉnh, thành phố “1” không hợp lệ: cần 2 chữ số, vd. 01."


def test_the_service_returns_counts():
    result = units_import_2025(province_code="01")
    assert (result.provinces, result.communes, result.created, result.kept) == (1, 126, 126, 1)


# Bad input: a clear message naming the row, and nothing written ------------------------------------

CITY = UnitRow("99", "Thử", UnitKind.PROVINCE, None)
GOOD = UnitRow("99001", "Một", UnitKind.COMMUNE, "99")


def refused(rows: list[UnitRow]) -> list[str]:
    before = AdministrativeUnit.objects.count()
    with pytest.raises(ValidationError) as error:
        units_import(rows=rows, valid_from=REFORM)
    assert AdministrativeUnit.objects.count() == before
    return error.value.messages


def test_unknown_kind_is_refused():
    assert refused([CITY, GOOD, UnitRow("99002", "Hai", "lang", "99")]) == [
        "Đơn vị 99002 (Hai): loại “lang” không hợp lệ."
    ]


def test_unknown_parent_code_is_refused():
    assert refused([CITY, GOOD, UnitRow("99002", "Hai", UnitKind.COMMUNE, "98")]) == [
        "Đơn vị 99002 (Hai): không tìm thấy đơn vị cấp trên 98."
    ]


def test_a_commune_without_parent_is_refused():
    assert refused([CITY, GOOD, UnitRow("99002", "Hai", UnitKind.COMMUNE, None)]) == [
        "Đơn vị 99002 (Hai): đơn vị cấp huyện, cấp xã phải có đơn vị cấp trên."
    ]


def test_a_province_with_a_parent_is_refused():
    assert refused([CITY, UnitRow("98", "Tám", UnitKind.PROVINCE, "99")]) == [
        "Đơn vị 98 (Tám): đơn vị cấp tỉnh không có đơn vị cấp trên."
    ]


def test_a_parent_listed_after_its_child_is_refused():
    assert refused([GOOD, CITY]) == ["Đơn vị 99001: đơn vị cấp trên 99 phải đứng trước."]


def test_a_parent_at_the_same_level_is_refused():
    assert refused([CITY, GOOD, UnitRow("99002", "Hai", UnitKind.COMMUNE, "99001")]) == [
        "Đơn vị 99002 (Hai): đơn vị cấp trên 99001 phải ở cấp cao hơn."
    ]


def test_duplicate_codes_are_refused():
    assert refused([CITY, GOOD, UnitRow("99001", "Một bis", UnitKind.WARD, "99")]) == [
        "Mã đơn vị 99001 bị lặp."
    ]


def test_cycles_are_refused():
    rows = [
        CITY,
        UnitRow("001", "A", UnitKind.RURAL_DISTRICT, "002"),
        UnitRow("002", "B", UnitKind.RURAL_DISTRICT, "001"),
    ]
    assert refused(rows) == [
        "Đơn vị 001 (A): quan hệ cấp trên tạo thành vòng lặp.",
        "Đơn vị 002 (B): quan hệ cấp trên tạo thành vòng lặp.",
    ]
    assert refused([CITY, UnitRow("001", "A", UnitKind.RURAL_DISTRICT, "001")]) == [
        "Đơn vị 001: không thể là cấp trên của chính nó."
    ]


def test_wrong_code_width_is_refused():
    assert refused([CITY, UnitRow("9901", "Ngắn", UnitKind.COMMUNE, "99")]) == [
        "Đơn vị 9901 (Ngắn): mã đơn vị cấp 3 phải gồm 5 chữ số."
    ]
    assert refused([UnitRow("9A", "Chữ", UnitKind.PROVINCE, None)]) == [
        "Đơn vị 9A (Chữ): mã đơn vị cấp 1 phải gồm 2 chữ số."
    ]


def test_a_row_refused_by_the_model_names_the_row_and_writes_nothing():
    # The same path and version twice across two imports: the second is refused by the model.
    units_import(rows=[CITY], valid_from=REFORM)
    messages = refused([UnitRow("99", "Khác", UnitKind.PROVINCE, None)])
    assert messages == [
        "Đơn vị 99 (Khác): Đơn vị hành chính với thông tin Đường dẫn và Hiệu lực từ đã tồn tại"
    ]


def test_unit_clean_refuses_itself_or_a_descendant_as_parent():
    hoan_kiem = AdministrativeUnit.objects.get(path="01.002")
    trang_tien = AdministrativeUnit.objects.get(path="01.002.00076")
    message = "Đơn vị cấp trên không được là chính nó hoặc đơn vị cấp dưới của nó."
    hoan_kiem.parent = hoan_kiem
    with pytest.raises(ValidationError) as error:
        hoan_kiem.full_clean()
    assert error.value.message_dict["parent"] == [message]
    hoan_kiem.parent = trang_tien
    with pytest.raises(ValidationError) as error:
        hoan_kiem.full_clean()
    assert error.value.message_dict["parent"] == [message]
