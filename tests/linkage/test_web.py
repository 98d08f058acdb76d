"""Batch deduplication, the review queue, merge and unmerge in the web app; permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from lanhmanh.core.models import ChangeRecord, JobStatus
from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, DedupRun, Merge, PairDecision, PairStatus
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.models import EventRole, LegalAct, Person, Violation
from tests.conftest import TRANG_TIEN

pytestmark = pytest.mark.django_db


def person(name: str, birth: str, id_number: str = "", unit_path: str = TRANG_TIEN) -> Person:
    born = dt.date.fromisoformat(birth) if len(birth) == 10 else None
    p = Person(
        full_name=name,
        birth_date=born,
        birth_year=born.year if born else int(birth),
        sex="female",
        id_number=id_number,
        permanent_unit=AdministrativeUnit.objects.get(path=unit_path),
    )
    p.save()
    return p


def violation(of: Person, day: str) -> Violation:
    return Violation.objects.create(
        person=of,
        occurred_at=timezone.make_aware(dt.datetime.fromisoformat(f"{day}T21:00")),
        place_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role=EventRole.SELLER,
        recording_agency=Agency.objects.filter(unit__path__startswith="01.002").first(),
    )


@pytest.fixture
def registry(db):
    dao = person("Nguyễn Thị Đào", "1990-03-04", "001190012345")
    dao_again = person("NGUYEN THI DAO", "1990-03-04", "001190012345")
    mai = person("Trần Thị Mai", "1985-06-07")
    mai_maybe = person("Tran Mai", "1985")
    other = person("Lê Thị Tám", "1970-01-01")
    violation(dao_again, "2014-05-01")
    violation(mai_maybe, "2014-06-01")
    return dao, dao_again, mai, mai_maybe, other


def test_command_merges_certain_pairs_and_queues_the_rest(registry, capsys):
    dao, dao_again, mai, mai_maybe, other = registry
    call_command("dedup_registry")
    out = capsys.readouterr().out
    assert "100% Hoàn tất" in out
    assert "5 hồ sơ; tự động hợp nhất 1; 1 cặp chờ xem xét." in out
    assert "Số cặp theo từng luật chặn (đếm trước khi chấm điểm):" in out
    run = DedupRun.objects.get()
    # The threshold the default precision chose (never under AUTO_MIN_PROBABILITY), and what it costs.
    assert (run.precision, run.threshold >= services.AUTO_MIN_PROBABILITY) == (services.AUTO_PRECISION, True)
    assert f"Ước tính tại ngưỡng tự động hợp nhất {run.threshold:g}: độ chính xác" in out
    assert f"cặp tự động hợp nhất có thể sai (độ chính xác yêu cầu {services.AUTO_PRECISION:g})" in out
    assert (run.job.status, run.job.percent, run.records, run.auto_merged, run.queued) == (
        JobStatus.DONE,
        100,
        5,
        1,
        1,
    )
    merge = Merge.objects.get()
    assert (merge.survivor, merge.merged, merge.automatic) == (dao, dao_again, True)
    assert list(dao.violations.values_list("person_id", flat=True)) == [dao.pk]
    assert selectors.resolve_person_id(dao_again.pk) == dao.pk
    pair = CandidatePair.objects.get()
    assert (pair.person_a, pair.person_b, pair.status) == (mai, mai_maybe, PairStatus.PENDING)
    assert selectors.QUEUE_FLOOR <= pair.match_probability < run.threshold
    assert [row["field"] for row in pair.explanation][:4] == [
        "Họ và tên",
        "Ngày sinh",
        "Số CMND/CCCD",
        "Nơi ở",
    ]
    assert pair.explanation[1]["level"] == "chỉ biết năm sinh, trùng năm"
    assert pair.explanation[3]["level"] == "cùng xã/phường"

    call_command("dedup_registry")  # a second run asks nothing twice
    assert CandidatePair.objects.count() == 1
    assert Merge.objects.count() == 1


def test_decision_same_merges_and_unmerge_restores_exactly(registry, district_officer):
    dao, dao_again, mai, mai_maybe, other = registry
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    moved_violation = mai_maybe.violations.get()
    services.pair_decide(
        actor=district_officer, pair=pair, decision=PairStatus.SAME, note="cùng CCCD khi đối chiếu"
    )
    pair.refresh_from_db()
    assert pair.status == PairStatus.SAME
    merge = Merge.objects.get(pair=pair)
    moved_violation.refresh_from_db()
    assert moved_violation.person_id == mai.pk
    assert merge.moved == [["people.Violation", moved_violation.pk, "person"]]
    assert selectors.pairs_for_review(district_officer).count() == 0

    services.merge_undo(actor=district_officer, merge=merge)
    moved_violation.refresh_from_db()
    assert moved_violation.person_id == mai_maybe.pk
    assert list(mai.violations.all()) == []
    assert selectors.resolve_person_id(mai_maybe.pk) == mai_maybe.pk
    actions = list(
        ChangeRecord.objects.filter(model="linkage.merge", object_id=str(merge.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["merge", "unmerge"]
    assert PairDecision.objects.get().decided_by == district_officer
    assert (
        ChangeRecord.objects.filter(model="people.violation", object_id=str(moved_violation.pk)).count() == 2
    )


def test_decision_different_is_remembered(registry, district_officer):
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    services.pair_decide(actor=district_officer, pair=pair, decision=PairStatus.DIFFERENT)
    call_command("dedup_registry")
    assert CandidatePair.objects.get().status == PairStatus.DIFFERENT
    latest = DedupRun.objects.order_by("-pk").first()
    assert latest.labelled == 1 and 0 <= latest.estimated_precision <= 1 and latest.model_version is not None
    assert Merge.objects.filter(pair=pair).count() == 0


def test_queue_and_pair_pages_for_a_reviewer(registry, district_officer, client_for):
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    client = client_for(district_officer)
    body = client.get("/ho-so-trung/").content.decode()
    assert f"Cụm #{pair.pk}" in body
    asked = client.get(f"/ho-so-trung/cap/{pair.pk}/").content.decode()
    assert "mục đích xem" in asked and "Trần Thị Mai" not in asked
    stated = client.post(f"/ho-so-trung/cap/{pair.pk}/", {"purpose": "linkage", "detail": ""})
    assert stated["Location"] == f"/ho-so-trung/cap/{pair.pk}/"
    page = client.get(f"/ho-so-trung/cap/{pair.pk}/").content.decode()
    assert "Trần Thị Mai" in page and "Tran Mai" in page
    assert "chỉ biết năm sinh, trùng năm" in page
    response = client.post(f"/ho-so-trung/cap/{pair.pk}/", {"decision": "same", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/ho-so-trung/nguoi/{pair.person_a_id}/"
    history = client.get(response["Location"]).content.decode()
    assert f"Hồ sơ #{pair.person_b_id} hợp nhất vào hồ sơ #{pair.person_a_id}" in history
    former = client.get(f"/ho-so-trung/nguoi/{pair.person_b_id}/")
    assert former.status_code == 302 and former["Location"] == f"/ho-so-trung/nguoi/{pair.person_a_id}/"


def test_decision_form_requires_a_choice(registry, district_officer, client_for):
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    client = client_for(district_officer)
    client.post(f"/ho-so-trung/cap/{pair.pk}/", {"purpose": "linkage", "detail": ""})
    response = client.post(f"/ho-so-trung/cap/{pair.pk}/", {"decision": ""})
    assert response.status_code == 200
    assert "Chọn một kết luận." in response.content.decode()
    assert PairDecision.objects.count() == 0


def test_users_without_identity_or_jurisdiction_cannot_review(
    registry, sysadmin, other_district_officer, client_for
):
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    assert client_for(sysadmin).get("/ho-so-trung/").status_code == 404
    assert client_for(sysadmin).get(f"/ho-so-trung/cap/{pair.pk}/").status_code == 404
    outsider = client_for(other_district_officer)
    assert outsider.get("/ho-so-trung/").status_code == 200
    assert f"Cụm #{pair.pk}" not in outsider.get("/ho-so-trung/").content.decode()
    assert outsider.get(f"/ho-so-trung/cap/{pair.pk}/").status_code == 404
    assert outsider.post(f"/ho-so-trung/cap/{pair.pk}/", {"decision": "same"}).status_code == 404
    assert Merge.objects.filter(pair=pair).count() == 0


def test_runs_page_starts_a_run_with_progress(
    registry, coordinator, district_officer, client_for, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    form = client.get("/ho-so-trung/ra-soat/").content.decode()
    assert "Độ chính xác tối thiểu của việc tự động hợp nhất" in form and "99,7 % — mặc định" in form
    for bad in ("", "0.5", "abc"):  # nothing started, the field named
        page = client.post("/ho-so-trung/ra-soat/", {"precision": bad}).content.decode()
        assert "Độ chính xác tối thiểu:" in page
    assert not DedupRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ho-so-trung/ra-soat/", {"precision": "0.999"})
    run = DedupRun.objects.get()
    assert response["Location"] == f"/ho-so-trung/ra-soat/{run.pk}/"
    assert run.precision == 0.999
    page = client.get(f"/ho-so-trung/ra-soat/{run.pk}/tien-do/").content.decode()
    assert 'value="100"' in page and "hx-trigger" not in page  # finished: polling stops
    assert client_for(district_officer).get("/ho-so-trung/ra-soat/").status_code == 404


def test_roles_that_do_not_record_identities_get_404_on_every_linkage_page(
    registry, health_worker, social_worker, court_clerk, district_officer, client_for
):
    """Issue #21 item 2: the health worker saw full identities city-wide and could merge and unmerge."""
    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    services.pair_decide(actor=district_officer, pair=pair, decision=PairStatus.SAME)
    merge = Merge.objects.get(pair=pair)
    for outsider in (health_worker, social_worker):
        client = client_for(outsider)
        assert client.get("/ho-so-trung/").status_code == 404
        assert client.get(f"/ho-so-trung/cap/{pair.pk}/").status_code == 404
        assert client.post(f"/ho-so-trung/cap/{pair.pk}/", {"purpose": "linkage"}).status_code == 404
        assert client.post(f"/ho-so-trung/cap/{pair.pk}/", {"decision": "different"}).status_code == 404
        assert client.get(f"/ho-so-trung/nguoi/{pair.person_a_id}/").status_code == 404
        assert client.post(f"/ho-so-trung/hop-nhat/{merge.pk}/hoan-tac/").status_code == 404
        assert client.get("/ho-so-trung/ra-soat/").status_code == 404
        assert "/ho-so-trung/" not in client.get("/").content.decode()
    merge.refresh_from_db()
    assert merge.active
    assert PairDecision.objects.count() == 1
    # A court clerk reads the registry's classes (identity + enforcement) but records no identity
    # (issue #17 item 4: seeing and changing are two grants): no queue, no decision, no merge.
    clerk = client_for(court_clerk)
    assert clerk.get("/ho-so-trung/").status_code == 404
    assert clerk.post(f"/ho-so-trung/cap/{pair.pk}/", {"purpose": "linkage"}).status_code == 404


