"""Writes of the linkage app: runs, decisions, merges and unmerges. Each one audited in its transaction.

A merge keeps the survivor's id, moves every row that points at the merged person (violations, and
through them sanctions; support cases and outreach tasks; any other model with a foreign key to
Person) to the survivor, and records what moved. Counting rules are computed from a person's
violations when read, so they are recomputed by the move itself. The merged person's row stays:
its id resolves to the survivor (``selectors.resolve_person_id``) and an unmerge moves back exactly
the recorded rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core import jobs
from lanhmanh.core.audit import (
    audited_bulk_create,
    audited_change,
    audited_insert,
    audited_update,
)
from lanhmanh.core.crypto import id_number_index, name_birth_index
from lanhmanh.core.models import ChangeRecord
from lanhmanh.linkage import engine, entry
from lanhmanh.linkage.blocking import entry_keys
from lanhmanh.linkage.models import (
    DEDUP_RUN_JOB,
    CandidatePair,
    DedupRun,
    Merge,
    ModelVersion,
    PairDecision,
    PairStatus,
    Review,
    ReviewKind,
    RunStep,
    level_shift,
    levels_key,
)
from lanhmanh.linkage.selectors import (
    QUEUE_FLOOR,
    apart_roots,
    merged_roots,
    queue_changed,
    resolve_person_id,
)
from lanhmanh.linkage.tasks import dedup_registry
from lanhmanh.people.models import Person
from lanhmanh.people.selectors import persons_visible, without_merged
from lanhmanh.people.services import repeat_flags_refresh

logger = logging.getLogger(__name__)


def _person_relations() -> list[models.ForeignObjectRel]:
    """Every relation pointing at Person from outside this app (found generically, so new apps are included)."""
    return [
        rel
        for rel in Person._meta.related_objects
        if rel.related_model._meta.app_label != "linkage" and (rel.one_to_many or rel.one_to_one)
    ]


def _move_rows(actor, survivor_of: dict[int, int]) -> dict[int, list[list]]:
    """Re-point every row that points at a merged person (key) to its survivor (value), audited;
    returns, per merged person, what moved (``[model label, pk, field]``) for an exact unmerge."""
    moved: dict[int, list[list]] = {merged: [] for merged in survivor_of}
    for rel in _person_relations():
        model, field, attname = rel.related_model, rel.field.name, rel.field.attname
        rows = list(model._default_manager.filter(**{f"{attname}__in": list(survivor_of)}).order_by("pk"))
        if not rows:
            continue
        taken: set[int] = set()
        if rel.one_to_one:  # the survivor keeps its own (health, support flags); else the first merged one's
            taken = set(
                model._default_manager.filter(**{f"{attname}__in": set(survivor_of.values())}).values_list(
                    attname, flat=True
                )
            )
        for row in rows:
            merged = getattr(row, attname)
            survivor = survivor_of[merged]
            if rel.one_to_one:
                if survivor in taken:
                    continue
                taken.add(survivor)
            with audited_change(actor=actor, instance=row, reason="hợp nhất hồ sơ"):
                setattr(row, attname, survivor)
                row.save(update_fields=[field])
            moved[merged].append([model._meta.label, row.pk, field])
    return moved


@transaction.atomic
def merge_persons(
    *,
    actor,
    survivor: Person,
    merged: Person,
    pair: CandidatePair | None = None,
    run: DedupRun | None = None,
    review: Review | None = None,
) -> Merge:
    """Fold ``merged`` into ``survivor``. Side effects: related rows re-pointed, a Merge row, audit rows."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("Không thể hợp nhất một hồ sơ với chính nó."))
    if Merge.objects.filter(merged__in=[survivor, merged], undone_at__isnull=True).exists():
        raise ValidationError(_("Một trong hai hồ sơ đã được hợp nhất vào hồ sơ khác."))
    moved = _move_rows(actor, {merged.pk: survivor.pk})[merged.pk]
    merge = Merge(
        survivor=survivor,
        merged=merged,
        moved=moved,
        pair=pair,
        run=run,
        review=review,
        automatic=pair is None and review is None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audited_insert(actor=actor, instance=merge, action=ChangeRecord.Action.MERGE, reason="hợp nhất hồ sơ")
    _counting_refresh(survivor.pk, merged.pk)  # the queue's change: the Merge's save signal
    return merge


def _counting_refresh(*person_ids: int) -> None:
    """The stored repeat flags follow the counting rules over the violations each person now has."""

    repeat_flags_refresh(person_ids=list(person_ids))


@transaction.atomic
def merge_undo(*, actor, merge: Merge) -> Merge:
    """Unmerge: move back exactly the rows that moved, leave everything else. Audited."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if not merge.active:
        raise ValidationError(_("Lần hợp nhất này đã được hoàn tác."))
    if Merge.objects.filter(merged=merge.survivor, undone_at__isnull=True).exists():
        raise ValidationError(
            _("Hồ sơ giữ lại đã được hợp nhất tiếp vào hồ sơ khác: hãy hoàn tác lần hợp nhất sau trước.")
        )
    for label, pk, field in merge.moved:
        model = apps.get_model(label)
        row = model._default_manager.filter(pk=pk, **{f"{field}_id": merge.survivor_id}).first()
        if row is None:
            continue  # deleted or re-pointed since: nothing of ours to undo
        with audited_change(actor=actor, instance=row, reason="hoàn tác hợp nhất"):
            setattr(row, f"{field}_id", merge.merged_id)
            row.save(update_fields=[field])
    audited_update(
        actor=actor,
        instance=merge,
        action=ChangeRecord.Action.UNMERGE,
        reason="hoàn tác hợp nhất",
        clean=False,
        undone_at=timezone.now(),
        undone_by=actor,
    )
    _counting_refresh(merge.survivor_id, merge.merged_id)  # the queue's change: the Merge's save signal
    return merge


@transaction.atomic
def pair_decide(
    *, actor, pair: CandidatePair, decision: str, note: str = "", seen: str | None = None
) -> PairDecision:
    """Record a reviewer's decision; "same" merges the pair (the older record survives)."""
    if decision not in PairStatus.values or decision == PairStatus.PENDING:
        raise ValidationError(
            {"decision": _("Chọn một kết luận: cùng một người, hai người khác nhau hoặc chưa chắc.")}
        )
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if seen is not None and (reason := _stale({pair.pk: pair}, seen)):
        raise ValidationError(reason)
    a, b = resolve_person_id(pair.person_a_id), resolve_person_id(pair.person_b_id)
    if decision == PairStatus.DIFFERENT and a == b:
        raise ValidationError(
            _(
                "Hồ sơ #%(a)s và #%(b)s đã là một người (hợp nhất qua các kết luận trước, vào hồ sơ #%(into)s): "
                "không thể kết luận hai người khác nhau. Hãy hoàn tác hợp nhất trước."
            )
            % {"a": pair.person_a_id, "b": pair.person_b_id, "into": a}
        )
    if decision == PairStatus.SAME and (errors := _contradictions({a: "1", b: "1"})):
        raise ValidationError(errors)
    row = _record_decision(actor, pair, decision, note)
    if decision == PairStatus.SAME and a != b:
        persons = {p.pk: p for p in Person.objects.filter(pk__in=[a, b])}
        merge_persons(actor=actor, survivor=persons[min(a, b)], merged=persons[max(a, b)], pair=pair)
    return row


def pair_queue(*, scored, run: DedupRun | None = None) -> tuple[CandidatePair, bool]:
    """Put a scored pair (``engine.ScoredPair``) in the review queue unless it was ever queued before."""
    a, b = sorted((int(scored.left), int(scored.right)))
    return CandidatePair.objects.get_or_create(
        person_a_id=a,
        person_b_id=b,
        defaults={
            "run": run,
            "match_probability": scored.match_probability,
            "match_weight": scored.match_weight,
            "explanation": (explanation := _explanation(scored)),
            "levels_key": levels_key(explanation),
        },
    )


def _explanation(scored) -> list[dict]:
    return [{"field": f.label, "level": f.level, "weight": round(f.weight, 2)} for f in scored.fields]


def score_persons(persons: list[Person]) -> list:
    """Every blocked pair among ``persons`` scored by the engine (default model when few), best first."""

    model = engine.build_model(engine.prepare(_records(persons)))
    try:
        return sorted(
            model.pairs(model.predict(threshold=0.0), threshold=0.0), key=lambda p: -p.match_probability
        )
    finally:
        model.close()


# The automatic merges of a run (issue #19 item 5): the lowest threshold whose estimated precision
# (``engine.estimates_of``: the pairs at or above it, reviewers' decisions in place of the model's)
# reaches the precision the coordinator asks for, and never below ``AUTO_MIN_PROBABILITY``, so that a
# registry with many certain pairs cannot carry a doubtful one into an automatic merge; when no threshold
# reaches it, the most cautious one (``engine.THRESHOLD_GRID``'s last). Why 0.997 by default: at
# 977,011 records the fixed threshold 0.995 merged 240,917 pairs of which 53 wrong and left a queue no
# reviewer could bring past F1 0.9568 in 10,000 decisions, whatever its order
# (``benchmarks/linkage_queue_offline.py``); 0.997 merges from 0.92, 198,379 records of which 789 into
# another person (the run expected 788), and 10,000 decisions reach 0.9764 (``bench_linkage_review.py``).
# Each automatic merge is audited and undone like a reviewer's; the run's page says how many are expected
# to be wrong and lists those under 0.995 for a second look.
AUTO_PRECISION = 0.997
AUTO_PRECISIONS = (0.9995, 0.999, 0.998, 0.997, 0.995, 0.99)
AUTO_MIN_PROBABILITY = 0.9


@transaction.atomic
def run_create(*, actor=None, precision: float = AUTO_PRECISION) -> DedupRun:
    """A new run and its queued job (``run.job``), with their history rows. ``actor``: who asked (none for
    ``manage.py dedup_registry``); ``precision``: the estimated precision its automatic merges must reach
    (``AUTO_PRECISIONS``)."""
    if precision not in AUTO_PRECISIONS:
        raise ValidationError(
            {
                "precision": _(
                    "Độ chính xác của việc tự động hợp nhất phải là một trong các mức: %(levels)s."
                )
                % {"levels": ", ".join(f"{p:g}" for p in AUTO_PRECISIONS)}
            }
        )
    run = audited_insert(actor=actor, instance=DedupRun(precision=precision), reason="rà soát hồ sơ trùng")
    run.job = jobs.job_create(kind=DEDUP_RUN_JOB, subject_id=run.pk, owner=actor)
    return run


def run_start(*, actor, precision: float = AUTO_PRECISION) -> DedupRun:
    """Create a run and queue it in the background (after commit)."""

    with transaction.atomic():
        run = run_create(actor=actor, precision=precision)
        # The one enqueue rule (core.jobs): the job's row committed first; a failure to queue fails the job.
        transaction.on_commit(lambda: jobs.job_enqueue(run.job, dedup_registry))
    return run


def _records(persons: list[Person]) -> dict[str, list]:
    def unit_path(unit):
        return unit.path if unit else ""

    return {
        "id": [str(p.pk) for p in persons],
        "full_name": [p.full_name for p in persons],
        "birth_date": [
            p.birth_date.isoformat() if p.birth_date else str(p.birth_year or "") for p in persons
        ],
        "id_number": [p.id_number for p in persons],
        "sex": [p.sex for p in persons],
        "residence_unit": [unit_path(p.temporary_unit or p.permanent_unit) for p in persons],
        "hometown_unit": [unit_path(p.hometown_unit) for p in persons],
    }


# Pairs scored below this are left out of the run's estimate of recall (their expected matches are few,
# their number large): the estimate is of the matches among pairs the model gives at least 1 %.
ESTIMATE_FLOOR = 0.01
# A run keeps the pairs it scores from here up to the queue's floor (``selectors.QUEUE_FLOOR``) as pending
# pairs out of the queue: reviewers' decisions re-score them (model_relearn) and lift into the queue
# those the model learns to trust. Stored only at the queue's floor, learning could take pairs out of
# the queue but never bring one in. Not lower: at 195,333 records (``bench_linkage_review.py``) a floor of
# 0.1 stored 11,825 pairs instead of 6,998 (every ``model_relearn`` re-scores them all) and raised the F1 of
# every stored pair decided right from 0.9871 to 0.9952, but learning lifted few of them into the queue:
# the simulated reviewer's F1 after 2,000 decisions went from 0.9727 to 0.9729, and the queue, used up,
# from 0.9830 to 0.9837 (with the queue's floor at 0.8 and the store's at 0.5).
STORE_FLOOR = 0.3


def auto_threshold(found: list[engine.Estimate], precision: float) -> engine.Estimate:
    """The estimate at the automatic-merge threshold of a run asking for ``precision`` (see above)."""
    allowed = [e for e in found if e.threshold >= AUTO_MIN_PROBABILITY]
    chosen = engine.choose_threshold(allowed, precision)
    return chosen or max(allowed, key=lambda e: e.threshold)


def run_execute(run: DedupRun, *, on_progress=None) -> DedupRun:
    """The body of a run: score the registry, merge above the upper threshold, queue the middle band.

    Called by the background task and the management command, once per run (its job must be queued);
    moves the run's job (``run.job``) along ``RunStep`` as it goes and calls ``on_progress(run)`` at each
    step. Not one transaction: the merges are written a batch at a time (``merge_automatic``). On any
    failure the job fails with the error (encrypted: it may quote a record).
    """
    job = run.job
    if not jobs.job_start(job, step=RunStep.READ):
        return run
    progress = jobs.ProgressWriter(job)

    def step(name: str, done: int = 0, total: int = 1) -> None:
        progress(name, done, total)
        if on_progress:
            on_progress(run)

    try:
        step(RunStep.READ)
        merged_ids = set(Merge.objects.filter(undone_at__isnull=True).values_list("merged_id", flat=True))
        records = _read_records(exclude=merged_ids)
        DedupRun.objects.filter(pk=run.pk).update(records=len(records["id"]))
        run.records = len(records["id"])
        step(RunStep.PREPARE)
        prepared = engine.prepare(records)
        del records
        if prepared.table.num_rows < 2:
            return _finish(run, on_progress)
        step(RunStep.BLOCKING)
        try:
            plan = engine.blocking_plan(prepared)
        except engine.BlockingTooLarge as error:
            DedupRun.objects.filter(pk=run.pk).update(blocking=str(error))
            raise
        DedupRun.objects.filter(pk=run.pk).update(blocking="\n".join(plan.lines()))
        model = engine.build_model(prepared, blocking_rules=plan.rules)
        step(RunStep.SCORE)
        predictions = model.predict(threshold=ESTIMATE_FLOOR)
        [[expected_matches]] = model.connection.execute(
            f"SELECT coalesce(sum(match_probability), 0) FROM {predictions.physical_name}"  # noqa: S608 — Splink's table
        ).fetchall()
        version = model_version_new(
            parameters=model_parameters(model.to_dict()),
            actor=job.owner,
            expected_matches=float(expected_matches),
        )
        decided = {
            (a, b): status
            for a, b, status in CandidatePair.objects.exclude(status=PairStatus.PENDING).values_list(
                "person_a_id", "person_b_id", "status"
            )
        }
        labels = {
            (str(a), str(b)): 1.0 if status == PairStatus.SAME else 0.0
            for (a, b), status in decided.items()
            if status in (PairStatus.SAME, PairStatus.DIFFERENT)
        }
        estimate = auto_threshold(
            engine.estimates_of(model, predictions, labels), run.precision or AUTO_PRECISION
        )
        threshold = estimate.threshold
        expected_wrong = round(estimate.pairs * (1 - estimate.precision))
        DedupRun.objects.filter(pk=run.pk).update(
            threshold=threshold,
            estimated_precision=estimate.precision,
            estimated_recall=estimate.recall,
            expected_wrong=expected_wrong,
            labelled=len(labels),
            model_version=version,
        )
        run.threshold, run.expected_wrong = threshold, expected_wrong
        run.estimated_precision, run.estimated_recall = estimate.precision, estimate.recall
        pairs = model.pairs(predictions, threshold=STORE_FLOOR)
        model.close()
        step(RunStep.MERGE)
        certain, review = [], []
        for pair in sorted(pairs, key=lambda p: -p.match_probability):
            key = tuple(sorted((int(pair.left), int(pair.right))))
            if key in decided:
                continue  # a reviewer already answered: never asked twice, never overridden
            (certain if pair.match_probability >= threshold else review).append((key, pair))
        del pairs
        different = {key for key, status in decided.items() if status == PairStatus.DIFFERENT}

        auto = merge_automatic(
            actor=job.owner,
            edges=[key for key, _pair in certain],
            probabilities=[pair.match_probability for _key, pair in certain],
            different=different,
            run=run,
            on_progress=lambda done, total: step(RunStep.MERGE, done, total),
        )
        step(RunStep.QUEUE)
        new = _queue_many([pair for _key, pair in review], run=run, version=version)
        queued = sum(p.match_probability >= QUEUE_FLOOR for p in new)
        DedupRun.objects.filter(pk=run.pk).update(auto_merged=auto, queued=queued)
        run.auto_merged, run.queued = auto, queued
        return _finish(run, on_progress)
    except Exception as error:  # a failed run must say so in the UI, not spin forever
        logger.exception("Deduplication run %s failed", run.pk)
        jobs.job_fail(job, [f"{type(error).__name__}: {error}"[:2000]])
        run.refresh_from_db()
        if on_progress:
            on_progress(run)
        return run
    finally:
        progress.close()


def _read_records(*, exclude: set[int]) -> dict[str, list]:
    """The engine's input columns of every person not merged away, read in chunks without model
    instances (a million persons in a few hundred MB, names decrypted as they are read)."""
    columns: dict[str, list] = {
        key: []
        for key in ("id", "full_name", "birth_date", "id_number", "sex", "residence_unit", "hometown_unit")
    }
    rows = (
        Person.objects.order_by("pk")
        .values_list(
            "pk",
            "full_name",
            "birth_date",
            "birth_year",
            "id_number",
            "sex",
            "temporary_unit__path",
            "permanent_unit__path",
            "hometown_unit__path",
        )
        .iterator(chunk_size=5000)
    )
    for pk, name, born, year, number, sex, temporary, permanent, hometown in rows:
        if pk in exclude:
            continue
        columns["id"].append(str(pk))
        columns["full_name"].append(name)
        columns["birth_date"].append(born.isoformat() if born else str(year or ""))
        columns["id_number"].append(number)
        columns["sex"].append(sex)
        columns["residence_unit"].append(temporary or permanent or "")
        columns["hometown_unit"].append(hometown or "")
    return columns


# Automatic merges are written this many at a time, each batch in one transaction.
MERGE_BATCH = 1000


def merge_automatic(
    *,
    actor,
    edges: list[tuple[int, int]],
    probabilities: list[float] | None = None,
    run: DedupRun | None = None,
    different=frozenset(),
    on_progress=None,
) -> int:
    """Link the pairs in ``edges`` (best first) into people and merge each person's records in bulk.

    The oldest record (smallest id) of each person survives and every other record is merged into it,
    with the same rows moved, audit rows and ``Merge`` rows as ``merge_persons``, so each one can be
    undone on its own. A link that would put two records a reviewer called different into one person
    is skipped. ``probabilities`` (the edges'): each ``Merge`` records the weakest link joining its
    record to the survivor — the edges come best first, so two groups meet at the probability of the
    edge that joins them, and the group without the new survivor takes it. Returns the number of merges.
    """
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    apart: dict[int, set[int]] = {}
    for a, b in different:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    level: dict[int, float] = {}  # record → the weakest link to its group's survivor
    for i, (a, b) in enumerate(edges):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
        if any(find(y) == rb for x in group_a for y in apart.get(x, ())):
            continue
        root, other = min(ra, rb), max(ra, rb)
        if probabilities is not None:
            for x in members.get(other, [other]):
                level[x] = probabilities[i]
        parent[other] = root
        members[root] = group_a + group_b
        members.pop(other, None)
    merges = [(root, m, level.get(m)) for root, group in members.items() for m in sorted(group) if m != root]
    written = 0
    for start in range(0, len(merges), MERGE_BATCH):
        written += _merge_batch(actor, merges[start : start + MERGE_BATCH], run)
        if on_progress:
            on_progress(min(start + MERGE_BATCH, len(merges)), len(merges))
    return written


@transaction.atomic
def _merge_batch(actor, merges: list[tuple[int, int, float | None]], run: DedupRun | None) -> int:
    # A reviewer may have merged one of these records while the run was scoring: leave those alone.
    ids = {pk for survivor, merged, _p in merges for pk in (survivor, merged)}
    gone = set(
        Merge.objects.filter(merged_id__in=ids, undone_at__isnull=True).values_list("merged_id", flat=True)
    )
    survivor_of = {merged: survivor for survivor, merged, _p in merges if not {survivor, merged} & gone}
    merges = [(survivor, merged, p) for survivor, merged, p in merges if merged in survivor_of]
    if not merges:
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    moved = _move_rows(actor, survivor_of)
    audited_bulk_create(
        actor=actor,
        model=Merge,
        action=ChangeRecord.Action.MERGE,
        reason="hợp nhất hồ sơ",
        batch_size=500,
        objs=[
            Merge(
                survivor_id=survivor,
                merged_id=merged,
                moved=moved[merged],
                run=run,
                automatic=True,
                probability=probability,
                created_by=user,
            )
            for survivor, merged, probability in merges
        ],
    )
    _counting_refresh(*survivor_of, *survivor_of.values())
    queue_changed()
    return len(merges)


def _queue_many(
    scored: list, *, run: DedupRun | None, version: ModelVersion | None = None
) -> list[CandidatePair]:
    """``pair_queue`` for many pairs at once: new pairs only (a pair is queued once, ever); the new rows."""
    known = set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))
    new = []
    for pair in scored:
        a, b = sorted((int(pair.left), int(pair.right)))
        if (a, b) in known:
            continue
        known.add((a, b))
        explanation = _explanation(pair)
        new.append(
            CandidatePair(
                person_a_id=a,
                person_b_id=b,
                run=run,
                model_version=version,
                explanation_version=version,
                match_probability=pair.match_probability,
                match_weight=pair.match_weight,
                explanation=explanation,
                levels_key=levels_key(explanation),
            )
        )
    CandidatePair.objects.bulk_create(new, batch_size=1000)
    queue_changed()
    return new


