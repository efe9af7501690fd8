"""Who may see the portfolio, the process analytics, the exports and the open data, and who publishes
projects. Used by the services, the portal views and the API alike."""

from applications.models import CommitteeMembership
from core.errors import ALLOWED, Verdict, deny
from portfolio.open_data import Scope


def is_on_a_committee(user) -> bool:
    return user.is_authenticated and CommitteeMembership.objects.filter(user=user).exists()


def can_view_portfolio(user) -> Verdict:
    """Staff, and committee members and chairs of any call."""
    if not user.is_authenticated:
        return deny("Sign in to see the funded-research portfolio.")
    if user.is_staff or is_on_a_committee(user):
        return ALLOWED
    return deny("Only staff and committee members see the funded-research portfolio.")


def _staff(user, what: str) -> Verdict:
    if not user.is_authenticated:
        return deny(f"Sign in as a program officer to {what}.")
    if not user.is_staff:
        return deny(f"Only program officers (staff) can {what}.")
    return ALLOWED


def can_view_process_analytics(user) -> Verdict:
    return _staff(user, "see the process analytics")


def can_export_registers(user) -> Verdict:
    return _staff(user, "download a call's registers")


def can_publish_projects(user) -> Verdict:
    return _staff(user, "publish funded projects")


def can_read_open_data(user, scope: str) -> Verdict:
    """Published projects are open to anyone; every standing award only to staff."""
    if scope == Scope.PUBLISHED:
        return ALLOWED
    return _staff(user, "download every award as open data")
