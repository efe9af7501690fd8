"""The pieces of the matrix's world (``tests.security.authz.world``), built through the services where
they exist and with the suites' factories otherwise."""

from datetime import date
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import Application, Call, CommitteeMembership, TeamMember
from applications.services import submit_application
from awards.models import Award, Letter, LetterSettings, LetterTemplate
from awards.services import DecisionInput, apply_decisions, set_decision
from awards.services.letters import render_letter
from portfolio.services import publish_project
from priorities.models import PriorityChoice, Round, TopTen
from priorities.services import hide_comment, save_question_draft
from reviews.models import Assignment, ReviewerInvitation, Triage
from reviews.services.meeting import open_meeting, record_discussion_notes
from reviews.services.reviewing import save_review_draft, submit_review
from tests.applications.factories import (
    ApplicantFactory,
    ReviewerExclusionFactory,
    TeamMemberFactory,
    accepted_co_investigator,
    complete_draft,
)
from tests.awards.factories import submitted_application
from tests.awards.letters_world import signature_png
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CommitteeMembershipFactory,
    FunderFactory,
    UserFactory,
)
from tests.priorities.factories import (
    CommentFactory,
    CommunityProfileFactory,
    QuestionFactory,
    RoundFactory,
    focus_area,
    give_votes,
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
    workspace_form,
)
from tests.security.authz.roles import (
    ANOTHER_APPLICANT,
    ASSIGNED,
    CHAIR,
    CO_INVESTIGATOR,
    CONFLICTED,
    MEMBER,
    OWNER,
    STAFF,
    UNASSIGNED,
)


