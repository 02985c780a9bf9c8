"""One exception handler shapes every API error as {"error": {"status", "code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from genrelens.core.errors import GenrelensError, NotFound


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "the request body is too large"
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(str(exc))
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, GenrelensError):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    details = response.data if isinstance(exc, exceptions.ValidationError) else None
    message = _message(exc, details)
    response.data = {"error": {"status": response.status_code, "code": _code(exc), "message": message,
                               "details": details}}
    return response


def _code(exc: Exception) -> str:
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    return "error"


def _message(exc: Exception, details: Any) -> str:
    if isinstance(details, dict):
        field, problems = next(iter(details.items()))
        text = problems[0] if isinstance(problems, list) and problems else problems
        return str(text) if field == "non_field_errors" else f"{field}: {text}"
    if isinstance(exc, exceptions.APIException):
        return str(exc.detail)
    return str(exc) or "error"
