"""Automatic merges of a dedup run, written in bulk: same rows moved, audit and undo as one merge."""

from __future__ import annotations

import pytest

from lanhmanh.core.models import ChangeRecord
from lanhmanh.linkage import services
from lanhmanh.linkage.models import CandidatePair, DedupRun, Merge, PairStatus
from lanhmanh.linkage.selectors import resolve_person_id
from lanhmanh.people.models import Violation
from tests.linkage.test_entry_and_people import person, record

pytestmark = pytest.mark.django_db


def test_bulk_merges_move_rows_audit_recount_and_undo_one_by_one(police, monkeypatch):
    monkeypatch.setattr(services, "MERGE_BATCH", 2)  # several batches
    a = person("Nguyễn Thị Đào", "1990-03-04")
    b = person("NGUYEN THI DAO", "1990-03-04")
    c = person("Nguyễn Đào", "1990")
    d = person("Trần Thị Mai", "1985-01-02")
    e = person("Tran Mai", "1985-01-02")
    early = record(police, b, "2014-03-01", "1/QĐ")
    later = record(police, c, "2014-05-01", "2/QĐ")
    run = DedupRun.objects.create()
    progress = []

    merged = services.merge_automatic(
        actor=police,
        edges=[(b.pk, c.pk), (a.pk, b.pk), (d.pk, e.pk)],
        run=run,
        on_progress=lambda done, total: progress.append((done, total)),
    )

    assert merged == 3
    assert progress == [(2, 3), (3, 3)]
    rows = {m.merged_id: m for m in Merge.objects.all()}
    assert {k: v.survivor_id for k, v in rows.items()} == {b.pk: a.pk, c.pk: a.pk, e.pk: d.pk}
    assert all(m.automatic and m.run_id == run.pk for m in rows.values())
    assert [resolve_person_id(p.pk) for p in (a, b, c, d, e)] == [a.pk, a.pk, a.pk, d.pk, d.pk]
    early.refresh_from_db()
    later.refresh_from_db()
    assert (early.person_id, later.person_id) == (a.pk, a.pk)
    assert later.repeat_of_id == early.pk  # counting rules recomputed for the survivor
    assert ["people.Violation", later.pk, "person"] in rows[c.pk].moved
    audited = ChangeRecord.objects.filter(reason="hợp nhất hồ sơ")
    assert audited.filter(action=ChangeRecord.Action.MERGE).count() == 3
    assert set(audited.filter(model="people.violation").values_list("object_id", flat=True)) >= {
        str(early.pk),
        str(later.pk),
    }

    services.merge_undo(actor=police, merge=rows[c.pk])  # one record out, the others stay
    later.refresh_from_db()
    early.refresh_from_db()
    assert (later.person_id, later.repeat_of_id, early.person_id) == (c.pk, None, a.pk)
    assert resolve_person_id(c.pk) == c.pk and resolve_person_id(b.pk) == a.pk


def test_each_automatic_merge_records_its_weakest_link_to_the_survivor(police):
    a, b, c, d = (person(f"Nguyễn Thị Đào {i}", "1990-03-04") for i in range(4))
    services.merge_automatic(
        actor=police,
        edges=[(c.pk, d.pk), (a.pk, b.pk), (b.pk, c.pk)],  # best first, as a run gives them
        probabilities=[0.99, 0.97, 0.93],
    )
    # b reaches a at 0.97; c and d reach a only through the link b–c, 0.93 (d's own link is stronger)
    found = {m.merged_id: (m.survivor_id, m.probability) for m in Merge.objects.all()}
    assert found == {b.pk: (a.pk, 0.97), c.pk: (a.pk, 0.93), d.pk: (a.pk, 0.93)}


