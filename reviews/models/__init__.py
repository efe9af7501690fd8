"""Review models, split by concept: the reviewer pool and assignment (``pool``), and review forms,
phases and scores (``scoring``),
triage, the panel meeting and the reminders sent (``panel``). Import from ``reviews.models`` as before."""

from reviews.models.panel import FinalScore, MeetingItem, PanelMeeting, ReminderSent, Triage, TriageOverride
from reviews.models.pool import (
    Affinity,
    Assignment,
    AssignmentRun,
    Bid,
    Conflict,
    ForbiddenPair,
    ReviewerInvitation,
    ReviewerProfile,
)
from reviews.models.scoring import Criterion, CriterionScore, Review, ReviewForm, ReviewPhase

__all__ = [
    "Affinity",
    "Assignment",
    "AssignmentRun",
    "Bid",
    "Conflict",
    "Criterion",
    "CriterionScore",
    "FinalScore",
    "ForbiddenPair",
    "MeetingItem",
    "PanelMeeting",
    "ReminderSent",
    "Review",
    "ReviewForm",
    "ReviewPhase",
    "ReviewerInvitation",
    "ReviewerProfile",
    "Triage",
    "TriageOverride",
]