def _resolve(pk: int) -> int:

    return resolve_person_id(pk)


def _finish(run: DedupRun, on_progress) -> DedupRun:
    jobs.job_finish(run.job)
    queue_changed()
    run.refresh_from_db()
    if on_progress:
        on_progress(run)
    return run


# At entry -----------------------------------------------------------------------------------------

# A look-up reads at most this many candidates (the most common name in one birth year stays below).
MAX_CANDIDATES = 2000
# Candidates scored below this match probability are not shown.
SUGGEST_THRESHOLD = 0.05


@dataclass(frozen=True)
class LikelyMatch:
    person: Person
    match_probability: float
    match_weight: float
    fields: tuple

    @property
    def agreeing(self) -> list:
        """The fields that counted for the match, strongest first (for the entry form's hint)."""
        return sorted((f for f in self.fields if f.weight > 0), key=lambda f: -f.weight)


def _value(record, name: str, default=None):
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def _path(unit) -> str:
    return getattr(unit, "path", unit or "") or ""


def likely_matches(user, record, *, limit: int = 10) -> list[LikelyMatch]:
    """Persons this user may see who are likely the person being typed or imported, best first.

    ``record`` is an unsaved Person or a mapping with its fields (full_name, birth_date, birth_year,
    id_number, sex, permanent_unit/temporary_unit/hometown_unit as units or paths). Candidates come
    from the blind indexes and blocking keys (indexed equality), merged persons are left out, and
    each candidate is scored by the shipped model in Python.
    """

    full_name = str(_value(record, "full_name", "") or "")
    birth_date = _value(record, "birth_date")
    birth_year = _value(record, "birth_year") or (birth_date.year if birth_date else None)
    id_number = str(_value(record, "id_number", "") or "")
    keys = Q()
    if index := id_number_index(id_number):
        keys |= Q(id_number_index=index)
    if birth_date and (index := name_birth_index(full_name, birth_date)):
        keys |= Q(name_birth_index=index)
    sgy, gdob, sdob = entry_keys(full_name, birth_date, birth_year)
    for field, value in (("link_sgy_index", sgy), ("link_gdob_index", gdob), ("link_sdob_index", sdob)):
        if value:
            keys |= Q(**{field: value})
    if not keys:
        return []
    exclude_pk = _value(record, "pk")
    candidates = (
        without_merged(persons_visible(user))
        .filter(keys)
        .exclude(pk=exclude_pk)
        .only(
            "pk",
            "full_name",
            "birth_date",
            "birth_year",
            "id_number",
            "sex",
            "permanent_unit__path",
            "temporary_unit__path",
            "hometown_unit__path",
        )[:MAX_CANDIDATES]
    )
    typed = entry.features(
        full_name=full_name,
        birth_date=birth_date,
        birth_year=birth_year,
        id_number=id_number,
        sex=str(_value(record, "sex", "") or ""),
        residence_unit=_path(_value(record, "temporary_unit") or _value(record, "permanent_unit"))
        or _path(_value(record, "residence_unit")),
        hometown_unit=_path(_value(record, "hometown_unit")),
    )
    scorer = entry.default_scorer()
    found = []
    for person in candidates:
        known = entry.features(
            full_name=person.full_name,
            birth_date=person.birth_date,
            birth_year=person.birth_year,
            id_number=person.id_number,
            sex=person.sex,
            residence_unit=_path(person.temporary_unit or person.permanent_unit),
            hometown_unit=_path(person.hometown_unit),
        )
        probability, weight, fields = scorer.score(typed, known)
        if probability >= SUGGEST_THRESHOLD:
            found.append(LikelyMatch(person, probability, weight, tuple(fields)))
    found.sort(key=lambda m: (-m.match_weight, m.person.pk))
    return found[:limit]


