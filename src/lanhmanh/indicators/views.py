from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lanhmanh.core.periods import Period, parse
from lanhmanh.indicators.evaluation import EvaluationError, evaluate, has_source
from lanhmanh.indicators.models import Indicator
from lanhmanh.indicators.registry import source_for
from lanhmanh.indicators.selectors import breadcrumbs, unit_for, unit_names


@login_required
def indicator_list(request):
    indicators = list(Indicator.objects.all())
    rows = [(i, has_source(i)) for i in indicators]
    return render(request, "indicators/list.html", {"rows": rows})


@login_required
def indicator_detail(request, code: str):
    """Values of one indicator for a unit in the user's jurisdiction, by child unit and by month."""
    indicator = get_object_or_404(Indicator, code=code)
    unit = unit_for(request.user, request.GET.get("unit"))
    period_id = request.GET.get("period") or str(dt.date.today().year)
    error = ""
    by_child = by_month = None
    try:
        period = parse(period_id)
    except ValueError as exc:
        error = str(exc)
        period = Period.containing(dt.date.today(), "year")
    result = evaluate(indicator, unit, period, user=request.user)
    if result.has_source and unit.level < 3:
        try:
            by_child = evaluate(indicator, unit, period, by="child", user=request.user)
        except EvaluationError as exc:
            error = str(exc)
    source = source_for(indicator.code)
    if result.has_source and (indicator.kind == "formula" or (source and source.date_field)):
        by_month = evaluate(indicator, unit, period, by="month", user=request.user)
    names = unit_names(c.key[0] for c in by_child.rows) if by_child else {}
    child_rows = [(c.key[0], names.get(c.key[0], c.key[0]), c) for c in by_child.rows] if by_child else []
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "unit": unit,
            "crumbs": breadcrumbs(unit, request.user),
            "period": period,
            "period_id": period_id,
            "error": error,
            "result": result,
            "child_rows": child_rows,
            "by_month": by_month,
            "page_title": _("Chỉ số %(code)s") % {"code": indicator.code},
        },
    )
