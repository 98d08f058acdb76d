"""Browser test of review by cluster (issue #19): split one record off and confirm the rest with the
keyboard, the next cluster scored by the re-estimated model, the person page, undo."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from playwright.sync_api import expect

from lanhmanh.core.audit import Purpose
from lanhmanh.linkage import selectors
from lanhmanh.linkage.models import CandidatePair, ModelVersion
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people.models import Person

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"
STRONG = [
    {"field": "Họ và tên", "level": "trùng họ tên", "weight": 5.0},
    {"field": "Ngày sinh", "level": "trùng ngày sinh", "weight": 8.0},
    {"field": "Nơi ở", "level": "cùng xã/phường", "weight": 4.0},
]
WEAK = [
    {"field": "Họ và tên", "level": "trùng khi bỏ “Thị”/“Văn” hoặc họ viết khác", "weight": 3.0},
    {"field": "Ngày sinh", "level": "chỉ biết năm sinh, trùng năm", "weight": 2.0},
    {"field": "Nơi ở", "level": "cùng xã/phường", "weight": 4.0},
]


def _person(name: str, year: int) -> Person:
    person = Person(
        full_name=name,
        birth_date=dt.date(year, 6, 7),
        birth_year=year,
        sex="female",
        permanent_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
    )
    person.save()
    return person


def _pair(a: Person, b: Person, probability: float, explanation) -> CandidatePair:
    return CandidatePair.objects.create(
        person_a=a,
        person_b=b,
        match_probability=probability,
        match_weight=math.log2(probability / (1 - probability)),
        explanation=explanation,
    )


@pytest.fixture
def clusters(demo):
    a, b, c = _person("Trần Thị Mai", 1985), _person("Tran Thi Mai", 1985), _person("Trần Thị Mại", 1985)
    d, e = _person("Lê Thị Hoa", 1979), _person("Le Hoa", 1979)
    ab, _bc = _pair(a, b, 0.97, STRONG), _pair(b, c, 0.85, WEAK)
    de = _pair(d, e, 0.85, WEAK)
    return (a, b, c), ab, de


def test_reviewer_splits_one_off_confirms_with_keys_and_undoes(page, live_url, login_as, clusters):
    (a, b, c), ab, de = clusters
    before = de.match_probability
    login_as(page, "phonglaodong")
    page.goto(live_url("/ho-so-trung/"))
    page.get_by_role("link", name=f"Cụm #{ab.pk}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem xét hồ sơ nghi trùng: mục đích xem")
    page.get_by_label("Mục đích xem thông tin nhân thân").select_option(
        Purpose.LINKAGE.value
    )  # none preselected
    page.get_by_role("button", name="Bắt đầu xem xét").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cụm hồ sơ #{ab.pk}: 3 hồ sơ")
    expect(page.locator("[data-person]")).to_have_count(3)
    expect(page.locator("[data-links] [data-weak]")).to_have_count(1)
    page.wait_for_load_state("load")  # the keys work once the page's script has run
    page.keyboard.press("3")  # record 3 is someone else
    expect(page.locator(f"#group_{c.pk}")).to_have_value("2")
    page.keyboard.press("s")  # the rest: one person
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cụm hồ sơ #{de.pk}: 2 hồ sơ")
    expect(page.get_by_text("Mô hình đã học lại (phiên bản 2)")).to_be_visible()
    expect(page.locator("[data-model-version]")).to_have_text("Mô hình phiên bản 2.")
    de.refresh_from_db()
    assert de.model_version == ModelVersion.objects.get(number=2) and de.match_probability != before
    expect(page.locator("[data-links]")).to_contain_text(f"{de.match_probability:.3f}".replace(".", ","))
    assert selectors.resolve_person_id(b.pk) == a.pk and selectors.resolve_person_id(c.pk) == c.pk

    page.goto(live_url(f"/ho-so-trung/nguoi/{b.pk}/"))  # the merged record's page shows the person now
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ #{a.pk}: lịch sử hợp nhất")
    expect(page.locator("[data-merge-history]")).to_contain_text(f"Hồ sơ #{b.pk} hợp nhất vào hồ sơ #{a.pk}")

    page.goto(live_url("/ho-so-trung/"))
    page.locator("[data-reviews]").get_by_role("button", name="Hoàn tác").first.click()
    expect(page.get_by_text("các hồ sơ trở lại như trước")).to_be_visible()
    assert selectors.resolve_person_id(b.pk) == b.pk
    expect(page.locator(f'[data-cluster="{ab.pk}"]')).to_have_count(1)  # back in the queue
    page.goto(live_url(f"/ho-so-trung/nguoi/{a.pk}/"))
    expect(page.locator("[data-merge-history]")).to_contain_text("Đã hoàn tác")