def people(w) -> None:
    """The nine signed-in roles, a reviewer with no role and a community member with no role."""
    make = ApplicantFactory
    w.users.update(
        {
            OWNER: make(full_name="Owen Owner", email="owner@authz.example"),
            CO_INVESTIGATOR: make(full_name="Coral Coinvestigator", email="coi@authz.example"),
            ANOTHER_APPLICANT: make(full_name="Abel Another", email="another@authz.example"),
            ASSIGNED: make(full_name="Asha Assigned", email="assigned@authz.example"),
            UNASSIGNED: make(full_name="Umar Unassigned", email="unassigned@authz.example"),
            CONFLICTED: make(full_name="Cleo Conflicted", email="conflicted@authz.example"),
            MEMBER: make(full_name="Mina Member", email="member@authz.example"),
            CHAIR: make(full_name="Chidi Chair", email="chair@authz.example"),
            STAFF: UserFactory(
                full_name="Olga Officer", email="staff@authz.example", is_staff=True, is_superuser=True
            ),
        }
    )
    w.objects["other_reviewer"] = make(full_name="Otto Otherreviewer", email="other-reviewer@authz.example")
    w.objects["other_pi"] = make(full_name="Pia Otherpi", email="other-pi@authz.example")
    for role in (ASSIGNED, UNASSIGNED, CONFLICTED):
        ReviewerProfileFactory(user=w.user(role), expertise="Remyelination and MRI.")
    ReviewerProfileFactory(user=w.other_reviewer, expertise="Rehabilitation.")
    # In the pool, not yet invited to the call under review (staff invite them).
    w.objects["pool_candidate"] = ReviewerProfileFactory(
        user=make(full_name="Pat Poolcandidate", email="pool@authz.example")
    ).user
    w.objects["owner_institution"] = w.user(OWNER).institution
    Group.objects.create(name="Program officers")
    # Rows for the admin pages of sign-in throttling and two-factor devices (none takes effect: the
    # attempt is another address's, the authenticator app is not confirmed).
    attempt = {"user_agent": "test", "ip_address": "10.0.0.9", "username": "x@elsewhere.example"}
    attempt |= {"http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    AccessLog.objects.create(**attempt)
    TOTPDevice.objects.create(user=w.other_pi, name="Phone", confirmed=False)
    StaticDevice.objects.create(user=w.other_pi, name="Backup codes", confirmed=False)


def open_call(w, value) -> None:
    """The open call: the owner's complete draft (co-investigator accepted, one more invited) and
    another applicant's draft; the unassigned reviewer is invited to review it (not answered yet)."""
    call = CallFactory(title="Open Call of the Matrix", slug="authz-open")
    draft = complete_draft(
        call=call,
        pi=w.user(OWNER),
        title=value(w, "draft-title"),
        scientific_abstract=value(w, "draft-abstract"),
    )
    accepted_co_investigator(draft, user=w.user(CO_INVESTIGATOR))
    invited = TeamMemberFactory(
        application=draft,
        name="Ivy Invitee",
        email="ivy@authz.example",
        invite_token=TeamMember.new_token(),
        invited_at=timezone.now(),
    )
    other_draft = complete_draft(call=call, pi=w.user(ANOTHER_APPLICANT), title=value(w, "other-draft-title"))
    invitation = ReviewerInvitationFactory(
        call=call, reviewer=w.user(UNASSIGNED), status=ReviewerInvitation.Status.PENDING, responded_at=None
    )
    w.objects.update(
        open_call=call,
        draft=draft,
        draft_budget_line=draft.budget_lines.order_by("pk").first(),
        invited=invited,
        other_draft=other_draft,
        pending_invitation=invitation,
    )


def _submitted(w, value, call: Call) -> Application:
    """The owner's application, drafted and submitted through the service while the call was open."""
    application = complete_draft(
        call=call,
        pi=w.user(OWNER),
        title=value(w, "sub-title"),
        lay_summary=value(w, "sub-lay"),
        scientific_abstract=value(w, "sub-abstract"),
        keywords=f"remyelination, {value(w, 'sub-keyword')}",
    )
    application.budget_lines.update(justification=value(w, "sub-budget"))
    application.attachments.update(original_name=f"{value(w, 'sub-attachment')}.pdf")
    accepted_co_investigator(application, user=w.user(CO_INVESTIGATOR))
    TeamMemberFactory(
        application=application,
        name=value(w, "sub-team-name"),
        email=value(w, "sub-team-email"),
    )
    ReviewerExclusionFactory(
        application=application, name=value(w, "sub-exclusion-name"), reason=value(w, "sub-exclusion-reason")
    )
    return submit_application(application=application, by=w.user(OWNER))


def review_call(w, value) -> None:
    """The call under review and everything the review and the committee did on it."""
    call = CallFactory(title="Review Call of the Matrix", slug="authz-review", max_request=Decimal("50000"))
    submitted = _submitted(w, value, call)
    second = SubmittedApplicationFactory(
        call=call,
        pi=w.other_pi,
        title="Second application (no role)",
        requested_amount=Decimal("15000"),
        duration_months=24,
    )
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    call.refresh_from_db()
    for amount in ("60000", "40000"):
        CommitmentFactory(call=call, funder=FunderFactory(), amount=Decimal(amount))
    CommitteeMembershipFactory(call=call, user=w.user(MEMBER))
    CommitteeMembershipFactory(call=call, user=w.user(CHAIR), role=CommitteeMembership.Role.CHAIR)
    workspace_form(call)
    ReviewPhaseFactory(call=call)
    for reviewer in (w.user(ASSIGNED), w.user(UNASSIGNED), w.user(CONFLICTED), w.other_reviewer):
        ReviewerInvitationFactory(call=call, reviewer=reviewer)
    assigned = AssignmentFactory(application=submitted, reviewer=w.user(ASSIGNED))
    save_review_draft(
        assignment=assigned, by=w.user(ASSIGNED), scores={"impact": 4}, strengths=value(w, "sub-draft-review")
    )
    other = AssignmentFactory(application=submitted, reviewer=w.other_reviewer)
    review = save_review_draft(
        assignment=other,
        by=w.other_reviewer,
        scores={"impact": 4, "method": 3, "involvement": "na"},
        overall=4,
        strengths="Clear aims.",
        comments_to_applicant=value(w, "sub-review-to-applicant"),
        confidential_comments=value(w, "sub-review-confidential"),
    )
    submit_review(review=review, by=w.other_reviewer)
    second_review = save_review_draft(
        assignment=AssignmentFactory(application=second, reviewer=w.other_reviewer),
        by=w.other_reviewer,
        scores={"impact": 3, "method": 5, "involvement": 2},
        overall=3,
    )
    submit_review(review=second_review, by=w.other_reviewer)
    # The conflict wins over a published assignment and a bid (both kept on purpose).
    bid = BidFactory(application=submitted, reviewer=w.user(UNASSIGNED))
    conflicted = AssignmentFactory(application=submitted, reviewer=w.user(CONFLICTED))
    BidFactory(application=submitted, reviewer=w.user(CONFLICTED))
    conflict = ConflictFactory(
        application=submitted, reviewer=w.user(CONFLICTED), reason=value(w, "sub-conflict-reason")
    )
    Triage.objects.create(call=call, discuss_count=2)
    meeting = open_meeting(call=call, by=w.user(CHAIR))
    item = meeting.items.get(application=submitted)
    if meeting.current_item_id != item.pk:
        meeting.current_item = item
        meeting.save(update_fields=["current_item"])
    record_discussion_notes(item=item, notes=value(w, "sub-meeting-notes"), by=w.user(CHAIR))
    set_decision(
        application=submitted,
        by=w.user(CHAIR),
        data=DecisionInput(
            outcome="fund",
            amount=Decimal("10000"),
            conditions=value(w, "sub-decision-conditions"),
            discussion_summary=value(w, "sub-decision-summary"),
        ),
    )
    run = AssignmentRunFactory(call=call, created_by=w.user(CHAIR))
    proposed = AssignmentFactory(
        application=second,
        reviewer=w.user(UNASSIGNED),
        run=run,
        source=Assignment.Source.AUTOMATIC,
        state=Assignment.State.PROPOSED,
        published_at=None,
    )
    w.objects.update(
        review_call=call,
        submitted=submitted,
        second=second,
        assignment=assigned,
        conflicted_assignment=conflicted,
        bid=bid,
        review=review,
        draft_review=assigned.review,
        conflict=conflict,
        meeting=meeting,
        item=item,
        run=run,
        proposed=proposed,
        team_member=submitted.team.exclude(user__isnull=False).get(),
        budget_line=submitted.budget_lines.order_by("pk").first(),
        attachment=submitted.attachments.get(),
        exclusion=submitted.exclusions.get(),
        review_form=call.review_forms.get(),
    )


def decided_call(w, value) -> None:
    """The decided call: the owner's award offered and its letter rendered; another award published."""
    call = CallFactory(
        title="Decided Call of the Matrix",
        slug="authz-decided",
        status=Call.Status.IN_REVIEW,
        budget=Decimal("100000"),
        max_request=Decimal("100000"),
    )
    for amount in ("60000", "40000"):
        CommitmentFactory(call=call, funder=FunderFactory(), amount=Decimal(amount))
    CommitteeMembershipFactory(call=call, user=w.user(MEMBER))
    CommitteeMembershipFactory(call=call, user=w.user(CHAIR), role=CommitteeMembership.Role.CHAIR)
    settings = LetterSettings(call=call, signatory_name="Prof. Chidi Chair")
    settings.signature.save("signature.png", ContentFile(signature_png()), save=False)
    settings.save()
    LetterTemplate.objects.create(
        call=call, kind="award", subject="Your award {{ reference }}", body="<p>Dear {{ pi_name }},</p>"
    )
    won = submitted_application(call, requested="40000", title=value(w, "won-title"), n=1)
    Application.objects.filter(pk=won.pk).update(pi=w.user(OWNER))
    won.refresh_from_db()
    published = submitted_application(call, requested="30000", title="Published project (public)", n=2)
    chair = w.user(CHAIR)
    set_decision(
        application=won,
        by=chair,
        data=DecisionInput(
            outcome="fund",
            conditions=value(w, "won-conditions"),
            discussion_summary=value(w, "won-summary"),
            start_date=date(2027, 3, 1),
            duration_months=24,
        ),
    )
    set_decision(application=published, by=chair, data=DecisionInput(outcome="fund"))
    batch = apply_decisions(call=call, by=chair)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.DECIDED)
    call.refresh_from_db()
    letter = Letter.objects.get(decision__application=won, kind=Letter.Kind.AWARD)
    render_letter(letter.pk)
    public_award = Award.objects.get(application=published)
    publish_project(award=public_award, by=w.user(STAFF))
    w.objects.update(
        decided_call=call,
        won=won,
        award=Award.objects.get(application=won),
        public_award=public_award,
        letter=letter,
        batch=batch,
        letter_template=call.letter_templates.get(),
    )


