"""Factories for the reviewer pool and assignment: plain defaults, no hidden side effects."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from applications.models import Application
from reviews.models import (
    Assignment,
    AssignmentRun,
    Bid,
    Conflict,
    Criterion,
    ReviewerInvitation,
    ReviewerProfile,
    ReviewForm,
    ReviewPhase,
)
from tests.applications.factories import ApplicationFactory
from tests.factories import CallFactory, UserFactory


class SubmittedApplicationFactory(ApplicationFactory):
    """A submitted application with a reference (built directly: the submission checks are not under test)."""

    status = Application.Status.SUBMITTED
    reference = factory.Sequence(lambda n: f"TA-2026-{n + 1:04d}")
    submitted_at = factory.LazyFunction(timezone.now)
    title = factory.Sequence(lambda n: f"Application {n}")


class ReviewerProfileFactory(DjangoModelFactory):
    class Meta:
        model = ReviewerProfile

    user = factory.SubFactory(UserFactory)
    kind = ReviewerProfile.Kind.SCIENTIFIC
    expertise = ""
    keywords = ""
    default_load = 8


class ReviewerInvitationFactory(DjangoModelFactory):
    """An accepted invitation (the state assignment works with)."""

    class Meta:
        model = ReviewerInvitation

    call = factory.SubFactory(CallFactory)
    reviewer = factory.SubFactory(UserFactory)
    status = ReviewerInvitation.Status.ACCEPTED
    responded_at = factory.LazyFunction(timezone.now)


def accepted_reviewer(
    call,
    *,
    name: str,
    kind=ReviewerProfile.Kind.SCIENTIFIC,
    expertise: str = "",
    keywords: str = "",
    default_load: int = 8,
    load_limit: int | None = None,
    min_load: int = 0,
    focus_areas=(),
):
    """A pool member with a profile who accepted an invitation to ``call``; returns the user."""
    profile = ReviewerProfileFactory(
        user__full_name=name, kind=kind, expertise=expertise, keywords=keywords, default_load=default_load
    )
    profile.focus_areas.set(focus_areas)
    ReviewerInvitationFactory(call=call, reviewer=profile.user, load_limit=load_limit, min_load=min_load)
    return profile.user


# Conflicts, bids, runs and assignments (portal and API tests).


class ConflictFactory(DjangoModelFactory):
    """An active conflict the reviewer declared."""

    class Meta:
        model = Conflict

    application = factory.SubFactory(SubmittedApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)
    source = Conflict.Source.DECLARED
    kind = Conflict.Kind.OTHER
    reason = "I co-authored a paper with the PI last year."
    recorded_by = factory.SelfAttribute("reviewer")


class BidFactory(DjangoModelFactory):
    class Meta:
        model = Bid

    application = factory.SubFactory(SubmittedApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)
    value = Bid.Value.EAGER


class AssignmentRunFactory(DjangoModelFactory):
    """A run with a proposal ready (its assignments are added separately)."""

    class Meta:
        model = AssignmentRun

    call = factory.SubFactory(CallFactory)
    status = AssignmentRun.Status.PROPOSED
    progress = 100
    stage = "Proposal ready"
    total_affinity = 1.5


class AssignmentFactory(DjangoModelFactory):
    """A published assignment added by hand (no run) unless told otherwise."""

    class Meta:
        model = Assignment

    application = factory.SubFactory(SubmittedApplicationFactory)
    call = factory.SelfAttribute("application.call")
    reviewer = factory.SubFactory(UserFactory)
    source = Assignment.Source.MANUAL
    state = Assignment.State.PUBLISHED
    affinity = 0.5
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    published_at = factory.LazyFunction(timezone.now)


# Review forms, phases and reviews (scoring tests).


class ReviewFormFactory(DjangoModelFactory):
    """A scientific 1-5 form, higher is better, with no criteria (add them with CriterionFactory)."""

    class Meta:
        model = ReviewForm

    call = factory.SubFactory(CallFactory)
    audience = ReviewForm.Audience.SCIENTIFIC
    name = "Scientific review"
    overall_min = 1
    overall_max = 5


class CriterionFactory(DjangoModelFactory):
    """A required 1-5 criterion, higher is better, weight 1, scored by everyone."""

    class Meta:
        model = Criterion

    form = factory.SubFactory(ReviewFormFactory)
    key = factory.Sequence(lambda n: f"criterion_{n}")
    label = factory.Sequence(lambda n: f"Criterion {n}")
    scale_min = 1
    scale_max = 5
    weight = Decimal("1")
    required = True
    position = factory.Sequence(lambda n: n)


class ReviewPhaseFactory(DjangoModelFactory):
    """The active, blind phase: reviewers write and never see each other's reviews."""

    class Meta:
        model = ReviewPhase

    call = factory.SubFactory(CallFactory)
    name = "Independent review"
    can_write = True
    see_others = ReviewPhase.SeeOthers.NEVER
    active = True


# The reviewer workspace, the reviews API and reminders.


def workspace_form(call) -> ReviewForm:
    """The call's scientific form: "impact" (1-5, anchored, weight 2), "method" (1-9, lower is
    better) and the optional "involvement", which may be not applicable."""
    form = ReviewFormFactory(call=call, overall_anchors={"1": "Poor", "5": "Outstanding"})
    CriterionFactory(
        form=form,
        key="impact",
        label="Impact",
        guidance="How much would this change the lives of people with MS?",
        anchors={"1": "Negligible", "5": "Transformative"},
        weight=Decimal("2"),
    )
    CriterionFactory(
        form=form,
        key="method",
        label="Method",
        scale_min=1,
        scale_max=9,
        direction=Criterion.Direction.LOWER_IS_BETTER,
    )
    CriterionFactory(
        form=form, key="involvement", label="Involvement", required=False, allow_not_applicable=True
    )
    return form


# The panel meeting.


class SubmittedReviewFactory(DjangoModelFactory):
    """A submitted review with its weighted total set directly (the scoring is not under test), on the
    call's scientific form (made when missing)."""

    class Meta:
        model = "reviews.Review"

    assignment = factory.SubFactory(AssignmentFactory)
    form = factory.LazyAttribute(
        lambda o: ReviewForm.objects.get_or_create(
            call=o.assignment.call,
            audience=ReviewForm.Audience.SCIENTIFIC,
            defaults={"name": "Scientific review"},
        )[0]
    )
    status = "submitted"
    weighted_total = 50.0
    submitted_at = factory.LazyFunction(timezone.now)


# The committee's ranking.


def submitted_review(application, reviewer, total: float, form):
    """``reviewer``'s submitted review of ``application`` with ``total`` (0-100) on ``form``."""
    assignment = AssignmentFactory(application=application, reviewer=reviewer)
    return SubmittedReviewFactory(assignment=assignment, form=form, weighted_total=total)
