"""A coordinator starts a deduplication run at the precision they choose, reads what it merged and how
many merges may be wrong, sees the page fit a 390 px phone, opens the weakest automatic merge and undoes it
(issue #19 item 5: the run chooses its automatic-merge threshold for the precision asked)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.linkage.models import DedupRun, Merge

from .test_every_page import PHONE, sideways

pytestmark = pytest.mark.browser


def test_a_coordinator_runs_a_dedup_at_a_chosen_precision_and_undoes_a_doubtful_merge(
    page, live_url, login_as
):
    login_as(page, "dieuphoi", next_path="/ho-so-trung/ra-soat/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rà soát hồ sơ trùng")
    level = page.get_by_label("Độ chính xác tối thiểu của việc tự động hợp nhất")
    expect(level.locator("option:checked")).to_have_text("99,7 % — mặc định")
    level.select_option(label="99,8 %")
    page.get_by_role("button", name="Bắt đầu rà soát").click()  # the test's tasks run at once

    run = DedupRun.objects.get()
    expect(page).to_have_url(live_url(f"/ho-so-trung/ra-soat/{run.pk}/"))
    assert run.precision == 0.998 and 0.9 <= run.threshold < 0.995
    expect(page.locator("[data-run-results]")).to_contain_text(f"tự động hợp nhất {run.auto_merged}")
    estimate = page.locator("[data-run-estimate]")
    expect(estimate).to_contain_text("Độ chính xác yêu cầu khi tự động hợp nhất: 0,9980.")
    expect(estimate).to_contain_text(f"Khoảng {run.expected_wrong} cặp tự động hợp nhất có thể sai")

    check = page.locator("[data-merges-to-check]")
    expect(check.get_by_role("heading")).to_have_text("Hợp nhất tự động nên kiểm tra lại")
    weakest = Merge.objects.filter(run=run, probability__lt=0.995).order_by("probability", "pk").first()
    page.set_viewport_size(PHONE)  # the results and the list fit a 390 px phone
    assert sideways(page) == ""
    first_row = check.locator("tbody tr").first
    expect(first_row).to_contain_text(f"#{weakest.merged_id}")
    expect(first_row).to_contain_text(f"{weakest.probability:.3f}".replace(".", ","))
    first_row.get_by_role("link", name="Lịch sử hợp nhất").click()

    expect(page).to_have_url(live_url(f"/ho-so-trung/nguoi/{weakest.survivor_id}/"))
    row = page.locator(f"[data-merge='{weakest.pk}']")
    expect(row).to_contain_text(f"Hồ sơ #{weakest.merged_id} hợp nhất vào hồ sơ #{weakest.survivor_id}")
    expect(row).to_contain_text(re.compile(r"tự động \(xác suất trùng 0,9\d\d\)"))
    row.get_by_role("button", name="Hoàn tác hợp nhất").click()
    expect(page.get_by_text("Đã hoàn tác hợp nhất: hai hồ sơ đã tách lại như trước.")).to_be_visible()
    expect(page.locator(f"[data-merge='{weakest.pk}']")).to_contain_text("Đã hoàn tác")

    page.goto(live_url(f"/ho-so-trung/ra-soat/{run.pk}/"))  # the undone merge is off the list
    listed = page.locator("[data-merges-to-check] tbody tr td:first-child")
    expect(listed.first).to_be_visible()
    expect(listed.filter(has_text=re.compile(rf"^#{weakest.merged_id}$"))).to_have_count(0)
    assert not Merge.objects.filter(pk=weakest.pk, undone_at__isnull=True).exists()
