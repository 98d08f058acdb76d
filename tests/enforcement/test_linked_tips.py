"""Tips linked to an establishment, an inspection or a criminal case, listed on that record's page
(``selectors.tips_linked``): for intake officers who may read those tips, never with the sender's contact;
no section at all for the roles that may not read tips."""

from __future__ import annotations

import pytest
from django.test import Client

from lanhmanh.core.models import AccessRecord
from lanhmanh.enforcement import links, selectors, services
from lanhmanh.enforcement.models import TipLink
from tests.conftest import DONG_ANH, TRANG_TIEN, unit

pytestmark = pytest.mark.django_db
CONTACT = "0912345678"


@pytest.fixture(autouse=True)
def _one_factor(settings):
    settings.REQUIRE_2FA = False


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tip(db):
    tip, _code = services.tip_submit(
        what="Quán karaoke có người mời chào khách.", unit=unit(TRANG_TIEN), contact=CONTACT
    )
    return tip


@pytest.fixture
def far_tip(db):
    """A Đông Anh tip (out of the Hoàn Kiếm police's reach)."""
    tip, _code = services.tip_submit(
        what="Có người lạ đưa đón khách.", unit=unit(f"{DONG_ANH}.00457"), contact="0987654321"
    )
    return tip


def linked(police, tip, kind, object_id):
    services.tip_link(actor=police, tip=tip, kind=kind, object_id=object_id)


def case_page(client, case) -> str:
    client.post(f"/vu-an/{case.pk}/", {"purpose": "investigation", "detail": ""})
    return client.get(f"/vu-an/{case.pk}/").content.decode()


def test_the_establishment_inspection_and_case_pages_list_their_tips_without_the_contact(
    police, tip, place, inspection, case
):
    linked(police, tip, links.ESTABLISHMENT, place.pk)
    linked(police, tip, links.INSPECTION, inspection.pk)
    linked(police, tip, links.CASE, case.pk)
    client = logged_in(police)
    pages = {
        "establishment": client.get(f"/co-so-kinh-doanh/{place.pk}/").content.decode(),
        "inspection": client.get(f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/").content.decode(),
        "case": case_page(client, case),
    }
    for name, page in pages.items():
        assert "data-linked-tips" in page, name
        assert f'data-linked-tip="{tip.pk}"' in page, name
        assert f'href="/tin-bao/tiep-nhan/{tip.pk}/"' in page, name
        assert "Trang tin báo trực tuyến · Đang xác minh" in page, name
        assert CONTACT not in page, name
        assert "Quán karaoke có người mời chào khách." not in page, name
    # No contact shown, so no read of the tip is logged (the case page logs its own identities).
    assert not AccessRecord.objects.filter(model__iendswith="tip", object_id=str(tip.pk)).exists()


def test_a_record_without_tips_says_so(police, place):
    page = logged_in(police).get(f"/co-so-kinh-doanh/{place.pk}/").content.decode()
    assert "Chưa có tin báo nào liên kết với hồ sơ này." in page


def test_roles_that_may_not_read_tips_get_no_section(
    police, tip, place, inspection, case, inspector, prosecutor
):
    linked(police, tip, links.ESTABLISHMENT, place.pk)
    linked(police, tip, links.INSPECTION, inspection.pk)
    linked(police, tip, links.CASE, case.pk)
    # The inspector (Team 178) reads the establishment and its inspections, the prosecutor the case: neither
    # reads tips.
    for page in (
        logged_in(inspector).get(f"/co-so-kinh-doanh/{place.pk}/"),
        logged_in(inspector).get(f"/co-so-kinh-doanh/cuoc-kiem-tra/{inspection.pk}/"),
    ):
        assert page.status_code == 200
        assert "data-linked-tips" not in page.content.decode()
        assert f"Tin báo #{tip.pk}" not in page.content.decode()
    page = case_page(logged_in(prosecutor), case)
    assert case.summary in page
    assert "data-linked-tips" not in page
    assert selectors.tips_linked(inspector, kind=links.ESTABLISHMENT, object_id=place.pk) is None
    assert selectors.tips_linked(prosecutor, kind=links.CASE, object_id=case.pk) is None


def test_only_the_tips_in_the_readers_reach_are_listed(police, coordinator, tip, far_tip, place):
    linked(police, tip, links.ESTABLISHMENT, place.pk)
    # A Đông Anh tip linked to the same bar (by an officer who could reach both): the Hoàn Kiếm police do
    # not read it, the city coordinator does.
    TipLink.objects.create(
        tip=far_tip, kind=links.ESTABLISHMENT, object_id=place.pk, label=place.name, linked_by=coordinator
    )
    assert selectors.tips_linked(police, kind=links.ESTABLISHMENT, object_id=place.pk) == [tip]
    assert set(selectors.tips_linked(coordinator, kind=links.ESTABLISHMENT, object_id=place.pk)) == {
        tip,
        far_tip,
    }
    page = logged_in(police).get(f"/co-so-kinh-doanh/{place.pk}/").content.decode()
    assert f'data-linked-tip="{tip.pk}"' in page
    assert f'data-linked-tip="{far_tip.pk}"' not in page
    # A link of another kind with the same number is not this record's.
    assert selectors.tips_linked(police, kind=links.INSPECTION, object_id=place.pk) == []
