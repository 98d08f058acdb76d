"""The API's JSON parser: bounded size and depth, strict JSON, 400 in the error envelope for anything else.

DRF's own parser reads the whole stream (``DATA_UPLOAD_MAX_MEMORY_SIZE`` is not applied to it), lets a
deeply nested body blow Python's recursion limit (a 500) and accepts ``NaN``/``Infinity``. This one reads
at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, refuses nesting deeper than ``MAX_DEPTH`` before parsing,
and refuses non-standard constants and integers longer than ``MAX_INTEGER_DIGITS`` digits.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
MAX_INTEGER_DIGITS = 30


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


def _depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(
                _("Nội dung gửi lên lớn hơn giới hạn %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"}
            )
        try:
            text = raw.decode((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(_("Nội dung gửi lên không phải văn bản UTF-8.")) from exc
        if _depth(text) > MAX_DEPTH:
            raise exceptions.ParseError(
                _("JSON lồng nhau quá sâu (tối đa %(depth)s cấp).") % {"depth": MAX_DEPTH}
            )
        try:
            return json.loads(text, parse_int=_integer, parse_constant=_constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("Nội dung gửi lên không phải JSON hợp lệ.")) from exc
