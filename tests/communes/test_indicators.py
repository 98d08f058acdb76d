"""T10 (healthy communes ÷ communes valid at the end of the period) and T09 (model communes kept)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lanhmanh.communes import services
from lanhmanh.communes.models import Assessment, ModelCommune
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.progress import plan_progress
from tests.conftest import DONG_ANH, HANG_BAC, HOAN_KIEM, TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def test_an_approved_healthy_assessment_counts_for_its_year_only(approved):
    assert evaluate("communes.healthy_communes", HOAN_KIEM, "2014").total.value == 1
    assert evaluate("communes.healthy_communes", "01", "2014").total.value == 1
    assert evaluate("communes.healthy_communes", "01", "2013").total.value == 0
    assert evaluate("communes.healthy_communes", DONG_ANH, "2014").total.value == 0


def test_an_assessment_not_yet_approved_does_not_count(reviewed):
    assert evaluate("communes.healthy_communes", "01", "2014").total.value == 0
    assert evaluate("communes.assessed_communes", "01", "2014").total.value == 0


def test_a_commune_not_valid_at_the_end_of_the_period_leaves_numerator_and_denominator_alike(approved):
    before = evaluate("org.communes", "01", "2014").total.value
    AdministrativeUnit.objects.filter(path=TRANG_TIEN).update(valid_to=dt.date(2014, 11, 30))
    assert evaluate("org.communes", "01", "2014").total.value == before - 1
    assert evaluate("communes.healthy_communes", "01", "2014").total.value == 0


def test_t10_on_the_dashboard_is_the_share_of_the_citys_communes(approved, coordinator):
    plan = load_plan_2014()
    communes = evaluate("org.communes", "01", "2014").total.value
    t10 = next(p for p in plan_progress(plan, "01", user=coordinator) if p.target.code == "T10")
    assert t10.achieved.value == 1
    assert t10.share_achieved == (Decimal(100) / communes).quantize(Decimal("0.1"))
    by_district = next(
        p for p in plan_progress(plan, "01", user=coordinator, by="child") if p.target.code == "T10"
    ).evaluation
    assert by_district.value(HOAN_KIEM).value == 1


def _designate(coordinator, path, day=dt.date(2014, 1, 15)):
    plan = load_plan_2014()
    return services.model_commune_designate(actor=coordinator, plan=plan, unit=unit(path), designated_on=day)


def test_t09_counts_designated_communes_except_those_evaluated_as_not_keeping_the_model(
    coordinator, district_officer
):
    kept = _designate(coordinator, TRANG_TIEN)
    dropped = _designate(coordinator, HANG_BAC)
    assert evaluate("communes.model_communes", "01", "2014").total.value == 2
    services.model_evaluation_record(actor=district_officer, model_commune=kept, year=2014, kept=True)
    services.model_evaluation_record(
        actor=district_officer, model_commune=dropped, year=2014, kept=False, note="Ngừng"
    )
    assert evaluate("communes.model_communes", "01", "2014").total.value == 1
    assert evaluate("communes.model_communes", HOAN_KIEM, "2014").total.value == 1


def test_a_commune_is_designated_once_per_plan(coordinator):
    _designate(coordinator, TRANG_TIEN)
    with pytest.raises(Exception) as exc:
        _designate(coordinator, TRANG_TIEN)
    assert exc.value.messages == ["Phường Tràng Tiền đã được chỉ định xây dựng mô hình trong kế hoạch này."]
    assert ModelCommune.objects.count() == 1


def test_a_district_cannot_be_designated_as_a_model_commune(coordinator):
    with pytest.raises(Exception) as exc:
        _designate(coordinator, HOAN_KIEM)
    assert exc.value.messages == ["“Quận Hoàn Kiếm” không phải là đơn vị hành chính cấp xã."]


def test_a_model_commune_is_evaluated_once_a_year(coordinator):
    mc = _designate(coordinator, TRANG_TIEN)
    services.model_evaluation_record(actor=coordinator, model_commune=mc, year=2014, kept=True)
    with pytest.raises(Exception) as exc:
        services.model_evaluation_record(actor=coordinator, model_commune=mc, year=2014, kept=False)
    assert exc.value.messages == ["Mô hình tại Phường Tràng Tiền đã được đánh giá năm 2014."]


def test_transformation_lists_the_communes_that_changed_per_district(
    approved, coordinator, district_officer, commune_officer, items
):
    from lanhmanh.communes.selectors import transformation
    from tests.communes.conftest import full_answers

    # 2013: Tràng Tiền was affected; 2014 (approved fixture): healthy.
    old = services.assessment_open(actor=commune_officer, unit=unit(TRANG_TIEN), year=2013)
    services.assessment_save_self(
        actor=commune_officer, assessment=old, answers=full_answers(items, i1_3="0")
    )
    services.assessment_submit(actor=commune_officer, assessment=old)
    services.assessment_review(actor=district_officer, assessment=old, changes={})
    services.assessment_approve(actor=coordinator, assessment=old)
    rows = {r.district.path: r for r in transformation(coordinator, 2014)}
    hk = rows[HOAN_KIEM]
    assert (hk.assessed, hk.healthy, hk.previous_healthy) == (1, 1, 0)
    assert [name for _pk, name in hk.became_clean] == ["Phường Tràng Tiền"]
    assert hk.became_affected == []
    assert rows[DONG_ANH].became_clean == []
    assert Assessment.objects.filter(unit__path=TRANG_TIEN).count() == 2


def test_the_t10_table_by_child_matches_the_registry(approved, coordinator):
    from lanhmanh.communes.selectors import t10_by_child

    provinces = {r.path: r for r in t10_by_child(2014)}
    assert provinces["01"].healthy == 1
    assert provinces["01"].communes == evaluate("org.communes", "01", "2014").total.value
    districts = {r.path: r for r in t10_by_child(2014, "01")}
    assert (districts[HOAN_KIEM].healthy, districts[HOAN_KIEM].communes) == (1, 18)
    assert districts[HOAN_KIEM].share == round(100 / 18, 1)
    assert districts[DONG_ANH].healthy == 0
