"""Lists that work (issue 17, item 15), in the browser: the coordinator filters the task list, sorts it by
clicking a column, pages through it and the filter and order stay; an odd link still shows the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.plans.models import Task

pytestmark = pytest.mark.browser


def shown_due_dates(page) -> list:
    ids = [int(row.get_attribute("data-task")) for row in page.locator("tr[data-task]").all()]
    due = dict(Task.objects.filter(pk__in=ids).values_list("pk", "due_on"))
    return [due[pk] for pk in ids]


def test_the_coordinator_filters_sorts_and_pages_the_task_list(page, live_url, login_as):
    login_as(page, "dieuphoi")
    page.goto(live_url("/ke-hoach/cong-viec/"))
    expect(page.locator("[data-list-filters]")).to_be_visible()
    page.select_option("#id_state", "overdue")
    page.locator("[data-filter-submit]").click()
    expect(page).to_have_url(re.compile(r"state=overdue"))
    expect(page.locator("tr[data-task]").first).to_have_attribute("data-state", "overdue")
    expect(page.locator('tr[data-task]:not([data-state="overdue"])')).to_have_count(0)

    # Sort by due date: first click ascending, second descending; the filter stays.
    header = page.locator("th", has=page.get_by_role("link", name="Hạn", exact=True))
    header.get_by_role("link").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Hạn")
    page.locator("th[aria-sort=ascending] a").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Hạn")
    expect(page).to_have_url(re.compile(r"state=overdue&sap-xep=-han$"))
    first_page = shown_due_dates(page)
    assert first_page == sorted(first_page, reverse=True)

    pages = page.locator("[data-pagination]").first
    expect(pages).to_contain_text("Trang sau")
    pages.get_by_role("link", name="Trang sau").click()
    expect(page).to_have_url(re.compile(r"state=overdue&sap-xep=-han&trang=2$"))
    expect(page.locator("[data-list-count]").first).to_contain_text("trang 2/")
    expect(page.locator("#id_state")).to_have_value("overdue")
    second_page = shown_due_dates(page)
    assert second_page and max(second_page) <= min(first_page)
    expect(page.locator('tr[data-task]:not([data-state="overdue"])')).to_have_count(0)

    # A new filter keeps the order and starts again at page 1.
    page.fill("#id_q", "kiểm tra")
    page.locator("[data-filter-submit]").click()
    expect(page).to_have_url(re.compile(r"q=ki%E1%BB%83m\+tra.*sap-xep=-han"))
    assert "trang=" not in page.url
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Hạn")
    page.get_by_role("link", name="Xoá bộ lọc").click()
    expect(page.locator("#id_state")).to_have_value("")

    # A link with values that do not exist shows the default list, not an error.
    response = page.goto(live_url("/ke-hoach/cong-viec/?state=xyz&sap-xep=bogus&trang=-2"))
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Công việc của các cơ quan")
    expect(page.locator("tr[data-task]").first).to_be_visible()
