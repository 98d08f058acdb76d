"""Long establishment lists are confirmed by the background worker (django-tasks; immediate in tests) on a
``core.Job`` with the one progress page; the confirmation stays one transaction: a failure, or a worker
stopped in the middle, writes nothing and the list can be confirmed again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from lanhmanh.core.models import ChangeRecord, Job
from lanhmanh.ops.worker import recover_orphaned_tasks
from lanhmanh.premises.imports import BACKGROUND_ROWS
from lanhmanh.premises.models import ESTABLISHMENT_IMPORT_JOB, Establishment, EstablishmentImport, Licence
from tests.conftest import HOAN_KIEM, agency, make_user
from tests.ops.test_health import heartbeat, queued_task
from tests.premises.test_api_and_import import row, upload, workbook

pytestmark = pytest.mark.django_db

ROWS = BACKGROUND_ROWS + 1
INTERRUPTED = "Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."


def long_list(rows: int = ROWS, *, last_licensed: bool = False) -> list[dict]:
    """``rows`` different karaoke bars in Tràng Tiền, owned by companies; without licences, except the last
    one's culture licence when ``last_licensed``."""
    return [
        row(
            name=f"Karaoke số {i}",
            address=f"{i} phố Hàng Bài",
            registration_number=f"01B9{i:06d}",
            organisation_name=f"Công ty TNHH Số {i}",
            culture_number="77/GP-VHTTDL" if last_licensed and i == rows - 1 else "",
        )
        for i in range(rows)
    ]


def uploaded(client, rows: list[dict]) -> EstablishmentImport:
    response = upload(client, workbook(rows))
    assert response.status_code == 302, response.content.decode()
    return EstablishmentImport.objects.order_by("-pk").first()


def list_job(batch: EstablishmentImport, **fields) -> Job:
    """A job row of this list, as the background confirmation writes it."""
    return Job.objects.create(
        kind=ESTABLISHMENT_IMPORT_JOB.code, subject_id=batch.pk, owner=batch.owner, **fields
    )


