"""Writes of the linkage app: runs, decisions, merges and unmerges. Each one audited in its transaction.

A merge keeps the survivor's id, moves every row that points at the merged person (violations, and
through them sanctions; support cases and outreach tasks; any other model with a foreign key to
Person) to the survivor, and records what moved. Counting rules are computed from a person's
violations when read, so they are recomputed by the move itself. The merged person's row stays:
its id resolves to the survivor (``selectors.resolve_person_id``) and an unmerge moves back exactly
the recorded rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lanhmanh.core.audit import record_change, snapshot
from lanhmanh.core.crypto import id_number_index, name_birth_index
from lanhmanh.core.models import ChangeRecord
from lanhmanh.linkage import engine, entry
from lanhmanh.linkage.blocking import entry_keys
from lanhmanh.linkage.models import CandidatePair, DedupRun, Merge, PairDecision, PairStatus, RunStatus
from lanhmanh.linkage.selectors import resolve_person_id
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
            before = snapshot(row)
            setattr(row, attname, survivor)
            row.save(update_fields=[field])
            record_change(
                actor=actor,
                instance=row,
                action=ChangeRecord.Action.UPDATE,
                before=before,
                reason="hợp nhất hồ sơ",
            )
            moved[merged].append([model._meta.label, row.pk, field])
    return moved


@transaction.atomic
def merge_persons(
    *, actor, survivor: Person, merged: Person, pair: CandidatePair | None = None, run: DedupRun | None = None
) -> Merge:
    """Fold ``merged`` into ``survivor``. Side effects: related rows re-pointed, a Merge row, audit rows."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("Không thể hợp nhất một hồ sơ với chính nó."))
    if Merge.objects.filter(merged__in=[survivor, merged], undone_at__isnull=True).exists():
        raise ValidationError(_("Một trong hai hồ sơ đã được hợp nhất vào hồ sơ khác."))
    moved = _move_rows(actor, {merged.pk: survivor.pk})[merged.pk]
    merge = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        moved=moved,
        pair=pair,
        run=run,
        automatic=pair is None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_change(actor=actor, instance=merge, action=ChangeRecord.Action.MERGE, reason="hợp nhất hồ sơ")
    _counting_refresh(survivor.pk, merged.pk)
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
        before = snapshot(row)
        setattr(row, f"{field}_id", merge.merged_id)
        row.save(update_fields=[field])
        record_change(
            actor=actor,
            instance=row,
            action=ChangeRecord.Action.UPDATE,
            before=before,
            reason="hoàn tác hợp nhất",
        )
    before = snapshot(merge)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    record_change(
        actor=actor,
        instance=merge,
        action=ChangeRecord.Action.UNMERGE,
        before=before,
        reason="hoàn tác hợp nhất",
    )
    _counting_refresh(merge.survivor_id, merge.merged_id)
    return merge


@transaction.atomic
def pair_decide(*, actor, pair: CandidatePair, decision: str, note: str = "") -> PairDecision:
    """Record a reviewer's decision; "same" merges the pair (the older record survives)."""
    if decision not in PairStatus.values or decision == PairStatus.PENDING:
        raise ValidationError(
            {"decision": _("Chọn một kết luận: cùng một người, hai người khác nhau hoặc chưa chắc.")}
        )
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    before = snapshot(pair)
    row = PairDecision(pair=pair, decision=decision, note=note.strip()[:300], decided_by=actor)
    row.full_clean()
    row.save()
    pair.status = decision
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_at"])
    record_change(
        actor=actor,
        instance=pair,
        action=ChangeRecord.Action.UPDATE,
        before=before,
        reason=f"kết luận: {decision}",
    )
    if decision == PairStatus.SAME:
        merge_persons(actor=actor, survivor=pair.person_a, merged=pair.person_b, pair=pair)
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
            "explanation": [
                {"field": f.label, "level": f.level, "weight": round(f.weight, 2)} for f in scored.fields
            ],
        },
    )


def score_persons(persons: list[Person]) -> list:
    """Every blocked pair among ``persons`` scored by the engine (default model when few), best first."""

    model = engine.build_model(engine.prepare(_records(persons)))
    try:
        return sorted(
            model.pairs(model.predict(threshold=0.0), threshold=0.0), key=lambda p: -p.match_probability
        )
    finally:
        model.close()


def run_start(*, actor) -> DedupRun:
    """Create a run and queue it in the background (after commit)."""

    with transaction.atomic():
        run = DedupRun.objects.create(started_by=actor)
        record_change(
            actor=actor, instance=run, action=ChangeRecord.Action.CREATE, reason="rà soát hồ sơ trùng"
        )
        transaction.on_commit(lambda: dedup_registry.enqueue(run.pk))
    return run


def _progress(run: DedupRun, percent: int, stage: str) -> None:
    DedupRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage, status=RunStatus.RUNNING)
    run.progress, run.stage = percent, stage


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