# Review by cluster (issue #19) ---------------------------------------------------------------------


def _stale(pairs: dict[int, CandidatePair], seen: str) -> str:
    """Why the cluster the reviewer saw is not the cluster now ("" when unchanged)."""
    counts: dict[int, int] = {}
    for item in filter(None, seen.split(",")):
        pk, _dot, count = item.partition(".")
        try:
            counts[int(pk)] = int(count)
        except ValueError:
            return _("Dữ liệu của trang không hợp lệ: hãy mở lại cụm hồ sơ.")
    if set(counts) != set(pairs):
        return _("Cụm hồ sơ vừa thay đổi (có cặp mới hoặc cặp đã được kết luận): hãy xem lại cụm.")
    for pk, pair in sorted(pairs.items()):
        latest = list(PairDecision.objects.filter(pair=pair).select_related("decided_by")[:1])
        if pair.decisions.count() != counts[pk] and latest:
            decision = latest[0]
            return _(
                "Cặp hồ sơ #%(pair)s vừa được %(user)s kết luận “%(decision)s” lúc %(time)s. "
                "Không có gì được ghi: hãy xem lại cụm hồ sơ."
            ) % {
                "pair": pk,
                "user": decision.decided_by,
                "decision": decision.get_decision_display(),
                "time": timezone.localtime(decision.decided_at).strftime("%H:%M %d/%m/%Y"),
            }
    return ""


