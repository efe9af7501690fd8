"""Answer a clean 503 (page or JSON) when the database is down, instead of a server error."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

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
        logger.error("database unavailable: %s", exception.__class__.__name__)
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            html = render_to_string("503.html", {"message": UNAVAILABLE})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
