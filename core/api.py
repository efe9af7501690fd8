"""Shared API plumbing: pagination and an exception handler that turns domain errors into JSON."""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

# The error body every error status answers with. core.openapi.AutoSchema documents these responses on
# every operation (ALL_ERROR_RESPONSES); views that spell some out in ``extend_schema`` use these.
ERROR = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(
            help_text="What went wrong, for people. A 400 adds a list of messages per field beside it."
        )
    },
)
ERRORS = {
    400: "Invalid input: `detail` says what to correct; per-field messages beside it.",
    401: "Reserved for failed authentication: the API answers 403 (session authentication comes first).",
    403: "Not signed in, a bad token, or not allowed to do this.",
    404: "Not found, or not yours to see (a page past the end of a list, too).",
    409: "The object's state does not allow this now; `detail` gives the reason.",
    429: "Too many requests (or too many failed sign-ins): wait, then try again.",
}
ALL_ERROR_RESPONSES = {code: OpenApiResponse(ERROR, description=text) for code, text in ERRORS.items()}
ERROR_RESPONSES = {code: ALL_ERROR_RESPONSES[code] for code in (400, 403, 404, 409)}


class Pagination(PageNumberPagination):
    """Pages of 50; ``page_size`` from 1 to 200, anything else is a 400 (not silently the default)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


def exception_handler(exc, context):
    """Errors are JSON with a human-readable ``detail``; validation adds messages per field."""
    if isinstance(exc, DomainError):
        body: dict = {"detail": exc.message}
        if exc.field_errors:
            body.update(exc.field_errors)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            body["detail"] = "Please correct the errors below."
        else:
            body = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Please correct the errors below.", **response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(m) for m in response.data)}
    if response is None and isinstance(exc, (Http404, DjangoPermissionDenied)):
        return None
    return response
