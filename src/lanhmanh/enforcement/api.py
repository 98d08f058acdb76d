"""API of the hotspot register, patrols and tips, for police tokens (scoped exactly like the pages).

* ``GET /api/v1/hotspots/`` (``?status=``), ``GET /api/v1/hotspots/{id}/`` with its status history;
* ``GET /api/v1/patrols/`` (``?hotspot=``), ``POST /api/v1/patrols/`` (write tokens; the same service
  and Vietnamese messages as the page: a patrol before the hotspot existed is a 400 naming the field);
* ``GET /api/v1/tips/`` and ``GET /api/v1/tips/{id}/`` for intake officers only (police, city
  coordinator); the sender's contact appears only on a single tip and its read is logged.
Outsiders get 404 in the error envelope. The public tip page has no API.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.enforcement import rules, selectors, services
from lanhmanh.enforcement.models import Hotspot, HotspotEvent, HotspotStatus, Patrol, PatrolFinding, Tip


class Pagination(LimitOffsetPagination):
    max_limit = 500


class HotspotEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HotspotEvent
        fields = ["status", "happened_on", "how_found", "tasks", "note"]


class HotspotSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code")
    unit = serializers.CharField(source="unit.path")
    police_agency = serializers.CharField(source="police_agency.code")

    class Meta:
        model = Hotspot
        fields = [
            "id",
            "name",
            "kind",
            "unit",
            "address",
            "latitude",
            "longitude",
            "first_found_on",
            "police_agency",
            "status",
            "status_on",
        ]


class HotspotDetailSerializer(HotspotSerializer):
    events = HotspotEventSerializer(many=True, read_only=True)

    class Meta(HotspotSerializer.Meta):
        fields = [*HotspotSerializer.Meta.fields, "description", "events"]


class PatrolSerializer(serializers.ModelSerializer):
    hotspot = serializers.IntegerField(source="hotspot_id")
    agency = serializers.CharField(source="agency.code", read_only=True)
    finding = serializers.ChoiceField(choices=PatrolFinding.choices)
    people_sanctioned = serializers.IntegerField(min_value=0, max_value=500, default=0)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class Meta:
        model = Patrol
        fields = ["id", "hotspot", "patrolled_on", "agency", "finding", "people_sanctioned", "note"]


class TipSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.path")
    assigned_agency = serializers.CharField(source="assigned_agency.code", default=None)

    class Meta:
        model = Tip
        fields = [
            "id",
            "channel",
            "received_at",
            "unit",
            "address",
            "place_name",
            "when",
            "what",
            "status",
            "outcome",
            "assigned_agency",
            "hotspot",
            "first_action_at",
        ]


class TipDetailSerializer(TipSerializer):
    class Meta(TipSerializer.Meta):
        fields = [*TipSerializer.Meta.fields, "contact"]


class _Base(viewsets.GenericViewSet):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]
    pagination_class = Pagination


class HotspotViewSet(_Base, viewsets.mixins.ListModelMixin, viewsets.mixins.RetrieveModelMixin):
    """Hotspots in the caller's jurisdiction."""

    queryset = Hotspot.objects.none()  # for the schema only: every read goes through the selectors

    def get_queryset(self):
        queryset = selectors.hotspots_visible(self.request.user).order_by("pk")
        status = self.request.query_params.get("status")
        if status:
            if status not in HotspotStatus.values:
                raise exceptions.ValidationError({"status": [f"Trạng thái “{status[:30]}” không hợp lệ."]})
            queryset = queryset.filter(status=status)
        return queryset

    def get_serializer_class(self):
        return HotspotDetailSerializer if self.action == "retrieve" else HotspotSerializer

    def get_object(self):
        return selectors.hotspot_get(self.request.user, self.kwargs["pk"])


class PatrolViewSet(_Base, viewsets.mixins.ListModelMixin):
    """Patrols of hotspots in the caller's jurisdiction; police and commune officers may record one."""

    serializer_class = PatrolSerializer

    def get_queryset(self):
        queryset = selectors.patrols_visible(self.request.user).order_by("-patrolled_on", "-id")
        hotspot = self.request.query_params.get("hotspot")
        if hotspot:
            if not hotspot.isdigit():
                raise exceptions.ValidationError({"hotspot": ["Mã tụ điểm phải là số."]})
            queryset = queryset.filter(hotspot_id=int(hotspot))
        return queryset

    @extend_schema(request=PatrolSerializer, responses={201: PatrolSerializer})
    def create(self, request):
        if not rules.can_record_patrol(request.user):
            raise Http404
        data = PatrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        hotspot = selectors.hotspot_get(request.user, values["hotspot_id"])
        try:
            patrol = services.patrol_record(
                actor=request.user,
                hotspot=hotspot,
                agency=request.user.agency,
                patrolled_on=values["patrolled_on"],
                finding=values["finding"],
                people_sanctioned=values["people_sanctioned"],
                note=values["note"],
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return Response(PatrolSerializer(patrol).data, status=201)


class TipViewSet(_Base, viewsets.mixins.ListModelMixin, viewsets.mixins.RetrieveModelMixin):
    """Tips for intake officers of the jurisdiction (nobody else)."""

    queryset = selectors.tips_visible(None)  # empty, for the schema only: reads go through get_queryset

    def get_queryset(self):
        if not rules.can_take_tips(self.request.user):
            raise Http404
        return selectors.tips_visible(self.request.user).order_by("-received_at", "-id")

    def get_serializer_class(self):
        return TipDetailSerializer if self.action == "retrieve" else TipSerializer

    def get_object(self):
        return selectors.tip_get(self.request.user, self.kwargs["pk"], path=self.request.path)
