"""Inspection attachments through the upload service: photos lose their EXIF, bad files get a Vietnamese
message naming the file and nothing is stored, and a file is read by exactly those who may read the
inspection (404 for everyone else)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from lanhmanh.core.models import StoredFile
from lanhmanh.premises.models import InspectionAttachment
from tests.premises.test_inspections import record

pytestmark = pytest.mark.django_db


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (30, 20), "blue")
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 2.0, 0.0), 3: "E", 4: (105.0, 51.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def inspection(inspector, place, team, three_agencies):
    return record(inspector, place, team, three_agencies)


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path
    return tmp_path


def attach(client, inspection, name: str, content: bytes, kind: str = "photo", caption: str = ""):
    return client.post(
        reverse("premises:inspection_detail", args=[inspection.pk]),
        {
            "attach": "1",
            "attach-file": SimpleUploadedFile(name, content, "image/jpeg"),
            "attach-kind": kind,
            "attach-caption": caption,
        },
    )


def test_an_inspector_attaches_a_photo_without_its_exif_and_sees_it_listed(
    client_for, inspector, inspection, uploads
):
    client = client_for(inspector)
    response = attach(client, inspection, "phong-hat-3.jpg", photo_with_gps(), caption="Phòng hát số 3")
    assert response.status_code == 302
    attachment = InspectionAttachment.objects.get(inspection=inspection)
    stored = attachment.file
    assert (stored.purpose, stored.kind, stored.original_name) == (
        "premises.inspection-attachment",
        "jpeg",
        "phong-hat-3.jpg",
    )
    on_disk = (uploads / stored.relative_path).read_bytes()
    assert b"Canon" not in on_disk
    assert dict(Image.open(io.BytesIO(on_disk)).getexif()) == {}
    page = client.get(reverse("premises:inspection_detail", args=[inspection.pk])).content.decode()
    assert "phong-hat-3.jpg" in page
    assert "Phòng hát số 3" in page
    download = client.get(reverse("stored-file", args=[stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_picture_or_pdf_is_refused_in_vietnamese_and_nothing_is_saved(
    client_for, inspector, inspection, uploads
):
    response = attach(client_for(inspector), inspection, "bien-ban.jpg", b"<html><script>x</script>")
    assert response.status_code == 200
    assert response.context["attach_form"].errors["file"] == [
        "Tệp “bien-ban.jpg” không thuộc loại được phép (JPEG, PDF, PNG, WebP). "
        "Hệ thống xét nội dung tệp, không xét tên."
    ]
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    refused = attach(client_for(inspector), inspection, "bien-ban.docx", word.getvalue(), kind="minutes")
    assert "không thuộc loại được phép" in refused.context["attach_form"].errors["file"][0]
    assert not InspectionAttachment.objects.exists()
    assert not StoredFile.objects.exists()
    assert not any(uploads.iterdir())


def test_a_missing_file_names_the_field(client_for, inspector, inspection, uploads):
    response = client_for(inspector).post(
        reverse("premises:inspection_detail", args=[inspection.pk]),
        {"attach": "1", "attach-kind": "photo"},
    )
    assert response.status_code == 200
    assert "file" in response.context["attach_form"].errors
    assert not InspectionAttachment.objects.exists()


def test_an_attachment_is_read_by_those_who_read_the_inspection_only(
    client_for,
    inspector,
    district_officer,
    other_district_officer,
    licensing,
    health_worker,
    inspection,
    uploads,
):
    attach(client_for(inspector), inspection, "scan.pdf", b"%PDF-1.4\n%%EOF\n", kind="minutes")
    stored = InspectionAttachment.objects.get().file
    url = reverse("stored-file", args=[stored.pk])
    assert client_for(district_officer).get(url).status_code == 200
    for outsider in (other_district_officer, licensing, health_worker):
        assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code in (302, 404)


def test_someone_who_may_read_but_not_inspect_cannot_attach(client_for, police, inspection, uploads):
    response = attach(client_for(police), inspection, "x.jpg", photo_with_gps())
    assert response.status_code == 200
    assert response.context["attach_form"] is None
    assert not InspectionAttachment.objects.exists()
