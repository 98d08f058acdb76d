"""Writes to the indicator registry."""

from __future__ import annotations

from django.db import transaction

from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.registry import computed_sources, formula_sources


@transaction.atomic
def indicators_sync(*, using: str = "default") -> int:
    """Create or update the Indicator rows for every registered computed and formula source.

    Computed sources first (formulas refer to them). Returns the number of rows created.
    Indicators that lost their source stay (targets may point at them) and show "no data source".
    """
    created = 0
    manager = Indicator.objects.db_manager(using)
    for source in computed_sources():
        _, was_created = manager.update_or_create(
            code=source.code,
            defaults={
                "name": source.name,
                "name_en": source.name_en,
                "unit": source.unit,
                "kind": IndicatorKind.COMPUTED,
                "formula": "",
                "disaggregations": sorted(source.disaggregations),
                "description": source.description,
            },
        )
        created += was_created
    for source in formula_sources():
        _, was_created = manager.update_or_create(
            code=source.code,
            defaults={
                "name": source.name,
                "name_en": source.name_en,
                "unit": source.unit,
                "kind": IndicatorKind.FORMULA,
                "formula": source.formula,
                "disaggregations": [],
                "description": source.description,
            },
        )
        created += was_created
    return created


@transaction.atomic
def indicator_create(
    *,
    code: str,
    name: str,
    unit: str,
    kind: str,
    name_en: str = "",
    formula: str = "",
    description: str = "",
) -> Indicator:
    """Create a reported or formula indicator (computed ones come from code). Validates fully."""
    indicator = Indicator(
        code=code,
        name=name,
        name_en=name_en,
        unit=unit,
        kind=kind,
        formula=formula,
        description=description,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_ensure(
    *, code: str, name: str, unit: str, name_en: str = "", description: str = ""
) -> Indicator:
    """The indicator with this code, created as *computed* (its source to come) when it does not exist.

    Used when a plan names an indicator whose records arrive with a later module.
    """
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is not None:
        return indicator
    indicator = Indicator(
        code=code,
        name=name,
        name_en=name_en,
        unit=unit,
        kind=IndicatorKind.COMPUTED,
        description=description,
    )
    indicator.full_clean()
    indicator.save()
    return indicator