def priorities(w, value) -> None:
    """A voting round (a published question, a visible and a hidden comment, votes by a member with no
    role), a gathering round with the owner's draft question, and a closed round with its top ten."""
    CommunityProfileFactory(user=w.user(OWNER), public_name="Owen")
    voting = voting_round(title="Voting round of the matrix", slug="authz-voting")
    question = QuestionFactory(round=voting, title="Published question of the matrix")
    visible = CommentFactory(question=question, body="A visible comment of the matrix.")
    hidden = CommentFactory(question=question, body=value(w, "comment-hidden"))
    hide_comment(comment=hidden, by=w.user(STAFF), reason="Off topic.")
    give_votes(question.author, question, 2)
    gathering = RoundFactory(title="Gathering round of the matrix", slug="authz-gathering")
    QuestionFactory(round=gathering, title="Gathered question of the matrix")
    draft_question = save_question_draft(
        round_=gathering,
        by=w.user(OWNER),
        title=value(w, "question-draft"),
        description="Only the owner sees this draft.",
        focus_area=focus_area(),
    )
    closed = RoundFactory(title="Closed round of the matrix", slug="authz-closed", phase=Round.Phase.CLOSED)
    chosen = QuestionFactory(round=closed, title="Chosen question of the matrix")
    top_ten = TopTen.objects.create(round=closed, chosen_on=date(2026, 1, 15), recorded_by=w.user(STAFF))
    PriorityChoice.objects.create(top_ten=top_ten, position=1, question=chosen, votes=3, voters=2)
    w.objects.update(
        voting_round=voting,
        gathering_round=gathering,
        question=question,
        visible_comment=visible,
        hidden_comment=hidden,
        draft_question=draft_question,
        closed_round=closed,
        focus_area=focus_area(),
    )
