"""API of plans: the plans the caller may see and every target's progress (value, target, status)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.api.schema import ARRAY_OF_OBJECTS, UNIT_PARAMETER
from lanhmanh.indicators.selectors import unit_for
from lanhmanh.plans.progress import plan_progress
from lanhmanh.plans.selectors import plan_for, plans_for


def _number(value):
    return None if value is None else float(value)


class PlanListView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(summary=_("Danh sách kế hoạch"), responses={200: ARRAY_OF_OBJECTS})
    def get(self, request):
        return Response(
            [
                {
                    "id": p.pk,
                    "title": p.title,
                    "year": p.year,
                    "number": p.number,
                    "issued_on": p.issued_on,
                    "authority": p.authority.code,
                    "scope_unit": p.scope_unit.path,
                }
                for p in plans_for(request.user)
            ]
        )


class PlanProgressView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=_("Tiến độ các chỉ tiêu của kế hoạch"),
        parameters=[OpenApiParameter("unit", str, description=UNIT_PARAMETER)],
        responses={200: dict},
    )
    def get(self, request, pk: int):
        plan = plan_for(request.user, pk)
        unit = unit_for(request.user, request.query_params.get("unit"))
        rows = []
        for p in plan_progress(plan, unit, user=request.user):
            target = p.target
            rows.append(
                {
                    "code": target.code,
                    "title": target.title,
                    "kind": target.kind,
                    "indicator": target.indicator.code if target.indicator_id else None,
                    "second_indicator": target.second_indicator.code if target.second_indicator_id else None,
                    "goal": _number(p.goal),
                    "second_goal": _number(p.second_goal),
                    "value": _number(p.achieved.value) if p.achieved and not p.achieved.suppressed else None,
                    "display": p.achieved.display if p.achieved else None,
                    "second_value": _number(p.second_achieved.value) if p.second_achieved else None,
                    "share_achieved": _number(p.share_achieved),
                    "share_elapsed": _number(p.share_elapsed),
                    "status": p.status,
                    "status_label": str(p.status_label),
                    "lead_agencies": [a.code for a in target.lead_agencies.all()],
                }
            )
        return Response({"plan": plan.pk, "unit": unit.path, "targets": rows})
