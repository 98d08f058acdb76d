"""API tokens: stored hashed, scoped read/write, refused when malformed, unknown, revoked or expired."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from lanhmanh.api import authentication, permissions, tokens
from lanhmanh.api.models import ApiToken
from lanhmanh.api.services import MAX_TOKEN_DAYS, api_token_create, api_token_revoke
from lanhmanh.core.models import ChangeRecord

ME = "/api/v1/me/"
UNITS = "/api/v1/units/"


def bearer(raw: str) -> dict:
    return {"authorization": f"Bearer {raw}"}


def error(response) -> dict:
    return response.json()["error"]


# --- Services ---------------------------------------------------------------------------------


def test_create_returns_a_token_of_the_documented_shape(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng dữ liệu quận", scope="read", days=30)

    prefix, secret = tokens.parse(raw)
    assert raw == f"lm_{token.prefix}_{secret}"
    assert prefix == token.prefix
    assert len(token.prefix) == 8
    assert len(secret) == 40
    assert token.scope == "read"
    assert token.user == district_officer
    assert token.expires_at == token.created_at + dt.timedelta(days=30)
    assert token.revoked_at is None
    assert token.last_used_at is None


def test_the_raw_token_and_secret_are_not_stored_only_the_hash(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng dữ liệu quận", scope="write", days=30)
    _, secret = tokens.parse(raw)

    row = ApiToken.objects.filter(pk=token.pk).values().get()
    stored = " ".join(str(v) for v in row.values())
    assert secret not in stored
    assert raw not in stored
    assert row["secret_hash"] == tokens.hash_secret(secret)
    assert len(row["secret_hash"]) == 64


def test_create_writes_an_audit_row_without_the_hash(district_officer):
    token, _ = api_token_create(user=district_officer, name="Cổng dữ liệu quận", scope="read", days=30)

    record = ChangeRecord.objects.get(model="api.apitoken", object_id=str(token.pk))
    assert record.action == "create"
    assert record.after["secret_hash"] == "***"
    assert record.after["prefix"] == token.prefix
    assert record.after["scope"] == "read"


def test_two_tokens_never_share_prefix_or_secret(district_officer):
    _, raw1 = api_token_create(user=district_officer, name="Một", scope="read", days=1)
    _, raw2 = api_token_create(user=district_officer, name="Hai", scope="read", days=1)
    assert tokens.parse(raw1)[0] != tokens.parse(raw2)[0]
    assert tokens.parse(raw1)[1] != tokens.parse(raw2)[1]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"scope": "admin"}, "scope", "Phạm vi “admin” không hợp lệ; chỉ nhận “read” hoặc “write”."),
        (
            {"days": 0},
            "days",
            f"Số ngày hiệu lực phải là số nguyên từ 1 đến {MAX_TOKEN_DAYS} (nhận được: 0).",
        ),
        (
            {"days": MAX_TOKEN_DAYS + 1},
            "days",
            f"Số ngày hiệu lực phải là số nguyên từ 1 đến {MAX_TOKEN_DAYS} (nhận được: {MAX_TOKEN_DAYS + 1}).",
        ),
        ({"name": "  "}, "name", "Tên khoá không được để trống."),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(district_officer, kwargs, field, message):
    arguments = {"user": district_officer, "name": "Cổng", "scope": "read", "days": 30} | kwargs
    with pytest.raises(ValidationError) as caught:
        api_token_create(**arguments)
    assert caught.value.message_dict == {field: [message]}
    assert not ApiToken.objects.exists()
    assert not ChangeRecord.objects.filter(model="api.apitoken").exists()


def test_create_refuses_an_inactive_user(district_officer):
    district_officer.is_active = False
    district_officer.save()
    with pytest.raises(ValidationError) as caught:
        api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    assert caught.value.message_dict == {
        "user": ["Tài khoản “District_Officer” đã bị khoá, không thể cấp khoá API."]
    }
    assert not ApiToken.objects.exists()


def test_a_token_without_days_does_not_expire(district_officer):
    token, _ = api_token_create(user=district_officer, name="Cổng", scope="read", days=None)
    assert token.expires_at is None


def test_revoke_sets_the_time_and_audits_once(district_officer, sysadmin):
    token, _ = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)

    api_token_revoke(token=token, actor=sysadmin, reason="Máy chủ bị thay")
    api_token_revoke(token=token, actor=sysadmin, reason="lần hai")

    token.refresh_from_db()
    assert token.revoked_at is not None
    records = ChangeRecord.objects.filter(model="api.apitoken", object_id=str(token.pk), action="status")
    assert [(r.actor, r.reason, r.before["revoked_at"]) for r in records] == [
        (sysadmin, "Máy chủ bị thay", None)
    ]


# --- Authentication ---------------------------------------------------------------------------


def test_a_valid_token_authenticates_as_its_user_and_records_use(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)

    response = Client().get(ME, headers=bearer(raw))

    assert response.status_code == 200
    assert response.json()["username"] == "district_officer"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_scheme_keyword_is_case_insensitive(district_officer):
    _, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    assert Client().get(ME, headers={"authorization": f"bearer {raw}"}).status_code == 200


def test_no_credentials_is_401_in_the_envelope(db):
    response = Client().get(ME)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Cần xác thực: gửi tiêu đề “Authorization: Bearer <khoá API>” hoặc đăng nhập.",
            "fields": {},
        }
    }


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer abc def",
        "Bearer not-a-token",
        "Bearer lm_1234567_" + "a" * 40,  # prefix one digit short
        "Bearer lm_12345678_" + "a" * 39,  # secret one character short
        "Bearer lm_12345678_" + "a" * 39 + "!",
        "Bearer xx_12345678_" + "a" * 40,
    ],
)
def test_malformed_tokens_are_401(db, header):
    response = Client().get(ME, headers={"authorization": header})

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "token_malformed", "message": str(authentication.MALFORMED), "fields": {}}
    }


def test_an_unknown_prefix_and_a_wrong_secret_get_the_same_answer(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    wrong_secret = tokens.compose(token.prefix, "b" * 40)
    unknown_prefix = tokens.compose(
        "00000000" if token.prefix != "00000000" else "11111111", tokens.parse(raw)[1]
    )

    for candidate in (wrong_secret, unknown_prefix):
        response = Client().get(ME, headers=bearer(candidate))
        assert response.status_code == 401
        assert response.json() == {
            "error": {"code": "token_invalid", "message": "Khoá API không hợp lệ.", "fields": {}}
        }


def test_a_revoked_token_is_401(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    api_token_revoke(token=token)

    response = Client().get(ME, headers=bearer(raw))

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "token_revoked",
            "message": "Khoá API đã bị thu hồi. Đề nghị quản trị hệ thống cấp khoá mới.",
            "fields": {},
        }
    }


def test_an_expired_token_is_401_and_says_when(district_officer):
    token, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=1)
    expired_at = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=expired_at - dt.timedelta(days=1), expires_at=expired_at
    )

    response = Client().get(ME, headers=bearer(raw))

    when = date_format(timezone.localtime(expired_at), "SHORT_DATETIME_FORMAT")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "token_expired",
            "message": f"Khoá API đã hết hạn lúc {when}. Đề nghị quản trị hệ thống cấp khoá mới.",
            "fields": {},
        }
    }


def test_the_token_of_a_deactivated_user_is_401(district_officer):
    _, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    district_officer.is_active = False
    district_officer.save()

    response = Client().get(ME, headers=bearer(raw))

    assert response.status_code == 401
    assert error(response)["code"] == "user_inactive"


def test_a_bad_token_is_refused_even_with_a_valid_session(district_officer, client_for):
    client = client_for(district_officer)
    assert client.get(ME).status_code == 200

    response = client.get(ME, headers=bearer("lm_nope"))

    assert response.status_code == 401
    assert error(response)["code"] == "token_malformed"


# --- Scope --------------------------------------------------------------------------------------


def test_a_read_token_may_not_post(district_officer):
    _, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)

    response = Client().post(UNITS, {"name": "x"}, content_type="application/json", headers=bearer(raw))

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "token_read_only",
            "message": str(permissions.READ_ONLY_TOKEN % {"method": "POST"}),
            "fields": {},
        }
    }
    assert (
        response.json()["error"]["message"]
        == "Khoá API này chỉ có quyền đọc; không dùng được phương thức POST."
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_read_token_may_not_use_any_unsafe_method(district_officer, method):
    _, raw = api_token_create(user=district_officer, name="Cổng", scope="read", days=30)
    response = getattr(Client(), method)(f"{UNITS}01.002/", headers=bearer(raw))
    assert response.status_code == 403
    assert error(response)["code"] == "token_read_only"


def test_a_write_token_passes_the_scope_check_and_meets_the_read_only_endpoint(district_officer):
    _, raw = api_token_create(user=district_officer, name="Cổng", scope="write", days=30)

    response = Client().post(UNITS, {}, content_type="application/json", headers=bearer(raw))

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": "Địa chỉ này không nhận phương thức POST.",
            "fields": {},
        }
    }


def test_a_session_needing_two_factor_is_refused_until_verified(commune_officer, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    client.force_login(commune_officer)

    response = client.get(ME)

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "two_factor_required",
            "message": str(permissions.TWO_FACTOR_REQUIRED),
            "fields": {},
        }
    }


def test_a_token_is_not_subject_to_the_session_second_factor(commune_officer, settings):
    settings.REQUIRE_2FA = True
    _, raw = api_token_create(user=commune_officer, name="Cổng", scope="read", days=30)
    assert Client().get(ME, headers=bearer(raw)).status_code == 200


# --- Management commands ----------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_api_token_prints_the_token_once(district_officer):
    output = run(
        "create_api_token", "district_officer", "--scope", "read", "--days", "30", "--name", "Cổng quận"
    )

    token = ApiToken.objects.get()
    raw_lines = [line for line in output.splitlines() if line.startswith("lm_")]
    assert len(raw_lines) == 1
    raw = raw_lines[0]
    assert output.count(raw) == 1
    assert tokens.parse(raw)[0] == token.prefix
    assert tokens.secret_matches(tokens.parse(raw)[1], token.secret_hash)
    assert (token.name, token.scope, token.user) == ("Cổng quận", "read", district_officer)
    assert token.expires_at == token.created_at + dt.timedelta(days=30)
    assert "hệ thống chỉ giữ mã băm, không hiển thị lại khoá này" in output
    assert Client().get(ME, headers=bearer(raw)).status_code == 200


def test_create_api_token_defaults_to_90_days_and_a_name_from_the_agency(district_officer):
    run("create_api_token", "district_officer", "--scope", "write")

    token = ApiToken.objects.get()
    assert token.expires_at == token.created_at + dt.timedelta(days=90)
    assert token.name == f"{district_officer.agency.name} (Đọc và ghi)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--scope", "read"], "Không có người dùng “nobody”."),
        (
            ["district_officer", "--scope", "admin"],
            "Phạm vi “admin” không hợp lệ; chỉ nhận “read” hoặc “write”.",
        ),
        (
            ["district_officer", "--scope", "read", "--days", "0"],
            "--days phải là số nguyên từ 1 đến 730 (nhận được: 0).",
        ),
        (
            ["district_officer", "--scope", "read", "--days", "-5"],
            "--days phải là số nguyên từ 1 đến 730 (nhận được: -5).",
        ),
        (
            ["district_officer", "--scope", "read", "--days", "100000"],
            "--days phải là số nguyên từ 1 đến 730 (nhận được: 100000).",
        ),
        (
            ["district_officer", "--scope", "read", "--days", "mãi mãi"],
            "--days phải là số nguyên từ 1 đến 730 (nhận được: “mãi mãi”).",
        ),
    ],
)
def test_create_api_token_refuses_bad_input_and_creates_nothing(district_officer, args, message):
    with pytest.raises(CommandError) as caught:
        run("create_api_token", *args)
    assert str(caught.value) == message
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_an_inactive_user(district_officer):
    district_officer.is_active = False
    district_officer.save()
    with pytest.raises(CommandError) as caught:
        run("create_api_token", "district_officer", "--scope", "read")
    assert str(caught.value) == "Tài khoản “District_Officer” đã bị khoá, không thể cấp khoá API."
    assert not ApiToken.objects.exists()


def test_revoke_api_token_by_prefix_or_whole_token(district_officer):
    first, raw1 = api_token_create(user=district_officer, name="Một", scope="read", days=30)
    second, raw2 = api_token_create(user=district_officer, name="Hai", scope="read", days=30)

    assert run("revoke_api_token", first.prefix) == (
        f"Đã thu hồi khoá API “Một” (lm_{first.prefix}_…) của district_officer.\n"
    )
    run("revoke_api_token", raw2, "--reason", "lộ khoá")

    assert Client().get(ME, headers=bearer(raw1)).status_code == 401
    assert Client().get(ME, headers=bearer(raw2)).status_code == 401
    with pytest.raises(CommandError) as caught:
        run("revoke_api_token", first.prefix)
    assert str(caught.value) == f"Khoá API “Một” (lm_{first.prefix}_…) đã bị thu hồi trước đó."
    with pytest.raises(CommandError) as caught:
        run("revoke_api_token", "ffffffff")
    assert str(caught.value) == "Không có khoá API có tiền tố “ffffffff”."


# --- Admin --------------------------------------------------------------------------------------


def test_a_system_administrator_sees_tokens_by_prefix_and_revokes_them(
    district_officer, sysadmin, client_for
):
    token, raw = api_token_create(user=district_officer, name="Cổng quận", scope="read", days=30)
    client = client_for(sysadmin)

    listing = client.get("/quan-tri/api/apitoken/")
    assert listing.status_code == 200
    assert f"lm_{token.prefix}_…" in listing.content.decode()
    assert tokens.parse(raw)[1] not in listing.content.decode()
    assert token.secret_hash not in listing.content.decode()
    assert client.get("/quan-tri/api/apitoken/add/").status_code == 403

    response = client.post(
        "/quan-tri/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Đã thu hồi 1 khoá API." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        ChangeRecord.objects.get(model="api.apitoken", object_id=str(token.pk), action="status").actor
        == sysadmin
    )
    assert Client().get(ME, headers=bearer(raw)).status_code == 401


def test_other_users_cannot_reach_the_token_admin(district_officer, client_for):
    response = client_for(district_officer).get("/quan-tri/api/apitoken/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/quan-tri/login/")
