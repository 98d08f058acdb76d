"""Long police lists are confirmed by a background task (django-tasks; immediate in tests) with a progress
page polled by htmx; the import stays one transaction: any failure writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from lanhmanh.core.models import ChangeRecord, Job
from lanhmanh.people.imports.jobs import BACKGROUND_ROWS
from lanhmanh.people.models import PERSON_IMPORT_JOB, Person, PersonImport, SanctionDecision, Violation
from lanhmanh.support.models import OutreachTask
from tests.conftest import HOAN_KIEM, agency, make_user
from tests.people.test_import import row, upload, workbook_bytes

pytestmark = pytest.mark.django_db

ROWS = BACKGROUND_ROWS + 1


def long_list(rows: int = ROWS) -> list[dict]:
    """``rows`` different women, each sanctioned once (a fine) in Tràng Tiền, living there."""
    return [
        row(full_name="Trần Thị Mai", id_number=f"001192{i:06d}", number=f"{1000 + i}/QĐ-XPHC")
        for i in range(rows)
    ]


def uploaded(client, rows: list[dict]) -> PersonImport:
    response = upload(client, workbook_bytes(rows))
    assert response.status_code == 302, response.content.decode()
    return PersonImport.objects.order_by("-pk").first()


def import_job(batch: PersonImport, **fields) -> Job:
    """A job row of this list, as the background confirmation writes it."""
    return Job.objects.create(kind=PERSON_IMPORT_JOB.code, subject_id=batch.pk, owner=batch.owner, **fields)


def nothing_written() -> None:
    assert (Person.objects.count(), Violation.objects.count(), SanctionDecision.objects.count()) == (0, 0, 0)
    assert OutreachTask.objects.count() == 0
    assert (
        not ChangeRecord.objects.filter(model__startswith="people.", action="create")
        .exclude(model="people.personimport")
        .exists()
    )


def test_a_long_list_is_written_by_the_background_task_and_the_page_moves_on_to_the_result(
    client_for, police
):
    client = client_for(police)
    batch = uploaded(client, long_list())
    preview_url = reverse("people:import_preview", args=[batch.pk])
    progress_url = reverse("people:import_progress", args=[batch.pk])
    response = client.post(preview_url, {"confirm": "1"})
    assert (response.status_code, response.url) == (302, progress_url)

    job = Job.objects.get()
    assert (job.kind, job.subject_id, job.owner, job.status, job.step, job.percent, job.errors) == (
        "people.import",
        batch.pk,
        police,
        "done",
        "finished",
        100,
        "",
    )
    assert job.task_id
    assert job.started_at <= job.finished_at
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.skipped_count) == ("confirmed", ROWS, 0)
    assert SanctionDecision.objects.count() == ROWS
    # Each seller: a task for the commune's social-affairs officer and one for its Women's Union branch.
    assert OutreachTask.objects.count() == 2 * ROWS
    assert list(
        ChangeRecord.objects.filter(model="core.job", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "status"]

    # The progress page of a finished job moves on to the result page, and so does the htmx poll.
    response = client.get(progress_url)
    assert (response.status_code, response.url) == (302, preview_url)
    response = client.get(progress_url, headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, preview_url)
    body = client.get(preview_url).content.decode()
    assert "data-import-done" in body
    assert f"Đã nhập {ROWS} quyết định; 0 quyết định đã có được bỏ qua." in body
    # The imported persons open without asking for the purpose again.
    person = Person.objects.order_by("pk").first()
    assert (
        "data-person-name" in client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    )


def test_a_running_job_shows_a_progress_bar_polled_by_htmx_instead_of_the_preview(client_for, police):
    client = client_for(police)
    batch = uploaded(client, long_list())
    job = import_job(batch, status="running", step="decisions", percent=70)
    progress_url = reverse("people:import_progress", args=[batch.pk])
    response = client.get(reverse("people:import_preview", args=[batch.pk]))
    assert (response.status_code, response.url) == (302, progress_url)
    # A second confirm while it runs queues nothing more.
    client.post(reverse("people:import_preview", args=[batch.pk]), {"confirm": "1"})
    assert Job.objects.count() == 1

    body = client.get(progress_url).content.decode()
    assert body.count("<h1") == 1
    assert f'data-job="{job.pk}" data-job-kind="people.import" data-job-status="running"' in body
    assert f'hx-get="{progress_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in body
    assert '<progress id="job-progress-bar" class="w-100" max="100" value="70">' in body
    assert "Đang xử lý — Ghi vi phạm và quyết định xử phạt" in body
    assert "<script>" not in body
    fragment = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="job-progress"')
    assert "<h1" not in fragment


@pytest.fixture
def decisions_fail():
    """A database that refuses every new sanction decision (after persons and violations are written)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER test_refuse_decisions BEFORE INSERT ON people_sanctiondecision "
                "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_refuse_decisions() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_decisions BEFORE INSERT ON people_sanctiondecision "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_decisions()"
            )
    yield