def test_a_long_list_is_confirmed_by_the_worker_and_the_page_moves_on_to_the_result(client_for, inspector):
    client = client_for(inspector)
    batch = uploaded(client, long_list())
    preview_url = reverse("premises:import_preview", args=[batch.pk])
    progress_url = reverse("premises:import_progress", args=[batch.pk])
    response = client.post(preview_url, {"action": "confirm"})
    assert (response.status_code, response.url) == (302, progress_url)

    job = Job.objects.get()
    assert (job.kind, job.subject_id, job.owner, job.status, job.step, job.percent, job.errors) == (
        "premises.import",
        batch.pk,
        inspector,
        "done",
        "finished",
        100,
        "",
    )
    assert job.task_id
    assert job.started_at <= job.finished_at
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.skipped_count, batch.cells) == ("confirmed", ROWS, 0, "")
    assert Establishment.objects.count() == ROWS
    assert list(
        ChangeRecord.objects.filter(model="core.job", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "status"]

    # The progress page of a finished job moves on to the result page, and so does the htmx poll.
    response = client.get(progress_url, headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, preview_url)
    response = client.get(progress_url, follow=True)
    assert response.redirect_chain == [(preview_url, 302)]
    body = response.content.decode()
    assert body.count(f"Đã nhập {ROWS} cơ sở; 0 cơ sở đã có, bỏ qua.") == 2  # the message and the page
    assert "data-import-done" in body


def test_a_running_job_shows_the_one_progress_partial_polled_by_htmx_instead_of_the_preview(
    client_for, inspector
):
    client = client_for(inspector)
    batch = uploaded(client, long_list())
    job = list_job(batch, status="running", step="establishments", percent=64)
    preview_url = reverse("premises:import_preview", args=[batch.pk])
    progress_url = reverse("premises:import_progress", args=[batch.pk])
    response = client.get(preview_url)
    assert (response.status_code, response.url) == (302, progress_url)
    # A second confirm while it runs queues nothing more and writes nothing.
    client.post(preview_url, {"action": "confirm"})
    assert (Job.objects.count(), Establishment.objects.count()) == (1, 0)

    body = client.get(progress_url).content.decode()
    assert body.count("<h1") == 1
    assert "Ghi danh sách: co-so.xlsx" in body
    assert f'data-job="{job.pk}" data-job-kind="premises.import" data-job-status="running"' in body
    assert f'hx-get="{progress_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in body
    assert '<progress id="job-progress-bar" class="w-100" max="100" value="64">' in body
    assert "Đang xử lý — Ghi cơ sở và giấy phép" in body
    assert "<script>" not in body
    fragment = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="job-progress"')
    assert "<h1" not in fragment


@pytest.fixture
def licences_refused():
    """A database that refuses every new licence (the list's last row has one: the others are written)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER test_refuse_licences BEFORE INSERT ON premises_licence "
                "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_refuse_licences() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_licences BEFORE INSERT ON premises_licence "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_licences()"
            )
    yield


def test_a_failure_at_the_last_row_writes_nothing_and_is_shown(client_for, inspector, licences_refused):
    client = client_for(inspector)
    batch = uploaded(client, long_list(last_licensed=True))
    client.post(reverse("premises:import_preview", args=[batch.pk]), {"action": "confirm"})
    assert (Establishment.objects.count(), Licence.objects.count()) == (0, 0)
    assert not ChangeRecord.objects.filter(model="premises.establishment").exists()
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.cells  # it can be confirmed again
    job = Job.objects.get()
    message = (
        "Có lỗi khi ghi vào cơ sở dữ liệu: không có dữ liệu nào được ghi. Hãy thử xác nhận lại; "
        f"nếu vẫn lỗi, báo quản trị hệ thống (lượt ghi #{job.pk})."
    )
    assert (job.status, job.error_list()) == ("failed", [message])
    body = client.get(reverse("premises:import_progress", args=[batch.pk])).content.decode()
    assert 'data-job-status="failed"' in body
    assert message in body
    assert "hx-trigger" not in body  # no more polling
    assert f'href="{reverse("premises:import_preview", args=[batch.pk])}"' in body  # confirm again from there


def test_a_row_that_became_wrong_since_the_preview_fails_the_whole_list_with_its_message(
    client_for, inspector, place
):
    client = client_for(inspector)
    rows = long_list()
    rows[5]["culture_number"] = "900/GP-VHTTDL"
    rows[5]["culture_issued_on"] = "01/05/2012"
    batch = uploaded(client, rows)
    # Meanwhile a colleague gives licence 900/GP-VHTTDL to the fixture's bar.
    from lanhmanh.premises import services

    services.licence_add(
        actor=inspector,
        establishment=place,
        kind="culture",
        number="900/GP-VHTTDL",
        issuer="Sở VHTTDL",
        issued_on=dt.date(2013, 1, 1),
    )
    client.post(reverse("premises:import_preview", args=[batch.pk]), {"action": "confirm"})
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.error_list() == [
        "Dòng 7, cột O (Số giấy phép kinh doanh dịch vụ văn hóa): Số giấy 900/GP-VHTTDL đã được dùng cho cơ sở "
        "khác: “Karaoke Ánh Sao”."
    ]
    assert Establishment.objects.count() == 1  # the fixture's
    assert EstablishmentImport.objects.get(pk=batch.pk).status == "preview"


def test_a_worker_stopped_in_the_middle_leaves_a_failed_job_and_the_list_can_be_confirmed_again(
    client_for, inspector
):
    client = client_for(inspector)
    batch = uploaded(client, long_list())
    heartbeat("dead-worker", seconds_ago=600)
    orphan = queued_task(status=TaskResultStatus.RUNNING, worker_ids=["dead-worker"])
    job = list_job(batch, status="running", step="establishments", percent=40, task_id=str(orphan.id))

    assert recover_orphaned_tasks() == 1

    job.refresh_from_db()
    assert (job.status, job.error_list()) == ("failed", [INTERRUPTED])
    preview_url = reverse("premises:import_preview", args=[batch.pk])
    assert client.get(preview_url).status_code == 200  # the preview again, not the dead job's progress
    client.post(preview_url, {"action": "confirm"})
    assert Job.objects.exclude(pk=job.pk).get().status == "done"
    assert Establishment.objects.count() == ROWS


def test_a_job_whose_worker_died_unnoticed_no_longer_blocks_the_list(client_for, inspector):
    client = client_for(inspector)
    batch = uploaded(client, long_list())
    dead = list_job(batch, status="running", started_at=timezone.now() - dt.timedelta(hours=2))
    preview_url = reverse("premises:import_preview", args=[batch.pk])
    assert client.get(preview_url).status_code == 200
    client.post(preview_url, {"action": "confirm"})
    dead.refresh_from_db()
    assert (dead.status, dead.error_list()) == ("failed", [INTERRUPTED])
    assert Job.objects.exclude(pk=dead.pk).get().status == "done"
    assert Establishment.objects.count() == ROWS


def test_a_short_list_is_still_confirmed_in_the_request_and_says_what_it_wrote(client_for, inspector):
    client = client_for(inspector)
    batch = uploaded(client, long_list(3))
    response = client.post(
        reverse("premises:import_preview", args=[batch.pk]), {"action": "confirm"}, follow=True
    )
    assert response.redirect_chain == [(reverse("premises:establishment_list"), 302)]
    assert "Đã nhập 3 cơ sở; 0 cơ sở đã có, bỏ qua." in response.content.decode()
    assert (Job.objects.count(), Establishment.objects.count()) == (0, 3)


def test_only_the_officer_who_uploaded_sees_the_progress(client_for, inspector, police, social_worker):
    batch = uploaded(client_for(inspector), long_list(2))
    list_job(batch)
    url = reverse("premises:import_progress", args=[batch.pk])
    colleague = make_user("inspector_colleague", agency(HOAN_KIEM, "team-178"), "inspector")
    for user in (colleague, police, social_worker):
        assert client_for(user).get(url).status_code == 404, user
    assert client_for(inspector).get(url).status_code == 200
