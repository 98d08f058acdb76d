"""What the API sends, and the query parameters it accepts (validated with Vietnamese messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lanhmanh.core.scoping import DataClass
from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel

UNIT_PATH_REGEX = r"^\d{2}(\.\d{3}(\.\d{5})?)?$"
UNIT_PATH_MESSAGE = _("Đường dẫn đơn vị không hợp lệ; dạng đúng: 01, 01.002 hoặc 01.002.00076.")


# --- Query parameters -------------------------------------------------------------------------


class UnitFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=UnitLevel.choices,
        required=False,
        help_text=_("Cấp: 1 tỉnh, 2 huyện, 3 xã."),
        error_messages={"invalid_choice": _("Cấp đơn vị phải là 1, 2 hoặc 3 (nhận được: “{input}”).")},
    )
    parent = serializers.RegexField(
        UNIT_PATH_REGEX,
        required=False,
        help_text=_("Đường dẫn đơn vị cấp trên: chỉ lấy các đơn vị trực thuộc."),
        error_messages={"invalid": UNIT_PATH_MESSAGE},
    )
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Một phần tên đơn vị."),
        error_messages={"max_length": _("Từ khoá tìm kiếm dài tối đa {max_length} ký tự.")},
    )
    valid_on = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=_("Chỉ lấy các đơn vị còn hiệu lực vào ngày này (YYYY-MM-DD)."),
        error_messages={"invalid": _("Ngày không hợp lệ; dạng đúng: YYYY-MM-DD, ví dụ 2014-06-30.")},
    )


class UnitDetailFilterSerializer(serializers.Serializer):
    valid_on = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=_(
            "Phiên bản của đơn vị có hiệu lực vào ngày này (YYYY-MM-DD); mặc định: phiên bản hiện hành."
        ),
        error_messages={"invalid": _("Ngày không hợp lệ; dạng đúng: YYYY-MM-DD, ví dụ 2014-06-30.")},
    )


class AgencyFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=AgencyKind.choices,
        required=False,
        help_text=_("Loại cơ quan."),
        error_messages={"invalid_choice": _("Loại cơ quan “{input}” không tồn tại.")},
    )
    unit = serializers.RegexField(
        UNIT_PATH_REGEX,
        required=False,
        help_text=_("Đường dẫn đơn vị: các cơ quan ở đơn vị đó và các đơn vị cấp dưới."),
        error_messages={"invalid": UNIT_PATH_MESSAGE},
    )
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("Một phần tên cơ quan."),
        error_messages={"max_length": _("Từ khoá tìm kiếm dài tối đa {max_length} ký tự.")},
    )


# --- Responses --------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    parent = serializers.CharField(source="parent.path", allow_null=True, read_only=True)
    successors = serializers.SlugRelatedField(slug_field="path", many=True, read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = [
            "path",
            "code",
            "name",
            "full_name",
            "kind",
            "kind_label",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "successors",
        ]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit = serializers.CharField(source="unit.path", read_only=True)
    unit_name = serializers.CharField(source="unit.full_name", read_only=True)
    parent = serializers.CharField(source="parent.code", allow_null=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "kind_label",
            "unit",
            "unit_name",
            "parent",
            "plan_group",
            "active",
        ]
        read_only_fields = fields


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MeAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class MeUnitSerializer(serializers.Serializer):
    path = serializers.CharField()
    name = serializers.CharField(source="full_name")
    level = serializers.IntegerField()


class MeTokenSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    agency = MeAgencySerializer()
    unit = MeUnitSerializer()
    roles = CodeLabelSerializer(many=True)
    data_classes = CodeLabelSerializer(many=True)
    token = MeTokenSerializer(
        allow_null=True, help_text=_("Khoá API đang dùng; null khi dùng phiên đăng nhập.")
    )

    @staticmethod
    def data_for(user, token) -> dict:
        return {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "agency": user.agency,
            "unit": user.unit,
            "roles": [{"code": r.code, "label": r.name} for r in user.roles.order_by("code")],
            "data_classes": [
                {"code": c, "label": str(DataClass(c).label)}
                for c in DataClass.values
                if c in user.data_classes
            ],
            "token": token,
        }
