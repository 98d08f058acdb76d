"""The reporting API: forms, expected reports, reading a report, submitting values (same checks and workflow)."""

from __future__ import annotations

import pytest
from django.test import Client

from lanhmanh.api.services import api_token_create
from lanhmanh.core.audit import history
from lanhmanh.reporting import services
from lanhmanh.reporting.models import Status, Submission
from lanhmanh.reporting.services import values_of

from .conftest import GOOD_VALUES, REASONS, TODAY

SUBMIT = "/api/v1/reports/submissions/"


def api(user, scope: str = "write") -> Client:
    _, raw = api_token_create(user=user, name="Hệ thống của cơ quan", scope=scope, days=1)
    return Client(headers={"authorization": f"Bearer {raw}"})


def body(**overrides) -> dict:
    return {
        "form": "xa-thang",
        "unit": "01.002.00079",
        "period": "201410",
        "values": dict(GOOD_VALUES),
        "reasons": dict(REASONS),
        **overrides,
    }


def post(client: Client, data: dict):
    return client.post(SUBMIT, data, content_type="application/json")


def test_the_form_list_says_which_forms_the_agency_submits(forms, commune_officer, police):
    listed = {f["code"]: f for f in api(commune_officer, "read").get("/api/v1/reports/forms/").json()}
    assert listed["xa-thang"]["submits"] is True
    assert listed["cong-an-thang"]["submits"] is False
    assert [s["code"] for s in listed["xa-thang"]["sections"]] == [
        "tinh-hinh",
        "xu-ly",
        "ho-tro",
        "tu-diem",
        "hoat-dong",
    ]
    people_checked = listed["xa-thang"]["sections"][1]["fields"][0]
    assert people_checked == {
        "code": "people_checked",
        "label": "Số lượt người bị kiểm tra, quét vét",
        "kind": "count",
        "source": "reported",
        "indicator": "reporting.people_checked",
        "required": True,
        "plausible_max": 1000,
    }
    assert "trainings_held ≤ activities_held" in listed["xa-thang"]["rules"]
    police_forms = {f["code"]: f["submits"] for f in api(police, "read").get("/api/v1/reports/forms/").json()}
    assert police_forms["cong-an-thang"] is True
    assert police_forms["xa-thang"] is False


def test_the_expected_list_names_the_agencys_due_reports(forms, commune_officer):
    services.submission_open(actor=commune_officer, form=forms["xa-thang"], period_id="201410", today=TODAY)
    data = api(commune_officer, "read").get("/api/v1/reports/expected/").json()
    assert (data["agency"], data["unit"]) == ("01-002-00079-social", "01.002.00079")
    assert {row["form"] for row in data["expected"]} == {"xa-thang"}
    assert len(data["expected"]) == 3
    assert all(row["due_date"] and row["period"] for row in data["expected"])


def test_a_report_is_opened_filled_and_sent_in_one_call_and_sending_it_again_changes_nothing(
    forms, commune_officer
):
    client = api(commune_officer)
    first = post(client, body(note="Gửi từ phần mềm của phường"))
    assert first.status_code == 201, first.json()
    data = first.json()
    submission = Submission.objects.get()
    assert (data["id"], data["status"], data["unit"], data["period"]) == (
        submission.pk,
        "submitted",
        "01.002.00079",
        "201410",
    )
    assert {v["code"]: v["value"] for v in data["values"]}["fines_imposed"] == 4_500_000
    assert submission.status == Status.SUBMITTED
    assert submission.submitted_by == commune_officer
    assert [r.action for r in history(submission)] == ["status", "update", "create"]

    again = post(client, body(note="Gửi từ phần mềm của phường"))
    assert again.status_code == 200
    assert again.json()["version"] == data["version"]
    assert Submission.objects.count() == 1
    assert len(history(submission)) == 3

    changed = post(client, body(values={**GOOD_VALUES, "outreach": "30"}))
    assert changed.status_code == 400
    assert changed.json()["error"]["message"] == (
        "Báo cáo đang chờ cấp trên duyệt: không sửa được cho đến khi được trả lại."
    )
    assert values_of(submission)["outreach"] == 15


def test_a_draft_can_be_saved_without_sending_and_read_back(forms, commune_officer, other_commune_officer):
    client = api(commune_officer)
    saved = post(client, body(submit=False))
    assert saved.status_code == 201
    pk = saved.json()["id"]
    read = api(commune_officer, "read").get(f"{SUBMIT}{pk}/")
    assert read.status_code == 200
    assert read.json()["status"] == "draft"
    values = {v["code"]: v for v in read.json()["values"]}
    assert values["sellers_sanctioned"]["correction_reason"] == REASONS["sellers_sanctioned"]
    assert values["assessment"]["value"] == "Tình hình ổn định."


def test_a_report_is_read_only_by_its_agency_and_the_levels_above(
    forms,
    commune_officer,
    other_commune_officer,
    district_officer,
    other_district_officer,
    police,
    coordinator,
):
    pk = post(api(commune_officer), body()).json()["id"]
    for user in (commune_officer, district_officer, coordinator):
        assert api(user, "read").get(f"{SUBMIT}{pk}/").status_code == 200, user
    for user in (other_commune_officer, other_district_officer, police):
        response = api(user, "read").get(f"{SUBMIT}{pk}/")
        assert response.status_code == 404, user
        assert response.json()["error"]["code"] == "not_found"


