"""Browser test of the duplicate review: queue, explanation, "same person", merged history, unmerge, refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.linkage import selectors
from lanhmanh.linkage.models import Merge
from lanhmanh.linkage.services import pair_queue, score_persons
from lanhmanh.org.models import AdministrativeUnit, Agency, User
from lanhmanh.people.models import EventRole, LegalAct, Person, Violation

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"


def _person(name: str, born: dt.date | None, year: int) -> Person:
    person = Person(
        full_name=name,
        birth_date=born,
        birth_year=year,
        sex="female",
        permanent_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
    )
    person.save()
    return person


@pytest.fixture
def uncertain_pair(demo):
    """Two records of one woman in Tràng Tiền, scored and queued for review, with each side's violations."""
    first = _person("Trần Thị Mai", dt.date(1985, 6, 7), 1985)
    second = _person("Tran Mai", None, 1985)
    Violation.objects.create(
        person=second,
        occurred_at=timezone.make_aware(dt.datetime(2014, 6, 1, 21)),
        place_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role=EventRole.SELLER,
        recording_agency=Agency.objects.filter(unit__path__startswith="01.002").first(),
    )
    # The two records scored by the engine and queued as a batch run would (thresholds aside).
    [scored] = score_persons([first, second])
    pair, created = pair_queue(scored=scored)
    assert created
    reviewer = User.objects.get(username="phonglaodong")
    assert list(selectors.pairs_for_review(reviewer)) == [pair]
    violations_a = set(pair.person_a.violations.values_list("pk", flat=True))
    violations_b = set(pair.person_b.violations.values_list("pk", flat=True))
    return pair, violations_a, violations_b


def test_reviewer_marks_a_pair_the_same_person_then_unmerges(page, live_url, login_as, uncertain_pair):
    pair, violations_a, violations_b = uncertain_pair
    a, b = pair.person_a, pair.person_b
    login_as(page, "phonglaodong")
    page.goto(live_url("/ho-so-trung/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ nghi trùng chờ xem xét")
    # The queue lists candidate clusters (issue #19); a single pair keeps its own page.
    expect(page.get_by_role("link", name=f"Cụm #{pair.pk}", exact=True)).to_be_visible()
    page.goto(live_url(f"/ho-so-trung/cap/{pair.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cặp hồ sơ #{pair.pk}: mục đích xem")
    # Nothing is preselected: a click without choosing shows no identity and asks for the purpose.
    purpose = page.get_by_label("Mục đích xem thông tin nhân thân")
    expect(purpose).to_have_value("")
    page.get_by_role("button", name="Xem cặp hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cặp hồ sơ #{pair.pk}: mục đích xem")
    expect(page.locator("[data-person]")).to_have_count(0)
    page.get_by_label("Mục đích xem thông tin nhân thân").select_option("linkage")
    page.get_by_role("button", name="Xem cặp hồ sơ").click()
    expect(page.locator("[data-person]")).to_have_count(2)
    expect(page.locator("[data-person]").first).to_contain_text(a.full_name)
    expect(page.locator("[data-person]").last).to_contain_text(b.full_name)
    explanation = page.locator("[data-explanation] tbody tr")
    expect(explanation).to_have_count(6)
    expect(explanation.first).to_contain_text("Họ và tên")
    expect(explanation.nth(1)).to_contain_text("Ngày sinh")
    page.get_by_label("Cùng một người").check()
    page.get_by_role("button", name="Ghi kết luận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ #{a.pk}: lịch sử hợp nhất")
    history = page.locator("[data-merge-history]")
    expect(history).to_contain_text(f"Hồ sơ #{b.pk} hợp nhất vào hồ sơ #{a.pk}")
    expect(history).to_contain_text("Đang hiệu lực")
    assert set(a.violations.values_list("pk", flat=True)) == violations_a | violations_b
    expect(page.get_by_text(f"{len(violations_a | violations_b)} vi phạm")).to_be_visible()

    page.goto(live_url(f"/ho-so-trung/nguoi/{b.pk}/"))  # the former id still resolves
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ #{a.pk}: lịch sử hợp nhất")

    page.get_by_role("button", name="Hoàn tác hợp nhất").click()
    expect(page.get_by_text("Đã hoàn tác hợp nhất: hai hồ sơ đã tách lại như trước.")).to_be_visible()
    expect(page.locator("[data-merge-history]")).to_contain_text("Đã hoàn tác")
    assert set(a.violations.values_list("pk", flat=True)) == violations_a
    assert set(b.violations.values_list("pk", flat=True)) == violations_b
    assert Merge.objects.get(pair=pair).undone_at is not None


def test_a_user_without_identity_rights_cannot_open_the_queue(page, live_url, login_as, uncertain_pair):
    pair, _, _ = uncertain_pair
    login_as(page, "capphep")
    assert page.goto(live_url("/ho-so-trung/")).status == 404
    assert page.goto(live_url(f"/ho-so-trung/cap/{pair.pk}/")).status == 404
    assert page.goto(live_url(f"/ho-so-trung/cum/{pair.pk}/")).status == 404
    expect(page.get_by_text(pair.person_a.full_name)).to_have_count(0)
