"""Login throttling with django-axes: who is signing in, what a locked-out person sees, and the audit.

Settings name these functions (AXES_USERNAME_CALLABLE, AXES_CLIENT_IP_CALLABLE, AXES_LOCKOUT_CALLABLE);
``record_lockout`` is connected to axes' ``user_locked_out`` signal in ``core.apps``.
"""

import ipaddress
import logging
from datetime import datetime, timedelta

from axes.helpers import get_client_parameters, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event

logger = logging.getLogger(__name__)
LOCKED_OUT = "account.locked_out"


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The e-mail address tried, as accounts store it (trimmed, lower case): one count per person."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        data = getattr(request, "data", None)
        if data is None or not hasattr(data, "get"):
            data = request.POST
        value = data.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(value, str):
        return None
    return value.strip().lower()[:255] or None


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each appending the address
    it saw to X-Forwarded-For, that is the entry the outermost trusted proxy added (counting from the
    right): everything left of it was written by the client and is never believed."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return _valid_ip(forwarded[-count]) or remote


def unlock_time(request: HttpRequest, credentials: dict | None = None) -> datetime:
    """When the lockout of this e-mail address from this client address ends."""
    cool_off = get_cool_off(request) or timedelta(0)
    username = axes_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
    user_agent = request.META.get("HTTP_USER_AGENT", "<unknown>")[:255]
    latest = None
    for filters in get_client_parameters(username, ip_address, user_agent, request, credentials):
        last = AccessAttempt.objects.filter(**filters).aggregate(last=Max("attempt_time"))["last"]
        if last and (latest is None or last > latest):
            latest = last
    return (latest or timezone.now()) + cool_off


def lockout_message(unlock_at: datetime, *, reset_url: str) -> tuple[str, int]:
    """The sentence a locked-out person reads, and the seconds to wait."""
    seconds = max(0, int((unlock_at - timezone.now()).total_seconds()))
    minutes = max(1, -(-seconds // 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    message = (
        "Too many failed sign-in attempts with this e-mail address from your network. "
        f"You can try again after {unlock_at:%H:%M} UTC (in about {wait}). "
        f"If you have forgotten your password, reset it by e-mail: {reset_url}"
    )
    return message, seconds


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429: our page on the portal and the admin, ``{"detail": …}`` on the API."""
    unlock_at = unlock_time(request, credentials)
    reset_url = request.build_absolute_uri(reverse("accounts:password_reset"))
    message, seconds = lockout_message(unlock_at, reset_url=reset_url)
    status = settings.AXES_HTTP_RESPONSE_CODE
    wants_json = (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )
    if wants_json:
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        context = {
            "unlock_at": unlock_at,
            "minutes": max(1, -(-seconds // 60)),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        }
        response = render(request, "security/locked_out.html", context, status=status)
    response["Retry-After"] = str(seconds)
    return response


def record_lockout(
    sender, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs
) -> None:
    """One audit event per lockout (the signal fires again on every refused try during it)."""
    cool_off = get_cool_off(request) or timedelta(0)
    recent = AuditEvent.objects.filter(
        verb=LOCKED_OUT,
        data__username=username or "",
        data__ip_address=ip_address or "",
        created_at__gte=timezone.now() - cool_off,
    )
    if recent.exists():
        return
    user = get_user_model().objects.filter(email__iexact=username or "").first()
    target = user or AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    if target is None:
        logger.warning("lockout of %r from %s with no attempt on record", username, ip_address)
        return
    with transaction.atomic():
        record_event(
            target,
            LOCKED_OUT,
            by=None,
            username=username or "",
            ip_address=ip_address or "",
            path=request.path,
            failures=settings.AXES_FAILURE_LIMIT,
            until=unlock_time(request, getattr(request, "axes_credentials", None)),
        )
    logger.warning("sign-in locked out for %r from %s", username, ip_address)