def _contradictions(groups: dict[int, str]) -> list[str]:
    """Two records put in one person although they (or records merged into them) were decided different."""
    errors = []
    for pair, pk in apart_roots(merged_roots()).items():
        if len(pair) != 2 or not pair <= set(groups):
            continue
        a, b = sorted(pair)
        if groups[a] == groups[b]:
            errors.append(
                _(
                    "Hồ sơ #%(a)s và #%(b)s đã được kết luận là hai người khác nhau (cặp #%(pair)s), "
                    "nên không thể xếp vào cùng một người."
                )
                % {"a": a, "b": b, "pair": pk}
            )
    return errors


@transaction.atomic
def cluster_decide(
    *, actor, cluster, groups: dict[int, str], seen: str, unsure: bool = False, note: str = ""
):
    """Decide a candidate cluster in one act: records with the same group are one person (merged into
    the oldest record), records in different groups are different persons; ``unsure`` marks every
    link unsure. Each pair gets a decision, all in one ``Review`` that undoes together. Refused with
    nothing written when another reviewer decided one of its pairs meanwhile (``seen``), when a record
    is missing or put in two persons, or when the grouping contradicts an earlier "different".
    """
    pairs = {
        p.pk: p
        for p in CandidatePair.objects.select_for_update().filter(
            pk__in=[link.pair.pk for link in cluster.links]
        )
    }
    if reason := _stale(pairs, seen):
        raise ValidationError(reason)
    for member in cluster.members:
        if resolve_person_id(member) != member:
            raise ValidationError(
                _("Hồ sơ #%(id)s vừa được hợp nhất vào hồ sơ #%(into)s: hãy xem lại cụm hồ sơ.")
                % {"id": member, "into": resolve_person_id(member)}
            )
    missing = sorted(set(cluster.members) - set(groups))
    if missing and not unsure:
        raise ValidationError(
            _("Chưa xếp hồ sơ %(ids)s vào người nào.") % {"ids": ", ".join(f"#{m}" for m in missing)}
        )
    extra = sorted(set(groups) - set(cluster.members))
    if extra:
        raise ValidationError(
            _("Hồ sơ %(ids)s không thuộc cụm này.") % {"ids": ", ".join(f"#{m}" for m in extra)}
        )
    if not unsure and (errors := _contradictions(groups)):
        raise ValidationError(errors)
    review = audited_insert(
        actor=actor, instance=Review(kind=ReviewKind.CLUSTER, reviewer=actor), reason="xem xét cụm hồ sơ"
    )
    for link in cluster.links:
        pair = pairs[link.pair.pk]
        if unsure:
            decision = PairStatus.UNSURE
        else:
            decision = PairStatus.SAME if groups[link.a] == groups[link.b] else PairStatus.DIFFERENT
        _record_decision(actor, pair, decision, note, review)
    if not unsure:
        _merge_groups(actor, cluster, groups, review)
    return review


