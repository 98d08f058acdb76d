"""Consolidation: a unit's figure = its own report + the approved figures of the units below it.

For a form F at unit U over period P, each numeric field adds up, by its indicator:

- *own*: U's own report on F for P (whatever its status; the status is shown);
- *below*: SUM of the approved (or locked) values of the same indicator in the reports named by
  F's ``rollup_from``, from units strictly below U, for periods inside P — one GROUP BY in SQL,
  also split by the units one level below U for the table by unit;
- *records*: for computed fields, what the records say live for U's subtree, so a reader sees
  where the reported figures and the records disagree.

Discrepancies list each approved report whose value differs from the figure its records gave
when it was saved, with the officer's reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils import timezone

from lanhmanh.core.periods import Period, parse
from lanhmanh.indicators.evaluation import evaluate, has_source
from lanhmanh.indicators.selectors import unit_names
from lanhmanh.org.levels import child_path, is_lowest
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.reporting.models import FINAL, FormField, ReportForm, Submission, SubmissionValue


@dataclass
class Row:
    field: FormField
    own: int | None
    below: int | None
    records: int | None
    records_suppressed: bool = False

    @property
    def total(self) -> int | None:
        if self.own is None and self.below is None:
            return None
        return (self.own or 0) + (self.below or 0)

    @property
    def source_label(self) -> str:
        return self.field.get_source_display()

    @property
    def differs(self) -> bool:
        return self.records is not None and self.total is not None and self.records != self.total


@dataclass
class Block:
    title: str
    rows: list[Row]
    texts: list[tuple[FormField, str]]


@dataclass
class Discrepancy:
    submission: Submission
    unit_name: str
    field: FormField
    reported: int
    records: int
    reason: str


@dataclass
class Consolidation:
    form: ReportForm
    unit: AdministrativeUnit
    period: Period
    submission: Submission | None
    blocks: list[Block]
    child_columns: list[FormField] = field(default_factory=list)
    child_rows: list[tuple[str, str, list[int | None]]] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    sources_received: int = 0
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def has_children(self) -> bool:
        return bool(self.child_rows)


def _below(form: ReportForm, unit_path: str, period: Period):
    return SubmissionValue.objects.filter(
        submission__form__in=form.rollup_from.all(),
        submission__status__in=FINAL,
        submission__unit_path__startswith=unit_path + ".",
        submission__period_start__gte=period.start,
        submission__period_end__lte=period.end,
        number__isnull=False,
    )


def consolidate(
    form: ReportForm,
    unit: AdministrativeUnit,
    period_id: str | Period,
    *,
    user=None,
    submission: Submission | None = None,
) -> Consolidation:
    """The figures of ``form`` for ``unit`` over the period, with the breakdown by the units below.

    ``submission``: the unit's own report to use (an answer to an ad hoc request); by default the unit's
    periodic report on ``form`` for the period.
    """
    period = parse(period_id) if isinstance(period_id, str) else period_id
    fields = list(
        form.fields.select_related("indicator", "section", "prefill_indicator").order_by(
            "section__order", "order"
        )
    )
    if submission is None:
        submission = (
            Submission.objects.filter(
                form=form, unit_path=unit.path, period_id=period.id, request__isnull=True
            )
            .select_related("agency")
            .order_by("pk")
            .first()
        )
    own_values = {}
    if submission is not None:
        own_values = {v.field_id: v for v in submission.values.all()}
    numeric = [f for f in fields if f.is_number]
    indicator_ids = {f.indicator_id for f in numeric}
    below_query = _below(form, unit.path, period).filter(field__indicator_id__in=indicator_ids)
    below = {
        r["field__indicator_id"]: r["total"]
        for r in below_query.values("field__indicator_id").annotate(total=Sum("number")).order_by()
    }
    sources = below_query.values("submission_id").distinct().count() if form.rollup_from.exists() else 0
    blocks: list[Block] = []
    for section in form.sections.all():
        rows, texts = [], []
        for f in (f for f in fields if f.section_id == section.pk):
            value = own_values.get(f.pk)
            if not f.is_number:
                texts.append((f, value.text if value else ""))
                continue
            records, hidden = None, False
            if f.records_indicator is not None and has_source(f.records_indicator):
                cell = evaluate(f.records_indicator, unit.path, period, user=user).total
                records, hidden = (None if cell.value is None else int(cell.value)), cell.suppressed
            rows.append(Row(f, value.number if value else None, below.get(f.indicator_id), records, hidden))
        blocks.append(Block(section.title, rows, texts))
    result = Consolidation(form, unit, period, submission, blocks, sources_received=sources)
    if form.rollup_from.exists() and not is_lowest(unit.path):
        _children(result, numeric, period)
        result.discrepancies = _discrepancies(form, unit.path, period, numeric)
    return result


def _children(result: Consolidation, numeric: list[FormField], period: Period) -> None:
    unit_path = result.unit.path
    grouped = (
        _below(result.form, unit_path, period)
        .filter(field__indicator_id__in={f.indicator_id for f in numeric})
        .values(child=child_path("submission__unit_path", unit_path), ind=F("field__indicator_id"))
        .annotate(total=Sum("number"))
        .order_by("child")
    )
    table: dict[str, dict[int, int]] = {}
    for r in grouped:
        table.setdefault(r["child"], {})[r["ind"]] = r["total"]
    names = unit_names(table)
    result.child_columns = numeric
    result.child_rows = [
        (path, names.get(path, path), [table[path].get(f.indicator_id) for f in numeric])
        for path in sorted(table)
    ]


def _discrepancies(
    form: ReportForm, unit_path: str, period: Period, numeric: list[FormField]
) -> list[Discrepancy]:
    codes = {f.indicator_id for f in numeric}
    rows = (
        _below(form, unit_path, period)
        .filter(field__indicator_id__in=codes, computed__isnull=False)
        .filter(~Q(number=F("computed")))
        .select_related("submission__agency", "field")
        .order_by("submission__unit_path", "field__code")
    )
    rows = list(rows)
    names = unit_names(r.submission.unit_path for r in rows)
    return [
        Discrepancy(
            r.submission,
            names.get(r.submission.unit_path, ""),
            r.field,
            r.number,
            r.computed,
            r.correction_reason,
        )
        for r in rows
    ]
