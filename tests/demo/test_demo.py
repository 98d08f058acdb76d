"""The demo loader: one login per role at the right agency, idempotent, printed as a table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client

from lanhmanh.core.models import ChangeRecord
from lanhmanh.demo.loader import ACCOUNT_STEPS, DEFAULT_PASSWORD, discover, load_demo
from lanhmanh.demo.steps.org import ACCOUNTS
from lanhmanh.org.models import Agency, Role, User
from lanhmanh.org.selectors import home_summary
from tests.demo_fixtures import E2E_PASSWORD

pytestmark = pytest.mark.django_db


def load_accounts(**kwargs):
    """The org steps only: the full demo (every app's data) is tested once, below, because it is slow."""
    return load_demo(only=ACCOUNT_STEPS, **kwargs)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


EXPECTED = {
    "dieuphoi": ("city-coordinator", "01-dolisa-pctnxh"),
    "phonglaodong": ("district-labour", "01-002-labour"),
    "canboxa": ("commune-officer", "01-002-00079-social"),
    "congan": ("police", "01-002-police"),
    "doi178": ("inspector", "01-002-team-178"),
    "congtacxahoi": ("social-worker", "01-002-00079-womens-union"),
    "yte": ("health-worker", "01-health"),
    "toaan": ("court-clerk", "01-court"),
    "kiemsat": ("prosecutor", "01-procuracy"),
    "capphep": ("licensing", "01-culture"),
    "baovedulieu": ("data-protection", "01-dolisa-pctnxh"),
    "quantri": ("sysadmin", "01-dolisa-pctnxh"),
    "vanhoa": ("sector-reporter", "01-culture"),
}


def test_the_demo_steps_run_in_order_roles_units_then_accounts():
    names = [s.name for s in discover()]
    assert names.index("org.roles") < names.index("org.units_and_agencies") < names.index("org.accounts")


def test_it_recreates_missing_roles_without_touching_existing_ones():
    Role.objects.filter(code="police").delete()
    Role.objects.filter(code="licensing").update(data_classes=["aggregate"])
    context = load_accounts(password="demo-mat-khau-2014")
    assert "Vai trò: 1 mới." in context.notes
    assert Role.objects.get(code="police").data_classes == [
        "aggregate",
        "establishment",
        "identity",
        "enforcement",
    ]
    assert Role.objects.get(code="licensing").data_classes == ["aggregate"]


def test_it_creates_one_login_per_role_at_the_right_agency():
    load_accounts(password="demo-mat-khau-2014")
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED).prefetch_related("roles")}
    assert set(users) == set(EXPECTED)
    for username, (role, agency_code) in EXPECTED.items():
        user = users[username]
        assert [r.code for r in user.roles.all()] == [role], username
        assert user.agency.code == agency_code, username
        assert user.check_password("demo-mat-khau-2014"), username
        assert user.first_name and user.last_name, username
    assert {r.code for r in Role.objects.all()} == {role for role, _ in EXPECTED.values()}


def test_the_commune_logins_are_in_trang_tien_ward_of_hoan_kiem():
    load_accounts(password="demo-mat-khau-2014")
    for username in ("canboxa", "congtacxahoi"):
        unit = User.objects.get(username=username).unit
        assert unit.long_name == "Phường Tràng Tiền, Quận Hoàn Kiếm, Thành phố Hà Nội"


def test_only_the_system_administrator_is_staff_and_superuser():
    load_accounts(password="demo-mat-khau-2014")
    admins = User.objects.filter(username__in=EXPECTED, is_staff=True, is_superuser=True)
    assert list(admins.values_list("username", flat=True)) == ["quantri"]
    assert not User.objects.filter(username__in=EXPECTED, is_staff=True).exclude(username="quantri").exists()


def test_it_is_idempotent_and_the_names_are_reproducible():
    load_accounts(password="demo-mat-khau-2014")
    names = dict(User.objects.filter(username__in=EXPECTED).values_list("username", "last_name"))
    counts = (User.objects.count(), Agency.objects.count(), ChangeRecord.objects.count())
    context = load_accounts(password="demo-mat-khau-2014")
    assert (User.objects.count(), Agency.objects.count(), ChangeRecord.objects.count()) == counts
    assert dict(User.objects.filter(username__in=EXPECTED).values_list("username", "last_name")) == names
    assert context.notes == [
        "Đơn vị hành chính: 0 mới; cơ quan: 0 mới.",
        "Tài khoản demo: 0 mới, 13 đã có.",
    ]


