from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people import selectors, services
from lanhmanh.people.counting import count_violations
from lanhmanh.people.forms import parse_amount
from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation
from tests.conftest import DONG_ANH, HANG_BAC
from tests.people.conftest import at

pytestmark = pytest.mark.django_db


def fine(number, day, amount, **extra):
    return {
        "number": number,
        "decided_on": dt.date.fromisoformat(day),
        "kind": "fine",
        "amount": amount,
        **extra,
    }


def warning(number, day):
    return {"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"}


def record(actor, person, act, day, *, sanction=None, role="seller", place=None):
    return services.violation_record(
        actor=actor,
        person=person,
        occurred_at=at(day),
        place_unit=place or AdministrativeUnit.objects.get(path="01.002.00076"),
        act=act,
        role=role,
        sanction=sanction,
    )


# Persons and indexes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["12345", "0011900123456", "00119001234A", "12345678"])
def test_malformed_id_numbers_are_refused(police, bad):
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=police, full_name="Trần Văn Hùng", birth_year=1985, id_number=bad)
    assert exc.value.message_dict["id_number"] == [
        "Số CMND/CCCD không hợp lệ: CMND gồm 9 chữ số, CCCD gồm 12 chữ số (chỉ nhập chữ số, không có chữ cái)."
    ]
    assert Person.objects.count() == 0


def test_a_nine_digit_cmnd_with_spaces_is_accepted_and_stored_as_digits(police):
    person = services.person_create(
        actor=police, full_name="Trần Văn Hùng", birth_year=1985, id_number="012 345 678"
    )
    assert Person.objects.get(pk=person.pk).id_number == "012345678"


def test_a_birth_date_in_the_future_is_refused(police):
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=police, full_name="Lê Thị Mai", birth_date=dt.date(2999, 1, 1), birth_year=2999
        )
    assert "Ngày sinh không được ở tương lai." in exc.value.message_dict["birth_date"]


def test_names_with_formulas_or_html_are_refused(police):
    for name in ('=HYPERLINK("http://x")', "<script>x</script>"):
        with pytest.raises(ValidationError) as exc:
            services.person_create(actor=police, full_name=name, birth_year=1990)
        assert "full_name" in exc.value.message_dict


def test_person_create_audits_without_identity_in_clear(police):
    person = services.person_create(
        actor=police, full_name="Phạm Thị Lan", birth_year=1992, phone="0987654321"
    )
    change = ChangeRecord.objects.get(model="people.person", object_id=str(person.pk))
    assert change.after["full_name"] == "***"
    assert change.after["phone"] == "***"
    assert "Lan" not in repr(change.after)


def test_look_up_by_id_number_and_by_folded_name_and_birth_date(police, resident):
    assert list(Person.objects.by_id_number("0011 9001 2345")) == [resident]
    nfd = unicodedata.normalize("NFD", "  NGUYỄN   thị đào ")
    assert list(Person.objects.by_name_birth(nfd, dt.date(1990, 3, 4))) == [resident]
    assert list(Person.objects.by_name_birth("Nguyen Thi Dao", 1990)) == [resident]
    assert list(Person.objects.by_name_birth("Nguyễn Thị Đào", dt.date(1990, 3, 5))) == []


def test_a_record_with_a_birth_year_only_is_found_by_a_full_birth_date(police):
    person = services.person_create(actor=police, full_name="Đỗ Thị Hạnh", birth_year=1988)
    assert list(Person.objects.by_name_birth("do thi hanh", dt.date(1988, 7, 1))) == [person]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.000.000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("300000", 300_000),
        ("500 000 đ", 500_000),
        ("", None),
    ],
)
def test_amounts_accept_both_thousands_separators(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["1.5", "10,00", "abc", "1.000,5"])
def test_ambiguous_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


# Catalogue, violations, sanctions -------------------------------------------------------------------


def test_the_catalogue_row_in_force_depends_on_the_date():
    selling = LegalAct.objects.filter(kind="selling", clause=1)
    assert [a.code for a in selling.in_force_on(dt.date(2014, 6, 1))] == ["167-2013-23-1"]
    assert [a.code for a in selling.in_force_on(dt.date(2023, 6, 1))] == ["144-2021-25-1"]
    assert [a.code for a in selling.in_force_on(dt.date(2025, 12, 15))] == ["282-2025-33-1"]
    assert LegalAct.objects.filter(verified=True).count() == 0


