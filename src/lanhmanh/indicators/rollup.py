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
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from lanhmanh.indicators.models import Rollup, RollupVersion
from lanhmanh.indicators.registry import ComputedSource, rollup_sources
from lanhmanh.org.levels import path_prefix

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


DISTRICT = "@2"


def _cells(source: ComputedSource, grouped_rows) -> dict[tuple, list]:
    """Fold GROUP BY rows (path, month, every disaggregation) into rollup cells of every slice.

    Each slice is kept twice: at the record's own unit path, and with the path cut to the unit one
    step below the province (``dims`` + "@2": a 2014 district, a 2026 commune), so city and district views read a few hundred rows instead of thousands.
    """
    cells: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in grouped_rows:
        value = Decimal(row["v"] or 0)
        path = row["p"]
        for dims in slices(source):
            key = encode_key(row[f"k_{dims}"]) if dims else "null"
            for cell_dims, cell_path in ((dims, path), (dims + DISTRICT, path_prefix(path, 2))):
                cell = cells[(source.code, cell_dims, cell_path, row["m"], key)]
                cell[0] += row["n"]
                cell[1] += value
    return cells


def _contribution(source: ComputedSource, pk, *, lock: bool) -> dict[tuple, list]:
    """What record ``pk`` adds to each rollup cell of ``source`` (empty if the source does not count it)."""
    queryset = source.queryset().filter(pk=pk)
    if lock and connection.in_atomic_block and connection.features.has_select_for_update:
        list(source.queryset().model._base_manager.filter(pk=pk).select_for_update().values_list("pk"))
    return _cells(source, _grouped(source, queryset, sorted(source.disaggregations)))


def apply(deltas: dict[tuple, list]) -> None:
    """Add ``deltas`` ((source, dims, unit_path, month, key) → [rows, value]) to the rollup table."""
    items = [(k, d) for k, d in deltas.items() if d[0] or d[1]]
    if not items:
        return
    # The version token first: a writer holds its sources' token rows before any rollup row, so two
    # writers of one source queue on the token instead of each holding rows the other needs.
    bump(sorted({k[0] for k, _d in items}))
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


def bump(codes: list[str]) -> None:
    """Give each source a new version token (``RollupVersion``), in the writing transaction: anything
    kept by the old token (``evaluation.tree_for``) is not read again once the write commits."""
    if not codes:
        return
    table = connection.ops.quote_name(RollupVersion._meta.db_table)
    params: list = []
    for code in codes:
        params += [code, uuid.uuid4().hex]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source, token) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s)"] * len(codes))
            + " ON CONFLICT (source) DO UPDATE SET token = excluded.token",
            params,
        )


def version(code: str) -> str | None:
    """The current version token of a source's rollup rows (None: never written since the table came)."""
    return RollupVersion.objects.filter(source=code).values_list("token", flat=True).first()


def versions() -> dict[str, str]:
    """Every source's version token (one query for a page that reads many trees)."""
    return dict(RollupVersion.objects.values_list("source", "token"))


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

    One GROUP BY per source (by unit path, month and every disaggregation), folded into the slices in
    Python. Returns the number of rollup rows written.
    """
    written = 0
    for source in rollup_sources():
        if codes and source.code not in codes:
            continue
        Rollup.objects.filter(source=source.code).delete()
        grouped = _grouped(source, source.queryset(), sorted(source.disaggregations))
        cells = _cells(source, (row for row in grouped.iterator(chunk_size=BATCH) if row["n"]))
        batch = [
            Rollup(source=code, dims=dims, unit_path=path, month=month, key=key, rows=rows, value=value)
            for (code, dims, path, month, key), (rows, value) in cells.items()
            if rows
        ]
        Rollup.objects.bulk_create(batch, batch_size=BATCH)
        bump([source.code])
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