def _record_decision(actor, pair: CandidatePair, decision: str, note: str, review=None) -> PairDecision:
    row = PairDecision(pair=pair, decision=decision, note=note.strip()[:300], decided_by=actor, review=review)
    row.full_clean()
    row.save()
    audited_update(
        actor=actor,
        instance=pair,
        reason=f"kết luận: {decision}",
        clean=False,
        status=decision,
        decided_at=timezone.now(),
    )  # the queue's changes: the decision's and the pair's save signals
    return row


def _merge_groups(actor, cluster, groups: dict[int, str], review) -> None:
    by_group: dict[str, list[int]] = {}
    for member in cluster.members:
        by_group.setdefault(groups[member], []).append(member)
    direct = {(link.a, link.b): link.pair for link in cluster.links}
    persons = {p.pk: p for p in Person.objects.filter(pk__in=cluster.members)}
    for members in by_group.values():
        survivor = min(members)
        for merged in sorted(members)[1:]:
            merge_persons(
                actor=actor,
                survivor=persons[survivor],
                merged=persons[merged],
                pair=direct.get((survivor, merged)),
                review=review,
            )


@transaction.atomic
def review_undo(*, actor, review):
    """Undo a review: its merges undone (latest first), its pairs back to what they were before it."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.active:
        raise ValidationError(_("Lần xem xét này đã được hoàn tác."))
    for merge in review.merges.filter(undone_at__isnull=True).order_by("-created_at", "-pk"):
        merge_undo(actor=actor, merge=merge)
    for decision in review.decisions.select_related("pair"):
        pair = CandidatePair.objects.select_for_update().get(pk=decision.pair_id)
        earlier = (
            pair.decisions.exclude(review=review)
            .exclude(review__undone_at__isnull=False)
            .filter(decided_at__lte=decision.decided_at)
            .first()
        )
        audited_update(
            actor=actor,
            instance=pair,
            reason="hoàn tác kết luận",
            clean=False,
            status=earlier.decision if earlier else PairStatus.PENDING,
            decided_at=earlier.decided_at if earlier else None,
        )  # the queue's change: the pair's save signal
    return audited_update(
        actor=actor,
        instance=review,
        reason="hoàn tác xem xét",
        clean=False,
        undone_at=timezone.now(),
        undone_by=actor,
    )


# Decisions teach the model (issue #19 item 3) --------------------------------------------------------

# m is learned again as EM would learn it with the decided pairs' labels known: the unsupervised model's
# expected matches in each level (N × m, N = the matches it expects among the pairs it scored,
# ``ModelVersion.expected_matches``), each decided pair moving its levels by its label less the
# probability the unsupervised model gave it (same: +(1 − p); different: −p). A decision the model
# expected teaches little; one it did not, more. Counting only the levels of the pairs decided "same" (as
# Splink's estimate from labels does, blended with the model as 10 pseudo-decisions) learned the levels of
# the pairs a reviewer is shown — chosen by their score — as if every match looked like them: at 977,011
# records, re-scored by it, undecided true pairs sank under the queue's floor and the queue ran out after
# 7,538 decisions at F1 0.9691, where the model left alone reached 0.9764 after 10,000. A version made
# without a run (the shipped model) counts as ``RELEARN_PRIOR`` matches.
RELEARN_PRIOR = 10


def model_parameters(settings: Mapping) -> dict[str, dict[str, float]]:
    """{comparison label: {level label: m}} of a Splink model (null levels have no m)."""
    out: dict[str, dict[str, float]] = {}
    for comparison in settings["comparisons"]:
        label = engine.FIELD_LABELS.get(comparison["output_column_name"], comparison["output_column_name"])
        out[label] = {
            level["label_for_charts"]: float(level["m_probability"])
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and level.get("m_probability") is not None
        }
    return out


def model_version_new(
    *,
    parameters: dict,
    actor=None,
    learned_from=(),
    same=0,
    different=0,
    expected_matches: float | None = None,
) -> ModelVersion:
    latest = ModelVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
    version = ModelVersion(
        number=latest + 1,
        parameters=parameters,
        learned_from=list(learned_from),
        same_count=same,
        different_count=different,
        expected_matches=expected_matches,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return audited_insert(actor=actor, instance=version, reason="phiên bản mô hình")


def model_current() -> ModelVersion:
    """The model the queue is scored with now (the shipped model as version 1 when there is none)."""
    latest = ModelVersion.objects.order_by("-number").first()
    if latest is None:
        latest = model_version_new(
            parameters=model_parameters(json.loads(engine.DEFAULT_MODEL.read_text("utf-8")))
        )
    return latest


@dataclass(frozen=True)
class Label:
    """A pair settled now by its latest decision in force, with what the model learns from it."""

    decision_id: int
    pair_id: int
    decision: str  # PairStatus.SAME or DIFFERENT
    explanation: list
    weight: float  # the pair's match weight, under ``version`` (decided pairs are not re-scored)
    version: int | None


def _labelled() -> list[Label]:
    """Every pair settled now: its latest decision that is still in force (undone reviews left out)."""
    rows = (
        PairDecision.objects.filter(
            pair__status__in=[PairStatus.SAME, PairStatus.DIFFERENT], decision=models.F("pair__status")
        )
        .exclude(review__undone_at__isnull=False)
        .order_by("pair_id", "-pk")
        .values_list(
            "pk", "pair_id", "decision", "pair__explanation", "pair__match_weight", "pair__model_version_id"
        )
    )
    latest: dict[int, Label] = {}
    for pk, pair_id, decision, explanation, weight, version in rows:
        if pair_id not in latest:
            latest[pair_id] = Label(pk, pair_id, decision, explanation, weight, version)
    return list(latest.values())


def relearn_prior(base: ModelVersion) -> float:
    """How many matches the unsupervised model's m stands for (see ``RELEARN_PRIOR``)."""
    return base.expected_matches if base.expected_matches else RELEARN_PRIOR


