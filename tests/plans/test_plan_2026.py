"""The 2026 plan on the two-level map: the 2014 plan copied onto the new units through the successor
links, what cannot be placed listed for the coordinator, the 2026 targets, and a copy over a year
that already has a plan refused."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
from lanhmanh.plans.models import CopyGap, GapKind, Plan, TargetItem, Task, TaskStatus
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.plan_2026 import load_plan_2026
from lanhmanh.plans.services import plan_copy
from tests.conftest import TRANG_TIEN

pytestmark = pytest.mark.django_db

HOAN_KIEM_WARD = "01.00070"
CUA_NAM_WARD = "01.00073"


@pytest.fixture
def map_2025():
    out = StringIO()
    call_command("import_units_2025", "--province", "01", "--co-quan", stdout=out)
    call_command("link_unit_successors", "--province", "01", stdout=StringIO())
    return out.getvalue()


def test_the_2025_import_seeds_the_bodies_of_every_new_commune(map_2025):
    assert "Cơ quan cấp xã tạo mới: 630." in map_2025  # 126 communes × 5 bodies
    ward = AdministrativeUnit.objects.get(path=HOAN_KIEM_WARD)
    assert sorted(Agency.objects.filter(unit=ward).values_list("kind", "name")) == sorted(
        [
            (AgencyKind.PEOPLES_COMMITTEE, "Ủy ban nhân dân Phường Hoàn Kiếm"),
            (AgencyKind.COMMUNE_SOCIAL, "Phòng Văn hóa – Xã hội Phường Hoàn Kiếm"),
            (AgencyKind.POLICE, "Công an Phường Hoàn Kiếm"),
            (AgencyKind.WOMENS_UNION, "Hội Liên hiệp Phụ nữ Phường Hoàn Kiếm"),
            (AgencyKind.TEAM_178, "Đội Kiểm tra liên ngành 178 Phường Hoàn Kiếm"),
        ]
    )
    again = StringIO()
    call_command("import_units_2025", "--province", "01", "--co-quan", stdout=again)
    assert "Cơ quan cấp xã tạo mới: 0." in again.getvalue()


def test_copying_2014_to_2026_moves_units_to_successors_and_lists_what_has_none(map_2025):
    old = load_plan_2014()
    # A 2014 ward named in a target's items: it moves to its successor (Tràng Tiền → Cửa Nam, the default part).
    target = old.targets.get(code="T02")
    TargetItem.objects.create(
        target=target,
        name="Điểm ở Tràng Tiền",
        order=9,
        unit=AdministrativeUnit.objects.get(path=TRANG_TIEN, valid_to__isnull=False),
    )
    new = plan_copy(plan=old, year=2026)
    assert new.scope_unit.path == "01"
    items = {i.name: i.unit for i in new.targets.get(code="T02").items.all()}
    assert items["Điểm ở Tràng Tiền"].path == CUA_NAM_WARD
    # The 2014 districts have no successor: the named hotspots placed in districts and the tasks of the
    # district labour offices are listed, not copied onto units that no longer exist.
    gaps = CopyGap.objects.filter(plan=new)
    kinds = set(gaps.values_list("kind", flat=True))
    assert GapKind.ITEM in kinds and GapKind.TASK in kinds
    district_tasks = Task.objects.filter(duty__plan=old, owner__unit__level=2).count()
    # Every task of a district body is listed; so are those of the 2014 communes merged away in 2019–2020,
    # which the package's map does not know (no successor link until the coordinator adds one).
    assert gaps.filter(kind=GapKind.TASK, old_agency__unit__level=2).count() == district_tasks > 0
    assert all(g.old_agency.unit.valid_to == dt.date(2025, 6, 30) for g in gaps.filter(kind=GapKind.TASK))
    # City agencies are unchanged by the reform and stay.
    assert (
        new.targets.get(code="T01").lead_agencies.count() == old.targets.get(code="T01").lead_agencies.count()
    )


def test_a_copy_over_a_year_that_has_a_plan_is_refused_and_nothing_is_written(map_2025):
    old = load_plan_2014()
    load_plan_2026()
    before = (Plan.objects.count(), CopyGap.objects.count())
    with pytest.raises(ValidationError) as refused:
        plan_copy(plan=old, year=2026)
    assert (
        "Năm 2026 đã có kế hoạch “Kế hoạch phòng, chống mại dâm trên địa bàn thành phố Hà Nội năm 2026”"
        in str(refused.value)
    )
    assert (Plan.objects.count(), CopyGap.objects.count()) == before


def test_the_2026_plan_has_its_targets_as_data_and_its_own_lead_agency(map_2025):
    plan = load_plan_2026()
    assert plan.year == 2026 and plan.lead_agency.code == "01-dolisa-pctnxh"
    targets = {t.code: t for t in plan.targets.all()}
    assert (targets["T11"].indicator.code, targets["T11"].value) == ("premises.inspected_share", 60)
    assert (targets["T13"].indicator.code, targets["T13"].kind, targets["T13"].value) == (
        "plans.commune_teams_178",
        "share-of-units",
        100,
    )
    assert load_plan_2026() == plan  # idempotent


def test_the_coordinator_resolves_the_unmapped_items_and_bad_choices_are_refused(
    map_2025, coordinator, client_for
):
    plan = load_plan_2026()
    client = client_for(coordinator)
    page = client.get(f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/").content.decode()
    assert "Mục chưa chuyển được sang đơn vị mới" in page
    item_gap = CopyGap.objects.filter(plan=plan, kind=GapKind.ITEM).first()
    ward = AdministrativeUnit.objects.get(path=HOAN_KIEM_WARD)
    old_ward = AdministrativeUnit.objects.get(path=TRANG_TIEN, valid_to__isnull=False)
    # Nothing chosen, then a pre-reform ward (not in the 2026 map): refused, nothing changed.
    page = client.post(
        f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/", {"gap": item_gap.pk, "choice": ""}
    ).content.decode()
    assert "hoặc chọn bỏ" in page
    page = client.post(
        f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/", {"gap": item_gap.pk, "choice": f"u{old_ward.pk}"}
    ).content.decode()
    assert "Đơn vị, cơ quan đã chọn không có trên bản đồ hành chính năm 2026 của kế hoạch." in page
    item_gap.refresh_from_db()
    assert item_gap.resolved_at is None
    response = client.post(
        f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/", {"gap": item_gap.pk, "choice": f"u{ward.pk}"}
    )
    assert response.status_code == 302
    item_gap.refresh_from_db()
    assert item_gap.resolution == "Phường Hoàn Kiếm" and TargetItem.objects.get(pk=item_gap.ref).unit == ward
    task_gap = CopyGap.objects.filter(plan=plan, kind=GapKind.TASK, old_agency__unit__level=2).first()
    # The same kind of body on the new map (e.g. a district committee's task → the ward's committee).
    office = Agency.objects.get(unit=ward, kind=task_gap.old_agency.kind)
    client.post(f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/", {"gap": task_gap.pk, "choice": f"a{office.pk}"})
    assert Task.objects.get(pk=task_gap.ref).owner == office
    page = client.get(f"/ke-hoach/{plan.pk}/chua-chuyen-duoc/").content.decode()
    assert "Đã xử lý" in page and office.name in page


def test_old_communes_merged_into_one_ward_give_its_committee_one_task_per_duty_written_in_bulk(map_2025):
    old = load_plan_2014()
    ward = AdministrativeUnit.objects.get(path=HOAN_KIEM_WARD)
    committee = Agency.objects.get(unit=ward, kind=AgencyKind.PEOPLES_COMMITTEE)
    hang_bac = AdministrativeUnit.objects.get(path="01.002.00061", valid_to__isnull=False)
    old_tasks = Task.objects.filter(
        duty__plan=old, owner__kind=AgencyKind.PEOPLES_COMMITTEE, owner__unit__successors=ward
    )
    duties = set(old_tasks.values_list("duty__order", "duty__group"))
    assert old_tasks.count() > len(duties) > 0  # several old wards became Phường Hoàn Kiếm
    done = old_tasks.filter(owner__unit=hang_bac).first()
    done.status, done.done_on, done.evidence_note = TaskStatus.DONE, dt.date(2014, 6, 1), "Báo cáo số 12"
    done.save()
    with CaptureQueriesContext(connection) as queries:
        new = plan_copy(plan=old, year=2026)
    # The copy's queries depend on the duties and targets, not on its thousands of tasks.
    copied = Task.objects.filter(duty__plan=new)
    assert copied.count() > 1000 > len(queries)
    mine = copied.filter(owner=committee)
    assert sorted(mine.values_list("duty__order", "duty__group")) == sorted(duties)
    assert set(mine.values_list("status", flat=True)) == {TaskStatus.NOT_STARTED}
    done.refresh_from_db()
    assert (done.status, done.evidence_note) == (
        TaskStatus.DONE,
        "Báo cáo số 12",
    )  # the 2014 task is untouched
    # No body of the new plan has the same duty twice, and each copied task has its history row.
    assert not copied.values("duty", "owner", "title").annotate(n=Count("pk")).filter(n__gt=1).exists()
    history = ChangeRecord.objects.filter(
        model="plans.task", object_id__in=[str(pk) for pk in mine.values_list("pk", flat=True)]
    )
    assert history.count() == mine.count()
    assert all("gộp công việc của các đơn vị cũ" in r for r in history.values_list("reason", flat=True))


def test_the_2026_dashboard_says_records_of_former_wards_count_for_their_successors(
    map_2025, coordinator, client_for
):
    client = client_for(coordinator)
    plan = load_plan_2026()
    page = client.get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "data-successor-rule" in page and "được tính cho xã, phường kế thừa" in page
    old = Plan.objects.get(year=2014, parent__isnull=True)
    assert "data-successor-rule" not in client.get(f"/ke-hoach/{old.pk}/").content.decode()
