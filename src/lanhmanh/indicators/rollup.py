"""Live pre-aggregation of large computed sources: counts and sums per unit path, month and disaggregation.

Why: a GROUP BY over a million records takes hundreds of milliseconds (seconds on SQLite); the plan
dashboard must answer in tens. A source registered with ``rollup=True`` keeps its aggregates in
``indicators.Rollup``; evaluation over whole months reads a few thousand rollup rows instead.

How it stays live and exact: every ``save()`` or ``delete()`` of a record of the source's model
(signals, inside the writing transaction, so a rollback undoes both) reads the record's contribution
before and after the write with the source's own queryset and aggregate, and adds the difference to
the rollup rows with one ``INSERT … ON CONFLICT DO UPDATE SET rows = rows + …`` (atomic under
concurrency on PostgreSQL; SQLite serialises writers). The old contribution is read ``FOR UPDATE`` so
two concurrent edits of one record cannot both subtract the same old value. Writes that bypass
``save()`` (bulk_create, QuerySet.update, raw SQL) need ``rollup_rebuild()``
(``manage.py indicators_rollup_rebuild``). The tests check rollup and direct evaluation agree.

Known limit: a disaggregation read through a relation (e.g. the organiser agency's kind) is captured
when the record is written; changing the related row (an agency's kind) needs a rebuild.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from lanhmanh.indicators.models import Rollup
from lanhmanh.indicators.registry import ComputedSource, rollup_sources

BATCH = 2000


def encode_key(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def decode_key(text: str):
    return json.loads(text)


def slices(source: ComputedSource) -> list[str]:
    """The disaggregations kept: "" (none) and each one alone."""
    return ["", *sorted(source.disaggregations)]


def _grouped(source: ComputedSource, queryset, dims: list[str]):
    keys = {f"k_{name}": F(source.disaggregations[name]) for name in dims}
    return (
        queryset.order_by()
        .values(p=F(source.unit_path), m=TruncMonth(source.date_field), **keys)
        .annotate(n=Count("pk"), v=source.value)
    )


def _contribution(source: ComputedSource, pk, *, lock: bool) -> dict[tuple, list]:
    """What record ``pk`` adds to each rollup cell of ``source`` (empty if the source does not count it)."""
    queryset = source.queryset().filter(pk=pk)
    if lock and connection.in_atomic_block and connection.features.has_select_for_update:
        list(source.queryset().model._base_manager.filter(pk=pk).select_for_update().values_list("pk"))
    cells: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    names = sorted(source.disaggregations)
    for row in _grouped(source, queryset, names):
        value = Decimal(row["v"] or 0)
        for dims in slices(source):
            key = encode_key(row[f"k_{dims}"]) if dims else "null"
            cell = cells[(source.code, dims, row["p"], row["m"], key)]
            cell[0] += row["n"]
            cell[1] += value
    return cells


def apply(deltas: dict[tuple, list]) -> None:
    """Add ``deltas`` ((source, dims, unit_path, month, key) → [rows, value]) to the rollup table."""
    items = [(k, d) for k, d in deltas.items() if d[0] or d[1]]
    if not items:
        return
    table = connection.ops.quote_name(Rollup._meta.db_table)
    postgres = connection.vendor == "postgresql"
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(items))
    params: list = []
    for (source, dims, path, month, key), (rows, value) in items:
        params += [source, dims, path, month if postgres else month.isoformat(), key, rows, str(value)]
    if postgres:
        placeholders = placeholders.replace("%s, %s, %s)", "%s, %s::bigint, %s::numeric)").replace(
            "(%s, %s, %s, %s", "(%s, %s, %s, %s::date"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source, dims, unit_path, month, key, rows, value) "  # noqa: S608
            f"VALUES {placeholders} "
            "ON CONFLICT (source, dims, unit_path, month, key) DO UPDATE SET "
            f"rows = {table}.rows + excluded.rows, value = {table}.value + excluded.value",
            params,
        )
    touched = {(k[0], k[2], k[3]) for k, _d in items}
    for source in {t[0] for t in touched}:
        Rollup.objects.filter(
            source=source,
            unit_path__in={t[1] for t in touched if t[0] == source},
            month__in={t[2] for t in touched if t[0] == source},
            rows__lte=0,
        ).delete()


def _sources_of(model) -> list[ComputedSource]:
    return [s for s in rollup_sources() if s.queryset().model is model]


def _before_write(sender, instance, **kwargs) -> None:
    if kwargs.get("raw") or instance.pk is None or instance._state.adding:
        instance._rollup_before = {}
        return
    before: dict[tuple, list] = {}
    for source in _sources_of(sender):
        before.update(_contribution(source, instance.pk, lock=True))
    instance._rollup_before = before


def _combine(before: dict, after: dict) -> dict:
    deltas: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for key, (rows, value) in after.items():
        deltas[key][0] += rows
        deltas[key][1] += value
    for key, (rows, value) in before.items():
        deltas[key][0] -= rows
        deltas[key][1] -= value
    return deltas


def _after_save(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    after: dict[tuple, list] = {}
    for source in _sources_of(sender):
        after.update(_contribution(source, instance.pk, lock=False))
    apply(_combine(getattr(instance, "_rollup_before", {}), after))
    instance._rollup_before = {}


def _after_delete(sender, instance, **kwargs) -> None:
    apply(_combine(getattr(instance, "_rollup_before", {}), {}))
    instance._rollup_before = {}


def connect_signals() -> None:
    """Maintain the rollup of every ``rollup=True`` source (called once the registry is populated)."""
    for model in {s.queryset().model for s in rollup_sources()}:
        uid = f"indicators-rollup-{model._meta.label_lower}"
        pre_save.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-save", weak=False)
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post-save", weak=False)
        pre_delete.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-delete", weak=False)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete", weak=False)


@transaction.atomic
def rollup_rebuild(*, codes: list[str] | None = None) -> int:
    """Recompute the rollup rows of the named sources (default: all) from their records.

    One GROUP BY per source and disaggregation. Returns the number of rollup rows written.
    """
    written = 0
    for source in rollup_sources():
        if codes and source.code not in codes:
            continue
        Rollup.objects.filter(source=source.code).delete()
        for dims in slices(source):
            grouped = _grouped(source, source.queryset(), [dims] if dims else [])
            batch: list[Rollup] = []
            for row in grouped.iterator(chunk_size=BATCH):
                if not row["n"]:
                    continue
                batch.append(
                    Rollup(
                        source=source.code,
                        dims=dims,
                        unit_path=row["p"],
                        month=row["m"],
                        key=encode_key(row[f"k_{dims}"]) if dims else "null",
                        rows=row["n"],
                        value=Decimal(row["v"] or 0),
                    )
                )
                if len(batch) >= BATCH:
                    Rollup.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
            Rollup.objects.bulk_create(batch)
            written += len(batch)
    return written


_integer: dict[str, bool] = {}


def integer_valued(source: ComputedSource) -> bool:
    """Whether the source's aggregate is an integer (a count, a sum of integers): values come back as int."""
    if source.code not in _integer:
        queryset = source.queryset().order_by().annotate(_v=source.value)
        field = queryset.query.annotations["_v"].output_field
        _integer[source.code] = isinstance(field, models.IntegerField)
    return _integer[source.code]


def as_value(source: ComputedSource, raw):
    if raw is None:
        return None
    return int(raw) if integer_valued(source) else Decimal(raw)