def label_corrections(
    labels: list[Label], base: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float]]:
    """{field: {level: Σ (label − p)}} over the decided pairs, p the pair's probability under ``base``
    (its weight moved back from its own version's m to base's): what the decisions add to the expected
    matches of each level (``relearned``)."""
    first = ModelVersion.objects.order_by("number").values_list("pk", flat=True).first()
    wanted = {label.version or first for label in labels}
    versions = dict(ModelVersion.objects.filter(pk__in=wanted).values_list("pk", "parameters"))
    corrections: dict[str, dict[str, float]] = {}
    for label in labels:
        own = versions.get(label.version or first, base)
        p = probability_of(label.weight - rescore_delta(label.explanation, base, own))
        moved = (1.0 if label.decision == PairStatus.SAME else 0.0) - p
        for row in label.explanation:
            field_corrections = corrections.setdefault(row["field"], {})
            field_corrections[row["level"]] = field_corrections.get(row["level"], 0.0) + moved
    return corrections


def _floored(levels: dict[str, float]) -> dict[str, float]:
    values = {k: max(v, engine.LinkageModel.M_FLOOR) for k, v in levels.items()}
    total = sum(values.values()) or 1.0
    return {k: v / total for k, v in values.items()}


def relearned(
    base: Mapping[str, Mapping[str, float]], corrections: Mapping[str, Mapping[str, float]], prior: float
) -> dict[str, dict[str, float]]:
    """m of each level of ``base`` (the unsupervised model) re-estimated with the decisions: the
    matches base expects in the level (``prior`` × m, ``relearn_prior``) plus the decisions'
    ``label_corrections``, as a share of all (a level cannot fall under none, nor m under the floor)."""
    parameters: dict[str, dict[str, float]] = {}
    for field_label, levels in base.items():
        moved = corrections.get(field_label, {})
        expected = {level: max(prior * m + moved.get(level, 0.0), 0.0) for level, m in levels.items()}
        total = sum(expected.values()) or 1.0
        parameters[field_label] = _floored({level: v / total for level, v in expected.items()})
    return parameters


