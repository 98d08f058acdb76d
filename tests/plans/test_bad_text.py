"""Over-long text and NUL bytes on the plan forms: a Vietnamese message under the field, nothing saved."""

from __future__ import annotations

import pytest

from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.models import Activity, Target, TaskStatus
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.selectors import tasks_for
from tests.bad_text import BAD_TEXTS, ESCAPED_SCRIPT, SCRIPT, refusal
from tests.conftest import TRANG_TIEN
from tests.plans.test_copy_and_targets import target_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_plan_2014()


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_target_title_and_note_are_refused(plan, coordinator, client_for, kind):
    target = Target.objects.get(plan=plan, code="T01")
    data = target_post(target, title=BAD_TEXTS[kind], note=BAD_TEXTS[kind])
    response = client_for(coordinator).post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert refusal(kind, "Nội dung chỉ tiêu") in body
    assert refusal(kind, "Ghi chú") in body
    assert Target.objects.get(pk=target.pk).title == target.title


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_a_task_evidence_note_and_link_are_refused(plan, district_officer, client_for, kind):
    task = tasks_for(district_officer).first()  # the district committee's, prepared by its labour office
    before = task.status
    data = {"status": "done", "evidence_note": BAD_TEXTS[kind], "evidence_link": BAD_TEXTS[kind]}
    response = client_for(district_officer).post(f"/ke-hoach/cong-viec/{task.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert refusal(kind, "Kết quả, minh chứng") in body
    assert refusal(kind, "Liên kết đến hồ sơ", limit="500") in body
    task.refresh_from_db()
    assert (task.status, task.evidence_note) == (before, "")
    assert before != TaskStatus.DONE


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_an_activity_title_is_refused(commune_officer, client_for, kind):
    data = {
        "kind": "training",
        "title": BAD_TEXTS[kind],
        "held_on": "2014-05-10",
        "unit": AdministrativeUnit.objects.get(path=TRANG_TIEN).pk,
        "participants_male": 4,
        "participants_female": 11,
        "materials": 0,
    }
    response = client_for(commune_officer).post("/ke-hoach/hoat-dong/moi/", data)
    assert response.status_code == 200
    assert refusal(kind, "Tên hoạt động", limit="300") in response.content.decode()
    assert not Activity.objects.exists()


def test_a_script_typed_as_a_target_title_shows_as_text(plan, coordinator, client_for):
    client = client_for(coordinator)
    target = Target.objects.get(plan=plan, code="T01")
    response = client.post(f"/ke-hoach/chi-tieu/{target.pk}/sua/", target_post(target, title=SCRIPT))
    assert response.status_code == 302
    for url in (f"/ke-hoach/{plan.pk}/chi-tieu/", f"/ke-hoach/{plan.pk}/"):
        page = client.get(url).content.decode()
        assert ESCAPED_SCRIPT in page, url
        assert SCRIPT not in page, url
