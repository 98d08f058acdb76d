"""Issue #14: files of evidence (minutes, photos, decisions) on assessments through the upload service —
attached per item or to the whole assessment, listed, read by whoever may open the assessment (404
elsewhere), refused in Vietnamese when bad, locked once the city approved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lanhmanh.communes import services
from lanhmanh.communes.models import AssessmentFile
from lanhmanh.core.models import StoredFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def _attach(client, assessment, name, content, item=None, description=""):
    return client.post(
        f"/xa-lanh-manh/phieu/{assessment.pk}/tep/",
        {
            "file": SimpleUploadedFile(name, content),
            "item": "" if item is None else str(item.pk),
            "description": description,
        },
    )


def test_the_commune_attaches_minutes_to_an_item_and_sees_them_listed(
    client_for, commune_officer, draft, items
):
    client = client_for(commune_officer)
    response = _attach(client, draft, "bien-ban-hop.pdf", PDF, items["2.1"], "Biên bản họp BCĐ")
    assert response.status_code == 302
    attachment = AssessmentFile.objects.get(assessment=draft)
    assert (attachment.item, attachment.upload.kind, attachment.upload.purpose) == (
        items["2.1"],
        "pdf",
        "communes.evidence",
    )
    page = client.get(f"/xa-lanh-manh/phieu/{draft.pk}/").content.decode()
    assert 'data-testid="files-2.1"' in page and "bien-ban-hop.pdf" in page and "Biên bản họp BCĐ" in page
    download = client.get(f"/tep/{attachment.upload.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_general_file_belongs_to_the_whole_assessment(client_for, commune_officer, draft):
    _attach(client_for(commune_officer), draft, "quyet-dinh.pdf", PDF)
    assert AssessmentFile.objects.get(assessment=draft).item is None


def test_a_bad_file_is_refused_in_vietnamese_and_nothing_is_saved(client_for, commune_officer, draft):
    response = _attach(client_for(commune_officer), draft, "anh.jpg", HTML)
    assert response.status_code == 400
    page = response.content.decode()
    assert "không thuộc loại được phép" in page and "xét nội dung tệp, không xét tên" in page
    assert (AssessmentFile.objects.count(), StoredFile.objects.count()) == (0, 0)
    empty = client_for(commune_officer).post(f"/xa-lanh-manh/phieu/{draft.pk}/tep/", {"item": ""})
    assert "Chọn tệp minh chứng để tải lên." in empty.content.decode()


def test_an_item_of_another_template_is_refused(client_for, commune_officer, draft):
    response = _attach(client_for(commune_officer), draft, "x.pdf", PDF)
    assert response.status_code == 302
    bad = client_for(commune_officer).post(
        f"/xa-lanh-manh/phieu/{draft.pk}/tep/",
        {"file": SimpleUploadedFile("y.pdf", PDF), "item": "999999"},
    )
    assert bad.status_code == 400
    assert "Chọn một tiêu chí của phiếu" in bad.content.decode()
    assert AssessmentFile.objects.count() == 1


@pytest.mark.parametrize(
    "persona", ["other_commune_officer", "other_district_officer", "police", "social_worker", "sysadmin"]
)
def test_the_file_is_404_for_whoever_may_not_open_the_assessment(
    request, client_for, commune_officer, draft, persona
):
    _attach(client_for(commune_officer), draft, "bien-ban.pdf", PDF)
    stored = AssessmentFile.objects.get().upload
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/tep/{stored.pk}/").status_code == 404
    assert _attach(client, draft, "z.pdf", PDF).status_code == 404


@pytest.mark.parametrize("persona", ["district_officer", "coordinator"])
def test_the_district_and_the_city_read_the_files(request, client_for, commune_officer, draft, persona):
    _attach(client_for(commune_officer), draft, "bien-ban.pdf", PDF)
    stored = AssessmentFile.objects.get().upload
    assert client_for(request.getfixturevalue(persona)).get(f"/tep/{stored.pk}/").status_code == 200


def test_the_district_adds_its_review_minutes_and_removes_only_its_own(
    client_for, commune_officer, district_officer, draft, items
):
    _attach(client_for(commune_officer), draft, "cua-xa.pdf", PDF)
    services.assessment_save_self(
        actor=commune_officer,
        assessment=draft,
        answers={i.pk: {"score": str(i.points)} for i in items.values()},
    )
    services.assessment_submit(actor=commune_officer, assessment=draft)
    district = client_for(district_officer)
    assert _attach(district, draft, "bien-ban-phuc-tra.pdf", PDF).status_code == 302
    commune_file, district_file = AssessmentFile.objects.order_by("pk")
    district.post(f"/xa-lanh-manh/phieu/{draft.pk}/tep/{commune_file.pk}/go/")
    district.post(f"/xa-lanh-manh/phieu/{draft.pk}/tep/{district_file.pk}/go/")
    assert list(AssessmentFile.objects.all()) == [commune_file]
    # The commune, no longer in its step, cannot add any more.
    late = _attach(client_for(commune_officer), draft, "muon.pdf", PDF)
    assert late.status_code == 400 and "thêm, xoá tệp minh chứng" in late.content.decode()


def test_files_are_locked_with_the_approved_assessment(client_for, coordinator, approved):
    client = client_for(coordinator)
    response = _attach(client, approved, "them.pdf", PDF)
    assert response.status_code == 400
    assert "đã được thành phố duyệt và khoá" in response.content.decode()
    page = client.get(f"/xa-lanh-manh/phieu/{approved.pk}/").content.decode()
    assert 'data-testid="files-locked"' in page and 'data-testid="file-form"' not in page
    assert AssessmentFile.objects.count() == 0


def test_a_locked_file_cannot_be_removed(
    client_for, commune_officer, coordinator, draft, items, district_officer
):
    _attach(client_for(commune_officer), draft, "bien-ban.pdf", PDF)
    services.assessment_save_self(
        actor=commune_officer,
        assessment=draft,
        answers={i.pk: {"score": str(i.points)} for i in items.values()},
    )
    services.assessment_submit(actor=commune_officer, assessment=draft)
    services.assessment_review(actor=district_officer, assessment=draft, changes={}, note="")
    services.assessment_approve(actor=coordinator, assessment=draft)
    attachment = AssessmentFile.objects.get()
    client_for(commune_officer).post(f"/xa-lanh-manh/phieu/{draft.pk}/tep/{attachment.pk}/go/")
    assert AssessmentFile.objects.filter(pk=attachment.pk).exists()