def rescore_delta(explanation, old: Mapping, new: Mapping) -> float:
    """How much a pair's match weight moves when m goes from ``old`` to ``new`` (u unchanged): per
    field, log2(m new / m old) of the level it fell in."""
    total = 0.0
    for row in explanation:
        total += level_shift(row, old, new)
    return total


def probability_of(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-weight))


def relearn_base(current: ModelVersion) -> ModelVersion:
    """The unsupervised model decisions are blended with: the latest version learned from none."""
    return ModelVersion.objects.filter(same_count=0, different_count=0).order_by("-number").first() or current


RESCORED = (PairStatus.PENDING, PairStatus.UNSURE)  # the undecided pairs, which re-learning re-scores


def _levels_keys_fill() -> None:
    """Undecided pairs written without their levels' key (``levels_key``) get it: one UPDATE per key."""
    by_key: dict[str, list[int]] = {}
    for pk, explanation in (
        CandidatePair.objects.filter(status__in=RESCORED, levels_key="")
        .order_by()
        .values_list("pk", "explanation")
    ):
        by_key.setdefault(levels_key(explanation), []).append(pk)
    for key, pks in by_key.items():
        for start in range(0, len(pks), 5000):
            CandidatePair.objects.filter(pk__in=pks[start : start + 5000]).update(levels_key=key)