def test_the_whole_demo_loads_again_without_adding_a_row_and_prints_the_address_and_the_logins(
    demo, monkeypatch
):
    """The whole demo (loaded once per session, ``tests/demo_fixtures.py``), loaded again by the command."""
    counts = row_counts()
    last_change = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    # one login per role, plus the accounts later modules add (e.g. the vocational school's)
    assert {a.role for a in ACCOUNTS} <= {user.roles.first().code for user in demo.accounts.values()}
    monkeypatch.setenv("DEMO_PASSWORD", E2E_PASSWORD)  # the snapshot's password: nothing to change
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    # The only rows added: the audit rows of the one-time 2FA enrolment codes the command prints afresh.
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Đăng nhập"))
    table = lines[header + 2 : lines.index("", header)]
    codes = [line.split()[2] for line in table]
    issued = ChangeRecord.objects.filter(pk__gt=last_change)
    assert issued.count() == len([code for code in codes if code != "—"]) > 0
    assert set(issued.values_list("reason", flat=True)) == {"Dữ liệu mẫu"}
    after = row_counts()
    assert after.pop("core.ChangeRecord") == counts.pop("core.ChangeRecord") + issued.count()
    assert after == counts
    assert "http://127.0.0.1:8000/" in text
    rows = table[: len(ACCOUNTS)]
    assert [line.split()[0] for line in rows] == [a.username for a in ACCOUNTS]
    congan = next(line for line in rows if line.startswith("congan "))
    assert E2E_PASSWORD in congan
    assert "Cán bộ Công an" in congan
    assert "Công an Quận Hoàn Kiếm" in congan
    # the support providers' logins are printed on a second run too
    providers = [line.split()[:2] for line in table if line.startswith(("truongnghe", "trungtamyte"))]
    assert providers == [["truongnghe", E2E_PASSWORD], ["trungtamyte", E2E_PASSWORD]]


def test_running_it_again_resets_the_password_and_unlocks_the_account():
    load_accounts(password="demo-mat-khau-2014")
    User.objects.filter(username="congan").update(failed_logins=3, locked_until="2099-01-01T00:00:00Z")
    load_accounts(password="mat-khau-moi-2014")
    user = User.objects.get(username="congan")
    assert user.check_password("mat-khau-moi-2014")
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_each_new_demo_account_leaves_an_audit_row_without_the_password_hash():
    load_accounts(password="demo-mat-khau-2014")
    rows = ChangeRecord.objects.filter(model="org.user", reason="Tài khoản demo")
    assert rows.count() == len(ACCOUNTS)
    for row in rows:
        assert row.after["password"] == "***"


def test_the_password_comes_from_demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "bien-moi-truong-2014")
    load_accounts()
    assert User.objects.get(username="dieuphoi").check_password("bien-moi-truong-2014")


def test_without_demo_password_the_default_is_used(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    load_accounts()
    assert len(DEFAULT_PASSWORD) >= 10
    assert User.objects.get(username="dieuphoi").check_password(DEFAULT_PASSWORD)


def test_a_short_demo_password_is_refused_with_a_vietnamese_message(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "ngan")
    with pytest.raises(CommandError, match="DEMO_PASSWORD phải có ít nhất 10 ký tự."):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.filter(username__in=EXPECTED).exists()


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_every_demo_login_signs_in_with_the_password(username):
    load_accounts(password="demo-mat-khau-2014")
    assert Client().login(username=username, password="demo-mat-khau-2014")


def test_home_summary_counts_the_units_below_the_users_unit(django_assert_num_queries):
    load_accounts(password="demo-mat-khau-2014")
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED).select_related("agency")}
    with django_assert_num_queries(3):  # the unit with its ancestors, one aggregate, the roles
        city = home_summary(users["dieuphoi"])
    assert (city["districts"], city["communes"]) == (30, 584)
    district = home_summary(users["phonglaodong"])
    assert (district["districts"], district["communes"]) == (0, 18)
    commune = home_summary(users["canboxa"])
    assert (commune["districts"], commune["communes"]) == (0, 0)
    assert commune["unit"].name == "Tràng Tiền"
    assert [dc.value for dc in commune["data_classes"]] == [
        "aggregate",
        "establishment",
        "identity",
        "enforcement",
        "support",
    ]
    assert home_summary(users["quantri"])["is_admin"] is True
    assert home_summary(users["baovedulieu"])["is_admin"] is False


def test_the_coordinator_sees_filed_annual_police_and_ad_hoc_reports_in_the_demo(demo):
    """Issue 15: annual sector, police quarterly and upward ad hoc reports are in the demo."""
    from lanhmanh.reporting.models import Status, Submission  # noqa: PLC0415 - this test only
    from lanhmanh.reporting.selectors import approval_queue_for, submissions_for  # noqa: PLC0415

    coordinator = User.objects.get(username="dieuphoi")
    seen = {(s.form.code, s.period_id, s.status) for s in submissions_for(coordinator)}
    assert ("van-hoa-nam", "2013", Status.APPROVED) in seen
    assert {("van-hoa-quy", q, Status.APPROVED) for q in ("2014Q2", "2014Q3")} <= seen
    assert ("cong-an-quy", "2014Q3", Status.APPROVED) in seen
    assert ("cong-an-tp-quy", "2014Q3", Status.SUBMITTED) in seen
    assert "cong-an-tp-quy" in {s.form.code for s in approval_queue_for(coordinator)}
    answer = Submission.objects.get(form__code="thanh-pho-dot-xuat")
    assert answer.request.issuer.startswith("Bộ Lao động") and answer.status == Status.SUBMITTED
    # The annual figures the records could not give were explained (2013 had no quarters in the system).
    annual = Submission.objects.get(form__code="van-hoa-nam")
    assert (
        not annual.values.filter(number__isnull=False, computed__isnull=False)
        .exclude(number=models.F("computed"))
        .filter(correction_reason="")
        .exists()
    )
