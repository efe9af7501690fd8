"""Look-ups shared by the priorities portal: 404 for what the user may not see, 403 for what they see
but may not do."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import Verdict
from priorities.models import Question, Round
from priorities.selectors import questions_visible_to, rounds_visible_to


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(verdict: Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


def visible_round(request: HttpRequest, slug: str) -> Round:
    return get_object_or_404(rounds_visible_to(request.user), slug=slug)


def visible_question(request: HttpRequest, pk: int) -> Question:
    return get_object_or_404(questions_visible_to(request.user), pk=pk)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after a POST: the page's own ``next`` if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback
