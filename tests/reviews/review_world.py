"""A small review world shared by the portal and API tests of reviewing: one closed call with two
submitted applications and the people around them.

- ``reviewer`` is assigned (published) to ``application``; ``other_reviewer`` to ``other``;
- ``conflicted`` has a published assignment to ``application`` *and* an active conflict with it
  (the conflict must win everywhere);
- ``outsider`` reviews another call only; ``member`` and ``chair`` sit on the committee.
"""

from dataclasses import dataclass

import pytest

from applications.models import Application, Call, CommitteeMembership
from tests.applications.factories import add_pdf
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import (
    AssignmentFactory,
    BidFactory,
    ConflictFactory,
    SubmittedApplicationFactory,
    accepted_reviewer,
)

TITLE = "Secret Remyelination Study"
ACTORS = ["anonymous", "reviewer", "other_reviewer", "conflicted", "outsider", "member", "chair", "staff"]


@dataclass
class World:
    call: Call
    application: Application
    other: Application
    attachment: object
    reviewer: object
    other_reviewer: object
    conflicted: object
    outsider: object
    member: object
    chair: object
    staff: object

    def actor(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def review_media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, review_media_root) -> World:
    call = CallFactory(
        title="Progressive MS Challenge",
        slug="pms-challenge",
        status=Call.Status.CLOSED,
        reviewers_per_application=1,
        lay_reviewers_per_application=0,
    )
    application = SubmittedApplicationFactory(call=call, title=TITLE, lay_summary="Repairing myelin.")
    other = SubmittedApplicationFactory(call=call, title="Fatigue in daily life", lay_summary="Tiredness.")
    attachment = add_pdf(application)
    reviewer = accepted_reviewer(call, name="Rita Reviewer")
    other_reviewer = accepted_reviewer(call, name="Otto Other")
    conflicted = accepted_reviewer(call, name="Conny Conflicted")
    outsider = accepted_reviewer(CallFactory(status=Call.Status.CLOSED), name="Oscar Outsider")
    AssignmentFactory(application=application, reviewer=reviewer)
    AssignmentFactory(application=other, reviewer=other_reviewer)
    AssignmentFactory(application=application, reviewer=conflicted)
    BidFactory(application=application, reviewer=conflicted)
    ConflictFactory(application=application, reviewer=conflicted)
    member = CommitteeMembershipFactory(call=call, user__full_name="Mo Member").user
    chair = CommitteeMembershipFactory(
        call=call, role=CommitteeMembership.Role.CHAIR, user__full_name="Carla Chair"
    ).user
    staff = UserFactory(full_name="Olga Officer", is_staff=True)
    return World(
        call,
        application,
        other,
        attachment,
        reviewer,
        other_reviewer,
        conflicted,
        outsider,
        member,
        chair,
        staff,
    )