def test_a_fine_outside_the_range_is_refused_with_the_range_and_nothing_is_saved(
    police, resident, selling_2014
):
    with pytest.raises(ValidationError) as exc:
        record(
            police, resident, selling_2014, "2014-05-10", sanction=fine("01/QĐ-XPHC", "2014-05-11", 1_000_000)
        )
    assert exc.value.message_dict["amount"] == [
        "Số tiền phạt 1.000.000 đồng nằm ngoài khung phạt của hành vi này: từ 100.000 đến 300.000 đồng "
        "(khoản 1 Điều 23 Nghị định 167/2013/NĐ-CP, áp dụng cho vi phạm ngày 10/05/2014)."
    ]
    assert Violation.objects.count() == 0
    assert SanctionDecision.objects.count() == 0
    assert not ChangeRecord.objects.filter(model="people.violation").exists()


def test_a_fine_inside_the_range_is_saved_with_its_audit_rows(police, resident, selling_2014):
    violation = record(
        police, resident, selling_2014, "2014-05-10", sanction=fine("01/QĐ-XPHC", "2014-05-11", 200_000)
    )
    assert violation.sanction.amount == 200_000
    assert violation.sanction.payment_status == "unpaid"
    assert violation.recording_agency == police.agency
    assert ChangeRecord.objects.filter(model__in=["people.violation", "people.sanctiondecision"]).count() == 2


def test_a_warning_where_the_act_allows_none_is_refused(police, resident, buying_2014):
    with pytest.raises(ValidationError) as exc:
        record(
            police, resident, buying_2014, "2014-05-10", role="buyer", sanction=warning("02/QĐ", "2014-05-10")
        )
    assert exc.value.message_dict["kind"] == [
        "Hành vi này (khoản 1 Điều 22 Nghị định 167/2013/NĐ-CP) không được xử phạt bằng hình thức cảnh cáo: "
        "phải phạt tiền từ 500.000 đến 1.000.000 đồng."
    ]


def test_an_act_not_in_force_on_the_violation_date_is_refused(police, resident):
    act_2021 = LegalAct.objects.get(code="144-2021-25-1")
    with pytest.raises(ValidationError) as exc:
        record(police, resident, act_2021, "2014-05-10")
    assert "không có hiệu lực vào ngày vi phạm 10/05/2014" in exc.value.message_dict["act"][0]


def test_a_decision_number_reused_by_the_same_authority_is_refused(police, resident, selling_2014):
    record(police, resident, selling_2014, "2014-05-10", sanction=warning("07/QĐ", "2014-05-10"))
    with pytest.raises(ValidationError) as exc:
        record(police, resident, selling_2014, "2014-06-10", sanction=warning("07/QĐ", "2014-06-10"))
    assert exc.value.message_dict["number"] == [
        "Số quyết định 07/QĐ của Công an Quận Hoàn Kiếm đã có trong cơ sở dữ liệu."
    ]
    assert Violation.objects.count() == 1


def test_a_place_outside_the_officers_jurisdiction_is_refused(police, resident, selling_2014):
    with pytest.raises(ValidationError) as exc:
        record(
            police, resident, selling_2014, "2014-05-10", place=AdministrativeUnit.objects.get(path=DONG_ANH)
        )
    assert exc.value.message_dict["place_unit"] == [
        "Nơi vi phạm phải thuộc địa bàn của cơ quan anh/chị (Quận Hoàn Kiếm)."
    ]


def test_a_violation_of_a_person_under_18_is_refused_with_a_protection_offer(police, selling_2014):
    child = services.person_create(
        actor=police, full_name="Vũ Thị Ngọc", birth_date=dt.date(1997, 6, 1), birth_year=1997
    )
    with pytest.raises(ValidationError) as exc:
        record(police, child, selling_2014, "2014-05-10")
    assert exc.value.message_dict["person"] == [
        "Người này chưa đủ 18 tuổi vào ngày vi phạm (10/05/2014): không lập hồ sơ vi phạm hành chính đối với trẻ em. "
        "Hãy mở hồ sơ bảo vệ trẻ em và chuyển cho cán bộ bảo vệ trẻ em, hỗ trợ."
    ]
    assert Violation.objects.count() == 0


def test_a_birth_year_that_may_mean_under_18_asks_for_the_full_date(police, selling_2014):
    person = services.person_create(actor=police, full_name="Vũ Thị Ngọc", birth_year=1996)
    with pytest.raises(ValidationError) as exc:
        record(police, person, selling_2014, "2014-05-10")
    assert exc.value.message_dict["person"][0].startswith(
        "Chỉ biết năm sinh 1996: người này có thể chưa đủ 18 tuổi"
    )


# Counting rules -------------------------------------------------------------------------------------


