"""The code side of the registry: each app declares how its computed indicators are counted.

An app's ``indicators.py`` calls ``register(ComputedSource(...))`` at import time (the indicators app
imports every installed app's ``indicators`` module when Django starts). ``register_formula`` declares
a formula indicator in code. ``indicators_sync`` (run after every migrate) writes both into the
``Indicator`` table, so targets can point at them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet


@dataclass(frozen=True)
class ComputedSource:
    """How to compute one indicator in SQL.

    ``queryset`` returns the rows to count (unscoped: evaluation adds the unit and period filters);
    ``date_field`` is the lookup of the date that places a row in a period (None: not period-bound,
    e.g. the number of communes); ``unit_path`` the lookup of the materialised path of the unit the
    row counts for; ``value`` the aggregate (default: count of rows); ``disaggregations`` maps a
    name (``sex``, ``kind``…) to the lookup to GROUP BY; ``owner_agency_kinds`` the agency kinds that
    own the records: counts of 1–4 are shown as "< 5" to everyone else. Empty means not sensitive.

    ``rollup`` (opt-in, for large tables): keep pre-aggregated counts/sums per unit path, month and
    disaggregation in ``indicators.Rollup``, maintained by save/delete signals inside the writing
    transaction; evaluation over whole months reads them instead of the records. Needs a ``date_field``
    that is a DateField on the row, a ``value`` that is a Count or Sum (additive) or a distinct Count
    (kept as one row per unit, month and member counted: ``rollup.MEMBERS``), and disaggregation values
    that are strings, integers or null. Writes that bypass ``save()``/``delete()`` must add their records
    (``rollup.rollup_records_added`` after a bulk_create), wrap themselves in ``rollup.rollup_following``
    (a bulk_update of a followed model) or be followed by ``manage.py indicators_rollup_rebuild``.
    ``rollup_follows`` names what the rows read through relations: {lookup from the row to a related
    model: that model's fields the source reads} (``{"violation": ("place_unit", "role"),
    "violation__person": ("sex",)}``); a save of the related row that changes one of them moves the
    contributions of its records (``indicators.rollup``). ``rollup_disaggregations`` (default: all) are
    the disaggregations the rollup keeps a slice of: a sparse source (a few records per commune and
    month) keeps only those its pages group by, since each slice is about as many rows as the records;
    a grouping by another one reads the records.

    ``dashboard_section`` (optional): the title of the section of the plan dashboard the indicator
    appears in (e.g. "Tiếp cận, hỗ trợ"), with its value at the dashboard's unit, its values by the
    unit's districts or communes and, when ``dashboard_by`` names one of the source's disaggregations,
    a small table and bar chart by it. Sections and their indicators come in registration order.
    """

    code: str
    name: str
    name_en: str
    unit: str
    queryset: Callable[[], QuerySet]
    unit_path: str
    date_field: str | None = None
    value: object = field(default_factory=lambda: Count("pk"))
    disaggregations: dict[str, str] = field(default_factory=dict)
    owner_agency_kinds: tuple[str, ...] = ()
    description: str = ""
    # Narrow the rows to those that count in a period (e.g. units valid then; reports lying wholly in it),
    # applied after the date filter when there is one. Not applied to rollup reads.
    period_filter: Callable[[QuerySet, object], QuerySet] | None = None
    rollup: bool = False
    rollup_follows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rollup_disaggregations: tuple[str, ...] | None = None
    dashboard_section: str = ""
    dashboard_by: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.rollup_disaggregations or ()) - set(self.disaggregations)
        if unknown:
            raise ValueError(
                f"{self.code}: rollup_disaggregations {sorted(unknown)} are not disaggregations."
            )
        if self.dashboard_by and self.dashboard_by not in self.disaggregations:
            raise ValueError(
                f"{self.code}: dashboard_by “{self.dashboard_by}” is not one of its disaggregations "
                f"({', '.join(sorted(self.disaggregations)) or 'none'})."
            )
        if self.dashboard_by and not self.dashboard_section:
            raise ValueError(f"{self.code}: dashboard_by needs a dashboard_section.")


@dataclass(frozen=True)
class FormulaSource:
    code: str
    name: str
    name_en: str
    unit: str
    formula: str
    description: str = ""


_computed: dict[str, ComputedSource] = {}
_formulas: dict[str, FormulaSource] = {}
_generation = 0  # changes whenever a computed source is registered or removed (``generation``)


def register(source: ComputedSource) -> ComputedSource:
    global _generation
    _computed[source.code] = source
    _generation += 1
    return source


def register_formula(source: FormulaSource) -> FormulaSource:
    _formulas[source.code] = source
    return source


def unregister(code: str) -> None:
    global _generation
    _computed.pop(code, None)
    _formulas.pop(code, None)
    _generation += 1


def generation() -> int:
    """A number that changes whenever the computed sources change: the key of what is derived from them."""
    return _generation


def source_for(code: str) -> ComputedSource | None:
    return _computed.get(code)


def rollup_sources() -> list[ComputedSource]:
    return [s for s in computed_sources() if s.rollup]


def computed_sources() -> list[ComputedSource]:
    return sorted(_computed.values(), key=lambda s: s.code)


def dashboard_sources() -> list[ComputedSource]:
    """Sources placed in a section of the plan dashboard, in registration order."""
    return [s for s in _computed.values() if s.dashboard_section]


def formula_sources() -> list[FormulaSource]:
    return sorted(_formulas.values(), key=lambda s: s.code)


# --- reported indicators ---------------------------------------------------------------------------
#
# A *reported* indicator's values are figures typed into periodic reports. The reporting app owns
# those reports, so it registers how to read them (``register_reported``): a function giving, for an
# indicator and whether submitted (not yet approved) reports count, a ``ComputedSource`` over its
# report values (None: no form carries the indicator, so it has no source), and a function listing
# the reports behind a value (its provenance). Evaluation then treats the source like any computed
# one: same unit and period filters, same groupings, same small-count protection.


@dataclass(frozen=True)
class ReportedProvider:
    source: Callable[[object, bool], ComputedSource | None]
    provenance: Callable[..., object]


_reported: list[ReportedProvider] = []


def register_reported(provider: ReportedProvider) -> ReportedProvider:
    _reported[:] = [provider]
    return provider


def reported_provider() -> ReportedProvider | None:
    return _reported[0] if _reported else None
