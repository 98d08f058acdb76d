"""Property-based run of the API against its own OpenAPI schema (issue #21, "done means"; ASVS V13.1.1, V13.2.5):
every operation, a bounded number of generated requests each (valid and invalid by the schema), zero 5xx, every
error in the JSON envelope, and a 2xx answer whose body the schema accepts."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.core import NotSet
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lanhmanh.api.services import api_token_create
from lanhmanh.api.views import SchemaView
from tests.conftest import TRANG_TIEN, unit

EXAMPLES_PER_OPERATION = 10


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator(patterns=None, urlconf=None)
    document = generator.get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))


assert SchemaView  # the schema served at /api/schema/ is the one generated here
schema = schemathesis.openapi.from_dict(_schema())


@pytest.fixture
def api_client(police):
    from lanhmanh.people.models import Person

    Person(full_name="Nguyễn Thị Đào", sex="female", birth_year=1990, permanent_unit=unit(TRANG_TIEN)).save()
    _, raw = api_token_create(user=police, name="schemathesis", scope="write", days=1)
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"user": None, "anon": None}
    yield Client(headers={"authorization": f"Bearer {raw}"})
    SimpleRateThrottle.THROTTLE_RATES = original


def _as_schemathesis_response(response, method: str, path: str) -> Response:
    """The Django test response in the shape schemathesis validates."""
    return Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.items()},
        content=response.content,
        request=requests.Request(method.upper(), f"http://testserver{path}").prepare(),
        elapsed=0.0,
        verify=False,
        encoding="utf-8",
    )


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gives_a_server_error(case, api_client):
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    kwargs = {}
    if not isinstance(case.body, NotSet):
        kwargs = {"data": json.dumps(case.body, default=str), "content_type": "application/json"}
    response = api_client.generic(case.method.upper(), path, **kwargs)
    assert response.status_code < 500, (case.method, path, kwargs, response.content[:500])
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"}, error
    # Issue #21 item 15: the schema matches the API — every status answered is documented, and the body
    # (2xx and the error envelope alike) is what the schema says, arrays as arrays.
    case.validate_response(
        _as_schemathesis_response(response, case.method, path),
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
