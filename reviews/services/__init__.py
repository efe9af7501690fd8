"""Every change in review: plain functions that take the acting user, check permission, run in a
transaction and write the audit record."""

from reviews.services.assignment import execute_assignment_run, publish_assignment_run, start_assignment_run
from reviews.services.pool import (
    declare_conflict,
    detect_call_conflicts,
    invite_reviewer,
    lift_conflict,
    place_bid,
    respond_to_invitation,
    save_reviewer_profile,
    set_conflict,
)
from reviews.services.proposal import (
    add_assignment,
    forbid_pair,
    remove_assignment,
    set_pinned,
    swap_assignment,
)

__all__ = [
    "add_assignment",
    "declare_conflict",
    "detect_call_conflicts",
    "execute_assignment_run",
    "forbid_pair",
    "invite_reviewer",
    "lift_conflict",
    "place_bid",
    "publish_assignment_run",
    "remove_assignment",
    "respond_to_invitation",
    "save_reviewer_profile",
    "set_conflict",
    "set_pinned",
    "start_assignment_run",
    "swap_assignment",
]
