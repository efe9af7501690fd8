"""Answer a clean 503 (page or JSON) when the database is down, instead of a server error."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)
UNAVAILABLE = "The service is briefly unavailable. Nothing you sent was saved; please try again in a minute."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        return unavailable_response(request, exception)


def unavailable_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 503: JSON with ``detail`` for the API, otherwise our page (rendered without the request, so
    that no context processor touches the database)."""
    logger.error("database unavailable: %s", exception.__class__.__name__)
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        html = render_to_string("503.html", {"message": UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database error that escaped the views — raised while the 404 page asked who
    is signed in, or in a middleware — is the same clean 503; anything else is the plain 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return unavailable_response(request, error)
    return defaults.server_error(request)
