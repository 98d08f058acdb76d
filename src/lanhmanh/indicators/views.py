from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lanhmanh.core.periods import Period, parse
from lanhmanh.core.pickers import default_year, period_picker
from lanhmanh.indicators.evaluation import (
    Cell,
    EvaluationError,
    Views,
    evaluate_views,
    has_source,
    including_submitted,
    provenance,
)
from lanhmanh.indicators.models import Indicator, IndicatorKind
from lanhmanh.indicators.selectors import breadcrumbs, unit_for, unit_names


@login_required
def indicator_list(request):
    indicators = list(Indicator.objects.all())
    rows = [(i, has_source(i)) for i in indicators]
    return render(request, "indicators/list.html", {"rows": rows})


@login_required
def indicator_detail(request, code: str):
    """Values of one indicator for a unit in the user's jurisdiction, by child unit and by month.

    The total and both tables come from one protected evaluation (``evaluate_views``): the total shown
    is the one both tables add up to, and nothing on the page gives a small count away."""
    indicator = get_object_or_404(Indicator, code=code)
    unit = unit_for(request.user, request.GET.get("unit"))
    plan_year = default_year(request.user)
    period_id = (request.GET.get("ky") or request.GET.get("period") or "").strip() or str(plan_year)
    include_submitted = request.GET.get("da_gui") == "1"
    error = ""
    try:
        period = parse(period_id)
    except ValueError as exc:
        error = str(exc)
        period = Period.year(plan_year)
    reported = indicator.kind == IndicatorKind.REPORTED
    sources = None
    with including_submitted(include_submitted and reported):
        try:
            views = evaluate_views(indicator, unit, period, user=request.user)
        except EvaluationError as exc:
            error = str(exc)
            views = Views(indicator, unit.path, period, False, Cell((), None))
        if reported and views.has_source:
            sources = provenance(indicator, unit, period, user=request.user)
    by_child, by_month = views.table("child"), views.table("month")
    names = unit_names(c.key[0] for c in by_child.rows) if by_child else {}
    child_rows = [(c.key[0], names.get(c.key[0], c.key[0]), c) for c in by_child.rows] if by_child else []
    labels = {"child": _("Theo đơn vị cấp dưới"), "month": _("Theo tháng")}
    hidden = views.total.suppressed or any(
        c.suppressed for table in (by_child, by_month) if table for c in table.rows
    )
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
            "result": views,
            "child_rows": child_rows,
            "by_month": by_month,
            "withheld": [labels[name] for name in views.withheld],
            "hidden": hidden,
            "reported": reported,
            "include_submitted": include_submitted,
            "sources": sources,
            "picker": period_picker(period),
            "picker_query": f"unit={unit.path}" + ("&da_gui=1" if include_submitted else ""),
            "page_title": _("Chỉ số %(code)s") % {"code": indicator.code},
        },
    )
