from applications.models.calls import (
    CURRENCIES,
    MONEY,
    Call,
    Commitment,
    CommitteeMembership,
    FocusArea,
    Funder,
    Program,
    validate_timezone,
)
from applications.models.submissions import (
    Application,
    Attachment,
    BudgetLine,
    ReferenceSequence,
    ReviewerExclusion,
    TeamMember,
)

__all__ = [
    "CURRENCIES",
    "MONEY",
    "Application",
    "Attachment",
    "BudgetLine",
    "Call",
    "Commitment",
    "CommitteeMembership",
    "FocusArea",
    "Funder",
    "Program",
    "ReferenceSequence",
    "ReviewerExclusion",
    "TeamMember",
    "validate_timezone",
]
