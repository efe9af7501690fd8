from django.conf import settings
from django.http import HttpRequest

from applications.selectors import committees_of


def navigation(request: HttpRequest) -> dict:
    """What the navigation shows depends on the user's roles; computed lazily per request."""
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "my_committees": (lambda: list(committees_of(user))) if user.is_authenticated else [],
        "is_reviewer": (lambda: hasattr(user, "reviewer_profile")) if user.is_authenticated else False,
        "reviewer_pages": ("home", "profile", "bids", "my_assignments", "my_conflicts", "workspace"),
    }
