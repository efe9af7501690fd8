"""Errors under ``/api/`` are JSON, whoever answers them: DRF's views already do; this covers what
Django answers before a view runs (no route matches: 404, e.g. an id that is not a whole number)
and its own error pages (400, 413, 500), which would otherwise be HTML."""

import json

from django.http import HttpRequest, HttpResponse

MESSAGES = {
    400: "The request could not be read. Check its syntax and headers.",
    404: "Nothing is at this address. Check it: ids are whole numbers and addresses end with a slash.",
    413: "The request is too large.",
    500: "Something went wrong on our side. The error has been logged; please try again later.",
}


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = MESSAGES.get(response.status_code, response.reason_phrase)
            response.content = json.dumps({"detail": detail}).encode()
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):  # set by CommonMiddleware for the old body
                response["Content-Length"] = str(len(response.content))
        return response
