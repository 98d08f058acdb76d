from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lanhmanh.core.documents import download_name
from lanhmanh.core.periods import Period, parse
from lanhmanh.core.pickers import default_year, period_picker
from lanhmanh.core.spreadsheet import workbook_bytes
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    months = [(_month_label(cell.key[0]), cell) for cell in (by_month.rows if by_month else [])]
    if request.GET.get("xuat") == "xlsx":
        return _workbook(indicator, unit, period, views, child_rows, months)
    chart = None
    if months:
        chart = {
            "title": _("%(indicator)s theo tháng – %(unit)s")
            % {"indicator": indicator.name, "unit": unit.full_name},
            "labels": [label for label, _cell in months],
            # A hidden small count has no point on the line (null), never its real value.
            "values": [None if c.suppressed or c.value is None else float(c.value) for _l, c in months],
        }
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
            "months": months,
            "chart": chart,
            "withheld": [labels[name] for name in views.withheld],
            "hidden": hidden,
            "reported": reported,
            "include_submitted": include_submitted,
            "sources": sources,
            "picker": period_picker(period),
            "picker_query": f"unit={unit.path}" + ("&da_gui=1" if include_submitted else ""),
            "page_title": indicator.name,
        },
    )


def _workbook(indicator, unit, period, views, child_rows, months) -> HttpResponse:
    """The page's figures as an Excel workbook: numbers stored as numbers, a hidden small count as the
    page shows it ("< 5", "x"), never its value."""
    from openpyxl import Workbook  # noqa: PLC0415 -- heavy: only when an export is asked for

    def value(cell):
        return cell.display if cell.suppressed or cell.value is None else float(cell.value)

    book = Workbook()
    sheet = book.active
    sheet.title = _("Tổng")[:31]
    sheet.append([indicator.name])
    sheet.append([unit.full_name, period.label])
    sheet.append([_("Tổng"), value(views.total), str(indicator.get_unit_display())])
    if child_rows:
        units = book.create_sheet(_("Theo đơn vị cấp dưới")[:31])
        units.append([_("Đơn vị"), _("Giá trị")])
        for _path, name, cell in child_rows:
            units.append([name, value(cell)])
    if months:
        by_month = book.create_sheet(_("Theo tháng")[:31])
        by_month.append([_("Tháng"), _("Giá trị")])
        for label, cell in months:
            by_month.append([label, value(cell)])
    response = HttpResponse(workbook_bytes(book), content_type=XLSX)
    name = download_name(indicator.name, period.label, unit.full_name)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _month_label(key) -> str:
    """ "Tháng 04/2014" for a month key (a period id such as 201404, or a date); the key itself otherwise."""
    try:
        return parse(str(key)).label if not hasattr(key, "month") else Period.month(key.year, key.month).label
    except ValueError:
        return str(key)
