"""Issue 17, item 23, beyond the menu: the detail pages officers open from it (a district's plan, a target's
list and quotas, the dashboard of a district and of a quarter, indicator pages, a support case with each of
its tabs, report entry and a report to approve) fit a 390 px phone for the roles who open them: no sideways
scrolling, no server error, nothing refused (each page is really looked at)."""

from __future__ import annotations

import pytest

from lanhmanh.org.models import User
from lanhmanh.plans.models import Plan, Target
from lanhmanh.reporting import services as reporting
from lanhmanh.reporting.models import ReportForm, Submission
from lanhmanh.support.selectors import cases_visible, referrals_received

from .conftest import sign_in
from .test_every_page import CODE_RE, PHONE, sideways

pytestmark = pytest.mark.browser

WARD = "01.002.00079"  # Tràng Tiền, where the ward's demo logins work


def detail_pages() -> dict[str, list[str]]:
    """Role → the detail pages it opens, found in the demo."""
    plan = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)
    district_plan = Plan.objects.filter(parent=plan, scope_unit__path="01.002").first() or (
        Plan.objects.filter(parent=plan).order_by("pk").first()
    )
    listed = Target.objects.filter(plan=plan, items__isnull=False).order_by("code").first()
    canboxa = User.objects.get(username="canboxa")
    social_worker = User.objects.get(username="congtacxahoi")
    case = cases_visible(canboxa).order_by("pk").first()
    worker_case = cases_visible(social_worker).order_by("pk").first()
    referral = next(
        (
            (name, r)
            for name in ("congtacxahoi", "yte", "canboxa")
            for r in referrals_received(User.objects.get(username=name)).order_by("pk")[:1]
        ),
        None,
    )
    entry = reporting.submission_open(
        actor=canboxa, form=ReportForm.objects.get(code="xa-thang"), period_id="201410"
    )
    section = entry.form.sections.order_by("order").first()
    sent = (
        Submission.objects.filter(unit_path__startswith="01.002.", status="submitted").order_by("pk").first()
    )
    indicators = [
        "/chi-so/people.sellers_sanctioned/?unit=01",
        "/chi-so/support.cases_opened/?unit=01&ky=2014Q2",
    ]
    pages = {
        "dieuphoi": [
            f"/ke-hoach/{plan.pk}/?ky=2014Q2",
            f"/ke-hoach/{plan.pk}/?unit=01.002",
            f"/ke-hoach/{plan.pk}/ke-hoach-don-vi/",
            f"/ke-hoach/{plan.pk}/chi-tieu/",
            f"/ke-hoach/{plan.pk}/nhiem-vu/",
            f"/ke-hoach/{plan.pk}/noi-dung/",
            f"/ke-hoach/{plan.pk}/kinh-phi/",
            *indicators,
        ],
        "phonglaodong": [
            f"/ke-hoach/{plan.pk}/?unit=01.002&ky=201410",
            "/chi-so/people.sellers_sanctioned/?unit=01.002",
        ],
        "canboxa": [f"/bao-cao/{entry.pk}/", f"/chi-so/support.cases_opened/?unit={WARD}"],
        "congtacxahoi": [],
        "congan": ["/chi-so/people.sellers_sanctioned/?unit=01.002"],
        "vanhoa": ["/chi-so/people.sellers_sanctioned/?unit=01"],
    }
    if district_plan is not None:
        pages["dieuphoi"].append(f"/ke-hoach/ke-hoach-don-vi/{district_plan.pk}/")
        pages["phonglaodong"].append(f"/ke-hoach/ke-hoach-don-vi/{district_plan.pk}/")
    if listed is not None:
        pages["dieuphoi"] += [
            f"/ke-hoach/chi-tieu/{listed.pk}/danh-sach/",
            f"/ke-hoach/chi-tieu/{listed.pk}/giao/",
        ]
    if section is not None:
        pages["canboxa"].append(f"/bao-cao/{entry.pk}/muc/{section.code}/")
    if sent is not None:
        pages["phonglaodong"].append(f"/bao-cao/{sent.pk}/")
    if case is not None:
        pages["canboxa"].append(f"/ho-tro/ho-so/{case.pk}/")
    if worker_case is not None:
        pages["congtacxahoi"].append(f"/ho-tro/ho-so/{worker_case.pk}/")
    if referral is not None:
        name, received = referral
        pages.setdefault(name, []).append(f"/ho-tro/chuyen-gui/{received.pk}/")
    return pages


ENTRY_CHECK = """() => {
  const out = [];
  for (const input of document.querySelectorAll('input[inputmode=numeric]')) {
    if (!input.offsetParent) continue;
    input.value = '1.500.000.000';  // a large fine, as an officer types it
    if (input.scrollWidth > input.clientWidth + 1) out.push('value cut in #' + input.id);
  }
  for (const label of document.querySelectorAll('.form-check-label')) {
    if (!label.offsetParent || !/Xác nhận số liệu lớn/.test(label.innerText)) continue;
    const line = parseFloat(getComputedStyle(label).lineHeight) || 20;
    if (label.getBoundingClientRect().height > line * 1.5) out.push('confirm wraps: ' + label.htmlFor);
  }
  return out;
}"""


def entry_problems(page) -> list[str]:
    return page.evaluate(ENTRY_CHECK)


def test_detail_pages_fit_a_phone_for_the_roles_who_open_them(browser, demo, live_url):
    pages = detail_pages()
    assert all(pages.values()), pages  # the demo has every kind of page looked at
    assert any("/ho-tro/ho-so/" in path for path in pages["congtacxahoi"]), "the demo has a case in the ward"
    assert any("/ke-hoach/ke-hoach-don-vi/" in path for path in pages["dieuphoi"]), "a district plan"
    assert any("/danh-sach/" in path for path in pages["dieuphoi"]), "a target with a list"
    problems: list[str] = []
    tabs_seen = 0
    for username, paths in pages.items():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport=PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            sign_in(page, live_url(""), username)
            for path in paths:
                response = page.goto(live_url(path))
                where = f"{username} {path}"
                if response is None or response.status >= 400:
                    problems.append(f"{where}: {response and response.status}")
                    continue
                if page.locator("[data-purpose-form], form [name=purpose]").count():
                    problems.append(f"{where}: asks a purpose first (choose a page that does not)")
                wide = sideways(page)
                if wide:
                    problems.append(f"{where}: {wide}")
                found = sorted({m.group() for m in CODE_RE.finditer(page.locator("main").inner_text())})
                if found:
                    problems.append(f"{where}: codes shown {found}")
                if "/muc/" in path:  # report entry: whole values in the number boxes, the confirm on one line
                    problems += [f"{where}: {p}" for p in entry_problems(page)]
                tabs = page.locator("[role=tab]")
                for i in range(tabs.count()):  # every tab of a tabbed page (the case page)
                    tabs.nth(i).click()
                    tabs_seen += 1
                    wide = sideways(page)
                    if wide:
                        problems.append(f"{where} tab {tabs.nth(i).inner_text()}: {wide}")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
    assert tabs_seen >= 6, "the case page's tabs were each looked at"
