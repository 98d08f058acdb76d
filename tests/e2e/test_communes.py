"""The yearly healthy-commune assessment in a browser: the ward scores itself with the proposals and
their records, the district lowers one score with a reason, the city approves, T10 moves on the
dashboard and on the map, the change shows in the ward's history, and another district's commune is 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.communes.models import Assessment, CriterionItem
from lanhmanh.plans.models import Plan

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def second_page(browser):
    contexts = []

    def build():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


def _t10(page, live_url, plan) -> str:
    page.goto(live_url(f"/ke-hoach/{plan.pk}/"))
    return page.locator('tr[data-target="T10"] td').nth(3).inner_text().strip()


def test_a_ward_is_assessed_reviewed_approved_and_t10_moves(page, login_as, live_url, second_page):
    plan = Plan.objects.get(year=2014, parent__isnull=True)
    assessment = Assessment.objects.get(unit__path="01.002.00079", year=2014)
    items = {i.code: i for i in CriterionItem.objects.filter(group__template=assessment.template)}

    # The city's dashboard and map before.
    city = second_page()
    login_as(city, "dieuphoi")
    t10_before = int(_t10(city, live_url, plan).replace(".", ""))
    city.goto(live_url("/xa-lanh-manh/ban-do/?year=2014"))
    hoan_kiem_before = int(city.locator('tr[data-district="002"] td').nth(1).inner_text())
    expect(city.locator("#healthy-communes-map canvas")).to_have_count(1)

    # The ward officer opens this year's assessment and sees the proposals with their records.
    login_as(page, "canboxa", next_path="/xa-lanh-manh/")
    expect(page.locator("h1")).to_have_text("Đánh giá xã, phường, thị trấn lành mạnh năm 2014")
    page.get_by_role("link", name="Mở phiếu đánh giá").click()
    expect(page.locator("h1")).to_have_text("Phiếu đánh giá Phường Tràng Tiền năm 2014")
    sellers = page.get_by_test_id("proposal-1.3")
    expect(sellers).to_contain_text("Số lượt người bán dâm")
    expect(sellers.get_by_role("link", name="Xem hồ sơ, số liệu")).to_have_attribute(
        "href", "/chi-so/people.sellers_sanctioned/?unit=01.002.00079&period=2014"
    )
    expect(
        page.get_by_test_id("proposal-1.1").get_by_role("link", name="Xem hồ sơ, số liệu")
    ).to_have_attribute("href", "/chi-so/enforcement.hotspots_active/?unit=01.002.00079&period=2014")
    # Evidence files through the upload service: a web page renamed .pdf is refused in Vietnamese, the
    # minutes (a real PDF) attach to item 1.1 and are listed there with a download link.
    form = page.get_by_test_id("file-form")
    form.locator("input[type=file]").set_input_files(
        {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"<html><script>x()</script>"}
    )
    form.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_test_id("file-errors")).to_contain_text("không thuộc loại được phép")
    form = page.get_by_test_id("file-form")
    form.locator("input[type=file]").set_input_files(
        {"name": "bien-ban-kiem-tra.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_label("Minh chứng cho").select_option(str(items["1.1"].pk))
    form.get_by_label("Mô tả tệp").fill("Biên bản kiểm tra ngày 10/12/2014")
    form.get_by_role("button", name="Tải lên").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Đã tải lên tệp minh chứng “bien-ban-kiem-tra.pdf”."
    )
    minutes = page.get_by_test_id("files-1.1").get_by_role("link", name="bien-ban-kiem-tra.pdf")
    expect(minutes).to_have_attribute("href", re.compile(r"^/tep/[0-9a-f-]{36}/$"))
    for item in items.values():
        page.fill(f"#id_score_{item.pk}", str(item.points).replace(".0", ""))
    page.fill(f"#id_evidence_{items['1.1'].pk}", "Biên bản kiểm tra của Công an phường ngày 10/12/2014")
    page.fill(f"#id_links_{items['2.2'].pk}", "/chi-so/plans.activities_held/?unit=01.002.00079&period=2014")
    page.get_by_role("button", name="Lưu và gửi huyện phúc tra").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi phiếu tự đánh giá lên huyện phúc tra.")
    expect(page.get_by_test_id("status")).to_have_text("Đã gửi, chờ huyện phúc tra")

    # The district lowers one score; without a reason first, then with one.
    district = second_page()
    login_as(district, "phonglaodong", next_path=f"/xa-lanh-manh/phieu/{assessment.pk}/")
    district.fill(f"#id_score_{items['2.3'].pk}", "2,5")
    district.get_by_role("button", name="Hoàn thành phúc tra, chuyển thành phố duyệt").click()
    expect(district.get_by_test_id("errors")).to_contain_text(
        "Tiêu chí 2.3: huyện thay đổi điểm thì phải ghi lý do."
    )
    district.fill(f"#id_score_{items['2.3'].pk}", "2,5")
    district.fill(f"#id_reason_{items['2.3'].pk}", "Đội 178 phường chỉ kiểm tra 2 lần trong năm.")
    district.get_by_role("button", name="Hoàn thành phúc tra, chuyển thành phố duyệt").click()
    expect(district.get_by_test_id("status")).to_have_text("Huyện đã phúc tra, chờ thành phố duyệt")
    expect(district.get_by_test_id("district-2.3")).to_contain_text(re.compile(r"5[,.]0 → 2[,.]5"))
    # A commune of another district is 404 for the district.
    other = Assessment.objects.filter(unit__path__startswith="01.017.", year=2014).first()
    response = district.goto(live_url(f"/xa-lanh-manh/phieu/{other.pk}/"))
    assert response.status == 404

    # The city approves: T10 moves on the dashboard and on the map.
    city.goto(live_url(f"/xa-lanh-manh/phieu/{assessment.pk}/"))
    city.get_by_role("button", name="Duyệt kết quả").click()
    expect(city.get_by_test_id("status")).to_have_text("Thành phố đã duyệt (đã khoá)")
    expect(city.get_by_test_id("class")).to_have_text("Lành mạnh, không có tệ nạn mại dâm")
    # The approved assessment's files are locked with it: listed, no upload form.
    expect(city.get_by_test_id("files-1.1")).to_contain_text("bien-ban-kiem-tra.pdf")
    expect(city.get_by_test_id("files-locked")).to_be_visible()
    expect(city.get_by_test_id("file-form")).to_have_count(0)
    assert int(_t10(city, live_url, plan).replace(".", "")) == t10_before + 1
    city.goto(live_url("/xa-lanh-manh/ban-do/?year=2014"))
    expect(city.locator('tr[data-district="002"] td').nth(1)).to_have_text(str(hoan_kiem_before + 1))

    # The ward's history shows the transformation and the district's change with its reason.
    page.goto(live_url(f"/xa-lanh-manh/xa/{assessment.unit_id}/"))
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Chuyển hóa thành lành mạnh")
    expect(history).to_contain_text("Đội 178 phường chỉ kiểm tra 2 lần trong năm.")