def test_a_failure_in_the_middle_of_the_write_writes_nothing_and_is_shown(client_for, police, decisions_fail):
    client = client_for(police)
    batch = uploaded(client, long_list())
    response = client.post(reverse("people:import_preview", args=[batch.pk]), {"confirm": "1"})
    assert response.status_code == 302
    nothing_written()
    batch.refresh_from_db()
    assert batch.status == "preview"
    job = Job.objects.get()
    assert job.status == "failed"
    message = (
        "Có lỗi khi ghi vào cơ sở dữ liệu: không có dữ liệu nào được ghi. Hãy thử xác nhận lại; "
        f"nếu vẫn lỗi, báo quản trị hệ thống (lượt ghi #{job.pk})."
    )
    assert job.error_list() == [message]
    body = client.get(reverse("people:import_progress", args=[batch.pk])).content.decode()
    assert 'data-job-status="failed"' in body
    assert message in body
    assert "hx-trigger" not in body  # no more polling


def test_a_row_that_became_wrong_since_the_preview_fails_the_whole_list_with_its_message(
    client_for, police, trang_tien, selling_2014
):
    client = client_for(police)
    rows = long_list()
    batch = uploaded(client, rows)
    # Meanwhile a colleague records decision 1005/QĐ-XPHC for someone else.
    from lanhmanh.people import services
    from tests.people.conftest import at

    other = Person(full_name="Lê Thị Hạnh", sex="female", birth_year=1990, permanent_unit=trang_tien)
    other.save()
    services.violation_record(
        actor=police,
        person=other,
        occurred_at=at("2014-04-01"),
        place_unit=trang_tien,
        act=selling_2014,
        role="seller",
        sanction={"number": "1005/QĐ-XPHC", "decided_on": at("2014-04-02").date(), "kind": "warning"},
    )
    client.post(reverse("people:import_preview", args=[batch.pk]), {"confirm": "1"})
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.error_list() == [
        "Dòng 7, cột N (Số quyết định): quyết định 1005/QĐ-XPHC của Công an Quận Hoàn Kiếm đã có trong cơ sở "
        "dữ liệu với nội dung khác (người, thời gian vi phạm, hành vi, ngày, hình thức hoặc số tiền): kiểm tra "
        "lại số quyết định."
    ]
    assert SanctionDecision.objects.count() == 1
    assert Person.objects.count() == 1
    assert PersonImport.objects.get(pk=batch.pk).status == "preview"


def test_a_job_whose_worker_died_no_longer_blocks_the_list(client_for, police):
    import datetime as dt

    from django.utils import timezone

    client = client_for(police)
    batch = uploaded(client, long_list())
    dead = import_job(batch, status="running", started_at=timezone.now() - dt.timedelta(hours=2))
    preview_url = reverse("people:import_preview", args=[batch.pk])
    assert client.get(preview_url).status_code == 200  # the preview again, not the dead job's progress
    client.post(preview_url, {"confirm": "1"})
    dead.refresh_from_db()
    assert (dead.status, dead.error_list()) == (
        "failed",
        ["Lượt ghi bị gián đoạn (tiến trình xử lý nền dừng): không có dữ liệu nào được ghi."],
    )
    assert Job.objects.exclude(pk=dead.pk).get().status == "done"
    assert SanctionDecision.objects.count() == ROWS


def test_a_short_list_is_still_written_in_the_request(client_for, police):
    client = client_for(police)
    batch = uploaded(client, long_list(3))
    response = client.post(reverse("people:import_preview", args=[batch.pk]), {"confirm": "1"})
    assert response.url == reverse("people:import_preview", args=[batch.pk])
    assert Job.objects.count() == 0
    assert SanctionDecision.objects.count() == 3


def test_only_the_officer_who_uploaded_sees_the_progress(client_for, police, social_worker, commune_officer):
    batch = uploaded(client_for(police), long_list(2))
    import_job(batch)
    url = reverse("people:import_progress", args=[batch.pk])
    colleague = make_user("police_colleague", agency(HOAN_KIEM, "police"), "police")
    for user in (colleague, social_worker, commune_officer):
        assert client_for(user).get(url).status_code == 404, user
    assert client_for(police).get(url).status_code == 200
