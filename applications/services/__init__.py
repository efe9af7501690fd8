"""Every change to calls and applications: plain functions that take the acting user, check
permission, run in a transaction and write the audit record."""

from applications.services.calls import (
    create_call,
    open_and_close_due_calls,
    remove_commitment,
    remove_committee_member,
    set_commitment,
    set_committee_member,
    transition_call,
    update_call,
)
from applications.services.submissions import (
    accept_team_invitation,
    add_attachment,
    invite_team_member,
    remove_attachment,
    remove_budget_line,
    remove_exclusion,
    remove_team_member,
    save_budget_line,
    save_exclusion,
    save_team_member,
    start_application,
    submit_application,
    update_application,
    withdraw_application,
)

__all__ = [
    "accept_team_invitation",
    "add_attachment",
    "create_call",
    "invite_team_member",
    "open_and_close_due_calls",
    "remove_attachment",
    "remove_budget_line",
    "remove_commitment",
    "remove_committee_member",
    "remove_exclusion",
    "remove_team_member",
    "save_budget_line",
    "save_exclusion",
    "save_team_member",
    "set_commitment",
    "set_committee_member",
    "start_application",
    "submit_application",
    "transition_call",
    "update_application",
    "update_call",
    "withdraw_application",
]
