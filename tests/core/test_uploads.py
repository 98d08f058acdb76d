"""The upload service (ASVS V12.1–V12.5): kinds by content, size limits, generated names outside the web
root, scoped download as an attachment with nosniff, EXIF/GPS stripped, no /media/ route."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from PIL import Image

from lanhmanh.core.models import StoredFile
from lanhmanh.core.uploads import MB, check_upload, detect_kind, strip_image_metadata
from lanhmanh.plans.evidence import EVIDENCE
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.selectors import tasks_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 2.0, 0.0), 3: "E", 4: (105.0, 51.0, 0.0)}  # GPS
    exif[0x0112] = 6  # Orientation: rotate 90° to stand upright
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_kinds_are_judged_by_content_not_by_name():
    assert detect_kind(PDF) == "pdf"
    assert detect_kind(docx_bytes()) == "docx"
    assert detect_kind(jpeg_with_gps()) == "jpeg"
    assert detect_kind(HTML) is None
    assert detect_kind(b"PK\x03\x04 not really a zip") is None
    # An HTML page named .pdf is refused; a PDF named .html is accepted and renamed .pdf.
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("bao-cao.pdf", HTML, "application/pdf"), purpose=EVIDENCE)
    assert refused.value.messages == [
        "Tệp “bao-cao.pdf” không thuộc loại được phép (Excel, JPEG, ODS, ODT, PDF, PNG, PowerPoint, "
        "WebP, Word). Hệ thống xét nội dung tệp, không xét tên."
    ]
    checked = check_upload(SimpleUploadedFile("x.html", PDF, "text/html"), purpose=EVIDENCE)
    assert (checked.kind, checked.original_name) == ("pdf", "x.pdf")


def test_files_over_the_limit_and_empty_files_are_refused():
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (10 * MB), "application/pdf")
    with pytest.raises(ValidationError) as refused:
        check_upload(big, purpose=EVIDENCE)
    assert refused.value.messages == ["Tệp “lon.pdf” lớn hơn giới hạn 10 MB."]
    with pytest.raises(ValidationError) as empty:
        check_upload(SimpleUploadedFile("rong.pdf", b""), purpose=EVIDENCE)
    assert empty.value.messages == ["Tệp “rong.pdf” rỗng."]


def test_pictures_lose_their_exif_and_gps_but_stay_upright():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "Canon"
    cleaned = strip_image_metadata(original, "jpeg")
    image = Image.open(io.BytesIO(cleaned))
    assert dict(image.getexif()) == {}
    assert b"Canon" not in cleaned
    assert image.size == (20, 40)


def test_a_broken_picture_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\nbroken"), purpose=EVIDENCE)
    assert refused.value.messages == ["Ảnh “anh.png” bị hỏng hoặc quá lớn để xử lý."]


def test_there_is_no_media_route():
    with pytest.raises(Resolver404):
        resolve("/media/plans/evidence/2026/x.html")


@pytest.fixture
def task(district_officer):
    load_plan_2014()
    return tasks_for(district_officer).first()  # the district committee's, prepared by its labour office


def upload_evidence(client, task, name, content):
    return client.post(
        f"/ke-hoach/cong-viec/{task.pk}/",
        {
            "status": "done",
            "evidence_note": "",
            "evidence_link": "",
            "evidence_file": SimpleUploadedFile(name, content),
        },
    )


def test_task_evidence_is_stored_under_a_generated_name_outside_the_web_root(
    task, district_officer, client_for, settings, tmp_path
):
    settings.UPLOAD_ROOT = tmp_path
    response = upload_evidence(client_for(district_officer), task, "bien-ban.html", jpeg_with_gps())
    assert response.status_code == 302
    task.refresh_from_db()
    stored = task.evidence_upload
    assert (stored.kind, stored.original_name, stored.uploaded_by) == (
        "jpeg",
        "bien-ban.jpg",
        district_officer,
    )
    path = tmp_path / stored.relative_path
    assert path.name == stored.pk.hex
    assert b"Canon" not in path.read_bytes()
    assert not str(path).startswith(str(settings.STATIC_ROOT))


def test_task_evidence_of_html_is_refused_in_vietnamese_and_nothing_is_saved(
    task, district_officer, client_for, settings, tmp_path
):
    settings.UPLOAD_ROOT = tmp_path
    response = upload_evidence(client_for(district_officer), task, "a.html", HTML)
    assert response.status_code == 200
    assert "không thuộc loại được phép" in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.evidence_upload, StoredFile.objects.count()) == ("not-started", None, 0)
    assert list(tmp_path.iterdir()) == []


def test_evidence_is_downloaded_as_an_attachment_only_by_who_may_open_the_task(
    task, district_officer, other_district_officer, coordinator, client_for, settings, tmp_path
):
    settings.UPLOAD_ROOT = tmp_path
    upload_evidence(client_for(district_officer), task, "bien-ban.pdf", PDF)
    task.refresh_from_db()
    url = f"/tep/{task.evidence_upload.pk}/"
    response = client_for(district_officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="bien-ban.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(other_district_officer).get(url).status_code == 404
    from django.test import Client

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
    page = client_for(district_officer).get(f"/ke-hoach/cong-viec/{task.pk}/").content.decode()
    assert f'href="{url}"' in page
