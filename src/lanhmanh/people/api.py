"""API of the registry (issue 5, item 12), so that the police's own systems can feed it.

* ``GET /api/v1/people/?id_number=…`` or ``?full_name=…&birth=dd/mm/yyyy|yyyy``: exact look-up through
  the blind indexes;
* ``GET /api/v1/people/{id}/violations/``: a person's violations, with what still counts and why;
* ``POST /api/v1/people/violations/``: record a violation and its sanction decision (write tokens only).

Scoped and audited exactly like the pages: the same selectors (outsiders get 404), the same forms and
services (the same Vietnamese messages, in the API error envelope), and every identity returned is
logged in the access log with the purpose the caller gives (``purpose`` is required; ``detail`` is
required with ``purpose=other``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from lanhmanh.api.permissions import TokenScopePermission
from lanhmanh.core.audit import Purpose
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people import selectors, services
from lanhmanh.people.forms import PersonForm, PurposeForm, SearchForm, ViolationForm
from lanhmanh.people.models import LegalAct, Person
from lanhmanh.people.rules import can_edit_registry, can_use_registry

PURPOSE_REQUIRED = gettext_lazy("Thiếu tham số purpose (mục đích truy cập): chọn một trong %(choices)s.")
PURPOSE_INVALID = gettext_lazy("Mục đích “%(value)s” không hợp lệ: chọn một trong %(choices)s.")
NOT_TEXT = gettext_lazy("Phải là chuỗi văn bản JSON (trong dấu ngoặc kép), không phải %(type)s.")
NOT_INTEGER = gettext_lazy("Phải là số nguyên (hoặc chuỗi chữ số), không phải %(type)s.")
NOT_OBJECT = gettext_lazy("Phải là một đối tượng JSON {…}, không phải %(type)s.")
# Keys a JSON number may fill (an integer, never true/1.5); every other key takes a JSON string.
_INTEGER_KEYS = frozenset(
    {"amount", "birth_year", "person_id", "place_unit", "permanent_unit", "temporary_unit", "hometown_unit"}
)
_JSON_TYPES = {bool: "true/false", int: "số", float: "số thập phân", list: "danh sách", dict: "đối tượng"}


def _type_name(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _strict(values: dict, keys, prefix: str = "") -> dict[str, str]:
    """The given keys' values as text, refusing JSON types a person could not have typed (400 naming them).

    ``true``, ``1.5``, lists and objects are never turned into text silently: they were the client's bug.
    """
    out: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key in keys:
        value = values.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            out[key] = value
        elif key in _INTEGER_KEYS and type(value) is int:
            out[key] = str(value)
        elif key in _INTEGER_KEYS:
            errors[prefix + key] = [str(NOT_INTEGER % {"type": _type_name(value)})]
        else:
            errors[prefix + key] = [str(NOT_TEXT % {"type": _type_name(value)})]
    if errors:
        raise exceptions.ValidationError(errors)
    return out


PERSON_REQUIRED = gettext_lazy("Cần person_id (mã hồ sơ trong cơ sở dữ liệu) hoặc person (nhân thân).")

PURPOSE_PARAMETERS = [
    OpenApiParameter(
        "purpose",
        str,
        required=True,
        enum=Purpose.values,
        description=gettext_lazy("Mục đích truy cập, ghi vào nhật ký truy cập."),
    ),
    OpenApiParameter(
        "detail", str, description=gettext_lazy("Ghi rõ mục đích (bắt buộc khi purpose=other).")
    ),
]


def _require_registry(user) -> None:
    if not can_use_registry(user):
        raise Http404


def _purpose(data) -> tuple[str, str]:
    """(purpose, detail) from query parameters or a body; 400 naming the bad value otherwise."""
    choices = ", ".join(Purpose.values)
    value = str(data.get("purpose") or "").strip()
    if not value:
        raise exceptions.ValidationError({"purpose": [str(PURPOSE_REQUIRED % {"choices": choices})]})
    if value not in Purpose.values:
        raise exceptions.ValidationError(
            {"purpose": [str(PURPOSE_INVALID % {"value": value[:40], "choices": choices})]}
        )
    form = PurposeForm({"purpose": value, "detail": str(data.get("detail") or "")})
    if not form.is_valid():
        raise exceptions.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data["purpose"], form.cleaned_data["detail"]


def _log(request, person: Person, purpose: str, detail: str, what: str) -> None:
    selectors.identities_shown(
        request.user,
        [person],
        purpose=purpose,
        detail=f"API {what}: {detail}".strip().rstrip(":"),
        path=request.path,
    )


def person_json(person: Person) -> dict:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "other_names": person.other_names,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "id_number": person.id_number,
        "permanent_unit": person.permanent_unit.path if person.permanent_unit_id else None,
        "temporary_unit": person.temporary_unit.path if person.temporary_unit_id else None,
    }


def _sanction_json(violation) -> dict | None:
    try:
        sanction = violation.sanction
    except violation.__class__.sanction.RelatedObjectDoesNotExist:
        return None
    return {
        "id": sanction.pk,
        "number": sanction.number,
        "decided_on": sanction.decided_on.isoformat(),
        "authority": sanction.authority.code,
        "kind": sanction.kind,
        "amount": sanction.amount,
        "payment_status": sanction.payment_status,
        "paid_on": sanction.paid_on.isoformat() if sanction.paid_on else None,
    }


def violation_json(violation, row=None) -> dict:
    data = {
        "id": violation.pk,
        "occurred_at": timezone.localtime(violation.occurred_at).isoformat(),
        "place_unit": violation.place_unit.path,
        "act": violation.act.code,
        "act_kind": violation.act.kind,
        "role": violation.role,
        "recording_agency": violation.recording_agency.code,
        "sanction": _sanction_json(violation),
        "repeat_of": violation.repeat_of_id,
    }
    if row is not None:
        data.update(
            {
                "counts_today": row.counts_today,
                "counts_until": row.counts_until.isoformat(),
                "reasons": [str(r) for r in row.reasons],
            }
        )
    return data


class PersonLookupView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=_("Tra cứu người trong cơ sở dữ liệu (chính xác, theo số CMND/CCCD hoặc họ tên + ngày sinh)"),
        parameters=[
            OpenApiParameter("id_number", str, description=gettext_lazy("Số CMND (9 số) hoặc CCCD (12 số)")),
            OpenApiParameter("full_name", str, description=gettext_lazy("Họ và tên (không phân biệt dấu)")),
            OpenApiParameter(
                "birth", str, description=gettext_lazy("Ngày sinh dd/mm/yyyy hoặc năm sinh yyyy")
            ),
            *PURPOSE_PARAMETERS,
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        _require_registry(request.user)
        params = request.query_params
        form = SearchForm(
            {
                "id_number": params.get("id_number", ""),
                "full_name": params.get("full_name", ""),
                "birth": params.get("birth", ""),
            }
        )
        if not form.is_valid():
            fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
            general = fields.pop("__all__", [])
            raise exceptions.ValidationError({**fields, **({"non_field_errors": general} if general else {})})
        purpose, detail = _purpose(params)
        data = form.cleaned_data
        results = list(
            selectors.persons_search(
                request.user, id_number=data["id_number"], full_name=data["full_name"], birth=data["birth"]
            )[:50]
        )
        for person in results:
            _log(request, person, purpose, detail, _("tra cứu"))
        return Response({"count": len(results), "results": [person_json(p) for p in results]})


class PersonViolationsView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=_("Các vi phạm của một người: toàn bộ lịch sử, vi phạm còn được tính và tái phạm"),
        parameters=PURPOSE_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        _require_registry(request.user)
        person = selectors.person_get(request.user, pk)
        purpose, detail = _purpose(request.query_params)
        _log(request, person, purpose, detail, _("xem vi phạm"))
        rows = selectors.counted_violations(request.user, person)
        return Response(
            {
                "person": person_json(person),
                "total": len(rows),
                "counting_today": sum(1 for r in rows if r.counts_today),
                "violations": [violation_json(r.violation, r) for r in rows],
            }
        )


_VIOLATION_KEYS = (
    "occurred_at",
    "place_address",
    "establishment_name",
    "role",
    "notes",
)
_SANCTION_KEYS = (
    "number",
    "decided_on",
    "kind",
    "amount",
    "payment_status",
    "paid_on",
    "additional_measures",
)


class ViolationCreateView(APIView):
    renderer_classes = [JSONRenderer]
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary=_("Ghi một vi phạm và quyết định xử phạt (khoá API có quyền ghi)"),
        description=_(
            "Thân JSON: purpose, detail, person_id (hoặc person: full_name, sex, birth_date|birth_year, "
            "id_number, permanent_unit), occurred_at (ISO 8601), place_unit (đường dẫn đơn vị), act (mã hành vi), "
            "role, place_address, establishment_name, notes, sanction: number, decided_on, kind (warning|fine), "
            "amount, payment_status, paid_on, additional_measures. Kiểm tra giống hệt trang nhập vi phạm."
        ),
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        user = request.user
        _require_registry(user)
        if not can_edit_registry(user):  # reads the registry, records nothing (the court's clerk)
            raise exceptions.PermissionDenied(_("Vai trò của anh/chị chỉ được xem, không được ghi vi phạm."))
        body = request.data
        if not isinstance(body, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [str(NOT_OBJECT % {"type": _type_name(body)})]}
            )
        _strict(body, ("purpose", "detail"))
        purpose, detail = _purpose(body)
        form = ViolationForm(self._form_data(body), user=user)
        with transaction.atomic():
            person = self._person(request, body)
            if not form.is_valid():
                raise exceptions.ValidationError(self._form_errors(form))
            try:
                violation = services.violation_record(actor=user, person=person, **form.violation_kwargs())
            except DjangoValidationError as exc:
                raise exceptions.ValidationError(self._service_errors(exc)) from None
            _log(request, person, purpose, detail, _("ghi vi phạm"))
        return Response({"person": person_json(person), "violation": violation_json(violation)}, status=201)

    @staticmethod
    def _form_data(body: dict) -> dict:
        data: dict = _strict(body, _VIOLATION_KEYS)
        _strict(body, ("place_unit", "act"))
        place = body.get("place_unit")
        if place not in (None, ""):
            unit = AdministrativeUnit.objects.filter(path=str(place)).order_by("-valid_from").first()
            data["place_unit"] = unit.pk if unit else "-1"
        act = body.get("act")
        if act not in (None, ""):
            found = LegalAct.objects.filter(code=str(act)).first()
            data["act"] = found.pk if found else "-1"
        occurred = str(data.get("occurred_at") or "")
        if "T" in occurred:
            # ISO 8601 with or without seconds/offset → the form's "yyyy-mm-ddThh:mm" in local time.

            parsed = parse_datetime(occurred)
            if parsed is not None:
                if timezone.is_aware(parsed):
                    parsed = timezone.localtime(parsed)
                data["occurred_at"] = parsed.strftime("%Y-%m-%dT%H:%M")
        sanction = body.get("sanction")
        if sanction is not None and not isinstance(sanction, dict):
            # A violation is never saved without the sanction its caller meant to send.
            raise exceptions.ValidationError({"sanction": [str(NOT_OBJECT % {"type": _type_name(sanction)})]})
        if isinstance(sanction, dict):
            data["with_sanction"] = "on"
            data.update(_strict(sanction, _SANCTION_KEYS, prefix="sanction."))
        return data

    @staticmethod
    def _form_errors(form) -> dict:
        errors = {}
        for name, messages in form.errors.items():
            key = "non_field_errors" if name == "__all__" else name
            if key in _SANCTION_KEYS:
                key = f"sanction.{key}"
            errors[key] = [str(m) for m in messages]
        return errors

    @staticmethod
    def _service_errors(exc: DjangoValidationError) -> dict:
        errors = {}
        for name, messages in exc.message_dict.items():
            key = "non_field_errors" if name == "__all__" else name
            if key in _SANCTION_KEYS:
                key = f"sanction.{key}"
            errors.setdefault(key, []).extend(str(m) for m in messages)
        return errors

    def _person(self, request, body: dict) -> Person:
        user = request.user
        if body.get("person_id") not in (None, ""):
            return selectors.person_get(user, _strict(body, ("person_id",))["person_id"])
        identity = body.get("person")
        if identity is not None and not isinstance(identity, dict):
            raise exceptions.ValidationError({"person": [str(NOT_OBJECT % {"type": _type_name(identity)})]})
        if not isinstance(identity, dict):
            raise exceptions.ValidationError({"person_id": [str(PERSON_REQUIRED)]})

        data: dict = _strict(identity, PersonForm.Meta.fields, prefix="person.")
        for key in ("permanent_unit", "temporary_unit", "hometown_unit"):
            if key in data:
                unit = AdministrativeUnit.objects.filter(path=str(data[key])).order_by("-valid_from").first()
                data[key] = unit.pk if unit else "-1"
        form = PersonForm(data)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {f"person.{k}": [str(m) for m in v] for k, v in form.errors.items()}
            )
        fields = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        fields["birth_year"] = form.instance.birth_year or fields["birth_year"]
        # The same person already on record (exact blind index, within the caller's reach) is reused.
        if fields.get("id_number"):
            existing = selectors.persons_search(user, id_number=fields["id_number"]).first()
            if existing is not None:
                return existing
        try:
            return services.person_create(actor=user, **fields)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(
                {f"person.{k}": [str(m) for m in v] for k, v in exc.message_dict.items()}
            ) from None
