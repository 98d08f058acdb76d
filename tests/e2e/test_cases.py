"""Browser journey of a criminal case (issue 13): the police bust a brokering ring with three defendants
(one already in the registry) and two victims, one a child whose protection case opens; the prosecutor
indicts; the court clerk records a mobile trial and the sentences; T01 and T05 move on the dashboard;
the city coordinator sees counts and no names; the court clerk cannot change the police stage; a police
officer of another district gets 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2E_PASSWORD, sign_in

pytestmark = pytest.mark.browser

OFFENCE = "Môi giới mại dâm — khoản 1 Điều 255 BLHS 1999"
TRANG_TIEN = "Phường Tràng Tiền (Quận Hoàn Kiếm)"
KNOWN = "Vương Thị Ngân"
NEW_DEFENDANTS = [("Lý Văn Cường", "1979-05-14"), ("Đinh Văn Tuấn", "1990-11-02")]
ADULT_VICTIM = ("Hà Thị Thu", "1994-03-08")
CHILD_VICTIM = ("Lò Thị Mai", "1999-06-20")  # 15 on the date of the act


def achieved(page, code: str) -> str:
    return page.locator(f'tr[data-target="{code}"] td.num').nth(1).inner_text().strip()


def open_case_page(page, base, pk: int) -> None:
    page.goto(f"{base}/vu-an/{pk}/")
    if page.locator("[data-purpose-form]").count():
        page.get_by_label("Mục đích xem thông tin nhân thân").select_option("investigation")
        page.get_by_role("button", name="Xem vụ án").click()
        page.wait_for_load_state()


def add_person(page, base, pk: int, section: str, name: str, birth: str, **choices) -> None:
    page.goto(f"{base}/vu-an/{pk}/{section}/them/")
    page.fill("#id_full_name", name)
    page.fill("#id_birth_date", birth)
    page.select_option("#id_permanent_unit", label=TRANG_TIEN)
    for field, label in choices.items():
        page.select_option(f"#id_{field}", label=label)
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()


def stage(page, base, pk: int, code: str, day: str, *, mobile: bool = False) -> None:
    page.goto(f"{base}/vu-an/{pk}/giai-doan/{code}/")
    page.fill("#id_on", day)
    if mobile:
        page.check("#id_mobile_trial")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()


def test_a_brokering_ring_from_bust_to_judgment(page, browser, login_as, live_server):
    from lanhmanh.enforcement.cases.models import CriminalCase, Victim
    from lanhmanh.indicators.evaluation import evaluate
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
    from lanhmanh.people.models import Person
    from lanhmanh.plans.models import Plan

    base = live_server.url
    known = Person.objects.create(
        full_name=KNOWN,
        sex="female",
        birth_date=dt.date(1975, 8, 9),
        birth_year=1975,
        permanent_unit=AdministrativeUnit.objects.get(path="01.002.00079"),
    )
    busted_before = evaluate("enforcement.criminal_cases_busted", "01", "2014").total.value
    tried_before = evaluate("enforcement.trial_cases", "01", "2014").total.value
    defendants_before = evaluate("enforcement.trial_defendants", "01", "2014").total.value

    # The police open the case and bust the ring.
    login_as(page, "congan")
    page.goto(f"{base}/vu-an/them/")
    page.select_option("#id_offence", label=OFFENCE)
    page.fill("#id_act_on", "2014-09-01")
    page.select_option("#id_unit", label=TRANG_TIEN)
    page.fill("#id_detected_on", "2014-09-02")
    page.fill("#id_busted_on", "2014-09-03")
    page.fill("#id_address", "Nhà nghỉ Bình Minh, phố Tràng Tiền")
    page.get_by_role("button", name="Lưu vụ án").click()
    page.wait_for_load_state()
    case = CriminalCase.objects.get(address="Nhà nghỉ Bình Minh, phố Tràng Tiền")
    expect(page.locator('[data-stage="busted"]')).to_contain_text("03/09/2014")

    # A defendant already in the registry: suggested as her identity is typed, and linked.
    page.goto(f"{base}/vu-an/{case.pk}/bi-can/them/")
    page.fill("#id_full_name", KNOWN)
    page.fill("#id_birth_date", "1975-08-09")
    page.press("#id_birth_date", "Tab")  # leaving the field sends its change: the suggestions come
    page.locator(f"#person-{known.pk}").wait_for()
    page.wait_for_load_state("networkidle")  # the last suggestions request has answered
    page.check(f"#person-{known.pk}")
    page.select_option("#id_ring_role", label="Chủ mưu, cầm đầu")
    page.select_option("#id_offence", label=OFFENCE)
    page.select_option("#id_measure", label="Tạm giam")
    expect(page.locator(f"#person-{known.pk}")).to_be_checked()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Đã thêm bị can.")).to_be_visible()
    for name, birth in NEW_DEFENDANTS:
        add_person(page, base, case.pk, "bi-can", name, birth, ring_role="Môi giới", offence=OFFENCE)
    assert sorted(case.defendants.values_list("person_id", flat=True))[0] == known.pk
    assert case.defendants.count() == 3

    add_person(page, base, case.pk, "bi-hai", *ADULT_VICTIM, kind="Bị ép, dụ dỗ bán dâm")
    add_person(page, base, case.pk, "bi-hai", *CHILD_VICTIM, kind="Bị ép, dụ dỗ bán dâm")
    expect(page.get_by_role("alert").first).to_contain_text("Bị hại chưa đủ 18 tuổi: đã chuyển")
    child = Victim.objects.get(case=case, minor=True)
    assert child.offer == "child"
    stage(page, base, case.pk, "prosecuted", "2014-09-04")
    # (the police page is closed by its fixture)

    # The district labour office opens the child's protection case, with consent.
    labour = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    sign_in(labour, base, "phonglaodong")
    labour.goto(f"{base}/ho-tro/tre-em/{child.person_id}/mo-ho-so/")
    labour.select_option("#id_child-unit", label=TRANG_TIEN)
    labour.fill("#id_child-opened_on", "2014-09-05")
    labour.check("input[name='child-purposes'][value='counselling']")
    labour.get_by_role("button", name=re.compile("Mở hồ sơ")).click()
    labour.wait_for_load_state()
    expect(labour.get_by_text("Đã mở hồ sơ bảo vệ trẻ em.")).to_be_visible()
    labour.context.close()

    # The prosecutor indicts.
    prosecutor = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    sign_in(prosecutor, base, "kiemsat")
    open_case_page(prosecutor, base, case.pk)
    expect(prosecutor.locator('[data-stage-button="busted"]')).to_have_count(0)
    stage(prosecutor, base, case.pk, "indicted", "2014-10-20")
    expect(prosecutor.locator('[data-stage="indicted"]')).to_contain_text("20/10/2014")
    prosecutor.context.close()

    # The court clerk cannot change the police stage, records a mobile trial and the sentences.
    clerk = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    sign_in(clerk, base, "toaan")
    open_case_page(clerk, base, case.pk)
    clerk.goto(f"{base}/vu-an/{case.pk}/giai-doan/busted/")
    expect(clerk.locator("[data-refusal]")).to_have_text(
        "Giai đoạn “Phá án” do cơ quan điều tra (cán bộ Công an) ghi nhận: tài khoản của anh/chị không được "
        "thay đổi giai đoạn này."
    )
    stage(clerk, base, case.pk, "tried", "2014-11-20", mobile=True)
    expect(clerk.locator("[data-mobile-trial]")).to_have_text("xét xử lưu động")
    for months, defendant in zip((48, 24, 18), case.defendants.order_by("pk"), strict=True):
        clerk.goto(f"{base}/vu-an/{case.pk}/bi-can/{defendant.pk}/hinh-phat/")
        clerk.fill("#id_sentence_months", str(months))
        clerk.get_by_role("button", name="Lưu hình phạt").click()
        clerk.wait_for_load_state()
    expect(clerk.locator("[data-sentence]").first).to_have_text("Tù có thời hạn 4 năm")
    # T01 and T05 moved on the city's plan dashboard (the court owns these records: no count hidden).
    plan = Plan.objects.get(year=2014, parent__isnull=True, scope_unit__path="01")
    clerk.goto(f"{base}/ke-hoach/{plan.pk}/")
    assert achieved(clerk, "T01") == str(busted_before + 1)
    assert achieved(clerk, "T05") == f"{tried_before + 1} / {defendants_before + 3}"
    clerk.context.close()

    # The coordinator sees counts (small ones hidden) and no names; the case itself is 404.
    coordinator = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    sign_in(coordinator, base, "dieuphoi")
    coordinator.goto(f"{base}/vu-an/thong-ke/?year=2014")
    expect(coordinator.locator("h1")).to_have_text("Thống kê vụ án theo nhóm tội và giai đoạn năm 2014")
    body = coordinator.locator("main").inner_text()
    assert KNOWN not in body and CHILD_VICTIM[0] not in body
    # The protected figure the indicators give the coordinator (small counts, and what reveals them, hidden).
    shown = evaluate(
        "enforcement.trial_cases", "01", "2014", by="group", user=User.objects.get(username="dieuphoi")
    )
    expect(coordinator.locator("[data-statistics] tfoot [data-total] td").nth(3)).to_have_text(
        shown.total.display
    )
    # T01 and T05 moved for the coordinator too: the city's totals are shown, never hidden as "x".
    coordinator.goto(f"{base}/ke-hoach/{plan.pk}/")
    assert achieved(coordinator, "T01") == str(busted_before + 1)
    assert achieved(coordinator, "T05") == f"{tried_before + 1} / {defendants_before + 3}"
    response = coordinator.goto(f"{base}/vu-an/{case.pk}/")
    assert response.status == 404
    coordinator.context.close()

    # A police officer of another district: 404.
    role = Role.objects.get(code="police")
    outsider = User(
        username="congan-donganh",
        first_name="Văn Hải",
        last_name="Nguyễn",
        agency=Agency.objects.get(code="01-017-police"),
    )
    outsider.set_password(E2E_PASSWORD)
    outsider.save()
    outsider.roles.set([role])
    other = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    sign_in(other, base, "congan-donganh")
    assert other.goto(f"{base}/vu-an/{case.pk}/").status == 404
    assert other.goto(f"{base}/vu-an/{case.pk}/giai-doan/busted/").status == 404
    other.context.close()
