"""The ten roles of the authorisation matrix and the groups the matrix speaks in."""

ANONYMOUS = "anonymous"
OWNER = "owner"  # the applicant: PI of the submitted, the draft and the awarded application
CO_INVESTIGATOR = "co_investigator"  # accepted co-investigator on the owner's submitted and draft ones
ANOTHER_APPLICANT = "another_applicant"  # has a draft of their own in the open call
ASSIGNED = "assigned_reviewer"  # published assignment to the submitted application, draft review
UNASSIGNED = "unassigned_reviewer"  # accepted the invitation to the call under review, no assignment
CONFLICTED = "conflicted_reviewer"  # accepted, assigned, bid, and a declared conflict: the conflict wins
MEMBER = "committee_member"  # on the committee of the call under review and of the decided call
CHAIR = "chair"  # chairs both committees
STAFF = "staff"  # a program officer; a superuser, as the demo's (the admin needs model permissions)

ROLES = (
    ANONYMOUS,
    OWNER,
    CO_INVESTIGATOR,
    ANOTHER_APPLICANT,
    ASSIGNED,
    UNASSIGNED,
    CONFLICTED,
    MEMBER,
    CHAIR,
    STAFF,
)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
OWNER_TEAM = frozenset({OWNER, CO_INVESTIGATOR})
APPLICANTS = frozenset({OWNER, CO_INVESTIGATOR, ANOTHER_APPLICANT})
REVIEWERS = frozenset({ASSIGNED, UNASSIGNED, CONFLICTED})  # all three accepted the call under review
COMMITTEE = frozenset({MEMBER, CHAIR})
CHAIR_STAFF = frozenset({CHAIR, STAFF})
COMMITTEE_STAFF = COMMITTEE | {STAFF}
# The call under review's pages (``calls_for_review``): its committee, staff and the invited reviewers
# know it (others get 404); of those, who may not act gets 403.
KNOWS_REVIEW_CALL = COMMITTEE_STAFF | REVIEWERS
# Who may read the submitted application (``applications_visible_to``).
READS_SUBMITTED = OWNER_TEAM | {ASSIGNED, STAFF}
