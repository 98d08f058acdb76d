"""The database restarting under load: a Vietnamese "try again" page (503), and nothing half-saved."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError

from lanhmanh.reporting import services
from lanhmanh.reporting.models import ReportForm
from tests.reporting.conftest import GOOD_VALUES, REASONS, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly_form(db):
    services.report_forms_load()
    return ReportForm.objects.get(code="xa-thang")


def failing(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_database_that_drops_the_connection_gives_the_vietnamese_try_again_page(
    client_for, police, monkeypatch
):
    client = client_for(police)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionStore, "load", failing)
    response = client.get("/nguoi-vi-pham/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn, hãy thử lại sau ít phút" in page
    assert "không có gì được lưu dở dang" in page


def test_a_connection_lost_in_the_middle_of_a_save_leaves_the_report_as_it_was(
    monthly_form, commune_officer, client_for, monkeypatch
):
    submission = services.submission_open(
        actor=commune_officer, form=monthly_form, period_id="201410", today=TODAY
    )
    services.submission_save(
        actor=commune_officer, submission=submission, values=GOOD_VALUES, reasons=REASONS
    )
    submission.refresh_from_db()
    version = submission.version
    client = client_for(commune_officer)
    client.raise_request_exception = False
    # The values are written, then the audit row's insert meets a dead connection.
    monkeypatch.setattr(services, "record_change", failing)
    response = client.post(
        f"/bao-cao/{submission.pk}/muc/ho-tro/",
        {"version": version, "outreach": "99", "health_referrals": "6", "trained_employed": "2"},
    )
    assert response.status_code == 503
    submission.refresh_from_db()
    assert submission.version == version
    assert submission.values.get(field__code="outreach").number == 15


def test_any_other_server_error_gets_the_plain_vietnamese_error_page(client_for, police, monkeypatch):
    client = client_for(police)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionStore, "load", lambda self: 1 / 0)
    response = client.get("/nguoi-vi-pham/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
