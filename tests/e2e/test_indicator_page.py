"""Indicator pages (issue 17, item 22): the coordinator sees the indicator over time as a chart, the monthly
figures beside it, and downloads the page as an Excel workbook whose numbers are numbers."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CODE = "people.sellers_sanctioned"


def test_the_coordinator_sees_an_indicator_over_time_and_downloads_it_as_excel(
    page, live_url, login_as, tmp_path
):
    login_as(page, "dieuphoi")
    page.goto(live_url(f"/chi-so/{CODE}/?ky=2014"))
    expect(page.locator("h1[data-indicator]")).to_have_attribute("data-indicator", CODE)
    chart = page.locator("[data-chart][data-source=indicator-chart]")
    expect(chart).to_have_count(1)
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-source=indicator-chart]');"
        " return el.hasAttribute('data-chart-empty') || !!el.querySelector('canvas, svg'); }"
    )
    # The page has figures for some months: the chart is drawn, not "chưa có số liệu".
    months = page.locator("tr[data-month]")
    month_values = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text() for row in months.all()
    }
    assert len(month_values) == 12, month_values
    figures = {label: text for label, text in month_values.items() if text.replace(".", "").isdigit()}
    assert any(int(text.replace(".", "")) > 0 for text in figures.values()), month_values
    assert chart.locator("canvas, svg").count() >= 1
    expect(chart).not_to_have_attribute("data-chart-empty", "")
    expect(chart).not_to_contain_text("Chưa có số liệu")
    drawn = page.evaluate(
        "() => { const c = window.echarts.getInstanceByDom(document.querySelector('[data-source=indicator-chart]'));"
        " return c.getOption().series[0].data.filter((v) => v !== null && v !== '-' && Number(v) > 0).length; }"
    )
    assert drawn >= 1
    total_on_page = page.locator("[data-total]").inner_text()

    with page.expect_download() as info:
        page.locator("[data-indicator-xlsx]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "2014" in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    book = load_workbook(saved)
    assert book.sheetnames[0] == "Tổng"
    summary = book["Tổng"]
    assert summary["A1"].value == page.locator("h1[data-indicator]").inner_text().strip()
    assert summary["A3"].value == "Tổng"
    if total_on_page.replace(".", "").isdigit():
        assert isinstance(summary["B3"].value, (int, float))
        assert f"{int(summary['B3'].value):,}".replace(",", ".") == total_on_page
    by_month = book["Theo tháng"]
    assert [by_month["A1"].value, by_month["B1"].value] == ["Tháng", "Giá trị"]
    rows = {row[0]: row[1] for row in by_month.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == list(month_values)
    for label, text in figures.items():
        assert isinstance(rows[label], (int, float)), (label, rows[label])
        assert f"{int(rows[label]):,}".replace(",", ".") == text
    assert any(isinstance(v, (int, float)) and v > 0 for v in rows.values())
