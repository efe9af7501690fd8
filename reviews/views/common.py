"""Look-ups shared by the review portal's views: 404 for what the user may not see, 403 for what
they see but may not do."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from applications.models import Call
from core.errors import Verdict
from reviews.models import AssignmentRun
from reviews.selectors_portal import calls_for_review


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(verdict: Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


def visible_call(request: HttpRequest, slug: str) -> Call:
    return get_object_or_404(calls_for_review(request.user).select_related("program"), slug=slug)


def visible_run(request: HttpRequest, pk: int) -> AssignmentRun:
    calls = calls_for_review(request.user).values("pk")
    return get_object_or_404(
        AssignmentRun.objects.select_related("call__program", "worst_application"), pk=pk, call__in=calls
    )
