"""T02 and T06: register entries behind the targets' named items, and the indicators they read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.periods import Period
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import Hotspot, TargetHotspot
from lanhmanh.enforcement.plan_hotspots import plan_hotspots_load
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.progress import target_progress

pytestmark = pytest.mark.django_db
YEAR = Period.year(2014)


@pytest.fixture
def plan(db):
    return load_plan_2014()


def test_the_two_named_hotspots_of_t02_become_register_entries_once(plan, coordinator):
    assert plan_hotspots_load(plan) == 2
    assert plan_hotspots_load(plan) == 0
    t02 = plan.targets.get(code="T02")
    linked = {item.hotspot_link.hotspot.unit.path for item in t02.items.all()}
    assert linked == {"01.002.00079", "01.007.00256"}
    assert Hotspot.objects.filter(status="active").count() == 2


def test_t02_counts_the_named_hotspots_eliminated_in_the_plan_year(plan, police, street):
    from tests.enforcement.conftest import make_hotspot

    plan_hotspots_load(plan)
    named = Hotspot.objects.get(unit__path="01.002.00079")
    other = make_hotspot(street, name="Một tụ điểm khác")
    for hotspot in (named, other):
        services.hotspot_transition(
            actor=police, hotspot=hotspot, status="planned", happened_on=dt.date(2014, 3, 1), tasks="Tuần tra"
        )
        services.hotspot_transition(
            actor=police, hotspot=hotspot, status="eliminated", happened_on=dt.date(2014, 9, 1)
        )
    assert evaluate("enforcement.hotspots_eliminated", "01", YEAR).total.value == 1
    assert evaluate("enforcement.hotspots_eliminated", "01.007", YEAR).total.value == 0


def test_t06_lists_eliminated_hotspots_and_moves_when_one_reemerges(plan, police, eliminated, coordinator):
    t06 = plan.targets.get(code="T06")
    services.target_hotspot_add(actor=coordinator, target=t06, hotspot=eliminated)
    assert t06.items.get().name == "Vườn hoa Lý Thái Tổ"
    progress = target_progress(t06, "01", user=coordinator, today=dt.date(2014, 12, 31))
    assert (progress.achieved.value, progress.status) == (0, "on-track")

    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 2),
        agency=police.agency,
        finding="activity",
    )
    services.proposal_decide(actor=police, proposal=eliminated.proposals.get(), confirm=True)
    progress = target_progress(t06, "01", user=coordinator, today=dt.date(2014, 12, 31))
    assert (progress.achieved.value, progress.status) == (1, "off-track")


def test_only_eliminated_hotspots_go_on_the_keep_clean_list_and_only_once(
    plan, hotspot, eliminated, coordinator
):
    t06 = plan.targets.get(code="T06")
    with pytest.raises(ValidationError) as error:
        services.target_hotspot_add(actor=coordinator, target=t06, hotspot=hotspot)
    assert error.value.message_dict["hotspot"] == ["Chỉ đưa vào danh sách duy trì các tụ điểm đã triệt xóa."]
    services.target_hotspot_add(actor=coordinator, target=t06, hotspot=eliminated)
    with pytest.raises(ValidationError):
        services.target_hotspot_add(actor=coordinator, target=t06, hotspot=eliminated)
    assert TargetHotspot.objects.count() == 1


def test_the_screen_adds_a_hotspot_to_t06(plan, eliminated, coordinator, client_for):
    t06 = plan.targets.get(code="T06")
    client = client_for(coordinator)
    assert "Vườn hoa Lý Thái Tổ" in client.get(f"/tu-diem/chi-tieu/{t06.pk}/").content.decode()
    assert client.post(f"/tu-diem/chi-tieu/{t06.pk}/", {"hotspot": eliminated.pk}).status_code == 302
    assert t06.items.get().hotspot_link.hotspot == eliminated


def test_a_commune_officer_sees_the_list_but_cannot_add(plan, eliminated, commune_officer, client_for):
    t06 = plan.targets.get(code="T06")
    client = client_for(commune_officer)
    assert client.get(f"/tu-diem/chi-tieu/{t06.pk}/").status_code == 200
    assert client.post(f"/tu-diem/chi-tieu/{t06.pk}/", {"hotspot": eliminated.pk}).status_code == 404


def test_report_figures_kept_clean_never_exceed_eliminated(eliminated, hotspot, police):
    ward = "01.002.00079"
    end_2014 = Period.year(2014)
    assert evaluate("enforcement.hotspots_kept_clean", ward, end_2014).total.value == 1
    assert evaluate("enforcement.hotspots_eliminated_total", ward, end_2014).total.value == 1
    assert evaluate("enforcement.hotspots_active", ward, end_2014).total.value == 1
    services.patrol_record(
        actor=police,
        hotspot=eliminated,
        patrolled_on=dt.date(2014, 6, 2),
        agency=police.agency,
        finding="activity",
    )
    services.proposal_decide(actor=police, proposal=eliminated.proposals.get(), confirm=True)
    assert evaluate("enforcement.hotspots_kept_clean", ward, end_2014).total.value == 0
    assert evaluate("enforcement.hotspot_reemergences", ward, end_2014).total.value == 1
    assert evaluate("enforcement.hotspots_kept_clean", ward, Period.year(2013)).total.value == 1


def test_the_commune_report_prefills_the_hotspot_fields_from_the_register(eliminated):
    from lanhmanh.reporting.models import ReportForm
    from lanhmanh.reporting.services import computed_values, report_forms_load

    report_forms_load()
    values = computed_values(ReportForm.objects.get(code="xa-thang"), "01.002.00079", Period.month(2014, 10))
    assert (
        values["hotspots_eliminated"],
        values["hotspots_kept_clean"],
        values["hotspots_reemerged"],
        values["hotspots_found"],
    ) == (1, 1, 0, 0)


def test_the_register_links_to_the_target_lists(plan, police, client_for):
    page = client_for(police).get("/tu-diem/").content.decode()
    t02, t06 = plan.targets.get(code="T02"), plan.targets.get(code="T06")
    assert f'href="/tu-diem/chi-tieu/{t02.pk}/">T02 (2014)' in page
    assert f'href="/tu-diem/chi-tieu/{t06.pk}/">T06 (2014)' in page