def run_execute(run: DedupRun, *, on_progress=None) -> DedupRun:
    """The body of a run: score the registry, merge above the upper threshold, queue the middle band.

    Called by the background task and the management command; writes progress as it goes.
    """

    def step(percent: int, stage: str) -> None:
        _progress(run, percent, stage)
        if on_progress:
            on_progress(run)

    try:
        step(5, _("Đọc hồ sơ"))
        merged_ids = set(Merge.objects.filter(undone_at__isnull=True).values_list("merged_id", flat=True))
        records = _read_records(exclude=merged_ids)
        DedupRun.objects.filter(pk=run.pk).update(records=len(records["id"]))
        run.records = len(records["id"])
        step(20, _("Chuẩn bị và huấn luyện mô hình"))
        prepared = engine.prepare(records)
        del records
        if prepared.table.num_rows < 2:
            return _finish(run, step)
        model = engine.build_model(prepared)
        step(50, _("Chấm điểm các cặp"))
        predictions = model.predict(threshold=engine.LOWER_THRESHOLD)
        pairs = model.pairs(predictions, threshold=engine.LOWER_THRESHOLD)
        model.close()
        step(75, _("Hợp nhất và lập hàng đợi xem xét"))
        decided = {
            (a, b): status
            for a, b, status in CandidatePair.objects.exclude(status=PairStatus.PENDING).values_list(
                "person_a_id", "person_b_id", "status"
            )
        }
        certain, review = [], []
        for pair in sorted(pairs, key=lambda p: -p.match_probability):
            key = tuple(sorted((int(pair.left), int(pair.right))))
            if key in decided:
                continue  # a reviewer already answered: never asked twice, never overridden
            (certain if pair.match_probability >= engine.UPPER_THRESHOLD else review).append((key, pair))
        del pairs
        different = {key for key, status in decided.items() if status == PairStatus.DIFFERENT}

        def merging(done: int, total: int) -> None:
            step(
                75 + 20 * done // max(total, 1),
                _("Hợp nhất %(done)s/%(total)s") % {"done": done, "total": total},
            )

        auto = merge_automatic(
            actor=run.started_by,
            edges=[key for key, _pair in certain],
            different=different,
            run=run,
            on_progress=merging,
        )
        step(95, _("Lập hàng đợi xem xét"))
        queued = _queue_many([pair for _key, pair in review], run=run)
        DedupRun.objects.filter(pk=run.pk).update(auto_merged=auto, queued=queued)
        run.auto_merged, run.queued = auto, queued
        return _finish(run, step)
    except Exception as error:  # a failed run must say so in the UI, not spin forever
        logger.exception("Deduplication run %s failed", run.pk)
        DedupRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        if on_progress:
            on_progress(run)
        return run


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
    run: DedupRun | None = None,
    different=frozenset(),
    on_progress=None,
) -> int:
    """Link the pairs in ``edges`` (best first) into people and merge each person's records in bulk.

    The oldest record (smallest id) of each person survives and every other record is merged into it,
    with the same rows moved, audit rows and ``Merge`` rows as ``merge_persons``, so each one can be
    undone on its own. A link that would put two records a reviewer called different into one person
    is skipped. Returns the number of merges.
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

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        group_a, group_b = members.get(ra, [ra]), members.get(rb, [rb])
        if any(find(y) == rb for x in group_a for y in apart.get(x, ())):
            continue
        root, other = min(ra, rb), max(ra, rb)
        parent[other] = root
        members[root] = group_a + group_b
        members.pop(other, None)
    merges = [(root, m) for root, group in members.items() for m in sorted(group) if m != root]
    written = 0
    for start in range(0, len(merges), MERGE_BATCH):
        written += _merge_batch(actor, merges[start : start + MERGE_BATCH], run)
        if on_progress:
            on_progress(min(start + MERGE_BATCH, len(merges)), len(merges))
    return written


@transaction.atomic
def _merge_batch(actor, merges: list[tuple[int, int]], run: DedupRun | None) -> int:
    # A reviewer may have merged one of these records while the run was scoring: leave those alone.
    ids = {pk for pair in merges for pk in pair}
    gone = set(
        Merge.objects.filter(merged_id__in=ids, undone_at__isnull=True).values_list("merged_id", flat=True)
    )
    survivor_of = {merged: survivor for survivor, merged in merges if not {survivor, merged} & gone}
    merges = [(survivor, merged) for survivor, merged in merges if merged in survivor_of]
    if not merges:
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    moved = _move_rows(actor, survivor_of)
    rows = Merge.objects.bulk_create(
        [
            Merge(
                survivor_id=survivor,
                merged_id=merged,
                moved=moved[merged],
                run=run,
                automatic=True,
                created_by=user,
            )
            for survivor, merged in merges
        ]
    )
    if any(row.pk is None for row in rows):  # a backend that returns no ids: read them back
        rows = list(Merge.objects.filter(merged_id__in=list(survivor_of), undone_at__isnull=True))
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                actor=user,
                action=ChangeRecord.Action.MERGE,
                model=Merge._meta.label_lower,
                object_id=str(row.pk),
                object_repr=str(row)[:200],
                after=snapshot(row),
                reason="hợp nhất hồ sơ",
            )
            for row in rows
        ],
        batch_size=500,
    )
    _counting_refresh(*survivor_of, *survivor_of.values())
    return len(merges)


def _queue_many(scored: list, *, run: DedupRun | None) -> int:
    """``pair_queue`` for many pairs at once: new pairs only (a pair is queued once, ever)."""
    known = set(CandidatePair.objects.values_list("person_a_id", "person_b_id"))
    new = []
    for pair in scored:
        a, b = sorted((int(pair.left), int(pair.right)))
        if (a, b) in known:
            continue
        known.add((a, b))
        new.append(
            CandidatePair(
                person_a_id=a,
                person_b_id=b,
                run=run,
                match_probability=pair.match_probability,
                match_weight=pair.match_weight,
                explanation=[
                    {"field": f.label, "level": f.level, "weight": round(f.weight, 2)} for f in pair.fields
                ],
            )
        )
    CandidatePair.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _resolve(pk: int) -> int:

    return resolve_person_id(pk)


def _finish(run: DedupRun, step) -> DedupRun:
    step(100, _("Xong"))
    DedupRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
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
