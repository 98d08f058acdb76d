"""District quotas of a city target: set on one page, refused above the target, progress by district."""

from __future__ import annotations

import pytest

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.models import TargetBreakdown
from lanhmanh.plans.plan_2014 import load_plan_2014

pytestmark = pytest.mark.django_db


@pytest.fixture
def t03():
    return load_plan_2014().targets.get(code="T03")  # 500 sanctions of sellers


def district(path: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.filter(path=path).order_by("pk").first()


def test_the_coordinator_gives_districts_their_quotas_and_sees_progress_by_district(
    t03, coordinator, client_for
):
    client = client_for(coordinator)
    url = f"/ke-hoach/chi-tieu/{t03.pk}/giao/"
    hoan_kiem, ba_dinh = district("01.002"), district("01.001")
    response = client.post(url, {f"quota-{hoan_kiem.pk}": "120", f"quota-{ba_dinh.pk}": "80"})
    assert response.status_code == 302
    assert {b.unit.path: int(b.value) for b in TargetBreakdown.objects.filter(target=t03)} == {
        "01.001": 80,
        "01.002": 120,
    }
    page = client.get(url).content.decode()
    assert "<span data-quota-total>200</span>" in page
    row = page[page.index('data-unit="01.002"') :]
    assert 'value="120"' in row[: row.index("</tr>")]
    assert ChangeRecord.objects.filter(model="plans.targetbreakdown").count() == 2


@pytest.mark.parametrize(
    ("quotas", "message"),
    [
        ({"01.002": "600"}, "Quận Hoàn Kiếm: chỉ tiêu giao 600 lớn hơn chỉ tiêu của cả thành phố (500)."),
        (
            {"01.002": "300", "01.001": "250"},
            "Tổng chỉ tiêu giao cho các đơn vị (550) vượt chỉ tiêu T03 của thành phố (500).",
        ),
        ({"01.002": "nhiều"}, "Quận Hoàn Kiếm: “nhiều” không phải là số."),
    ],
)
def test_quotas_above_the_city_target_are_refused_and_nothing_is_saved(
    t03, coordinator, client_for, quotas, message
):
    data = {f"quota-{district(path).pk}": value for path, value in quotas.items()}
    page = client_for(coordinator).post(f"/ke-hoach/chi-tieu/{t03.pk}/giao/", data).content.decode()
    assert message in page and "Chưa lưu gì." in page
    assert not TargetBreakdown.objects.filter(target=t03).exists()


def test_only_the_coordinator_sets_quotas(t03, district_officer, client_for):
    assert client_for(district_officer).get(f"/ke-hoach/chi-tieu/{t03.pk}/giao/").status_code == 404
