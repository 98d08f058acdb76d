"""Signing in through the browser: every demo role lands on its home page; language switch; lockout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lanhmanh.demo.steps.org import ACCOUNTS
from lanhmanh.org.models import Role, User

from .conftest import E2E_PASSWORD, enter_enrolment_code, totp_code
from .conftest import sign_in_with_the_form as sign_in

pytestmark = pytest.mark.browser

IDENTITY_ROLES = {
    "city-coordinator",
    "district-labour",
    "commune-officer",
    "police",
    "inspector",
    "social-worker",
    "health-worker",
    "court-clerk",
    "prosecutor",
}
AGENCY_NAMES = {
    "01-dolisa-pctnxh": "Chi cục Phòng, chống tệ nạn xã hội",
    "01-002-labour": "Phòng Lao động – Thương binh và Xã hội Quận Hoàn Kiếm",
    "01-002-00079-social": "Công chức LĐTBXH Phường Tràng Tiền",
    "01-002-police": "Công an Quận Hoàn Kiếm",
    "01-002-team-178": "Đội Kiểm tra liên ngành 178 Quận Hoàn Kiếm",
    "01-002-00079-womens-union": "Hội Liên hiệp Phụ nữ Phường Tràng Tiền",
    "01-health": "Sở Y tế",
    "01-court": "Tòa án nhân dân Thành phố",
    "01-procuracy": "Viện Kiểm sát nhân dân Thành phố",
    "01-culture": "Sở Văn hóa, Thể thao và Du lịch",
}


def submit_login(page, live_url, username: str, password: str) -> None:
    page.goto(live_url("/dang-nhap/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("account", ACCOUNTS, ids=[a.username for a in ACCOUNTS])
def test_each_demo_role_signs_in_and_lands_on_its_home_page(account, page, live_url, demo_accounts, settings):
    settings.REQUIRE_2FA = True
    role = Role.objects.get(code=account.role)
    submit_login(page, live_url, account.username, E2E_PASSWORD)

    # A role that reads identities, and any account that can open the admin site, enrols an authenticator first.
    needs_totp = account.role in IDENTITY_ROLES or account.admin
    if needs_totp:
        assert re.search(r"/xac-thuc-hai-buoc/\?next=/$", page.url), page.url
        expect(page.locator("h1")).to_have_text("Xác thực hai bước")
        expect(page.locator("[data-totp-secret]")).to_have_count(0)  # no secret before the enrolment code
        enter_enrolment_code(page, account.username)
        secret = page.locator("[data-totp-secret]").inner_text().strip()
        page.fill("#id_token", totp_code(secret))
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_load_state()
        expect(page.locator(".alert-success")).to_have_text("Đã bật xác thực hai bước cho tài khoản.")
    assert page.url == live_url("/"), page.url

    user = User.objects.get(username=account.username)
    expect(page.locator("h1")).to_have_text(f"Xin chào, {user.get_full_name()}")
    expect(page.locator("[data-home-role]")).to_contain_text(role.name)
    expect(page.locator("[data-home-agency]")).to_have_text(AGENCY_NAMES[account.agency_code])
    expect(page.locator(".user-badge")).to_contain_text(AGENCY_NAMES[account.agency_code])
    assert user.authenticatordevice_set.filter(confirmed=True).exists() is needs_totp


def test_a_returning_identity_role_verifies_the_code_of_its_enrolled_device(
    page, live_url, live_server, demo_accounts, settings
):
    settings.REQUIRE_2FA = True
    sign_in(page, live_server.url, "congan")
    assert page.url == live_url("/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    assert "/dang-nhap/" in page.url

    submit_login(page, live_url, "congan", E2E_PASSWORD)
    expect(page.locator("h1")).to_have_text("Xác thực hai bước")
    expect(page.locator("[data-totp-secret]")).to_have_count(0)  # the secret is shown only when enrolling


def test_a_wrong_code_keeps_the_user_on_the_two_factor_page(page, live_url, demo_accounts, settings):
    settings.REQUIRE_2FA = True
    submit_login(page, live_url, "canboxa", E2E_PASSWORD)
    enter_enrolment_code(page, "canboxa")
    right = totp_code(page.locator("[data-totp-secret]").inner_text().strip())
    page.fill("#id_token", f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    expect(page.locator(".invalid-feedback")).to_have_text(
        "Mã xác thực không đúng hoặc đã hết hạn. Mã gồm 6 chữ số trong ứng dụng xác thực."
    )
    page.goto(live_url("/"))
    assert "/xac-thuc-hai-buoc/" in page.url


def test_the_language_switch_goes_to_english_and_back(page, live_url, live_server, demo_accounts, settings):
    settings.REQUIRE_2FA = True
    sign_in(page, live_server.url, "capphep")  # licensing reads no identities: straight to the home page
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Xin chào")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Hello, ")
    expect(page.locator("[data-home-role]")).to_contain_text("Licensing officer (culture)")
    expect(page.locator("[data-home-agency]")).to_have_text("Department of Culture, Sports and Tourism")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url == live_url("/")

    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Xin chào")
    expect(page.locator("[data-home-role]")).to_contain_text("Cán bộ cấp phép (Sở VHTTDL)")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_the_login_page_switches_language_before_signing_in(page, live_url, demo_accounts):
    page.goto(live_url("/dang-nhap/"))
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.locator("label[for=id_username]")).to_have_text("Username")
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Đăng nhập")


def test_enrolment_needs_the_administrators_one_time_code(page, live_url, demo_accounts, settings):
    """Issue #21 item 12: a password alone never binds an authenticator; a wrong code says so in Vietnamese."""
    settings.REQUIRE_2FA = True
    submit_login(page, live_url, "congan", E2E_PASSWORD)
    expect(page.locator("[data-enrolment-code-form]")).to_be_visible()
    page.fill("#id_enrolment_code", "ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state()
    expect(page.locator(".invalid-feedback")).to_contain_text("Mã đăng ký không đúng hoặc đã hết hạn")
    expect(page.locator("[data-totp-secret]")).to_have_count(0)
    code = enter_enrolment_code(page, "congan")
    secret = page.locator("[data-totp-secret]").inner_text().strip()
    page.fill("#id_token", totp_code(secret))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert page.url == live_url("/"), page.url
    # The code was consumed: signing in again in a fresh session cannot reuse it to enrol another phone.
    user = User.objects.get(username="congan")
    assert user.enrolment_code_hash == "" and code


SAME_MESSAGE = (
    "Tên đăng nhập hoặc mật khẩu không đúng, hoặc đã đăng nhập sai nhiều lần nên tạm thời bị chặn: "
    "vui lòng kiểm tra lại và thử lại sau ít phút."
)


def test_five_wrong_passwords_lock_the_account_with_a_vietnamese_message(
    page, live_url, demo_accounts, settings
):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    for _ in range(5):
        submit_login(page, live_url, "doi178", "sai-mat-khau-2014")
        expect(page.locator(".alert-danger")).to_have_text(SAME_MESSAGE)

    # Even the right password is refused while the account is locked.
    submit_login(page, live_url, "doi178", E2E_PASSWORD)
    expect(page.locator(".alert-danger")).to_have_text(SAME_MESSAGE)
    assert "/dang-nhap/" in page.url
    assert User.objects.get(username="doi178").locked_until is not None
