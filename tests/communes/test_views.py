"""Pages of the communes app: who sees what (404 outside), forms with Vietnamese errors, downloads."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from lanhmanh.communes.models import Answer, AssessmentStatus, CriterionItem
from tests.conftest import TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def _url(a, step=""):
    return f"/xa-lanh-manh/phieu/{a.pk}/{step}"


@pytest.mark.parametrize("persona", ["commune_officer", "district_officer", "coordinator"])
def test_the_commune_its_district_and_the_city_open_the_assessment(request, client_for, draft, persona):
    response = client_for(request.getfixturevalue(persona)).get(_url(draft))
    assert response.status_code == 200
    assert "Phiếu đánh giá Phường Tràng Tiền năm 2014" in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["other_commune_officer", "other_district_officer", "police", "social_worker", "court_clerk", "sysadmin"],
)
def test_everybody_else_gets_404(request, client_for, draft, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_url(draft)).status_code == 404
    assert client.get(f"/xa-lanh-manh/xa/{draft.unit_id}/").status_code == 404


@pytest.mark.parametrize("persona", ["police", "social_worker", "court_clerk", "sysadmin", "licensing"])
def test_the_list_pages_are_404_for_roles_without_assessments(request, client_for, template, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        "/xa-lanh-manh/",
        "/xa-lanh-manh/chuyen-hoa/",
        "/xa-lanh-manh/mo-hinh/",
        "/xa-lanh-manh/bo-tieu-chi/",
        "/xa-lanh-manh/ban-do/",
        "/xa-lanh-manh/bieu-thong-ke.docx",
    ):
        assert client.get(url).status_code == 404, url


def test_the_commune_officer_sees_the_form_with_proposals(client_for, commune_officer, draft):
    page = client_for(commune_officer).get(_url(draft)).content.decode()
    assert 'name="score_' in page
    assert "Đề xuất từ dữ liệu" in page
    assert "/chi-so/people.sellers_sanctioned/?unit=01.002.00079&amp;period=2014" in page
    assert "/chi-so/enforcement.hotspots_active/?unit=01.002.00079&amp;period=2014" in page


def test_a_score_above_the_points_comes_back_with_the_message_and_nothing_saved(
    client_for, commune_officer, draft, items
):
    response = client_for(commune_officer).post(
        _url(draft, "tu-cham/"), {f"score_{items['1.1'].pk}": "20", "action": "save"}
    )
    assert response.status_code == 400
    assert "Tiêu chí 1.1: điểm 20 vượt quá điểm tối đa 15." in response.content.decode()
    assert not Answer.objects.filter(assessment=draft, self_score__isnull=False).exists()


def test_the_commune_saves_scores_with_evidence_and_submits(client_for, commune_officer, draft, items):
    data = {"action": "submit", "summary": "Địa bàn ổn định"}
    for code, item in items.items():
        data[f"score_{item.pk}"] = str(item.points)
        data[f"evidence_{item.pk}"] = f"Biên bản {code}"
    data[f"links_{items['1.3'].pk}"] = "/chi-so/people.sellers_sanctioned/?unit=01.002.00079&period=2014"
    response = client_for(commune_officer).post(_url(draft, "tu-cham/"), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.self_score, draft.summary) == (
        AssessmentStatus.SUBMITTED,
        Decimal("100"),
        "Địa bàn ổn định",
    )
    answer = Answer.objects.get(assessment=draft, item=items["1.3"])
    assert answer.evidence == "Biên bản 1.3"
    assert answer.links.startswith("/chi-so/")


def test_an_over_long_evidence_is_an_error_naming_the_field(client_for, commune_officer, draft, items):
    response = client_for(commune_officer).post(
        _url(draft, "tu-cham/"), {f"evidence_{items['1.1'].pk}": "x" * 4001, "action": "save"}
    )
    assert response.status_code == 400
    assert "Minh chứng tiêu chí 1.1" in response.content.decode()


def test_the_district_changing_a_score_without_reason_sees_the_message(
    client_for, district_officer, submitted, items
):
    response = client_for(district_officer).post(
        _url(submitted, "phuc-tra/"), {f"score_{items['1.3'].pk}": "0"}
    )
    assert response.status_code == 400
    assert "Tiêu chí 1.3: huyện thay đổi điểm thì phải ghi lý do." in response.content.decode()


def test_the_district_lowers_a_score_and_the_change_shows(
    client_for, district_officer, coordinator, submitted, items
):
    client = client_for(district_officer)
    response = client.post(
        _url(submitted, "phuc-tra/"),
        {f"score_{items['2.2'].pk}": "5", f"reason_{items['2.2'].pk}": "Chỉ có 1 buổi tuyên truyền."},
    )
    assert response.status_code == 302
    page = client_for(coordinator).get(_url(submitted)).content.decode()
    assert (
        "Tiêu chí 2.2: 10,0 → 5,0 (Chỉ có 1 buổi tuyên truyền.)" in page
        or "Tiêu chí 2.2: 10.0 → 5.0 (Chỉ có 1 buổi tuyên truyền.)" in page
    )
    history = client_for(coordinator).get(f"/xa-lanh-manh/xa/{submitted.unit_id}/").content.decode()
    assert "Chỉ có 1 buổi tuyên truyền." in history


def test_the_city_approves_and_reopening_without_reason_is_refused(client_for, coordinator, reviewed):
    client = client_for(coordinator)
    assert client.post(_url(reviewed, "duyet/")).status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.status == AssessmentStatus.APPROVED
    response = client.post(_url(reviewed, "mo-lai/"), {"reason": ""})
    assert response.status_code == 400
    assert "This field is required" not in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == AssessmentStatus.APPROVED


def test_the_district_cannot_approve(client_for, district_officer, reviewed):
    assert client_for(district_officer).post(_url(reviewed, "duyet/")).status_code == 404
    reviewed.refresh_from_db()
    assert reviewed.status == AssessmentStatus.REVIEWED


def test_the_commune_officer_opens_this_years_assessment_from_the_list(client_for, commune_officer, template):
    client = client_for(commune_officer)
    page = client.get("/xa-lanh-manh/?year=2014").content.decode()
    assert "Lập phiếu tự đánh giá" in page
    response = client.post("/xa-lanh-manh/lap-phieu/", {"unit": unit(TRANG_TIEN).pk, "year": "2014"})
    assert response.status_code == 302
    second = client.post(
        "/xa-lanh-manh/lap-phieu/", {"unit": unit(TRANG_TIEN).pk, "year": "2014"}, follow=True
    )
    assert "Phường Tràng Tiền đã có phiếu đánh giá năm 2014 theo bộ tiêu chí này." in second.content.decode()


def test_a_commune_officer_cannot_open_another_commune(client_for, other_commune_officer, template):
    response = client_for(other_commune_officer).post(
        "/xa-lanh-manh/lap-phieu/", {"unit": unit(TRANG_TIEN).pk, "year": "2014"}
    )
    assert response.status_code == 404


def test_the_coordinator_corrects_an_item_and_marks_it_verified(client_for, coordinator, items):
    item = items["1.1"]
    response = client_for(coordinator).post(
        f"/xa-lanh-manh/tieu-chi/{item.pk}/sua/",
        {
            "text": item.text,
            "points": "20",
            "mandatory": "on",
            "source": "NQLT 01/2008, Phụ lục, mục I.1",
            "verified": "on",
            "indicator_code": item.indicator_code,
            "rule": item.rule,
            "threshold": "",
        },
    )
    assert response.status_code == 302
    item = CriterionItem.objects.get(pk=item.pk)
    assert (item.points, item.verified, item.source) == (
        Decimal("20"),
        True,
        "NQLT 01/2008, Phụ lục, mục I.1",
    )


def test_a_zero_point_item_is_refused(client_for, coordinator, items):
    item = items["1.1"]
    response = client_for(coordinator).post(
        f"/xa-lanh-manh/tieu-chi/{item.pk}/sua/",
        {"text": item.text, "points": "0", "source": "x", "rule": "", "indicator_code": "", "threshold": ""},
    )
    assert response.status_code == 400
    assert CriterionItem.objects.get(pk=item.pk).points == Decimal("15")


def test_the_district_cannot_edit_templates(client_for, district_officer, items):
    assert (
        client_for(district_officer).get(f"/xa-lanh-manh/tieu-chi/{items['1.1'].pk}/sua/").status_code == 404
    )


def test_the_statistics_form_downloads_as_word_a4_with_decree_30_margins(client_for, coordinator, approved):
    from docx import Document

    response = client_for(coordinator).get("/xa-lanh-manh/bieu-thong-ke.docx?year=2014")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # landscape table
    margins = [
        round(m.mm)
        for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [20, 20, 30, 15]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BIỂU THỐNG KÊ" in text
    rows = [[c.text for c in r.cells] for r in doc.tables[1].rows]
    hoan_kiem = next(r for r in rows if r[1] == "Quận Hoàn Kiếm")
    assert hoan_kiem[4] == "1"


def test_the_district_statistics_form_lists_its_communes_in_excel(client_for, district_officer, approved):
    from openpyxl import load_workbook

    response = client_for(district_officer).get("/xa-lanh-manh/bieu-thong-ke.xlsx?year=2014")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    trang_tien = next(r for r in rows if r[1] == "Phường Tràng Tiền")
    assert trang_tien[3] == "Lành mạnh, không có tệ nạn mại dâm"
    assert trang_tien[2] == 95.0


def test_a_district_cannot_download_the_citys_form(client_for, district_officer, approved):
    assert (
        client_for(district_officer).get("/xa-lanh-manh/bieu-thong-ke.docx?year=2014&unit=01").status_code
        == 404
    )


def test_the_coordinator_designates_a_model_commune_and_a_bad_date_is_refused(
    client_for, coordinator, template
):
    from lanhmanh.plans.plan_2014 import load_plan_2014

    load_plan_2014()
    client = client_for(coordinator)
    ward = unit(TRANG_TIEN)
    bad = client.post("/xa-lanh-manh/mo-hinh/", {"unit": ward.pk, "designated_on": "32/13/2014"})
    assert bad.status_code == 400
    assert "Ngày không hợp lệ" in bad.content.decode()
    ok = client.post(
        "/xa-lanh-manh/mo-hinh/", {"unit": ward.pk, "designated_on": "15/01/2014", "decision": "QĐ 1"}
    )
    assert ok.status_code == 302
    page = client.get("/xa-lanh-manh/mo-hinh/").content.decode()
    assert "1 xã được chỉ định; 1 xã duy trì mô hình đến cuối năm 2014" in page


def test_the_home_page_shows_the_assessments_waiting_for_the_users_step(
    client_for, district_officer, submitted
):
    page = client_for(district_officer).get("/").content.decode()
    assert "Đánh giá xã lành mạnh" in page
    assert "Phường Tràng Tiền – 2014" in page


def test_the_map_shows_the_share_per_district_with_its_table(client_for, coordinator, approved):
    import json
    import re

    page = client_for(coordinator).get("/xa-lanh-manh/ban-do/?year=2014").content.decode()
    config = json.loads(
        re.search(r'id="healthy-communes-map-config"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    regions = {r["code"]: r["value"] for r in config["regions"]}
    hoan_kiem_wards = 18
    assert regions["002"] == round(100 / hoan_kiem_wards, 1)
    assert regions["017"] is None  # Đông Anh: nothing approved yet
    assert 'data-district="002"' in page


def test_a_model_commune_gets_activities_an_evaluation_and_an_end(
    client_for, coordinator, district_officer, template
):
    import datetime as dt

    from lanhmanh.communes import services
    from lanhmanh.org.models import Agency
    from lanhmanh.plans.plan_2014 import load_plan_2014
    from lanhmanh.plans.services import activity_create

    plan = load_plan_2014()
    mc = services.model_commune_designate(
        actor=coordinator, plan=plan, unit=unit(TRANG_TIEN), designated_on=dt.date(2014, 1, 15)
    )
    activity = activity_create(
        actor=coordinator,
        plan=plan,
        kind="club-meeting",
        title="Sinh hoạt câu lạc bộ phụ nữ",
        held_on=dt.date(2014, 4, 2),
        unit=unit(TRANG_TIEN),
        organiser=Agency.objects.get(code="01-002-00079-social"),
    )
    district = client_for(district_officer)
    url = f"/xa-lanh-manh/mo-hinh/{mc.pk}/"
    assert district.post(url, {"action": "activities", "activities": [activity.pk]}).status_code == 302
    assert list(mc.activities.all()) == [activity]
    assert (
        district.post(url, {"action": "evaluation", "year": "2014", "kept": "1", "note": "Tốt"}).status_code
        == 302
    )
    again = district.post(url, {"action": "evaluation", "year": "2014", "kept": "0"})
    assert again.status_code == 400
    assert "Mô hình tại Phường Tràng Tiền đã được đánh giá năm 2014." in again.content.decode()
    assert district.post(url, {"action": "end", "ended_on": "2014-10-01", "reason": "x"}).status_code == 400
    city = client_for(coordinator)
    early = city.post(url, {"action": "end", "ended_on": "2013-12-01", "reason": "Sáp nhập"})
    assert "Ngày thôi phải bằng hoặc sau ngày chỉ định." in early.content.decode()
    assert (
        city.post(url, {"action": "end", "ended_on": "2014-10-01", "reason": "Sáp nhập"}).status_code == 302
    )
    mc.refresh_from_db()
    assert mc.ended_on == dt.date(2014, 10, 1)
