"""Assignment runs end to end: start → (eager task) → proposal → edits → publish → e-mails."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import Call, CommitteeMembership
from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from reviews.models import Affinity, Assignment, AssignmentRun, Conflict, ForbiddenPair, ReviewerProfile
from reviews.selectors_assignment import run_summary
from reviews.services import (
    add_assignment,
    forbid_pair,
    publish_assignment_run,
    remove_assignment,
    set_pinned,
    start_assignment_run,
    swap_assignment,
)
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory
from tests.reviews.assignment_topics import TOPICS
from tests.reviews.factories import SubmittedApplicationFactory, accepted_reviewer

pytestmark = pytest.mark.django_db
LAY = ReviewerProfile.Kind.LAY


@pytest.fixture
def closed_call(db):
    return CallFactory(
        status=Call.Status.CLOSED,
        reviewers_per_application=3,
        lay_reviewers_per_application=1,
        review_due_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def chair(closed_call):
    return CommitteeMembershipFactory(
        call=closed_call, role=CommitteeMembership.Role.CHAIR, user__full_name="Carla Chair"
    ).user


@pytest.fixture
def apps(closed_call):
    return {
        key: SubmittedApplicationFactory(
            call=closed_call, title=title, scientific_abstract=abstract, keywords=kw
        )
        for key, (title, abstract, kw) in TOPICS.items()
    }


def _expertise(*keys):
    return " ".join(TOPICS[k][1] for k in keys), ", ".join(TOPICS[k][2] for k in keys)


@pytest.fixture
def reviewers(closed_call):
    people = {}
    for name, keys in [
        ("Mia Myelin", ("myelin", "cognition")),
        ("Gus Gut", ("gut", "vitamin")),
        ("Ima Imaging", ("mri", "exercise")),
        ("Ben Bcell", ("bcell", "ebv")),
    ]:
        expertise, keywords = _expertise(*keys)
        people[name] = accepted_reviewer(
            closed_call, name=name, expertise=expertise, keywords=keywords, load_limit=5
        )
    for name, text in [
        ("Lara Lay", "I have lived with MS for ten years; fatigue, exercise and diet matter to me."),
        ("Leo Lay", "Person with progressive MS; interested in memory problems and new treatments."),
    ]:
        people[name] = accepted_reviewer(closed_call, name=name, kind=LAY, expertise=text, load_limit=5)
    return people


@pytest.fixture
def conflict(apps, reviewers):
    """Ima Imaging is the obvious match for the MRI application, but has a conflict with it."""
    return Conflict.objects.create(
        application=apps["mri"],
        reviewer=reviewers["Ima Imaging"],
        source="declared",
        kind="collaborator",
        reason="Co-author of the PI.",
    )


def _run(call, by, capture, **kwargs) -> AssignmentRun:
    """Start a run; the on-commit task executes eagerly when the capture block ends."""
    with capture(execute=True):
        run = start_assignment_run(call=call, by=by, **kwargs)
    run.refresh_from_db()
    return run


@pytest.fixture
def proposal(closed_call, apps, reviewers, conflict, staff, django_capture_on_commit_callbacks):
    run = _run(closed_call, staff, django_capture_on_commit_callbacks)
    assert run.status == AssignmentRun.Status.PROPOSED, run.message
    return run


def _pairs(run) -> set[tuple[str, str]]:
    return {
        (a.application.reference, a.reviewer.full_name)
        for a in run.assignments.select_related("application", "reviewer")
    }


def test_a_run_assigns_k_reviewers_with_the_lay_quota_within_loads_and_never_a_conflict(
    proposal, apps, reviewers
):
    assignments = list(proposal.assignments.select_related("reviewer__reviewer_profile"))
    per_app = Counter(a.application_id for a in assignments)
    lay_per_app = Counter(a.application_id for a in assignments if a.reviewer.reviewer_profile.is_lay)
    loads = Counter(a.reviewer_id for a in assignments)

    assert sorted(per_app.values()) == [3] * 8
    assert all(lay_per_app[app.pk] >= 1 for app in apps.values())
    assert max(loads.values()) <= 5
    assert (apps["mri"].reference, "Ima Imaging") not in _pairs(proposal)
    assert {a.state for a in assignments} == {Assignment.State.PROPOSED}
    assert {a.source for a in assignments} == {Assignment.Source.AUTOMATIC}
    assert proposal.progress == 100
    assert proposal.stage == "Proposal ready"
    assert proposal.total_affinity == pytest.approx(sum(a.affinity for a in assignments))
    assert proposal.finished_at is not None
    assert proposal.solve_seconds >= 0


def test_the_obviously_matching_reviewer_gets_their_applications(proposal, apps, reviewers):
    pairs = _pairs(proposal)
    for key, name in [
        ("myelin", "Mia Myelin"),
        ("gut", "Gus Gut"),
        ("bcell", "Ben Bcell"),
        ("ebv", "Ben Bcell"),
    ]:
        assert (apps[key].reference, name) in pairs
    best = Affinity.objects.filter(run=proposal, application=apps["myelin"]).order_by("-total").first()
    assert best.reviewer == reviewers["Mia Myelin"]
    assert best.text == 1.0 or best.text > 0.5
    assert "remyelination" in best.terms or "myelin" in best.terms


def test_affinity_rows_cover_every_allowed_pair_with_terms_only_for_assigned_pairs(proposal, apps, reviewers):
    assert Affinity.objects.filter(run=proposal).count() == 8 * 6 - 1  # minus the conflicted pair
    assert not Affinity.objects.filter(
        run=proposal, application=apps["mri"], reviewer=reviewers["Ima Imaging"]
    ).exists()
    assigned = set(proposal.assignments.values_list("application_id", "reviewer_id"))
    with_terms = set(
        Affinity.objects.filter(run=proposal).exclude(terms="").values_list("application_id", "reviewer_id")
    )
    assert with_terms <= assigned
    assert with_terms


def test_a_run_is_audited_and_nothing_is_published_before_publishing(proposal, staff):
    verbs = list(
        AuditEvent.objects.filter(target_id=str(proposal.pk)).order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["assignment.run_started", "assignment.run_finished"]
    assert not Assignment.objects.filter(state=Assignment.State.PUBLISHED).exists()
    assert mail.outbox == []


def test_too_few_reviewers_fail_the_run_with_a_message_naming_the_cause(
    closed_call, staff, django_capture_on_commit_callbacks
):
    app = SubmittedApplicationFactory(call=closed_call)
    accepted_reviewer(closed_call, name="Only Scientist")
    accepted_reviewer(closed_call, name="Only Lay", kind=LAY)
    run = _run(closed_call, staff, django_capture_on_commit_callbacks)

    assert run.status == AssignmentRun.Status.FAILED
    assert f"Application {app.reference} has only 2 eligible reviewers; 3 are needed" in run.message
    assert not run.assignments.exists()
    assert AuditEvent.objects.filter(verb="assignment.run_failed", target_id=str(run.pk)).count() == 1


def test_a_run_refuses_an_open_call_and_a_second_active_run(closed_call, staff):
    open_call = CallFactory()
    with pytest.raises(StateConflict, match="reviewers are assigned once it is closed"):
        start_assignment_run(call=open_call, by=staff)
    AssignmentRun.objects.create(call=closed_call)
    with pytest.raises(StateConflict, match="is queued: wait until it has finished"):
        start_assignment_run(call=closed_call, by=staff)


def _assignment(run, app, name):
    return run.assignments.get(application=app, reviewer__full_name=name)


def _reviewers_of(run, app):
    return sorted(run.assignments.filter(application=app).values_list("reviewer__full_name", flat=True))


def _non_lay(run, app):
    return [a for a in run.assignments.filter(application=app) if not a.reviewer.reviewer_profile.is_lay]


def test_edits_respect_k_conflicts_loads_and_the_lay_quota(proposal, apps, reviewers, staff):
    myelin, mri = apps["myelin"], apps["mri"]
    newcomer = accepted_reviewer(proposal.call, name="Nia Newcomer", load_limit=2)
    with pytest.raises(Invalid, match=f"{myelin.reference} already has its 3 reviewers"):
        add_assignment(run=proposal, application=myelin, reviewer=newcomer, by=staff)

    removed = _non_lay(proposal, mri)[0]
    remove_assignment(assignment=removed, by=staff)  # allowed: the proposal may be short for a while
    assert len(_reviewers_of(proposal, mri)) == 2
    with pytest.raises(Invalid, match=f"Ima Imaging has a conflict of interest with {mri.reference}"):
        add_assignment(run=proposal, application=mri, reviewer=reviewers["Ima Imaging"], by=staff)
    staying = proposal.assignments.filter(application=mri).first().reviewer
    with pytest.raises(Invalid, match=f"{staying} is already assigned to {mri.reference}"):
        add_assignment(run=proposal, application=mri, reviewer=staying, by=staff)
    # The newcomer reaches their limit of 2 by hand, then a third application is refused.
    for app in (apps["gut"], apps["bcell"]):
        swap_assignment(assignment=_non_lay(proposal, app)[-1], reviewer=newcomer, by=staff)
    with pytest.raises(
        Invalid,
        match="Nia Newcomer already has 2 applications in this proposal, their limit for this call is 2",
    ):
        add_assignment(run=proposal, application=mri, reviewer=newcomer, by=staff)

    added = add_assignment(run=proposal, application=mri, reviewer=removed.reviewer, by=staff, pinned=True)
    assert added.source == Assignment.Source.MANUAL
    assert added.pinned
    assert (
        added.affinity == Affinity.objects.get(run=proposal, application=mri, reviewer=removed.reviewer).total
    )
    assert len(_reviewers_of(proposal, mri)) == 3


def test_a_non_lay_reviewer_cannot_take_the_place_kept_for_the_lay_quota(proposal, apps, staff):
    app = next(
        a
        for a in apps.values()
        if proposal.assignments.filter(application=a, reviewer__reviewer_profile__kind=LAY).count() == 1
    )
    lay = proposal.assignments.get(application=app, reviewer__reviewer_profile__kind=LAY)
    scientist = accepted_reviewer(proposal.call, name="Sam Scientist")
    with pytest.raises(
        Invalid, match=f"{app.reference} needs at least 1 lay reviewer: Sam Scientist is not a lay"
    ):
        swap_assignment(assignment=lay, reviewer=scientist, by=staff)
    remove_assignment(assignment=lay, by=staff)
    with pytest.raises(Invalid, match="its remaining places are kept for lay reviewers"):
        add_assignment(run=proposal, application=app, reviewer=scientist, by=staff)
    lay_newcomer = accepted_reviewer(proposal.call, name="Lou Lay", kind=LAY)
    assert add_assignment(run=proposal, application=app, reviewer=lay_newcomer, by=staff).source == "manual"


def test_swap_replaces_the_reviewer_and_checks_conflicts(proposal, apps, reviewers, staff):
    mri = apps["mri"]
    assignment = _non_lay(proposal, mri)[0]
    with pytest.raises(Invalid, match="conflict of interest"):
        swap_assignment(assignment=assignment, reviewer=reviewers["Ima Imaging"], by=staff)
    outsider = UserFactory(full_name="Not Invited")
    with pytest.raises(Invalid, match="Not Invited has not accepted an invitation to review this call"):
        swap_assignment(assignment=assignment, reviewer=outsider, by=staff)
    newcomer = accepted_reviewer(proposal.call, name="Nia Newcomer")

    swapped = swap_assignment(assignment=assignment, reviewer=newcomer, by=staff)

    assert swapped.reviewer == newcomer
    assert swapped.source == Assignment.Source.MANUAL
    assert "Nia Newcomer" in _reviewers_of(proposal, mri)
    assert swapped.affinity is None  # the newcomer accepted after the run: the run has no affinity for them
    event = AuditEvent.objects.get(verb="assignment.swapped")
    assert event.before["reviewer"] == assignment.reviewer_id
    assert event.after["reviewer"] == newcomer.pk


def test_forbidding_a_pair_takes_it_out_of_the_proposal(proposal, apps, reviewers, chair):
    assignment = _assignment(proposal, apps["myelin"], "Mia Myelin")
    pair = forbid_pair(
        call=proposal.call,
        application=apps["myelin"],
        reviewer=reviewers["Mia Myelin"],
        by=chair,
        reason="Same lab last year",
    )

    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert ForbiddenPair.objects.get() == pair
    with pytest.raises(Invalid, match="are a forbidden pair \\(Same lab last year\\)"):
        add_assignment(run=proposal, application=apps["myelin"], reviewer=reviewers["Mia Myelin"], by=chair)
    assert AuditEvent.objects.get(verb="assignment.pair_forbidden").data["removed_from_runs"] == [proposal.pk]


def test_pinning_is_audited_and_kept_by_the_next_run(
    proposal, apps, reviewers, staff, django_capture_on_commit_callbacks
):
    assignment = _assignment(proposal, apps["ebv"], "Ben Bcell")
    set_pinned(assignment=assignment, pinned=True, by=staff)
    assert AuditEvent.objects.filter(verb="assignment.pinned").count() == 1
    second = _run(proposal.call, staff, django_capture_on_commit_callbacks)
    kept = second.assignments.get(application=apps["ebv"], reviewer=reviewers["Ben Bcell"])
    assert kept.pinned


def test_publish_is_refused_while_an_application_is_short_then_sends_one_email_per_reviewer(
    proposal, apps, reviewers, staff, django_capture_on_commit_callbacks
):
    assignment = proposal.assignments.filter(application=apps["vitamin"]).first()
    name, reviewer = assignment.reviewer.full_name, assignment.reviewer
    remove_assignment(assignment=assignment, by=staff)
    with pytest.raises(StateConflict, match=f"do not have 3 reviewers: {apps['vitamin'].reference} \\(2\\)"):
        publish_assignment_run(run=proposal, by=staff)
    add_assignment(run=proposal, application=apps["vitamin"], reviewer=reviewer, by=staff)
    other = AssignmentRun.objects.create(call=proposal.call, status=AssignmentRun.Status.PROPOSED)

    with django_capture_on_commit_callbacks(execute=True):
        published = publish_assignment_run(run=proposal, by=staff)

    assert published.status == AssignmentRun.Status.PUBLISHED
    assert set(proposal.assignments.values_list("state", flat=True)) == {Assignment.State.PUBLISHED}
    assert set(proposal.assignments.values_list("due_at", flat=True)) == {proposal.call.review_due_at}
    other.refresh_from_db()
    assert other.status == AssignmentRun.Status.DISCARDED
    loads = Counter(proposal.assignments.values_list("reviewer__email", flat=True))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(loads)
    message = next(m for m in mail.outbox if m.to == [reviewer.email])
    for app in Assignment.objects.filter(run=proposal, reviewer=reviewer).select_related("application"):
        assert f"{app.application.reference}  {app.application.title}" in message.body
    assert f"Dear {name}" in message.body
    assert AuditEvent.objects.filter(verb="assignment.run_published", target_id=str(proposal.pk)).count() == 1
    with pytest.raises(StateConflict, match="only a proposal can be published"):
        publish_assignment_run(run=proposal, by=staff)


def test_a_second_run_cannot_be_published_over_a_published_one(
    proposal, staff, django_capture_on_commit_callbacks
):
    second = _run(proposal.call, staff, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        publish_assignment_run(run=proposal, by=staff)
    second.refresh_from_db()
    second.status = AssignmentRun.Status.PROPOSED  # as if it had been started again
    second.save()
    with pytest.raises(StateConflict, match=f"Run #{proposal.pk} of this call is already published"):
        publish_assignment_run(run=second, by=staff)


@pytest.fixture(params=["member", "reviewer"])
def outsider(request, closed_call, reviewers):
    if request.param == "member":
        return CommitteeMembershipFactory(call=closed_call, role=CommitteeMembership.Role.MEMBER).user
    return reviewers["Lara Lay"]


def test_committee_members_and_reviewers_may_not_run_edit_or_publish(proposal, apps, reviewers, outsider):
    assignment = proposal.assignments.first()
    before_events = AuditEvent.objects.count()
    before = sorted(proposal.assignments.values_list("application_id", "reviewer_id", "pinned"))
    attempts = [
        lambda: start_assignment_run(call=proposal.call, by=outsider),
        lambda: add_assignment(
            run=proposal, application=apps["mri"], reviewer=reviewers["Leo Lay"], by=outsider
        ),
        lambda: remove_assignment(assignment=assignment, by=outsider),
        lambda: swap_assignment(assignment=assignment, reviewer=reviewers["Leo Lay"], by=outsider),
        lambda: set_pinned(assignment=assignment, pinned=True, by=outsider),
        lambda: forbid_pair(
            call=proposal.call, application=apps["mri"], reviewer=reviewers["Leo Lay"], by=outsider
        ),
        lambda: publish_assignment_run(run=proposal, by=outsider),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="Only staff or the committee chair"):
            attempt()
    assert sorted(proposal.assignments.values_list("application_id", "reviewer_id", "pinned")) == before
    assert AuditEvent.objects.count() == before_events
    assert AssignmentRun.objects.count() == 1


def test_the_chair_may_edit_and_every_edit_is_audited(proposal, apps, reviewers, chair):
    assignment = proposal.assignments.filter(application=apps["cognition"]).first()
    reviewer = assignment.reviewer
    remove_assignment(assignment=assignment, by=chair)
    added = add_assignment(run=proposal, application=apps["cognition"], reviewer=reviewer, by=chair)
    set_pinned(assignment=added, pinned=True, by=chair)
    set_pinned(assignment=added, pinned=False, by=chair)
    events = AuditEvent.objects.filter(actor=chair).order_by("pk").values_list("verb", flat=True)
    assert list(events) == [
        "assignment.removed",
        "assignment.added",
        "assignment.pinned",
        "assignment.unpinned",
    ]


def test_run_summary_in_bounded_queries(proposal, apps, reviewers, django_assert_max_num_queries):
    staff = UserFactory(is_staff=True)
    with django_assert_max_num_queries(5):
        summary = run_summary(proposal, staff)
        rows = {row.application.reference: row for row in summary.applications}
        assert len(rows) == 8
        assert all(len(row.reviewers) == 3 and row.missing == 0 for row in rows.values())
        mia = next(
            r for r in rows[apps["myelin"].reference].reviewers if r.reviewer.full_name == "Mia Myelin"
        )
        assert mia.text > 0.5
        assert mia.terms
        assert mia.bid == 0.5
        loads = {entry.reviewer.full_name: (entry.load, entry.limit) for entry in summary.reviewers}
        assert sum(load for load, _ in loads.values()) == 24
        assert all(limit == 5 for _, limit in loads.values())
        assert summary.worst.affinity == min(row.affinity for row in rows.values())


def test_start_is_refused_for_users_without_an_account(closed_call):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        start_assignment_run(call=closed_call, by=AnonymousUser())
    assert not AssignmentRun.objects.exists()


def test_a_run_whose_worker_was_lost_long_ago_no_longer_blocks_the_call(closed_call, staff):
    lost = AssignmentRun.objects.create(call=closed_call, status=AssignmentRun.Status.RUNNING)
    AssignmentRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))

    run = start_assignment_run(call=closed_call, by=staff)

    lost.refresh_from_db()
    assert lost.status == AssignmentRun.Status.FAILED
    assert "never finished" in lost.message
    assert run.status == AssignmentRun.Status.QUEUED


def test_publish_refuses_assignments_of_an_application_withdrawn_since_the_run(proposal, apps, staff):
    Application = type(apps["gut"])
    Application.objects.filter(pk=apps["gut"].pk).update(status=Application.Status.WITHDRAWN)
    with pytest.raises(
        StateConflict, match=f"no longer submitted; remove their reviewers: {apps['gut'].reference}"
    ):
        publish_assignment_run(run=proposal, by=staff)
    assert not Assignment.objects.filter(state=Assignment.State.PUBLISHED).exists()


def test_a_new_conflict_blocks_publication_of_the_pair(proposal, apps, staff):
    assignment = proposal.assignments.select_related("application", "reviewer").first()
    Conflict.objects.create(
        application=assignment.application,
        reviewer=assignment.reviewer,
        source="staff",
        kind="other",
        reason="Found late.",
    )
    with pytest.raises(StateConflict, match="now conflicts of interest or forbidden"):
        publish_assignment_run(run=proposal, by=staff)
