"""Tips: the public page (receipt, anti-abuse, images), status by receipt, intake, triage, statistics."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lanhmanh.core.models import AccessRecord
from lanhmanh.enforcement import services
from lanhmanh.enforcement.models import ReemergenceProposal, ThrottleHit, Tip, TipAttachment
from lanhmanh.enforcement.public import challenge_new, pow_solve, receipt_hash, receipt_new
from tests.conftest import HOAN_KIEM, TRANG_TIEN, agency, unit
from tests.enforcement.conftest import jpeg_with_gps, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.UPLOAD_ROOT = tmp_path / "uploads"


def solved_form(**values) -> dict:
    from django.conf import settings

    challenge = challenge_new()
    data = {
        "what": "Buổi tối có người đứng mời chào khách gần vườn hoa.",
        "unit": unit(TRANG_TIEN).pk,
        "address": "Vườn hoa Lý Thái Tổ",
        "place_name": "",
        "when": "Khoảng 22 giờ tối thứ Bảy",
        "contact": "0912 000 111",
        "website": "",
        "challenge": challenge,
        "nonce": pow_solve(challenge, settings.TIP_POW_BITS),
    }
    data.update(values)
    return data


def receipt_of(response) -> str:
    return re.search(r"data-receipt>([A-Z0-9-]+)<", response.content.decode()).group(1)


def test_the_public_page_opens_without_an_account_and_says_what_is_not_stored():
    page = Client().get("/tin-bao/").content.decode()
    assert "Gửi tin báo về tệ nạn mại dâm" in page
    assert (
        "Hệ thống không lưu địa chỉ IP hay thông tin trình duyệt, thiết bị của bạn cùng với tin báo." in page
    )


def test_a_tip_gets_a_receipt_shown_once_and_stored_only_as_a_hash():
    response = Client().post("/tin-bao/", solved_form())
    assert response.status_code == 200
    code = receipt_of(response)
    assert len(code.replace("-", "")) == 20
    tip = Tip.objects.get()
    assert tip.receipt_hash == receipt_hash(code)
    assert code.replace("-", "") not in str(Tip.objects.values().get())
    assert (tip.channel, tip.status, tip.contact) == ("web", "received", "0912 000 111")
    assert "no-store" in response["Cache-Control"]


def test_no_address_or_device_of_the_sender_is_stored_with_the_tip():
    Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Thu-Nghiem/1.0").post("/tin-bao/", solved_form())
    stored = str(Tip.objects.values().get()) + str(list(ThrottleHit.objects.values("key")))
    assert "203.0.113.9" not in stored
    assert "Thu-Nghiem" not in stored
    assert [f.name for f in Tip._meta.fields if "ip" in f.name.split("_") or "agent" in f.name] == []


def test_the_contact_is_encrypted_in_the_database():
    from django.db import connection

    Client().post("/tin-bao/", solved_form())
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM enforcement_tip")
        (raw,) = cursor.fetchone()
    assert "0912" not in raw


def test_a_tip_with_only_whitespace_is_refused_and_nothing_saved():
    response = Client().post("/tin-bao/", solved_form(what="   \n  "))
    assert response.status_code == 400
    assert "Nội dung tin báo không được để trống." in response.content.decode()
    assert Tip.objects.count() == 0


def test_the_honeypot_saves_nothing():
    response = Client().post("/tin-bao/", solved_form(website="http://spam.example"))
    assert response.status_code == 400
    assert Tip.objects.count() == 0


def test_a_form_without_proof_of_work_is_refused(settings):
    settings.TIP_POW_BITS = 12
    data = solved_form()
    data["nonce"] = "x"
    response = Client().post("/tin-bao/", data)
    assert response.status_code == 400
    assert "Trình duyệt chưa hoàn tất bước kiểm tra chống gửi tự động." in response.content.decode()
    assert Tip.objects.count() == 0


def test_a_challenge_is_accepted_once():
    data = solved_form()
    assert Client().post("/tin-bao/", data).status_code == 200
    response = Client().post("/tin-bao/", data)
    assert response.status_code == 400
    assert "Biểu mẫu này đã được gửi." in response.content.decode()
    assert Tip.objects.count() == 1


def test_a_form_sent_back_too_fast_is_refused(settings):
    settings.TIP_MIN_SECONDS = 30
    response = Client().post("/tin-bao/", solved_form())
    assert "Biểu mẫu được gửi quá nhanh." in response.content.decode()
    assert Tip.objects.count() == 0


def test_one_client_sending_many_tips_in_a_minute_is_slowed_down_and_nothing_is_lost(settings):
    settings.TIP_RATE_PER_CLIENT = 5
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = [client.post("/tin-bao/", solved_form(what=f"Tin báo số {i}")).status_code for i in range(8)]
    assert answers == [200] * 5 + [429] * 3
    assert sorted(Tip.objects.values_list("what", flat=True)) == [f"Tin báo số {i}" for i in range(5)]
    refused = client.post("/tin-bao/", solved_form()).content.decode()
    assert "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn." in refused
    assert Client(REMOTE_ADDR="198.51.100.8").post("/tin-bao/", solved_form()).status_code == 200


def test_an_image_is_stored_without_its_exif_and_gps(settings):
    upload = SimpleUploadedFile("anh.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert b"Camera-Thu-Nghiem" in jpeg_with_gps()
    Client().post("/tin-bao/", {**solved_form(), "images": [upload]})
    attachment = TipAttachment.objects.select_related("file").get()
    path = settings.UPLOAD_ROOT / attachment.file.relative_path
    assert b"Camera-Thu-Nghiem" not in path.read_bytes()
    with Image.open(path) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (40, 30)
    # Through the shared upload service, without the sender's file name (it may point at the sender).
    assert (attachment.file.purpose, attachment.file.kind) == ("enforcement.tip-image", "jpeg")
    assert attachment.file.original_name == "anh-tin-bao.jpg"
    assert attachment.file.uploaded_by is None


def test_a_file_that_is_not_an_image_is_refused_naming_it():
    upload = SimpleUploadedFile("ghi-chu.pdf", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = Client().post("/tin-bao/", {**solved_form(), "images": [upload]})
    assert response.status_code == 400
    assert (
        "Tệp “ghi-chu.pdf” không thuộc loại được phép (JPEG, PNG, WebP). Hệ thống xét nội dung tệp, không xét tên."
        in response.content.decode()
    )
    assert Tip.objects.count() == 0
    assert TipAttachment.objects.count() == 0


def test_an_oversized_image_is_refused(settings):
    settings.TIP_IMAGE_MAX_BYTES = 10_000
    upload = SimpleUploadedFile("to.png", png_bytes() + b"\0" * 20_000, content_type="image/png")
    response = Client().post("/tin-bao/", {**solved_form(), "images": [upload]})
    assert "Tệp “to.png” lớn hơn giới hạn 0.00953674 MB." in response.content.decode()
    assert Tip.objects.count() == 0


def test_the_sender_sees_only_the_status_by_receipt(police):
    code = receipt_of(Client().post("/tin-bao/", solved_form()))
    tip = Tip.objects.get()
    services.tip_triage(
        actor=police,
        tip=tip,
        assigned_agency=police.agency,
        assigned_team="Tổ 3",
        note="Nguồn tin của đồng chí Hùng",
    )
    page = Client().post("/tin-bao/tra-cuu/", {"receipt": code.lower().replace("-", " ")}).content.decode()
    assert re.search(r"data-status-label>([^<]+)<", page).group(1) == "Đang xác minh"
    for secret in ("Tổ 3", "Hùng", "Công an", "0912"):
        assert secret not in page


def test_a_wrong_and_an_unknown_receipt_get_the_same_answer():
    code = receipt_of(Client().post("/tin-bao/", solved_form()))
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    answers = [Client().post("/tin-bao/tra-cuu/", {"receipt": r}) for r in (wrong, receipt_new())]
    assert answers[0].status_code == answers[1].status_code == 200
    bodies = [
        re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", a.content.decode())
        for a in answers
    ]
    assert bodies[0] == bodies[1]
    assert "Không tìm thấy tin báo với mã tra cứu này." in bodies[0]


def test_the_sender_adds_information_later_with_an_image():
    code = receipt_of(Client().post("/tin-bao/", solved_form()))
    upload = SimpleUploadedFile("them.png", png_bytes(), content_type="image/png")
    response = Client().post(
        "/tin-bao/bo-sung/", {"receipt": code, "text": "Có thêm hai xe máy đưa đón.", "images": [upload]}
    )
    assert "Đã nhận thông tin bổ sung." in response.content.decode()
    tip = Tip.objects.get()
    assert list(tip.additions.values_list("text", flat=True)) == ["Có thêm hai xe máy đưa đón."]
    assert tip.attachments.count() == 1


def test_adding_with_a_wrong_receipt_saves_nothing():
    Client().post("/tin-bao/", solved_form())
    response = Client().post("/tin-bao/bo-sung/", {"receipt": receipt_new(), "text": "Thêm"})
    assert response.status_code == 404
    assert Tip.objects.get().additions.count() == 0


def test_a_receipt_probed_too_often_answers_like_an_unknown_one(settings):
    settings.TIP_RATE_PER_RECEIPT = 3
    code = receipt_of(Client().post("/tin-bao/", solved_form()))
    pages = [
        Client(REMOTE_ADDR=f"192.0.2.{i}").post("/tin-bao/tra-cuu/", {"receipt": code}).content.decode()
        for i in range(4)
    ]
    assert ["data-status-label" in p for p in pages] == [True, True, True, False]


# Intake, triage, who sees what -------------------------------------------------------------------------


def test_an_officer_types_a_hotline_tip_and_reads_the_receipt_to_the_caller(police, client_for):
    response = client_for(police).post(
        "/tin-bao/tiep-nhan/them/",
        {
            "channel": "phone",
            "what": "Người gọi báo có mời chào ở gầm cầu.",
            "unit": unit(TRANG_TIEN).pk,
            "contact": "Ông Ba, 0988 111 222",
            "with_receipt": "on",
        },
    )
    assert "Đọc mã tra cứu này cho người báo tin:" in response.content.decode()
    tip = Tip.objects.get()
    assert (tip.channel, tip.recorded_by, tip.receipt_hash is not None) == ("phone", police, True)


def test_the_contact_is_shown_to_intake_officers_and_the_read_is_logged(police, coordinator, client_for):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN), contact="0912 000 111")
    for user in (police, coordinator):
        assert "0912 000 111" in client_for(user).get(f"/tin-bao/tiep-nhan/{tip.pk}/").content.decode()
    assert AccessRecord.objects.filter(model="enforcement.tip", object_id=str(tip.pk)).count() == 2


@pytest.mark.parametrize(
    "persona",
    [
        "commune_officer",
        "district_officer",
        "inspector",
        "social_worker",
        "court_clerk",
        "other_district_officer",
    ],
)
def test_no_other_role_reads_tips(persona, request, client_for):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN), contact="0912 000 111")
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/tin-bao/tiep-nhan/{tip.pk}/").status_code == 404
    assert client.get("/tin-bao/tiep-nhan/").status_code == 404
    assert client.get("/tin-bao/thong-ke/").status_code == 404


def test_police_of_another_district_get_404_on_the_tip(client_for):
    from tests.conftest import make_user

    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN))
    dong_anh_police = make_user("ca_dong_anh", agency("01.017", "police"), "police")
    assert client_for(dong_anh_police).get(f"/tin-bao/tiep-nhan/{tip.pk}/").status_code == 404


def test_a_verified_tip_at_an_eliminated_hotspot_proposes_a_reemergence(police, eliminated, client_for):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN))
    response = client_for(police).post(
        f"/tin-bao/tiep-nhan/{tip.pk}/",
        {
            "assigned_agency": agency(HOAN_KIEM, "police").pk,
            "hotspot": eliminated.pk,
            "outcome": "verified",
            "status": "closed",
            "outcome_note": "Có 2 người mời chào",
        },
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert (tip.status, tip.outcome, tip.hotspot) == ("closed", "verified", eliminated)
    assert tip.first_action_at is not None
    assert ReemergenceProposal.objects.get().source == "tip"


def test_closing_a_tip_needs_an_outcome(police, client_for):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN))
    response = client_for(police).post(f"/tin-bao/tiep-nhan/{tip.pk}/", {"status": "closed"})
    assert "Ghi kết quả xác minh trước khi đóng tin báo." in response.content.decode()
    tip.refresh_from_db()
    assert tip.status == "received"


def test_the_coordinator_reads_but_does_not_triage(coordinator, client_for):
    tip, _code = services.tip_submit(what="Mời chào khách", unit=unit(TRANG_TIEN))
    assert (
        client_for(coordinator)
        .post(f"/tin-bao/tiep-nhan/{tip.pk}/", {"status": "checking", "note": "x"})
        .status_code
        == 404
    )


def test_tip_statistics_by_channel_and_district(police, client_for):
    tips = [
        services.tip_submit(
            what=f"Tin {i}", unit=unit(TRANG_TIEN), channel=c, actor=None if c == "web" else police
        )[0]
        for i, c in enumerate(["web", "web", "phone"])
    ]
    Tip.objects.filter(pk=tips[0].pk).update(
        first_action_at=tips[0].received_at + dt.timedelta(days=2), outcome="verified"
    )
    Tip.objects.filter(pk=tips[2].pk).update(first_action_at=tips[2].received_at + dt.timedelta(days=4))
    response = client_for(police).get("/tin-bao/thong-ke/")
    stats = response.context["stats"]
    by_channel = {r.label: (r.received, r.verified, r.median_days) for r in stats["by_channel"]}
    assert by_channel == {"Trang tin báo trực tuyến": (2, 1, 2.0), "Đường dây nóng": (1, 0, 4.0)}
    assert [(r.label, r.received, r.median_days) for r in stats["by_district"]] == [("Hoàn Kiếm", 3, 3.0)]


def test_a_tip_image_is_served_to_the_intake_officers_of_its_unit_only(police, commune_officer, client_for):
    from tests.conftest import make_user

    upload = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    Client().post("/tin-bao/", {**solved_form(), "images": [upload]})
    attachment = TipAttachment.objects.select_related("file").get()
    for path in (f"/tin-bao/tiep-nhan/anh/{attachment.pk}/", f"/tep/{attachment.file.pk}/"):
        response = client_for(police).get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert response["X-Content-Type-Options"] == "nosniff"
    dong_anh_police = make_user("ca_dong_anh", agency("01.017", "police"), "police")
    for user in (dong_anh_police, commune_officer):
        assert client_for(user).get(f"/tin-bao/tiep-nhan/anh/{attachment.pk}/").status_code == 404
        assert client_for(user).get(f"/tep/{attachment.file.pk}/").status_code == 404
