"""A small world of real objects for the API fuzzing, so that generated ids reach real rows.

- ``applicant`` (Ada) has a complete draft on an open call (team member, budget lines, an exclusion,
  a research plan), a submitted application in review, and a funded application with an applied
  decision, an award and a rendered award letter; she is a community member with a draft question;
- a closed call in review: submitted applications, a review form, an assignment run, reviewers
  with published assignments (one draft review, one conflict, one bid, one pending invitation), a
  triage line and an open panel meeting;
- a call in review with pending decisions, funders' commitments and a letter batch;
- a voting round of research priorities with a published question and a comment;
- ``staff`` (Olga) sees all of it.

``ids`` maps a URL segment (``applications``, ``team``, ``letters``…) and a body field
(``application``, ``reviewer``…) to the ids of real objects, for ``fuzz_hooks``.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from rest_framework.authtoken.models import Token

from applications.models import Call, FocusArea, Program
from awards.models import Award, Decision, FundingShare, Letter, LetterBatch
from reviews.models import Assignment, AssignmentRun, Review, ReviewForm, Triage
from reviews.services.meeting import open_meeting
from tests.applications.factories import (
    ApplicantFactory,
    ReviewerExclusionFactory,
    TeamMemberFactory,
    complete_draft,
    pdf_bytes,
)
from tests.awards.factories import deciding_call, submitted_application
from tests.factories import CallFactory, CommitmentFactory, CommitteeMembershipFactory, UserFactory
from tests.priorities.factories import (
    CommentFactory,
    CommunityProfileFactory,
    QuestionFactory,
    voting_round,
)
from tests.reviews.factories import (
    AssignmentFactory,
    AssignmentRunFactory,
    BidFactory,
    ConflictFactory,
    ReviewerInvitationFactory,
    ReviewerProfileFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
    SubmittedReviewFactory,
    accepted_reviewer,
    workspace_form,
)


@dataclass
class FuzzWorld:
    staff: object
    applicant: object
    ids: dict[str, list] = field(default_factory=dict)

    def token(self, identity: str) -> str:
        return Token.objects.get_or_create(user=getattr(self, identity))[0].key


def _pks(objects) -> list[int]:
    return sorted({obj.pk for obj in objects})


def _review_call(applicant):
    """A closed call with two submitted applications (one Ada's), reviewers and an open meeting."""
    call = CallFactory(status=Call.Status.CLOSED, reviewers_per_application=1)
    mine = SubmittedApplicationFactory(call=call, pi=applicant, institution=applicant.institution)
    other = SubmittedApplicationFactory(call=call)
    form = workspace_form(call)
    ReviewPhaseFactory(call=call)
    reviewer = accepted_reviewer(call, name="Rita Reviewer")
    second = accepted_reviewer(call, name="Sam Second")
    conflicted = accepted_reviewer(call, name="Conny Conflicted")
    invited = ReviewerProfileFactory(user__full_name="Ivan Invited").user
    invitation = ReviewerInvitationFactory(call=call, reviewer=invited, status="pending", responded_at=None)
    run = AssignmentRunFactory(call=call)
    assignments = [
        AssignmentFactory(application=mine, reviewer=reviewer),
        AssignmentFactory(application=other, reviewer=second),
        AssignmentFactory(application=mine, reviewer=second, run=run, state=Assignment.State.PROPOSED),
    ]
    for assignment in assignments[:2]:
        SubmittedReviewFactory(assignment=assignment, form=form, weighted_total=70.0)
    draft_assignment = AssignmentFactory(application=other, reviewer=reviewer)
    draft = Review.objects.create(assignment=draft_assignment, form=form, status=Review.Status.DRAFT)
    conflict = ConflictFactory(application=mine, reviewer=conflicted)
    bid = BidFactory(application=other, reviewer=conflicted)
    chair = CommitteeMembershipFactory(call=call, role="chair", user__full_name="Carla Chair").user
    CommitteeMembershipFactory(call=call, user__full_name="Mo Member")
    Triage.objects.create(call=call, discuss_count=2)
    meeting = open_meeting(call=call, by=chair)
    return {
        "calls": [call.pk],
        "applications": [mine.pk, other.pk],
        "assignments": _pks([*assignments, draft_assignment]),
        "assignment-runs": [run.pk],
        "review-forms": [form.pk],
        "reviews": [
            draft.pk,
            *Review.objects.filter(assignment__in=assignments).values_list("pk", flat=True),
        ],
        "reviewers": _pks(user.reviewer_profile for user in (reviewer, second, conflicted, invited)),
        "reviewer": [reviewer.pk, second.pk, conflicted.pk, invited.pk],
        "assignment": _pks([*assignments, draft_assignment]),
        "conflicts": [conflict.pk],
        "bids": [bid.pk],
        "invitations": [invitation.pk],
        "items": _pks(meeting.items.all()),
        "calls/items": [(call.pk, item.pk) for item in meeting.items.all()],
        "item": _pks(meeting.items.all()),
    }


def _decisions(applicant):
    """A call in review with pending decisions and a funded application of Ada's with its letter."""
    call, chair, (first, second) = deciding_call(requests=("30000", "20000"))
    mine = submitted_application(call, requested="25000", title="Ada's funded study")
    mine.pi, mine.institution = applicant, applicant.institution
    mine.save(update_fields=["pi", "institution"])
    funders = list(call.commitments.values_list("funder_id", flat=True))
    pending = Decision.objects.create(
        call=call, application=first, outcome=Decision.Outcome.FUND, amount=Decimal("30000.00")
    )
    applied = Decision.objects.create(
        call=call,
        application=mine,
        outcome=Decision.Outcome.FUND,
        published_outcome=Decision.Outcome.FUND,
        status=Decision.Status.APPLIED,
        amount=Decimal("25000.00"),
        duration_months=24,
    )
    FundingShare.objects.create(decision=applied, funder_id=funders[0], amount=Decimal("25000.00"))
    award = Award.objects.create(
        application=mine,
        decision=applied,
        reference=f"AW-{mine.reference}",
        amount=applied.amount,
        currency=call.currency,
        duration_months=24,
    )
    batch = LetterBatch.objects.create(call=call, label="Decisions applied", created_by=chair)
    content = pdf_bytes(1)
    letter = Letter(
        decision=applied,
        batch=batch,
        kind=Letter.Kind.AWARD,
        status=Letter.Status.DONE,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        pages=1,
    )
    letter.file.save("award.pdf", ContentFile(content), save=False)
    letter.save()
    waiting = Letter.objects.create(decision=applied, batch=batch, kind=Letter.Kind.SUMMARY)
    return {
        "calls": [call.pk],
        "decisions": [first.pk, second.pk, mine.pk],
        "calls/decisions": [(call.pk, a.pk) for a in (first, second, mine)],
        "applications": [mine.pk, first.pk],
        "awards": [award.pk],
        "letter-batches": [batch.pk],
        "letters": [letter.pk, waiting.pk],
        "funder": funders,
        "decision": [pending.pk],
    }


def _priorities(applicant):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    CommentFactory(question=question)
    CommunityProfileFactory(user=applicant)
    draft = QuestionFactory(round=round_, author=applicant, status="draft", published_at=None)
    return {"rounds": [round_.pk], "round": [round_.pk], "questions": [question.pk, draft.pk]}


def build_world() -> FuzzWorld:
    staff = UserFactory(full_name="Olga Officer", email="officer@example.org", is_staff=True)
    applicant = ApplicantFactory(full_name="Ada Applicant", email="ada@example.org")
    open_call = CallFactory(title="Ocean Health Challenge", slug="ocean-health")
    CommitmentFactory(call=open_call)
    draft = complete_draft(call=open_call, pi=applicant)
    member = TeamMemberFactory(application=draft)
    exclusion = ReviewerExclusionFactory(application=draft)
    ids: dict[str, list] = {
        "applications/team": [(draft.pk, member.pk)],
        "applications/budget": [(draft.pk, line.pk) for line in draft.budget_lines.all()],
        "applications/exclusions": [(draft.pk, exclusion.pk)],
        "applications/attachments": [(draft.pk, a.pk) for a in draft.attachments.all()],
        "calls": [open_call.pk],
        "applications": [draft.pk],
        "team": [member.pk],
        "budget": _pks(draft.budget_lines.all()),
        "exclusions": [exclusion.pk],
        "attachments": _pks(draft.attachments.all()),
    }
    for part in (_review_call(applicant), _decisions(applicant), _priorities(applicant)):
        for key, values in part.items():
            ids[key] = sorted({*ids.get(key, []), *values})
    ids = {key: list(values) for key, values in ids.items()}
    ids["application"] = ids["applications"]
    ids["call"] = ids["calls"]
    ids["into"] = ids["questions"]
    ids["call_slugs"] = sorted(Call.objects.values_list("slug", flat=True))
    ids["program_codes"] = sorted(Program.objects.values_list("code", flat=True))
    ids["focus_area_slugs"] = sorted(FocusArea.objects.values_list("slug", flat=True))[:5]
    ids["review-forms"] = _pks(ReviewForm.objects.all())
    ids["assignment-runs"] = _pks(AssignmentRun.objects.all())
    return FuzzWorld(staff=staff, applicant=applicant, ids=ids)
