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

Distinct counts (``Count("violation__person", distinct=True)``) do not add up over units or months, so
such a source keeps one row per unit path, month and member counted (dims ``MEMBERS``, key = the
member's id, ``rows`` = the records behind it); evaluation counts the distinct keys of the rows in the
subtree and period, grouped by units and time. A grouping by one of its disaggregations reads the records.

Relations: a source that reads fields through a relation (the place and role of a sanction's violation,
the sex of its person) names them in ``rollup_follows``; a ``save()`` of such a related row that changes
one of those fields moves the contributions of the records pointing at it (before and after, as for the
records themselves), and a bulk update of them is wrapped in ``rollup_following``. Records written in
bulk are added with ``rollup_records_added``. Known limit: what is not followed (an organiser agency's
kind, a unit's path, which never changes) is captured when the record is written; changing it needs a
rebuild.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from lanhmanh.indicators.models import Rollup, RollupVersion
from lanhmanh.indicators.registry import ComputedSource, generation, rollup_sources
from lanhmanh.org.levels import path_prefix

BATCH = 2000


def encode_key(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def decode_key(text: str):
    return json.loads(text)


MEMBERS = "members"  # the rows of a distinct-count source: one per unit path, month and member counted


def counted_member(source: ComputedSource) -> str | None:
    """The lookup a distinct-count source counts (``Count("violation__person", distinct=True)``:
    ``violation__person``), None for a source whose values add up."""
    value = source.value
    if not (isinstance(value, Count) and value.distinct):
        return None
    expression = value.source_expressions[0]
    if not isinstance(expression, F):
        raise ValueError(
            f"{source.code}: a distinct count kept in the rollup counts a field (F), not {expression}."
        )
    return expression.name


@functools.cache
def members_source(code: str, unit: str) -> ComputedSource:
    """The member rows of a distinct-count source as a source of their own: evaluation groups and filters
    them like records (unit path, month) and counts the distinct members."""
    return ComputedSource(
        code=code,
        name=code,
        name_en=code,
        unit=unit,
        queryset=lambda: Rollup.objects.filter(source=code, dims=MEMBERS, rows__gt=0),
        unit_path="unit_path",
        date_field="month",
        value=Count("key", distinct=True),
    )


def kept_disaggregations(source: ComputedSource) -> list[str]:
    """The disaggregations whose slices the rollup keeps (``ComputedSource.rollup_disaggregations``;
    every one by default; none for a distinct count)."""
    if counted_member(source) is not None:
        return []
    names = source.disaggregations if source.rollup_disaggregations is None else source.rollup_disaggregations
    return sorted(names)


def slices(source: ComputedSource) -> list[str]:
    """The slices kept: "" (no disaggregation) and each kept disaggregation alone; a distinct count's members."""
    if counted_member(source) is not None:
        return [MEMBERS]
    return ["", *kept_disaggregations(source)]


def _grouped(source: ComputedSource, queryset, dims: list[str]):
    member = counted_member(source)
    if member is not None:
        return (
            queryset.order_by()
            .values(p=F(source.unit_path), m=TruncMonth(source.date_field), e=F(member))
            .annotate(n=Count("pk"))
        )
    keys = {f"k_{name}": F(source.disaggregations[name]) for name in dims}
    return (
        queryset.order_by()
        .values(p=F(source.unit_path), m=TruncMonth(source.date_field), **keys)
        .annotate(n=Count("pk"), v=source.value)
    )


DISTRICT = "@2"
BOTH = "@"


def own_dims(dims: str) -> list[str]:
    """The ``dims`` values holding a slice's rows at the records' own unit paths."""
    return [dims, dims + BOTH]


def district_dims(dims: str) -> list[str]:
    """The ``dims`` values holding a slice's rows cut to the units one step below the province."""
    return [dims + DISTRICT, dims + BOTH]


def _cells(source: ComputedSource, grouped_rows) -> dict[tuple, list]:
    """Fold GROUP BY rows (path, month, every kept disaggregation) into rollup cells of every slice.

    Each slice is kept twice: at the record's own unit path (``dims``), and with the path cut to the unit
    one step below the province (``dims`` + "@2": a 2014 district), so city and district views read a
    few hundred rows instead of thousands. A record whose unit is no deeper than that (a 2026 commune, a
    district's or the city's own record) would be the same row twice: it is kept once, as ``dims`` + "@",
    which both readings include (``own_dims``, ``district_dims``).
    """
    cells: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    if counted_member(source) is not None:
        for row in grouped_rows:
            # A distinct count leaves nulls out; a row without a month or a unit is in no period or subtree.
            if row["e"] is not None and row["m"] is not None and row["p"] is not None:
                cell = cells[(source.code, MEMBERS, row["p"], row["m"], encode_key(row["e"]))]
                cell[0] += row["n"]
                cell[1] += row["n"]
        return cells
    for row in grouped_rows:
        if row["m"] is None or row["p"] is None:  # in no period (a fine paid without a date) or subtree
            continue
        value = Decimal(row["v"] or 0)
        path = row["p"]
        cut = path_prefix(path, 2)
        for dims in slices(source):
            key = encode_key(row[f"k_{dims}"]) if dims else "null"
            kept = ((dims + BOTH, path),) if cut == path else ((dims, path), (dims + DISTRICT, cut))
            for cell_dims, cell_path in kept:
                cell = cells[(source.code, cell_dims, cell_path, row["m"], key)]
                cell[0] += row["n"]
                cell[1] += value
    return cells


def _lock(model, where: dict) -> None:
    """Lock the records whose contribution is about to be read and changed (a no-op outside a transaction
    and on SQLite, which serialises writers): two concurrent writes cannot both subtract the same old value."""
    if connection.in_atomic_block and connection.features.has_select_for_update:
        of = ("self",) if connection.features.has_select_for_update_of else ()
        list(model._base_manager.filter(**where).select_for_update(of=of).values_list("pk"))


def _contribution(source: ComputedSource, pk, *, lock: bool) -> dict[tuple, list]:
    """What record ``pk`` adds to each rollup cell of ``source`` (empty if the source does not count it)."""
    queryset = source.queryset().filter(pk=pk)
    if lock:
        _lock(source.queryset().model, {"pk": pk})
    return _cells(source, _grouped(source, queryset, kept_disaggregations(source)))


def _add_into(total: dict[tuple, list], cells: dict[tuple, list]) -> dict[tuple, list]:
    for key, (rows, value) in cells.items():
        cell = total.setdefault(key, [0, Decimal(0)])
        cell[0] += rows
        cell[1] += value
    return total


def _chunks(rows: Iterable, size: int = BATCH) -> Iterable[list]:
    """Lists of at most ``size`` items of ``rows`` (a list or a stream of query rows)."""
    iterator = iter(rows)
    while part := list(itertools.islice(iterator, size)):
        yield part


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
    row = (
        "(%s, %s, %s, %s::date, %s, %s::bigint, %s::numeric)" if postgres else "(%s, %s, %s, %s, %s, %s, %s)"
    )
    # In the order of the unique key: two writers touching the same rows take their locks in one order.
    items.sort(key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3], item[0][4]))
    with connection.cursor() as cursor:
        for part in _chunks(items, 500):  # 3,500 parameters a statement (SQLite allows 32,766)
            params: list = []
            for (source, dims, path, month, key), (rows, value) in part:
                params += [
                    source,
                    dims,
                    path,
                    month if postgres else month.isoformat(),
                    key,
                    rows,
                    str(value),
                ]
            cursor.execute(
                f"INSERT INTO {table} (source, dims, unit_path, month, key, rows, value) "  # noqa: S608
                f"VALUES {', '.join([row] * len(part))} "
                "ON CONFLICT (source, dims, unit_path, month, key) DO UPDATE SET "
                f"rows = {table}.rows + excluded.rows, value = {table}.value + excluded.value",
                params,
            )
    # Only a negative delta can bring a row to zero: those rows go (a cell nothing counts any more).
    touched = {(k[0], k[2], k[3]) for k, d in items if d[0] < 0}
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


@functools.cache
def _sources_over(model, _generation: int) -> list[ComputedSource]:
    """The rollup sources whose records are ``model``'s, kept per registry ``generation`` (every save reads it)."""
    return [s for s in rollup_sources() if s.queryset().model is model]


def _sources_of(model) -> list[ComputedSource]:
    return _sources_over(model, generation())


def _before_write(sender, instance, **kwargs) -> None:
    if kwargs.get("raw") or instance.pk is None or instance._state.adding:
        instance._rollup_before = {}
        return
    before: dict[tuple, list] = {}
    sources = _sources_of(sender)
    if sources:
        _lock(sender, {"pk": instance.pk})
    for source in sources:
        before.update(_contribution(source, instance.pk, lock=False))
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


def _related_model(model, lookup: str):
    for part in lookup.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def _followers(model) -> list[tuple[ComputedSource, str, frozenset[str]]]:
    """(source, lookup from its records to ``model``, the fields of ``model`` it reads) for every rollup
    source that follows ``model`` (``ComputedSource.rollup_follows``)."""
    return _followers_over(model, generation())


@functools.cache
def _followers_over(model, _generation: int) -> list[tuple[ComputedSource, str, frozenset[str]]]:
    """``_followers``, kept per registry ``generation`` (every save of a followed row reads it)."""
    found = []
    for source in rollup_sources():
        records = source.queryset().model
        for lookup, names in source.rollup_follows.items():
            if _related_model(records, lookup) is model:
                found.append((source, lookup, frozenset(names)))
    return found


def _related_contributions(moving, pks: list, *, lock: bool) -> dict[tuple, list]:
    """What the records pointing at the related rows ``pks`` add to the rollup cells of each (source,
    lookup) of ``moving``."""
    cells: dict[tuple, list] = {}
    locked: set[tuple] = set()
    for source, lookup in moving:
        model = source.queryset().model
        for part in _chunks(pks):
            where = {f"{lookup}__in": part}
            if lock and (model, lookup) not in locked:
                _lock(model, where)
            queryset = source.queryset().filter(**where)
            _add_into(cells, _cells(source, _grouped(source, queryset, kept_disaggregations(source))))
        locked.add((model, lookup))
    return cells


def _before_related_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance._rollup_follow = None
    if raw or instance.pk is None or instance._state.adding:
        return
    followers = _followers(sender)
    names = set().union(*(read for _s, _l, read in followers))
    if update_fields is not None:
        names &= set(update_fields)
    if not names:
        return
    fields = sorted(names)
    attnames = [sender._meta.get_field(name).attname for name in fields]
    stored = sender._base_manager.filter(pk=instance.pk).values_list(*attnames).first()
    if stored is None:
        return
    changed = {
        name for name, att, old in zip(fields, attnames, stored, strict=True) if getattr(instance, att) != old
    }
    moving = [(source, lookup) for source, lookup, read in followers if read & changed]
    if moving:
        instance._rollup_follow = (moving, _related_contributions(moving, [instance.pk], lock=True))


def _after_related_save(sender, instance, raw=False, **kwargs) -> None:
    pending = getattr(instance, "_rollup_follow", None)
    instance._rollup_follow = None
    if raw or not pending:
        return
    moving, before = pending
    apply(_combine(before, _related_contributions(moving, [instance.pk], lock=False)))


@contextlib.contextmanager
def rollup_following(model, pks: Iterable, *, fields: Iterable[str] | None = None):
    """Around a write of ``model`` rows ``pks`` that bypasses ``save()`` (``bulk_update``,
    ``QuerySet.update``): the rollup contributions of the records pointing at them (sources that follow
    ``model``, those reading one of ``fields`` when given) are read before it, locked, and moved to what
    they are after it, in the caller's transaction. Side effects: rollup rows and version tokens."""
    pks = list(pks)
    wanted = None if fields is None else set(fields)
    moving = [(s, lookup) for s, lookup, read in _followers(model) if wanted is None or read & wanted]
    if not (pks and moving):
        yield
        return
    before = _related_contributions(moving, pks, lock=True)
    yield
    apply(_combine(before, _related_contributions(moving, pks, lock=False)))


def rollup_records_added(model, pks: Iterable) -> None:
    """Add records of ``model`` written without ``save()`` (``bulk_create``) to the rollup rows of every
    source over ``model``, in the caller's transaction. Side effects: rollup rows and version tokens."""
    pks = list(pks)
    cells: dict[tuple, list] = {}
    for source in _sources_of(model) if pks else []:
        dims = kept_disaggregations(source)
        for part in _chunks(pks):
            _add_into(cells, _cells(source, _grouped(source, source.queryset().filter(pk__in=part), dims)))
    apply(cells)


def connect_signals() -> None:
    """Maintain the rollup of every ``rollup=True`` source (called once the registry is populated): its
    records' saves and deletes, and the saves of the related rows it follows."""
    for model in {s.queryset().model for s in rollup_sources()}:
        uid = f"indicators-rollup-{model._meta.label_lower}"
        pre_save.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-save", weak=False)
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post-save", weak=False)
        pre_delete.connect(_before_write, sender=model, dispatch_uid=f"{uid}-pre-delete", weak=False)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete", weak=False)
    followed = {
        _related_model(s.queryset().model, lookup) for s in rollup_sources() for lookup in s.rollup_follows
    }
    for model in followed:
        uid = f"indicators-rollup-follow-{model._meta.label_lower}"
        pre_save.connect(_before_related_save, sender=model, dispatch_uid=f"{uid}-pre-save", weak=False)
        post_save.connect(_after_related_save, sender=model, dispatch_uid=f"{uid}-post-save", weak=False)


def rollup_rebuild(*, codes: list[str] | None = None) -> int:
    """Recompute the rollup rows of the named sources (default: all) from their records.

    One GROUP BY per source (by unit path, month and every kept disaggregation), folded into the slices
    in Python, each source in a transaction of its own (its rows are replaced at once; writers of other
    sources do not wait for the whole rebuild). Returns the number of rollup rows written.
    """
    written = 0
    for source in rollup_sources():
        if codes and source.code not in codes:
            continue
        with transaction.atomic():
            Rollup.objects.filter(source=source.code).delete()
            grouped = _grouped(source, source.queryset(), kept_disaggregations(source))
            rows = (row for row in grouped.iterator(chunk_size=BATCH) if row["n"])
            if counted_member(source) is not None:
                # One cell per grouped row (unit, month, member): written as they come, never all in memory.
                cells = (item for part in _chunks(rows) for item in _cells(source, part).items())
            else:
                cells = iter(_cells(source, rows).items())
            while batch := list(itertools.islice(cells, BATCH)):
                _insert(batch)
                written += len(batch)
            bump([source.code])
    return written


def _insert(cells: list[tuple[tuple, list]]) -> None:
    """Write new rollup rows: PostgreSQL's ``COPY`` (a national rebuild writes millions), else bulk_create."""
    if connection.vendor != "postgresql":
        Rollup.objects.bulk_create(
            Rollup(source=code, dims=dims, unit_path=path, month=month, key=key, rows=n, value=value)
            for (code, dims, path, month, key), (n, value) in cells
        )
        return
    sql = f"COPY {Rollup._meta.db_table} (source, dims, unit_path, month, key, rows, value) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for (code, dims, path, month, key), (n, value) in cells:
            copy.write_row((code, dims, path, month, key, n, value))


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
