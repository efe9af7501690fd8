"""Shared API plumbing: pagination and an exception handler that turns domain errors into JSON."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
ERROR_RESPONSES = {
    400: OpenApiResponse(ERROR, description="Invalid input; per-field messages beside `detail`."),
    403: OpenApiResponse(ERROR, description="Not allowed."),
    404: OpenApiResponse(ERROR, description="Not found, or not yours to see."),
    409: OpenApiResponse(ERROR, description="The object's state does not allow this now."),
}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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