def test_bulk_merges_respect_different_decisions_and_earlier_merges(police):
    a = person("Nguyễn Thị Đào", "1990-03-04")
    b = person("NGUYEN THI DAO", "1990-03-04")
    c = person("Nguyễn Đào", "1990")
    x = person("Lê Thị Hoa", "1991-02-03")
    y = person("LE THI HOA", "1991-02-03")
    z = person("Lê Hoa", "1991")
    services.merge_persons(actor=police, survivor=x, merged=y)  # a reviewer, while the run scored

    merged = services.merge_automatic(
        actor=police,
        edges=[(a.pk, b.pk), (b.pk, c.pk), (y.pk, z.pk)],
        different={(a.pk, c.pk)},  # a reviewer said a and c are two people: c stays apart
    )

    assert merged == 1
    assert {m.merged_id: m.survivor_id for m in Merge.objects.all()} == {b.pk: a.pk, y.pk: x.pk}
    assert resolve_person_id(c.pk) == c.pk
    assert resolve_person_id(z.pk) == z.pk  # y was merged away meanwhile: its link is left alone


def test_a_run_merges_certain_pairs_and_queues_the_rest_once(coordinator):
    a = person("Nguyễn Thị Đào", "1990-03-04", "001190012345")
    b = person("NGUYEN THI DAO", "1990-03-04", "001190012345")
    person("Phạm Văn Long", "1970-05-06")

    run = services.run_execute(services.run_create(actor=coordinator))

    assert (run.job.status, run.records, run.auto_merged) == ("done", 3, 1)
    assert (Merge.objects.get().survivor_id, Merge.objects.get().merged_id) == (a.pk, b.pk)
    again = services.run_execute(services.run_create(actor=coordinator))
    assert (again.records, again.auto_merged, again.queued) == (2, 0, 0)
    assert not CandidatePair.objects.exclude(status=PairStatus.PENDING).exists()
    assert Violation.objects.count() == 0


def test_a_run_keeps_the_pairs_below_the_queue_pending_out_of_it(coordinator, monkeypatch):
    from lanhmanh.linkage import engine, selectors

    a, b, c, d = (person(f"Nguyễn Thị Đào {i}", "1990-03-04") for i in range(4))
    scored = [(a, b, 0.85), (c, d, 0.4), (b, c, 0.2)]

    def pairs(self, predictions, *, threshold):
        return [engine.ScoredPair(str(x.pk), str(y.pk), 0.0, p, ()) for x, y, p in scored if p >= threshold]

    monkeypatch.setattr(engine.LinkageModel, "pairs", pairs)
    run = services.run_execute(services.run_create(actor=coordinator))

    assert (run.job.status, run.auto_merged, run.queued) == ("done", 0, 1)  # the queue's pairs only
    stored = dict(CandidatePair.objects.values_list("person_b_id", "match_probability"))
    assert stored == {b.pk: 0.85, d.pk: 0.4}  # from STORE_FLOOR up, pending; below it, nothing
    assert services.STORE_FLOOR <= 0.4 < selectors.QUEUE_FLOOR
    assert services.AUTO_MIN_PROBABILITY > 0.85  # never merged automatically, whatever the estimates
    assert [cl.members for cl in selectors.review_clusters(coordinator)] == [[a.pk, b.pk]]


def test_the_automatic_threshold_is_the_lowest_reaching_the_precision_never_under_the_minimum():
    from lanhmanh.linkage.engine import Estimate

    found = [
        Estimate(0.85, 0.9990, 0.95, 100),  # precise enough, but under AUTO_MIN_PROBABILITY
        Estimate(0.90, 0.9975, 0.93, 90),
        Estimate(0.95, 0.9990, 0.90, 80),
        Estimate(0.9995, 0.9996, 0.50, 10),
    ]
    assert services.AUTO_MIN_PROBABILITY == 0.9
    assert services.auto_threshold(found, 0.997).threshold == 0.90
    assert services.auto_threshold(found, 0.998).threshold == 0.95
    assert services.auto_threshold(found, 0.9999).threshold == 0.9995  # none reaches it: the most cautious


def test_a_run_asks_for_a_listed_precision_only(coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.run_create(actor=coordinator, precision=0.9)
    assert "Độ chính xác của việc tự động hợp nhất phải là một trong các mức: 0.9995, 0.999" in str(
        refused.value.message_dict["precision"]
    )
    assert not DedupRun.objects.exists()
