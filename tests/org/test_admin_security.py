"""The administrator account (issue #21 item 1; ASVS V2.2.1 lockout, V2.8 TOTP, V4.1.3/V7.2.2 changes to
privileges logged, V4.2 no self-granted access): lockout and TOTP at /quan-tri/, every change to users,
roles and agencies a change record the DPO reads, identity grants alert the DPO and cannot be self-given."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import Agency, Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "agency": user.agency_id,
        "roles": [r.pk for r in user.roles.all()],
        "title": "",
        "phone": "",
        "failed_logins": "0",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "change_reason": "",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    data.update(changes)
    return data


def test_the_admin_login_is_the_application_login_with_its_lockout(sysadmin, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 3
    client = Client()
    response = client.get("/quan-tri/login/?next=/quan-tri/org/user/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=%2Fquan-tri%2Forg%2Fuser%2F"
    # Django's own admin form (which counted nothing) no longer answers a POST.
    posted = client.post("/quan-tri/login/", {"username": "sysadmin", "password": "sai"})
    assert posted.status_code == 302
    for _ in range(3):
        client.post("/dang-nhap/", {"username": "sysadmin", "password": "sai"})
    sysadmin.refresh_from_db()
    assert sysadmin.locked_until is not None
    # Locked: the right password opens nothing, by any path that authenticates.
    assert authenticate(username="sysadmin", password=PASSWORD) is None
    locked = client.post("/dang-nhap/?next=/quan-tri/", {"username": "sysadmin", "password": PASSWORD})
    assert locked.status_code == 200
    assert client.get("/quan-tri/").status_code == 302


def test_the_administrator_needs_totp_before_the_admin(sysadmin, settings):
    settings.REQUIRE_2FA = True
    assert sysadmin.needs_two_factor
    client = Client()
    client.force_login(sysadmin)
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith("/xac-thuc-hai-buoc/")


def test_a_signed_in_user_who_may_not_use_the_admin_gets_404(coordinator, client_for):
    assert client_for(coordinator).get("/quan-tri/login/").status_code == 404


def test_a_role_change_is_a_change_record_with_its_reason_and_the_dpo_is_alerted(
    sysadmin, police, dpo, client_for
):
    dpo.email = "dpo@hanoi.gov.vn"
    dpo.save()
    coordinator_role = Role.objects.get(code="city-coordinator")
    client = client_for(sysadmin)
    refused = client.post(f"/quan-tri/org/user/{police.pk}/change/", user_form(police))
    assert refused.status_code == 200
    assert "Ghi lý do thay đổi" in refused.content.decode()
    response = client.post(
        f"/quan-tri/org/user/{police.pk}/change/",
        user_form(
            police,
            roles=[r.pk for r in police.roles.all()] + [coordinator_role.pk],
            change_reason="Quyết định 12/QĐ-SLĐTBXH điều động",
        ),
    )
    assert response.status_code == 302
    rows = list(ChangeRecord.objects.filter(model="org.user", object_id=str(police.pk)).order_by("id"))
    assert [r.action for r in rows] == ["update", "grant"]
    update, grant = rows
    assert (update.actor, update.reason) == (sysadmin, "Quyết định 12/QĐ-SLĐTBXH điều động")
    assert (update.before["roles"], update.after["roles"]) == (["police"], ["city-coordinator", "police"])
    assert update.before["password"] == update.after["password"] == "***"
    assert (grant.before, grant.after) == (
        {"data_classes": ["aggregate", "enforcement", "establishment", "identity"]},
        {"data_classes": ["aggregate", "child", "enforcement", "establishment", "identity", "support"]},
    )


def test_the_dpo_sees_admin_changes_and_gets_a_mail_for_a_grant(
    sysadmin, licensing, dpo, client_for, django_capture_on_commit_callbacks
):
    dpo.email = "dpo@hanoi.gov.vn"
    dpo.save()
    police_role = Role.objects.get(code="police")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sysadmin).post(
            f"/quan-tri/org/user/{licensing.pk}/change/",
            user_form(licensing, roles=[police_role.pk], change_reason="Chuyển công tác"),
        )
    assert [m.to for m in mail.outbox] == [["dpo@hanoi.gov.vn"]]
    assert "cấp quyền xem" in mail.outbox[0].body
    page = client_for(dpo).get("/kiem-tra-du-lieu/", {"model": "org.user"}).content.decode()
    assert "Chuyển công tác" in page
    assert "Cấp quyền xem dữ liệu cá nhân" in page


def test_an_administrator_cannot_grant_themselves_identity_access(sysadmin, client_for):
    coordinator_role = Role.objects.get(code="city-coordinator")
    response = client_for(sysadmin).post(
        f"/quan-tri/org/user/{sysadmin.pk}/change/",
        user_form(
            sysadmin, roles=[r.pk for r in sysadmin.roles.all()] + [coordinator_role.pk], change_reason="x"
        ),
    )
    assert response.status_code == 200
    assert "Không thể tự cấp cho chính mình quyền xem dữ liệu cá nhân" in response.content.decode()
    assert not sysadmin.roles.filter(code="city-coordinator").exists()
    assert not ChangeRecord.objects.filter(model="org.user").exists()


def test_role_and_agency_edits_are_change_records(sysadmin, client_for):
    client = client_for(sysadmin)
    role = Role.objects.get(code="licensing")
    response = client.post(
        f"/quan-tri/org/role/{role.pk}/change/",
        {
            "code": role.code,
            "name": role.name,
            "name_en": role.name_en,
            "description": role.description,
            "data_classes": '["aggregate", "establishment", "identity"]',
            "change_reason": "Thử nghiệm",
        },
    )
    assert response.status_code == 302
    actions = list(ChangeRecord.objects.filter(model="org.role").values_list("action", flat=True))
    assert sorted(actions) == ["grant", "update"]
    agency = Agency.objects.filter(kind="health").first()
    client.post(
        f"/quan-tri/org/agency/{agency.pk}/change/",
        {
            "code": agency.code,
            "name": agency.name + " (mới)",
            "kind": agency.kind,
            "unit": agency.unit_id,
            "parent": agency.parent_id or "",
            "plan_group": agency.plan_group or "",
            "active": "on",
            "change_reason": "Đổi tên theo quyết định",
        },
    )
    record = ChangeRecord.objects.get(model="org.agency")
    assert (record.after["name"], record.reason) == (agency.name + " (mới)", "Đổi tên theo quyết định")


def test_the_admin_names_the_third_party_apps_in_vietnamese_everywhere(sysadmin, client_for):
    client = client_for(sysadmin)
    index = client.get("/quan-tri/").content.decode()
    for english in (
        "OTP_TOTP",
        "Otp_Totp",
        "TOTP devices",
        "Task Results",
        "Tasks Database Backend",
        ">Core<",
    ):
        assert english not in index
    assert "Xác thực hai bước" in index and "Tác vụ chạy nền" in index
    # The app's own page and its breadcrumbs read the same name (not only the index).
    app_page = client.get("/quan-tri/otp_totp/").content.decode()
    assert "OTP_TOTP" not in app_page and "Otp_Totp" not in app_page
    assert "Thiết bị xác thực hai bước (TOTP)" in app_page


def test_the_third_party_app_configs_keep_their_labels_and_tables():
    from django.apps import apps

    totp, tasks = apps.get_app_config("otp_totp"), apps.get_app_config("django_tasks_database")
    assert (str(totp.verbose_name), str(tasks.verbose_name)) == ("Xác thực hai bước", "Tác vụ chạy nền")
    assert totp.get_model("TOTPDevice")._meta.db_table == "otp_totp_totpdevice"
    assert str(tasks.get_model("DBTaskResult")._meta.verbose_name_plural) == "Kết quả tác vụ chạy nền"
