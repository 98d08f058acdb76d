"""A full upload disk: the officer gets a Vietnamese message naming the file and nothing is half-saved (no
stored-file row, no part of the file left on disk, the owning record unchanged, no audit row); any other
write the disk refuses gets the Vietnamese "disk full" page (507)."""

from __future__ import annotations

import errno
import pathlib

import pytest
from django.contrib.sessions.backends.db import SessionStore

from lanhmanh.core.models import ChangeRecord, StoredFile
from lanhmanh.plans.plan_2014 import load_plan_2014
from lanhmanh.plans.selectors import tasks_for
from tests.core.test_uploads import PDF, upload_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(district_officer):
    load_plan_2014()
    return tasks_for(district_officer).first()


@pytest.fixture
def full_disk(monkeypatch):
    """The upload disk fills up half-way through a file: the first half is written, then ENOSPC."""
    real = pathlib.Path.write_bytes

    def write_half_then_fail(self, data):
        real(self, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_half_then_fail)


def test_evidence_on_a_full_disk_is_refused_in_vietnamese_and_nothing_is_half_saved(
    task, district_officer, client_for, settings, tmp_path, full_disk
):
    settings.UPLOAD_ROOT = tmp_path
    audit_rows = ChangeRecord.objects.count()
    response = upload_evidence(client_for(district_officer), task, "bien-ban.pdf", PDF)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Máy chủ đã hết chỗ lưu tệp nên chưa lưu được tệp “bien-ban.pdf”" in page
    assert "không có gì được lưu" in page
    task.refresh_from_db()
    assert (task.status, task.evidence_upload, task.done_on) == ("not-started", None, None)
    assert StoredFile.objects.count() == 0
    assert ChangeRecord.objects.count() == audit_rows
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_same_evidence_is_stored_once_the_disk_has_room_again(
    task, district_officer, client_for, settings, tmp_path, monkeypatch, full_disk
):
    settings.UPLOAD_ROOT = tmp_path
    client = client_for(district_officer)
    assert upload_evidence(client, task, "bien-ban.pdf", PDF).status_code == 200
    monkeypatch.undo()  # the IT office freed space
    response = upload_evidence(client, task, "bien-ban.pdf", PDF)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert (tmp_path / task.evidence_upload.relative_path).read_bytes() == PDF
    assert StoredFile.objects.count() == 1


def test_any_other_write_the_full_disk_refuses_gets_the_vietnamese_disk_full_page(
    client_for, police, monkeypatch
):
    client = client_for(police)
    client.raise_request_exception = False

    def disk_full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SessionStore, "load", disk_full)
    response = client.get("/nguoi-vi-pham/")
    assert response.status_code == 507
    page = response.content.decode()
    assert "Máy chủ đã hết chỗ lưu trữ" in page
    assert "không có gì được lưu dở dang" in page


def test_an_upload_error_that_is_not_a_full_disk_is_not_disguised_as_one(
    task, district_officer, client_for, settings, tmp_path, monkeypatch
):
    settings.UPLOAD_ROOT = tmp_path

    def denied(self, data):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "write_bytes", denied)
    client = client_for(district_officer)
    client.raise_request_exception = False
    response = upload_evidence(client, task, "bien-ban.pdf", PDF)
    assert response.status_code == 500
    assert "hết chỗ" not in response.content.decode()
    assert StoredFile.objects.count() == 0
