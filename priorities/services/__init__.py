"""Every change to research priorities: plain functions that take the acting user, check permission,
run in a transaction and write the audit record."""

from priorities.services.community import register_community_member, save_community_profile
from priorities.services.moderation import (
    edit_question,
    hide_comment,
    hide_question,
    merge_question,
    publish_question,
)
from priorities.services.questions import add_comment, delete_draft, save_question_draft, submit_question
from priorities.services.rounds import (
    create_round,
    record_top_ten,
    set_question_calls,
    transition_round,
    update_round,
)
from priorities.services.votes import set_votes

__all__ = [
    "add_comment",
    "create_round",
    "delete_draft",
    "edit_question",
    "hide_comment",
    "hide_question",
    "merge_question",
    "publish_question",
    "record_top_ten",
    "register_community_member",
    "save_community_profile",
    "save_question_draft",
    "set_question_calls",
    "set_votes",
    "submit_question",
    "transition_round",
    "update_round",
]
