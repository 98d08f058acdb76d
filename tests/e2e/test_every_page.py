"""Every page of the menu, for every demo role, on a phone: no server error, no sideways scrolling,
no internal code shown where an officer reads Vietnamese (issue #17's guard)."""

from __future__ import annotations

import re

import pytest

from lanhmanh.core.navigation import items_for
from lanhmanh.demo.steps.org import ACCOUNTS
from lanhmanh.org.models import User

from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Codes and English words that once reached officers' screens (statuses, audit fields, model labels,
# data classes, indicator codes, admin groups). Matched as whole words in the page's visible text.
CODES = [
    "approved",
    "submitted",
    "draft",
    "decided at",
    "created by",
    "survivor",
    "linkage.candidatepair",
    "OTP_TOTP",
    "Task Results",
    r"people\.\w+",
    r"support\.\w+",
    r"reporting\.\w+",
    "identity/support",
]
CODE_RE = re.compile(r"(?<![\w./-])(" + "|".join(CODES) + r")(?![\w/-])", re.IGNORECASE)
# A whole number above 999 printed without Vietnamese grouping (1500000 where 1.500.000 is meant). Digits
# inside dates, codes and decimals are skipped (a neighbour that is a letter, digit or one of / . , : -), and so
# are years (1900-2100), numbers with a leading zero (telephone, ID numbers, unit codes) and record numbers
# written "#1234".
BARE_NUMBER_RE = re.compile(r"(?<![\w/.,:#-])[1-9]\d{3,}(?![\w/:-]|[.,]\d)")


def bare_numbers(text: str) -> list[str]:
    """Numbers above 999 shown without thousands separators, with a little context."""
    return sorted(
        {
            text[max(0, m.start() - 30) : m.end() + 10]
            for m in BARE_NUMBER_RE.finditer(text)
            if not (len(m.group()) == 4 and 1900 <= int(m.group()) <= 2100)
        }
    )


def sideways(page) -> str:
    """How far the page scrolls sideways and the first element that sticks out; "" when it fits."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide <= 1:
        return ""
    culprit = page.evaluate(
        """() => { const w = window.innerWidth; const el = [...document.querySelectorAll('body *')]
        .find((e) => e.getBoundingClientRect().right > w + 1 && getComputedStyle(e).position !== 'fixed');
        return el ? el.tagName + '.' + el.className : ''; }"""
    )
    return f"{wide}px wider than the phone ({culprit})"


def western_names() -> list[str]:
    """The demo officers' names given name first ("Minh Hồng Đặng"), which no page may show (item 10)."""
    return [
        f"{u.first_name} {u.last_name}"
        for u in User.objects.exclude(first_name="").exclude(last_name="")
        if f"{u.first_name} {u.last_name}" != f"{u.last_name} {u.first_name}"
    ]


def test_every_menu_page_works_on_a_phone_in_vietnamese_for_every_role(browser, demo, live_url):
    problems: list[str] = []
    reversed_names = western_names()
    assert reversed_names, "the demo's officers have family and given names"
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        paths = sorted({item.url() for item in items_for(user)})
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport=PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            sign_in(page, live_url(""), account.username)
            for path in ["/", *paths]:
                response = page.goto(live_url(path))
                where = f"{account.username} {path}"
                if response is None or response.status >= 500:
                    problems.append(f"{where}: {response and response.status}")
                    continue
                wide = sideways(page)
                if wide:
                    problems.append(f"{where}: {wide}")
                text = page.locator("main").inner_text()
                found = sorted({text[max(0, m.start() - 40) : m.end() + 20] for m in CODE_RE.finditer(text)})
                if found:
                    problems.append(f"{where}: codes shown {found}")
                western = [name for name in reversed_names if name in text]
                if western:
                    problems.append(f"{where}: names given name first {western}")
                numbers = bare_numbers(text)
                if numbers:
                    problems.append(f"{where}: numbers without 1.000 grouping {numbers}")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
