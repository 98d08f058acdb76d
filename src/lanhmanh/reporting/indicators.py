"""Reported indicators: the figures typed into periodic reports, evaluated like computed ones.

A *reported* indicator (``reporting.hotspots_reemerged`` …) takes its values from the report fields
that carry it: the sum of the numbers in the reports of the unit's subtree whose period lies wholly
inside the period asked for (placed in the month their period starts). Which reports count:

- approved (or locked) ones; submitted ones awaiting approval too when the reader chooses
  (``indicators.evaluation.including_submitted``);
- periodic reports of forms that feed indicators (``ReportForm.feeds_indicators``): the district's
  quarterly and annual reports restate its monthly ones and would count them twice; ad hoc
  reports never count;
- each level reports its own work only (see ``services.computed_values``), so the reports of a
  commune, its district and the city add up without counting anything twice.

Counts of people (units persons, person-times) are protected like computed counts of people: 1–4
are shown as "< 5" to users outside the agencies that file, approve or consolidate the reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.periods import Period, parse
from lanhmanh.core.scoping import path_q
from lanhmanh.indicators.evaluation import suppresses_for
from lanhmanh.indicators.models import Indicator, IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, ReportedProvider, register_reported
from lanhmanh.indicators.selectors import unit_names
from lanhmanh.reporting.models import FINAL, RECEIVED, FormField, ReportForm, Status, SubmissionValue

PEOPLE_UNITS = (IndicatorUnit.PERSONS, IndicatorUnit.PERSON_TIMES)
# The agencies that approve and consolidate reports see small counts as the submitters do.
CONSOLIDATORS = ("district-labour", "dolisa-pctnxh")
PROVENANCE_LIMIT = 200
REPORTED_LABEL = _("theo báo cáo")


def _values(indicator_id: int, statuses: tuple[str, ...]):
    return SubmissionValue.objects.filter(
        field__indicator_id=indicator_id,
        submission__status__in=statuses,
        submission__form__feeds_indicators=True,
        submission__request__isnull=True,
        number__isnull=False,
    )


def _whole_period(queryset, period: Period):
    return queryset.filter(submission__period_end__lte=period.end)


def _statuses(include_submitted: bool) -> tuple[str, ...]:
    return tuple(RECEIVED) if include_submitted else tuple(FINAL)


def reported_source(indicator: Indicator, include_submitted: bool) -> ComputedSource | None:
    """The report values behind ``indicator`` as a source (None when no form field carries it)."""
    kinds = set(
        ReportForm.objects.filter(fields__indicator=indicator, feeds_indicators=True).values_list(
            "submitter_agency_kind", flat=True
        )
    )
    if not kinds:
        return None
    statuses = _statuses(include_submitted)
    owners = tuple(sorted(kinds | set(CONSOLIDATORS))) if indicator.unit in PEOPLE_UNITS else ()
    return ComputedSource(
        code=indicator.code + ("~submitted" if include_submitted else ""),
        name=indicator.name,
        name_en=indicator.name_en,
        unit=indicator.unit,
        queryset=lambda: _values(indicator.pk, statuses),
        unit_path="submission__unit_path",
        date_field="submission__period_start",
        period_filter=_whole_period,
        value=Sum("number"),
        owner_agency_kinds=owners,
        description=str(_("Số liệu trong các báo cáo định kỳ (theo báo cáo).")),
    )


@dataclass
class ReportRef:
    pk: int
    form: str
    unit_path: str
    unit_name: str
    period_label: str
    status: str
    status_label: str
    value: int | None  # None: hidden (a small count the reader may not see)


@dataclass
class Provenance:
    """Which reports a reported value comes from, approved or not."""

    include_submitted: bool
    approved: int = 0
    submitted: int = 0
    reports: list[ReportRef] = field(default_factory=list)
    more: int = 0

    @property
    def total(self) -> int:
        return self.approved + self.submitted

    @property
    def label(self) -> str:
        return str(REPORTED_LABEL)


def provenance(
    indicator: Indicator, unit_path: str, period: Period, *, include_submitted: bool, user=None
) -> Provenance:
    """The reports behind the value of ``indicator`` at ``unit_path`` over ``period`` (one query, plus
    one for the units' names). Values of single reports are left out for a reader who sees small
    counts of people as "< 5"."""
    source = reported_source(indicator, include_submitted)
    result = Provenance(include_submitted)
    if source is None:
        return result
    hide = suppresses_for(source, user)
    rows = list(
        _whole_period(_values(indicator.pk, _statuses(include_submitted)), period)
        .filter(path_q(unit_path, "submission__unit_path"))
        .filter(submission__period_start__gte=period.start)
        .values(
            "submission_id",
            "submission__form__short_name",
            "submission__unit_path",
            "submission__period_id",
            "submission__status",
        )
        .annotate(value=Sum("number"))
        .order_by("submission__unit_path", "submission__period_id", "submission_id")
    )
    statuses = Counter(r["submission__status"] for r in rows)
    result.approved = sum(statuses[s] for s in FINAL)
    result.submitted = statuses[Status.SUBMITTED]
    names = unit_names(r["submission__unit_path"] for r in rows[:PROVENANCE_LIMIT])
    for r in rows[:PROVENANCE_LIMIT]:
        result.reports.append(
            ReportRef(
                r["submission_id"],
                r["submission__form__short_name"],
                r["submission__unit_path"],
                names.get(r["submission__unit_path"], r["submission__unit_path"]),
                parse(r["submission__period_id"]).label,
                r["submission__status"],
                str(Status(r["submission__status"]).label),
                None if hide else r["value"],
            )
        )
    result.more = max(0, len(rows) - PROVENANCE_LIMIT)
    return result


def reported_fields(indicator: Indicator) -> list[FormField]:
    return list(FormField.objects.filter(indicator=indicator).select_related("form").order_by("form__code"))


register_reported(ReportedProvider(source=reported_source, provenance=provenance))
