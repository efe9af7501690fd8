"""The admin: one rule for every route under ``admin/``, requested with GET by every role.

Staff (a superuser, as the demo's program officer: a staff account without model permissions would
get 403 on model pages) get the page; everyone else is sent to the admin's sign-in, which sends
visitors on to the portal's sign-in (it asks for the second factor) and refuses signed-in users
without staff access. ``ADMIN_EXCEPTIONS`` lists the routes that answer otherwise, and why.
"""

import re

from django.apps import apps

from tests.security.authz.matrix_core import ADMIN_LOGIN, LOGIN, grid
from tests.security.authz.roles import STAFF


def admin_rule(staff_status=200) -> dict:
    return grid(ADMIN_LOGIN, ({STAFF}, staff_status))


ADMIN_EXCEPTIONS = {
    # Signing in: visitors go to the portal's sign-in, signed-in users without staff access are
    # refused, staff are sent on to the admin.
    "admin:login": grid(403, ({STAFF}, 302), anonymous=LOGIN),
    # Signing out is a POST; a GET by anyone else is sent to the admin's start page.
    "admin:logout": grid(302, ({STAFF}, 405)),
    # Autocomplete without naming a field is refused; "view on site": a call has no public page.
    "admin:autocomplete": admin_rule(403),
    "admin:view_on_site": admin_rule(404),
    "admin/(?P<url>.*)$": admin_rule(404),  # no such admin page
}
# Records the services make (and audit): the admin shows them, never adds or deletes them by hand.
RECORDS = {
    "applications.application",
    "applications.committeemembership",  # seats change on the call's page, through the services
    "audit.auditevent",
    "reviews.reviewphase",
    "reviews.conflict",
    "reviews.assignmentrun",
    "reviews.review",
    "awards.award",
    "awards.letter",
    "awards.letterbatch",
    "priorities.communityprofile",
    "priorities.question",
    "priorities.comment",
    "priorities.ballot",
    "priorities.topten",
    "portfolio.publishedproject",
}
# Sign-in throttling records (django-axes): written by failed sign-ins; staff delete them to unlock.
THROTTLE_RECORDS = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
# Two-factor devices: set up by their owner only (with the password); staff may delete one.
DEVICES = {"otp_totp.totpdevice", "otp_static.staticdevice"}
NO_ADD = RECORDS | THROTTLE_RECORDS | DEVICES
# A review form in use by reviews and a priority-setting round stay for the record.
NO_DELETE = RECORDS | {"reviews.reviewform", "priorities.round"}


def admin_cells(route) -> dict:
    """The expectations of an admin route: its exception, or the rule."""
    if route.key in ADMIN_EXCEPTIONS:
        return ADMIN_EXCEPTIONS[route.key]
    return admin_rule(_staff_status(route))


def _staff_status(route) -> int:
    pattern = route.pattern
    if pattern.endswith("<path:object_id>/"):  # the old change URL: redirected to …/change/
        return 302
    match = MODEL_ROUTE.match(pattern)
    model = f"{match.group(1)}.{match.group(2)}" if match else ""
    if (pattern.endswith("/add/") and model in NO_ADD) or (
        pattern.endswith("/delete/") and model in NO_DELETE
    ):
        return 403
    return 200


MODEL_ROUTE = re.compile(r"^admin/(\w+)/(\w+)/")


def admin_kwargs(route, w) -> dict:
    """URL arguments of an admin route from the world: the first object of the route's model."""
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)) | set(
        re.findall(r"\(\?P<(\w+)>", route.pattern)
    )
    kwargs = {}
    match = MODEL_ROUTE.match(route.pattern)
    model = None
    if match:
        try:
            model = apps.get_model(match.group(1), match.group(2))
        except LookupError:
            model = None
    first = model._default_manager.order_by("pk").first() if model is not None else None
    for name in names:
        if name in ("object_id", "id", "pk"):
            kwargs[name] = first.pk if first is not None else 0
        elif name == "content_type_id":
            kwargs[name] = w.call_content_type.pk
        elif name == "app_label":
            kwargs[name] = "applications"
        elif name == "url":
            kwargs[name] = "no-such-page/"
    if route.name == "admin:view_on_site":
        kwargs["object_id"] = w.review_call.pk
    return kwargs
