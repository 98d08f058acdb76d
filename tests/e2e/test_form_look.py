"""Forms in the common look (issue 17, item 19) and long choices typed ahead without accents (item 14).

Every field of the activity, budget line, pair decision and "other period" forms is a Bootstrap control
(form-control, form-select, form-check-input) with a label (or a legend for a group of choices), and a
required field's label is marked "*" while an optional one's is not. The consent agencies and the legal act
are chosen by typing in Tom Select (vendored, offline), accents left out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.org.models import AdministrativeUnit, User
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct
from lanhmanh.plans.models import Plan
from lanhmanh.support.models import OutreachTask
from tests.e2e.conftest import sign_in
from tests.e2e.test_linkage import uncertain_pair  # noqa: F401 - a fixture, asked for by name below

pytestmark = pytest.mark.browser

TRANG_TIEN = "01.002.00079"

FIELDS = """(form) => [...form.querySelectorAll('input, select, textarea')]
  .filter((el) => el.name && el.type !== 'hidden' && el.name !== 'csrfmiddlewaretoken')
  .map((el) => {
    // Tom Select points the label at its own typing box (id + "-ts-control").
    const label = el.id ? form.querySelector(`label[for="${el.id}"], label[for="${el.id}-ts-control"]`) : null;
    const fieldset = el.type === 'radio' || el.type === 'checkbox' ? el.closest('fieldset') : null;
    const legend = fieldset ? fieldset.querySelector('legend') : null;
    const heading = legend || label;
    const mark = (node) => !node ? '' :
      (node.querySelector('.required-mark') ? '*' : '') + (getComputedStyle(node, '::after').content || '');
    return {
      name: el.name, type: el.type, classes: el.className, required: el.required,
      heading: heading ? heading.innerText.replace('*', '').trim() : '',
      headingClasses: heading ? heading.className : '',
      marked: mark(heading).includes('*'),
    };
  })"""


def assert_common_look(form) -> list[dict]:
    fields = form.evaluate(FIELDS)
    assert fields, "no field on the form"
    wrong = []
    for field in fields:
        control = {
            "radio": "form-check-input",
            "checkbox": "form-check-input",
            "select-one": "form-select",
        }.get(field["type"], "form-select" if field["type"] == "select-multiple" else "form-control")
        if control not in field["classes"].split():
            wrong.append((field["name"], "class", field["classes"]))
        if not field["heading"]:
            wrong.append((field["name"], "no label"))
        elif not ({"form-label", "form-check-label"} & set(field["headingClasses"].split())):
            wrong.append((field["name"], "label class", field["headingClasses"]))
        # A radio button carries no "required" of its own: its group's legend is checked by the caller.
        if field["type"] != "radio" and field["marked"] != field["required"]:
            wrong.append((field["name"], "required mark", field["required"], field["marked"]))
    assert wrong == [], wrong
    assert any(f["marked"] for f in fields), fields  # each of these forms asks for something
    return fields


def test_the_plan_report_and_linkage_forms_have_the_common_look_and_mark_required_fields(
    page, live_url, login_as, request
):
    pair, _a, _b = request.getfixturevalue("uncertain_pair")
    plan = Plan.objects.get(year=2014, scope_unit__path="01", parent__isnull=True)

    login_as(page, "canboxa")
    page.goto(live_url("/ke-hoach/hoat-dong/moi/"))
    activity = assert_common_look(page.locator("main form[method=post]"))
    assert {"kind", "title", "held_on"} <= {f["name"] for f in activity if f["required"]}

    page.goto(live_url("/bao-cao/"))
    other = assert_common_look(page.get_by_test_id("open-other"))
    assert {f["name"] for f in other if f["required"]} == {"form", "period_id"}

    page.context.clear_cookies()
    login_as(page, "dieuphoi")
    page.goto(live_url(f"/ke-hoach/{plan.pk}/kinh-phi/"))
    budget = assert_common_look(page.get_by_test_id("budget-line-form"))
    assert "title" in {f["name"] for f in budget if f["required"]}

    page.context.clear_cookies()
    login_as(page, "phonglaodong")
    page.goto(live_url(f"/ho-so-trung/cap/{pair.pk}/"))
    page.get_by_label("Mục đích xem thông tin nhân thân").select_option("linkage")
    page.get_by_role("button", name="Xem cặp hồ sơ").click()
    expect(page.locator("[data-person]")).to_have_count(2)
    decision = assert_common_look(page.locator("main form.card"))
    assert {f["name"]: f["marked"] for f in decision} == {
        "decision": True,
        "note": False,
    }
    page.get_by_label("Chưa chắc chắn").check()  # the radio buttons stay labelled and usable
    expect(page.get_by_label("Chưa chắc chắn")).to_be_checked()


def test_consent_agencies_and_the_legal_act_are_picked_by_typing_without_accents(page, demo, live_url):
    police = User.objects.get(username="congan")
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN, valid_from__isnull=True)
    person = people_services.person_create(
        actor=police,
        full_name="Lò Thị Xuân",
        sex="female",
        birth_date=dt.date(1993, 4, 5),
        birth_year=1993,
        permanent_unit=tien,
    )
    violation = people_services.violation_record(
        actor=police,
        person=person,
        occurred_at=timezone.make_aware(dt.datetime(2014, 2, 1, 22, 0)),
        place_unit=tien,
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role="seller",
        sanction={"number": "2/QĐ-XPHC-E2E", "decided_on": dt.date(2014, 2, 2), "kind": "warning"},
    )
    task = OutreachTask.objects.get(source_sanction=violation.sanction, agency__kind="commune-social")

    # The police officer picks the act of a new violation by typing "mua dam nhieu".
    sign_in(page, live_url(""), "congan")
    page.goto(live_url(f"/nguoi-vi-pham/{person.pk}/vi-pham/them/"))
    act = page.locator("[data-searchable-for=id_act]")
    act.click()
    act.locator("input").fill("mua dam nhieu")
    options = page.locator(".ts-dropdown .option:visible")
    expect(options.first).to_contain_text("Mua dâm nhiều người")
    for text in options.all_inner_texts():
        assert "Mua dâm nhiều người" in text, text
    options.first.click()
    chosen = page.locator("#id_act").evaluate("select => select.options[select.selectedIndex].text")
    assert chosen.startswith("Mua dâm nhiều người")

    # The commune social worker gives consent to an agency found by typing "truong trung cap nghe".
    page.context.clear_cookies()
    sign_in(page, live_url(""), "canboxa")
    page.goto(live_url(f"/ho-tro/tiep-can/{task.pk}/"))
    agencies = page.locator("[data-searchable-for=id_case-agencies]")
    agencies.click()
    agencies.locator("input").fill("truong trung cap nghe hoan kiem")
    options = page.locator(".ts-dropdown .option:visible")
    expect(options.first).to_contain_text("Trường Trung cấp nghề Quận Hoàn Kiếm")
    assert options.count() < 5  # 75 agencies narrowed to the matching one(s)
    options.first.click()
    picked = page.locator("#id_case-agencies").evaluate(
        "select => [...select.selectedOptions].map((o) => o.text)"
    )
    assert picked == ["Trường Trung cấp nghề Quận Hoàn Kiếm"]
    expect(agencies.locator(".item")).to_have_count(1)  # shown as a chosen item, removable
