"""Opening and saving a section of a periodic report in a browser, as an officer does.

htmx swaps a section in after its response arrives; typing into the old section before the swap is lost (the
flaky month-end journeys of session 4). So the old heading is marked before the click, and the section counts
as open only when a heading without the mark, the new one, shows the title.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

SECTION_URL = re.compile(r"/bao-cao/\d+/muc/")


def open_section(page, title: str) -> None:
    page.evaluate("document.querySelector('#section h2')?.setAttribute('data-old', '')")
    with page.expect_response(SECTION_URL):
        page.get_by_role("link", name=title).click()
    expect(page.locator("#section h2:not([data-old])")).to_have_text(title)


def save_section(page, title: str, values: dict[str, str]) -> None:
    open_section(page, title)
    for code, value in values.items():
        page.fill(f"#id_{code}", value)
    page.evaluate("document.querySelectorAll('.alert-success').forEach(a => a.setAttribute('data-old', ''))")
    with page.expect_response(SECTION_URL):
        page.get_by_role("button", name="Lưu mục này").click()
    expect(page.locator(".alert-success:not([data-old])").first).to_contain_text(f"Đã lưu mục “{title}”.")