def test_a_pair_page_logs_both_identities_with_the_stated_purpose(registry, district_officer, client_for):
    from lanhmanh.core.models import AccessRecord

    call_command("dedup_registry")
    pair = CandidatePair.objects.get()
    client = client_for(district_officer)
    client.get(f"/ho-so-trung/cap/{pair.pk}/")
    # A decision posted before a purpose is stated is not taken: the purpose page answers.
    refused = client.post(f"/ho-so-trung/cap/{pair.pk}/", {"decision": "same"})
    assert refused.status_code == 200 and "mục đích xem" in refused.content.decode()
    assert (AccessRecord.objects.count(), PairDecision.objects.count()) == (0, 0)
    client.post(f"/ho-so-trung/cap/{pair.pk}/", {"purpose": "other", "detail": "kiểm tra trùng CCCD"})
    client.get(f"/ho-so-trung/cap/{pair.pk}/")
    rows = list(
        AccessRecord.objects.order_by("object_id").values_list("object_id", "purpose", "detail", "path")
    )
    detail = f"Cặp hồ sơ nghi trùng #{pair.pk} kiểm tra trùng CCCD"
    path = f"/ho-so-trung/cap/{pair.pk}/"
    assert rows == sorted(
        [(str(pair.person_a_id), "other", detail, path), (str(pair.person_b_id), "other", detail, path)]
    )


def test_the_dedup_run_page_is_in_the_coordinators_menu_and_linked_from_an_empty_queue(
    coordinator, district_officer, client_for
):
    queue = client_for(coordinator).get("/ho-so-trung/").content.decode()
    assert "data-queue-empty" in queue
    assert queue.count('href="/ho-so-trung/ra-soat/"') >= 2  # the menu and the empty queue
    other = client_for(district_officer).get("/ho-so-trung/").content.decode()
    assert 'href="/ho-so-trung/ra-soat/"' not in other