def test_a_read_only_token_is_refused_for_submitting(forms, commune_officer):
    response = post(api(commune_officer, "read"), body())
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "token_read_only",
        "message": "Khoá API này chỉ có quyền đọc; không dùng được phương thức POST.",
        "fields": {},
    }
    assert Submission.objects.count() == 0


def test_bad_values_are_refused_naming_the_fields_and_nothing_is_saved(forms, commune_officer):
    response = post(
        api(commune_officer), body(values={**GOOD_VALUES, "sellers_known": "mười hai", "outreach": -3})
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "sellers_known": [
            "“Số người bán dâm nắm được trên địa bàn”: “mười hai” không phải là số; nhập số nguyên, ví dụ 1500000."
        ],
        "outreach": ["“Số người được tiếp cận, tư vấn”: không được là số âm."],
    }
    assert Submission.objects.count() == 0


def test_a_fraction_or_an_unknown_field_is_refused(forms, commune_officer):
    client = api(commune_officer)
    fraction = post(client, body(values={**GOOD_VALUES, "outreach": 2.5}))
    assert fraction.json()["error"]["fields"] == {
        "outreach": [
            "“Số người được tiếp cận, tư vấn”: “2.5” không phải là số; nhập số nguyên, ví dụ 1500000."
        ]
    }
    unknown = post(client, body(values={**GOOD_VALUES, "hotspots": 3}))
    assert unknown.json()["error"]["fields"] == {
        "values": ["Biểu mẫu “Báo cáo tháng cấp xã” không có chỉ tiêu: hotspots."]
    }
    assert Submission.objects.count() == 0


def test_a_value_beyond_its_plausible_bound_asks_for_confirmation_then_passes(forms, commune_officer):
    client = api(commune_officer)
    values = {**GOOD_VALUES, "people_checked": 1200}
    asked = post(client, body(values=values))
    assert asked.status_code == 400
    assert asked.json()["error"] == {
        "code": "confirmation_required",
        "message": 'Có số liệu lớn hơn mức hợp lý: people_checked. Kiểm tra lại; nếu đúng, gửi lại kèm “confirmed”: ["people_checked"].',
        "fields": {
            "people_checked": [
                "“Số lượt người bị kiểm tra, quét vét”: 1.200 lớn hơn mức hợp lý (1.000). Kiểm tra lại, nếu đúng hãy đánh dấu “Xác nhận số liệu lớn”."
            ]
        },
    }
    assert Submission.objects.count() == 0
    confirmed = post(client, body(values=values, confirmed=["people_checked"]))
    assert confirmed.status_code == 201
    assert values_of(Submission.objects.get())["people_checked"] == 1200


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"period": "209901"}, {"period_id": ["Kỳ Tháng 01/2099 chưa bắt đầu; chưa thể lập báo cáo."]}),
        (
            {"unit": "01.002.00061"},
            {
                "unit": [
                    "Anh/chị không thuộc Phường Hàng Bạc: tài khoản này chỉ báo cáo cho Phường Tràng Tiền (đơn vị của Công chức LĐTBXH Phường Tràng Tiền)."
                ]
            },
        ),
        ({"unit": "01.999"}, {"unit": ["Không có đơn vị hành chính “01.999”."]}),
        ({"form": "khong-co"}, {"form": ["Không có biểu mẫu báo cáo “khong-co”."]}),
        (
            {"form": "cong-an-thang"},
            {
                "form": [
                    "Công chức LĐTBXH Phường Tràng Tiền không thuộc diện lập báo cáo “Báo cáo tháng của Công an”."
                ]
            },
        ),
    ],
)
def test_a_period_not_begun_a_unit_not_ones_own_or_a_form_not_ones_own_is_refused(
    forms, commune_officer, overrides, fields
):
    body_ = body(**overrides)
    if overrides.get("form") == "cong-an-thang":
        body_["values"] = {}
    response = post(api(commune_officer), body_)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert Submission.objects.count() == 0