def _rescore_band(parameters: Mapping, version: ModelVersion) -> int:
    """Every undecided pair re-scored under ``parameters`` (``version``'s), in bulk: a pair's weight moves
    by ``rescore_delta`` of its levels between its own version's m and the new one, so the pairs are
    grouped by (version, levels' key), one delta computed per group from one pair's explanation, and one
    UPDATE joins the pairs to their group's delta (the weight, its probability ``probability_of``, and
    the version; the explanation is left under the version it was written with). Returns the pairs
    re-scored."""
    _levels_keys_fill()
    first = ModelVersion.objects.order_by("number").values_list("pk", flat=True).first()
    groups = list(
        CandidatePair.objects.filter(status__in=RESCORED)
        .order_by()
        .values_list("model_version_id", "levels_key")
        .annotate(sample=models.Min("pk"))
    )
    if not groups:
        return 0
    samples = dict(
        CandidatePair.objects.filter(pk__in=[sample for *_key, sample in groups])
        .order_by()
        .values_list("pk", "explanation")
    )
    wanted = {old or first for old, _key, _sample in groups}
    versions = dict(ModelVersion.objects.filter(pk__in=wanted).values_list("pk", "parameters"))
    deltas = [
        (old or first, key, rescore_delta(samples[sample], versions.get(old or first, {}), parameters))
        for old, key, sample in groups
    ]
    table = CandidatePair._meta.db_table
    assignments = f"""
        match_weight = p.match_weight + d.delta,
        match_probability = {_ONE} / ({_ONE} + POWER({_TWO}, -(p.match_weight + d.delta))),
        model_version_id = %s,
        explanation_version_id = COALESCE(p.explanation_version_id, p.model_version_id, %s)"""
    where = (
        "p.status IN (%s, %s) AND COALESCE(p.model_version_id, %s) = d.version AND p.levels_key = d.levels"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = list(zip(*deltas, strict=True))
            cursor.execute(
                f"UPDATE {table} AS p SET {assignments} "  # noqa: S608 - our own table and fixed SQL
                "FROM unnest(%s::bigint[], %s::text[], %s::float8[]) AS d(version, levels, delta) "
                f"WHERE {where}",
                [version.pk, first, *map(list, columns), *RESCORED, first],
            )
            return cursor.rowcount
        cursor.execute("DROP TABLE IF EXISTS linkage_relearn_delta")
        cursor.execute("CREATE TEMP TABLE linkage_relearn_delta (version integer, levels text, delta real)")
        cursor.executemany("INSERT INTO linkage_relearn_delta VALUES (%s, %s, %s)", deltas)
        cursor.execute(
            f"UPDATE {table} AS p SET {assignments} "  # noqa: S608 - our own table and fixed SQL
            f"FROM linkage_relearn_delta AS d WHERE {where}",
            [version.pk, first, *RESCORED, first],
        )
        count = cursor.rowcount
        cursor.execute("DROP TABLE linkage_relearn_delta")
        return count


# The probability's constants as doubles on both databases (POWER(2.0, …) would be numeric on PostgreSQL).
_ONE, _TWO = "CAST(1 AS DOUBLE PRECISION)", "CAST(2 AS DOUBLE PRECISION)"


@transaction.atomic
def model_relearn(*, actor=None, prior: float | None = None) -> ModelVersion | None:
    """Re-estimate m from reviewers' decisions and re-score the undecided pairs; a new ModelVersion
    records what it learned from. None when no decision changed since the current version.

    m of a level = its share among the pairs decided "same" (as Splink's estimate from pairwise labels),
    blended with the unsupervised model's m as ``prior`` pseudo-decisions (``relearned``). Only m
    changes, so each pair's new weight is its old weight plus, per field, log2(m new / m old) of the
    level it fell in (``rescore_delta``): the undecided pairs are re-scored without reading an identity
    again. ``linkage.simulation`` replays this in memory for the reviewer benchmark.
    """
    current = model_current()
    labelled = _labelled()
    ids = sorted(label.decision_id for label in labelled)
    if ids == sorted(current.learned_from):
        return None
    base = relearn_base(current)
    same = sum(label.decision == PairStatus.SAME for label in labelled)
    parameters = relearned(
        base.parameters,
        label_corrections(labelled, base.parameters),
        relearn_prior(base) if prior is None else prior,
    )
    version = model_version_new(
        parameters=parameters,
        actor=actor,
        learned_from=ids,
        same=same,
        different=len(labelled) - same,
    )
    version.rescored = _rescore_band(parameters, version)
    version.save(update_fields=["rescored"])
    # No signal for a bulk update: the queue's band as re-scored, for the kept queues to follow.
    queue_changed(
        rescored=dict(
            CandidatePair.objects.filter(status__in=RESCORED, match_probability__gte=QUEUE_FLOOR)
            .order_by()
            .values_list("pk", "match_probability")
        )
    )
    return version


@transaction.atomic
def batch_confirm(*, actor, pattern: str, pairs: list[CandidatePair]) -> tuple[Review | None, list[str]]:
    """Confirm as the same person every pair fitting a pattern the reviewer approved: one decision per
    pair (audited), all in one ``Review`` that undoes together. A pair decided meanwhile, already one
    person, or that would join two persons decided different is skipped and said why."""
    review = audited_insert(
        actor=actor,
        instance=Review(kind=ReviewKind.BATCH, pattern=pattern[:40], reviewer=actor),
        reason="xác nhận theo mẫu",
    )
    skipped: list[str] = []
    confirmed = 0
    for candidate in pairs:
        pair = CandidatePair.objects.select_for_update().get(pk=candidate.pk)
        if pair.status != PairStatus.PENDING:
            skipped.append(_("Cặp #%(pair)s đã được kết luận trước đó.") % {"pair": pair.pk})
            continue
        a, b = resolve_person_id(pair.person_a_id), resolve_person_id(pair.person_b_id)
        if a == b:
            skipped.append(_("Cặp #%(pair)s: hai hồ sơ đã là một người.") % {"pair": pair.pk})
            continue
        if errors := _contradictions({a: "1", b: "1"}):
            skipped.append(_("Cặp #%(pair)s: %(why)s") % {"pair": pair.pk, "why": errors[0]})
            continue
        _record_decision(actor, pair, PairStatus.SAME, _("xác nhận theo mẫu"), review)
        persons = {p.pk: p for p in Person.objects.filter(pk__in=[a, b])}
        merge_persons(
            actor=actor, survivor=persons[min(a, b)], merged=persons[max(a, b)], pair=pair, review=review
        )
        confirmed += 1
    if not confirmed:
        transaction.set_rollback(True)
        return None, skipped
    return review, skipped
