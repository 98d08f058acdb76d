"""The one job page in the browser (issue #18 item 4): a running job's bar is polled by htmx until the job
finishes; a large establishment list then moves on to its result page, a deduplication run shows its results
in place and stops polling."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lanhmanh.core.models import Job
from lanhmanh.linkage.models import DedupRun
from lanhmanh.linkage.services import run_create
from lanhmanh.org.models import User
from lanhmanh.premises.models import ESTABLISHMENT_IMPORT_JOB, EstablishmentImport

pytestmark = pytest.mark.browser


def finish(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(
        status="done", step="finished", percent=100, finished_at=timezone.now()
    )


def test_a_large_list_page_follows_its_job_and_moves_on_to_the_result(page, live_url, login_as):
    login_as(page, "doi178")
    owner = User.objects.get(username="doi178")
    batch = EstablishmentImport.objects.create(
        owner=owner, file_name="co-so-quan.xlsx", digest="0" * 64, cells="[]", row_count=600
    )
    job = Job.objects.create(
        kind=ESTABLISHMENT_IMPORT_JOB.code,
        subject_id=batch.pk,
        owner=owner,
        status="running",
        step="establishments",
        percent=40,
        started_at=timezone.now(),
    )
    page.goto(
        live_url(f"/co-so-kinh-doanh/nhap-excel/{batch.pk}/")
    )  # the preview shows the running job instead
    expect(page).to_have_url(live_url(f"/co-so-kinh-doanh/nhap-excel/{batch.pk}/tien-do/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi danh sách: co-so-quan.xlsx")
    expect(page.locator("#job-progress-bar")).to_have_attribute("value", "40")
    expect(page.locator("label[for=job-progress-bar]")).to_have_text("Đang xử lý — Ghi cơ sở và giấy phép")

    Job.objects.filter(pk=job.pk).update(percent=75)
    expect(page.locator("#job-progress-bar")).to_have_attribute("value", "75")  # the poll brought it

    EstablishmentImport.objects.filter(pk=batch.pk).update(
        status="confirmed", created_count=598, skipped_count=2
    )
    finish(job)
    expect(page).to_have_url(live_url(f"/co-so-kinh-doanh/nhap-excel/{batch.pk}/"))
    expect(page.locator("[data-import-done]")).to_have_text("Đã nhập 598 cơ sở; 2 cơ sở đã có, bỏ qua.")


def test_a_dedup_run_page_shows_its_results_in_place_when_its_job_finishes(page, live_url, login_as):
    login_as(page, "dieuphoi")
    run = run_create(actor=User.objects.get(username="dieuphoi"))
    page.goto(live_url(f"/ho-so-trung/ra-soat/{run.pk}/"))
    box = page.locator("#job-progress")
    expect(box).to_have_attribute("data-job-status", "queued")
    expect(page.locator("label[for=job-progress-bar]")).to_have_text("Đang chờ xử lý — Chờ đến lượt")

    DedupRun.objects.filter(pk=run.pk).update(records=5, auto_merged=1, queued=2)
    finish(run.job)
    expect(page.locator("[data-run-results]")).to_have_text("5 hồ sơ; tự động hợp nhất 1; 2 cặp chờ xem xét.")
    expect(box).to_have_attribute("data-job-status", "done")
    expect(page.locator("#job-progress-bar")).to_have_attribute("value", "100")
    assert box.get_attribute("hx-get") is None  # finished: no more polling
    expect(page).to_have_url(live_url(f"/ho-so-trung/ra-soat/{run.pk}/"))