def test_a_stale_version_gets_a_conflict_and_nothing_is_written(forms, commune_officer):
    client = api(commune_officer)
    draft = post(client, body(submit=False)).json()
    post(client, body(values={**GOOD_VALUES, "outreach": "16"}, version=draft["version"], submit=False))
    stale = post(
        client, body(values={**GOOD_VALUES, "outreach": "18"}, version=draft["version"], submit=False)
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["message"].startswith("Báo cáo vừa được người khác lưu (phiên bản 3).")
    assert values_of(Submission.objects.get())["outreach"] == 16


def test_a_returned_report_resent_unchanged_needs_a_note(forms, commune_officer, district_officer):
    client = api(commune_officer)
    pk = post(client, body()).json()["id"]
    submission = Submission.objects.get(pk=pk)
    services.submission_return(
        actor=district_officer, submission=submission, comment="Kiểm tra lại số tiếp cận"
    )
    unchanged = post(client, body())
    assert unchanged.status_code == 400
    assert unchanged.json()["error"]["fields"] == {
        "note": [
            "Báo cáo bị trả lại nhưng chưa có số liệu nào thay đổi. Hãy sửa theo ý kiến của cấp duyệt, hoặc ghi giải trình vì sao giữ nguyên."
        ]
    }
    fixed = post(client, body(values={**GOOD_VALUES, "outreach": "17"}))
    assert fixed.status_code == 200
    assert fixed.json()["status"] == "submitted"


def test_users_who_do_not_report_cannot_submit(forms, social_worker, sysadmin):
    for user in (social_worker, sysadmin):
        response = post(api(user), body())
        assert response.status_code == 403, user
        assert response.json()["error"]["code"] == "permission_denied"
        assert api(user, "read").get("/api/v1/reports/forms/").status_code == 404


EXPECTED = "/api/v1/reports/expected/"


def area_entry(data: dict, form: str) -> dict:
    [entry] = [e for e in data["area"]["forms"] if e["form"] == form]
    return entry


def test_the_district_labour_office_gets_its_districts_expected_reports_and_completeness(
    forms, commune_officer, district_officer
):
    pk = post(api(commune_officer), body()).json()["id"]
    response = api(district_officer, "read").get(EXPECTED, {"period": "201410"})
    assert response.status_code == 200
    data = response.json()
    assert (data["area"]["unit"], data["area"]["unit_name"]) == ("01.002", "Quận Hoàn Kiếm")
    assert {e["form"] for e in data["area"]["forms"]} == {"xa-thang", "cong-an-thang", "huyen-thang"}
    communes = area_entry(data, "xa-thang")
    assert (communes["period"], communes["due_date"]) == ("201410", "2014-11-15")
    assert (communes["expected"], communes["received"], communes["approved"]) == (18, 1, 0)
    assert len(communes["submissions"]) == 18
    assert {s["unit"][:7] for s in communes["submissions"]} == {"01.002."}
    [sent] = [s for s in communes["submissions"] if s["submission"] is not None]
    assert (sent["submission"], sent["unit"], sent["status"]) == (pk, "01.002.00079", "submitted")
    assert sum(row["expected"] for row in communes["by_unit"]) == 18
    police = area_entry(data, "cong-an-thang")
    assert (police["expected"], police["received"]) == (1, 0)
    assert [s["agency"] for s in police["submissions"]] == ["01-002-police"]
    # The officer's own agency's reports are still listed as before.
    assert {row["form"] for row in data["expected"]} == {"huyen-thang", "huyen-quy", "huyen-nam"}


def test_the_area_can_be_narrowed_to_a_unit_and_a_form(forms, commune_officer, coordinator):
    post(api(commune_officer), body())
    data = (
        api(coordinator, "read")
        .get(EXPECTED, {"unit": "01.002", "form": "xa-thang", "period": "201410"})
        .json()
    )
    assert data["area"]["unit"] == "01.002"
    [entry] = data["area"]["forms"]
    assert (entry["form"], entry["expected"], entry["received"]) == ("xa-thang", 18, 1)
    city = api(coordinator, "read").get(EXPECTED, {"form": "xa-thang", "period": "201410"}).json()
    assert city["area"]["unit"] == "01"
    assert area_entry(city, "xa-thang")["expected"] > 18


def test_a_unit_outside_the_jurisdiction_is_not_found(forms, district_officer, commune_officer):
    for user, path in (
        (district_officer, "01.017"),  # Đông Anh
        (district_officer, "01"),  # above the district
        (district_officer, "01.999"),  # no such unit
        (commune_officer, "01.002"),  # not an approver: only its own unit
    ):
        response = api(user, "read").get(EXPECTED, {"unit": path})
        assert response.status_code == 404, (user, path)
        assert response.json()["error"]["code"] == "not_found"


def test_a_bad_form_or_period_is_refused_naming_the_parameter(forms, district_officer):
    client = api(district_officer, "read")
    response = client.get(EXPECTED, {"form": "thanh-pho-nam"})  # the city's own form: not below the district
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"form": ["Không có biểu mẫu báo cáo “thanh-pho-nam”."]}
    response = client.get(EXPECTED, {"form": "xa-thang", "period": "2014Q3"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "period": ["Biểu mẫu “Báo cáo tháng cấp xã” lập theo kỳ hằng tháng."]
    }


def test_a_period_alone_keeps_the_forms_of_its_kind(forms, district_officer):
    client = api(district_officer, "read")
    quarter = client.get(EXPECTED, {"period": "2014Q3"}).json()
    assert {e["form"] for e in quarter["area"]["forms"]} == {"huyen-quy", "doi-178-quy", "cong-an-quy"}
    response = client.get(EXPECTED, {"period": "tháng mười"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["period"]


def test_submitters_who_do_not_approve_get_no_area(forms, commune_officer, police):
    for user in (commune_officer, police):
        data = api(user, "read").get(EXPECTED).json()
        assert data["area"] is None, user
