"""The services of criminal cases: who records which stage, dates in order, ages and sentences against
the catalogue, victims offered support. Every refusal is a Vietnamese message and nothing is half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lanhmanh.core.models import ChangeRecord
from lanhmanh.enforcement.cases import services
from lanhmanh.enforcement.cases.models import CriminalCase, Defendant, Offence, Victim
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import Agency, AgencyKind
from lanhmanh.people.models import Person
from lanhmanh.support.models import OutreachTask
from tests.conftest import DONG_ANH, HOAN_KIEM, TRANG_TIEN, make_user, unit
from tests.enforcement.cases.conftest import ACT, advance, identity

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_the_police_open_a_case_for_their_agency_and_it_is_audited(case, police):
    assert case.investigating_agency == police.agency
    assert case.investigating_body == "district-police"
    assert case.stage == "busted"
    assert ChangeRecord.objects.filter(
        model="cases.criminalcase", object_id=str(case.pk), action="create"
    ).exists()


def test_a_court_clerk_cannot_open_a_case(court_clerk, brokering):
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=court_clerk, offence=brokering, act_on=ACT, unit=unit(TRANG_TIEN), detected_on=ACT
        )


def test_a_case_outside_the_police_district_is_refused(police, brokering):
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=police, offence=brokering, act_on=ACT, unit=unit(DONG_ANH), detected_on=ACT)
    assert messages(exc) == {"unit": ["Nơi xảy ra phải thuộc địa bàn của cơ quan anh/chị (Quận Hoàn Kiếm)."]}
    assert not CriminalCase.objects.exists()


def test_an_article_of_the_2015_code_for_an_act_of_2014_is_refused(police):
    offence = Offence.objects.get(code="blhs2015-328-1")
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=police, offence=offence, act_on=ACT, unit=unit(TRANG_TIEN), detected_on=ACT)
    assert messages(exc)["offence"] == [
        "Tội danh “khoản 1 Điều 328 BLHS 2015 — Môi giới mại dâm” không áp dụng cho hành vi ngày 02/03/2014: "
        "chọn điều khoản của Bộ luật Hình sự có hiệu lực vào ngày thực hiện hành vi."
    ]


def test_a_bust_before_the_detection_is_refused(police, brokering):
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=police,
            offence=brokering,
            act_on=ACT,
            unit=unit(TRANG_TIEN),
            detected_on=dt.date(2014, 3, 10),
            busted_on=dt.date(2014, 3, 5),
        )
    assert messages(exc) == {
        "busted_on": ["Ngày phá án (05/03/2014) không được trước ngày phát hiện (10/03/2014)."]
    }


def test_each_agency_records_its_own_stage(case, police, prosecutor, court_clerk):
    case = advance(case, police, prosecutor, court_clerk)
    assert (case.stage, case.procuracy.kind, case.court.kind, case.mobile_trial) == (
        "tried",
        "procuracy",
        "court",
        True,
    )


def test_a_prosecutor_cannot_change_the_police_stage(case, prosecutor):
    with pytest.raises(PermissionDenied) as exc:
        services.case_stage_record(actor=prosecutor, case=case, stage="busted", on=dt.date(2014, 3, 4))
    assert str(exc.value) == (
        "Giai đoạn “Phá án” do cơ quan điều tra (cán bộ Công an) ghi nhận: tài khoản của anh/chị không được "
        "thay đổi giai đoạn này."
    )
    case.refresh_from_db()
    assert case.busted_on == dt.date(2014, 3, 5)


def test_a_court_clerk_cannot_indict(case, police, court_clerk):
    services.case_stage_record(actor=police, case=case, stage="prosecuted", on=dt.date(2014, 3, 6))
    with pytest.raises(PermissionDenied):
        services.case_stage_record(actor=court_clerk, case=case, stage="indicted", on=dt.date(2014, 5, 1))


def test_a_trial_without_an_indictment_is_refused(case, police, court_clerk):
    services.case_stage_record(actor=police, case=case, stage="prosecuted", on=dt.date(2014, 3, 6))
    with pytest.raises(ValidationError) as exc:
        services.case_stage_record(actor=court_clerk, case=case, stage="tried", on=dt.date(2014, 6, 1))
    assert messages(exc) == {"on": ["Chưa có ngày truy tố: chưa thể ghi ngày xét xử sơ thẩm."]}
    case.refresh_from_db()
    assert (case.tried_on, case.court_id) == (None, None)


def test_a_judgment_before_the_indictment_is_refused(case, police, prosecutor, court_clerk):
    advance(case, police, prosecutor, court_clerk, tried=False)
    with pytest.raises(ValidationError) as exc:
        services.case_stage_record(actor=court_clerk, case=case, stage="tried", on=dt.date(2014, 5, 1))
    assert messages(exc) == {
        "on": ["Ngày xét xử sơ thẩm (01/05/2014) không được trước ngày truy tố (20/05/2014)."]
    }


def test_moving_an_indictment_after_the_trial_is_refused(case, police, prosecutor, court_clerk):
    advance(case, police, prosecutor, court_clerk)
    with pytest.raises(ValidationError) as exc:
        services.case_stage_record(actor=prosecutor, case=case, stage="indicted", on=dt.date(2014, 7, 1))
    assert messages(exc) == {
        "on": ["Ngày truy tố (01/07/2014) không được sau ngày xét xử sơ thẩm đã ghi (25/06/2014)."]
    }


def test_a_defendant_from_the_registry_is_linked_not_copied(case, police, brokering):
    known = Person.objects.create(
        full_name="Lê Thị Mai", birth_date=dt.date(1980, 1, 1), birth_year=1980, sex="female"
    )
    defendant = services.defendant_add(
        actor=police, case=case, ring_role="organiser", offence=brokering, person=known
    )
    assert defendant.person == known
    assert Person.objects.count() == 1


def test_a_new_defendant_gets_an_encrypted_registry_record(case, police, brokering):
    defendant = services.defendant_add(
        actor=police, case=case, ring_role="broker", offence=brokering, identity=identity()
    )
    assert Person.objects.by_name_birth("Trần Văn Hùng", dt.date(1985, 4, 12)).get() == defendant.person


def test_a_defendant_under_the_age_of_criminal_responsibility_is_refused(case, police, brokering):
    with pytest.raises(ValidationError) as exc:
        services.defendant_add(
            actor=police,
            case=case,
            ring_role="broker",
            offence=brokering,
            identity=identity(name="Phạm Văn Nam", birth=dt.date(1998, 6, 1)),
        )
    assert messages(exc) == {
        "birth_date": [
            "Bị can chưa đủ 16 tuổi vào ngày thực hiện hành vi (02/03/2014): chưa phải chịu trách nhiệm hình sự "
            "về tội “Môi giới mại dâm” (khoản 1 Điều 255 BLHS 1999, Điều 12 Bộ luật Hình sự)."
        ]
    }
    assert not Person.objects.exists()
    assert not Defendant.objects.exists()


def test_a_sentence_outside_the_clause_range_is_refused(case, police, prosecutor, court_clerk, brokering):
    defendant = services.defendant_add(
        actor=police, case=case, ring_role="broker", offence=brokering, identity=identity()
    )
    advance(case, police, prosecutor, court_clerk)
    defendant.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.defendant_sentence(
            actor=court_clerk,
            defendant=defendant,
            sentence_kind="prison",
            sentence_months=72,
            sentenced_on=dt.date(2014, 6, 25),
        )
    assert messages(exc) == {
        "sentence_months": [
            "Mức hình phạt 72 tháng nằm ngoài khung của khoản 1 Điều 255 BLHS 1999 (6 tháng – 5 năm)."
        ]
    }
    defendant.refresh_from_db()
    assert defendant.sentence_kind == ""
    services.defendant_sentence(
        actor=court_clerk,
        defendant=defendant,
        sentence_kind="prison",
        sentence_months=30,
        sentenced_on=dt.date(2014, 6, 25),
    )
    defendant.refresh_from_db()
    assert defendant.sentence_display == "Tù có thời hạn 2 năm 6 tháng"


def test_the_police_cannot_record_a_sentence(case, police, brokering):
    defendant = services.defendant_add(
        actor=police, case=case, ring_role="broker", offence=brokering, identity=identity()
    )
    with pytest.raises(PermissionDenied):
        services.defendant_sentence(
            actor=police, defendant=defendant, sentence_kind="prison", sentence_months=12, sentenced_on=ACT
        )


def test_a_child_victim_is_always_offered_child_protection_by_the_district_labour_office(case, police):
    victim = services.victim_add(
        actor=police,
        case=case,
        kind="exploited",
        offer="",
        identity=identity(name="Nguyễn Thị Hoa", birth=dt.date(1998, 2, 1), sex="female"),
    )
    assert (victim.minor, victim.offer) == (True, "child")
    task = OutreachTask.objects.get()
    assert (task.agency.kind, task.agency.unit.path, task.person) == (
        "district-labour",
        HOAN_KIEM,
        victim.person,
    )


def test_an_adult_victim_may_be_offered_a_trafficking_case_in_her_commune(case, police):
    victim = services.victim_add(
        actor=police,
        case=case,
        kind="trafficked",
        offer="trafficking",
        identity=identity(name="Đỗ Thị Lan", birth=dt.date(1990, 2, 1), sex="female"),
    )
    assert (victim.minor, victim.offer, victim.outreach_task.agency.kind) == (
        False,
        "trafficking",
        "commune-social",
    )


def test_an_adult_victim_without_an_offer_gets_no_task(case, police):
    services.victim_add(
        actor=police,
        case=case,
        kind="exploited",
        identity=identity(name="Đỗ Thị Lan", birth=dt.date(1990, 2, 1), sex="female"),
    )
    assert not OutreachTask.objects.exists()
    assert Victim.objects.get().referred_on is None


def test_press_needs_a_trial_first(case, court_clerk):
    with pytest.raises(ValidationError):
        services.press_record_add(
            actor=court_clerk,
            case=case,
            kind="online",
            outlet="Báo Hà Nội Mới",
            title="Xét xử lưu động",
            published_on=dt.date(2014, 6, 26),
        )


def test_border_guards_record_a_bust_counted_in_t01_and_see_their_own_small_counts(brokering, coordinator):
    # III.10: the border guards are an investigating body of their own, beside the police and customs.
    guards = Agency.objects.create(
        code="01-border-guard", name="Đồn Biên phòng (thử)", kind=AgencyKind.BORDER_GUARD, unit=unit("01")
    )
    officer = make_user("bien_phong", guards, "police")
    case = services.case_open(
        actor=officer,
        offence=brokering,
        act_on=dt.date(2014, 3, 2),
        unit=unit(TRANG_TIEN),
        detected_on=dt.date(2014, 3, 3),
        busted_on=dt.date(2014, 3, 5),
    )
    assert (case.investigating_body, case.investigating_agency) == ("border-guard", guards)
    assert evaluate("enforcement.criminal_cases_busted", "01", "2014", user=officer).total.display == "1"
    assert (
        evaluate("enforcement.criminal_cases_busted", "01", "2014", user=coordinator).total.display == "< 5"
    )
    by_body = evaluate("enforcement.criminal_cases_busted", "01", "2014", by="body", user=officer)
    assert [(c.key, c.value) for c in by_body.rows] == [(("border-guard",), 1)]
