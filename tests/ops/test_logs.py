"""Structured JSON logs with a request id; never a personal identity or a search term in a line."""

from __future__ import annotations

import json
import logging

import pytest

from lanhmanh.ops.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_every_request_gets_an_id_in_its_response_and_its_access_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="lanhmanh.access"):
        response = client.get("/dang-nhap/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (access,) = [line for line in lines(caplog) if line["logger"] == "lanhmanh.access"]
    assert access["request_id"] == request_id
    assert (access["method"], access["route"], access["view"], access["status"]) == (
        "GET",
        "dang-nhap/",
        "login",
        200,
    )
    assert access["duration_ms"] >= 0
    assert access["cpu_ms"] >= 0


def test_a_well_formed_request_id_from_nginx_is_kept_and_a_malformed_one_replaced(client):
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef0123")["X-Request-ID"]
        == "0123456789abcdef0123"
    )
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='bad id"\n{')["X-Request-ID"]
    assert replaced != 'bad id"\n{' and len(replaced) == 32


def test_a_registry_search_logs_the_route_and_never_the_search_term_nor_the_ids(client_for, police, caplog):
    client = client_for(police)
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="lanhmanh.access"):
        client.get("/nguoi-vi-pham/", {"q": "Nguyễn Thị Hoa 001192000123"})
        client.get("/nguoi-vi-pham/987654/")
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines(caplog))
    assert "Hoa" not in text and "001192000123" not in text and "987654" not in text
    routes = [line["route"] for line in lines(caplog) if line["logger"] == "lanhmanh.access"]
    assert routes == ["nguoi-vi-pham/", "nguoi-vi-pham/<int:pk>/"]
    # Django's own "Not Found" line is written too, without the request object (its text has the query).
    assert all("WSGIRequest" not in json.dumps(line) for line in lines(caplog))


def test_an_exception_is_logged_by_its_class_and_frames_without_its_message():
    typed = {"full_name": "Nguyễn Thị Hoa", "id_number": "001192000123"}
    try:
        raise ValueError(f"{typed['full_name']}, CCCD {typed['id_number']}")
    except ValueError as exc:
        record = logging.LogRecord(
            "lanhmanh.x", logging.ERROR, __file__, 1, "Import failed", (), (type(exc), exc, exc.__traceback__)
        )
    line = json.loads(JsonFormatter().format(record))
    assert (line["message"], line["exception"], line["level"]) == (
        "Import failed",
        "builtins.ValueError",
        "ERROR",
    )
    assert line["request_id"]
    assert "test_an_exception_is_logged" in line["stack"]
    assert "Hoa" not in json.dumps(line, ensure_ascii=False)