def test_a_new_violation_within_six_months_of_a_warning_is_a_repeat(police, resident, selling_2014):
    record(police, resident, selling_2014, "2014-01-10", sanction=warning("1/QĐ", "2014-01-10"))
    record(police, resident, selling_2014, "2014-05-01", sanction=fine("2/QĐ", "2014-05-02", 300_000))
    rows = count_violations(list(Violation.objects.filter(person=resident)), today=dt.date(2014, 6, 1))
    assert [r.is_repeat for r in rows] == [False, True]
    assert [r.counts_today for r in rows] == [True, True]
    assert rows[0].own_until == dt.date(2014, 7, 10)
    # The unpaid fine completes when enforcement expires (2015-05-02), then counts one more year.
    assert rows[1].counts_until == dt.date(2016, 5, 2)
    assert rows[0].counts_until == dt.date(2016, 5, 2)
    assert (
        "Tái phạm: cùng hành vi “Bán dâm” với vi phạm ngày 10/01/2014 (quyết định 1/QĐ)" in rows[1].reasons[1]
    )


def test_a_warning_stops_counting_six_months_after_with_no_new_violation(police, resident, selling_2014):
    record(police, resident, selling_2014, "2014-01-10", sanction=warning("1/QĐ", "2014-01-10"))
    record(police, resident, selling_2014, "2014-08-01", sanction=warning("2/QĐ", "2014-08-01"))
    rows = count_violations(list(Violation.objects.filter(person=resident)), today=dt.date(2014, 9, 1))
    assert [r.is_repeat for r in rows] == [False, False]
    assert [r.counts_today for r in rows] == [False, True]
    assert rows[0].reasons[-1] == "Không còn được tính từ ngày 11/07/2014."


def test_a_paid_fine_counts_one_year_after_payment(police, resident, selling_2014):
    record(
        police,
        resident,
        selling_2014,
        "2014-01-10",
        sanction=fine("1/QĐ", "2014-01-11", 200_000, payment_status="paid", paid_on=dt.date(2014, 2, 1)),
    )
    (row,) = count_violations(list(Violation.objects.filter(person=resident)), today=dt.date(2015, 2, 1))
    assert (row.completed_on, row.counts_until, row.counts_today) == (
        dt.date(2014, 2, 1),
        dt.date(2015, 2, 1),
        True,
    )
    (row,) = count_violations(list(Violation.objects.filter(person=resident)), today=dt.date(2015, 2, 2))
    assert row.counts_today is False


def test_a_different_act_is_not_a_repeat(police, resident, selling_2014, buying_2014):
    record(police, resident, selling_2014, "2014-01-10", sanction=warning("1/QĐ", "2014-01-10"))
    record(
        police,
        resident,
        buying_2014,
        "2014-02-10",
        role="buyer",
        sanction=fine("2/QĐ", "2014-02-10", 500_000),
    )
    rows = count_violations(list(Violation.objects.filter(person=resident)), today=dt.date(2014, 3, 1))
    assert [r.is_repeat for r in rows] == [False, False]


# Scoping --------------------------------------------------------------------------------------------


def test_persons_are_visible_through_residence_place_or_recording_agency(
    police,
    resident,
    selling_2014,
    commune_officer,
    other_commune_officer,
    other_district_officer,
    coordinator,
):
    assert list(selectors.persons_visible(commune_officer)) == [resident]
    assert list(selectors.persons_visible(other_commune_officer)) == []
    assert list(selectors.persons_visible(other_district_officer)) == []
    assert list(selectors.persons_visible(coordinator)) == [resident]
    hang_bac = AdministrativeUnit.objects.get(path=HANG_BAC)
    record(police, resident, selling_2014, "2014-05-10", place=hang_bac)
    assert list(selectors.persons_visible(other_commune_officer)) == [resident]


def test_roles_without_identity_see_no_one(resident, sysadmin, licensing, dpo):
    for user in (sysadmin, licensing, dpo):
        assert list(selectors.persons_visible(user)) == []


def test_children_need_the_child_class(police, social_worker, trang_tien):
    child = services.person_create(
        actor=police,
        full_name="Vũ Thị Ngọc",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 15),
        permanent_unit=trang_tien,
        birth_year=dt.date.today().year - 15,
    )
    assert list(selectors.persons_visible(police)) == []
    assert list(selectors.persons_visible(social_worker)) == [child]


def test_violations_need_the_enforcement_class(police, social_worker, resident, selling_2014):
    record(police, resident, selling_2014, "2014-05-10")
    assert selectors.violations_of(police, resident).count() == 1
    assert selectors.violations_of(social_worker, resident).count() == 0
