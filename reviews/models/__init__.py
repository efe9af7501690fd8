"""Review models, split by concept: the reviewer pool and assignment (``pool``), and review forms,
phases and scores (``scoring``),
triage and the panel meeting (``panel``). Import from ``reviews.models`` as before."""

from reviews.models.panel import FinalScore, MeetingItem, PanelMeeting, Triage, TriageOverride
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
    "Review",
    "ReviewForm",
    "ReviewPhase",
    "ReviewerInvitation",
    "ReviewerProfile",
    "Triage",
    "TriageOverride",
]
