"""``manage.py demo`` builds the review of the call in review: a reviewer pool (a third lay), invitations
answered, conflicts detected and declared, bids, and one published assignment run that keeps every
rule. Running the demo again changes nothing."""

import re
from collections import Counter
from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import User
from applications.models import Application, Call
from applications.selectors import applications_visible_to
from audit.models import AuditEvent
from reviews.models import (
    Affinity,
    Assignment,
    AssignmentRun,
    Bid,
    Conflict,
    ReviewerInvitation,
    ReviewerProfile,
)
from reviews.selectors import active_conflict_pairs, reviewer_load_limit

CALL = "Challenge Awards 2026"
REVIEWER = "reviewer@granted.demo"
LAY_REVIEWER = "lay.reviewer@granted.demo"
MODELS = [
    User,
    ReviewerProfile,
    ReviewerInvitation,
    Conflict,
    Bid,
    AssignmentRun,
    Assignment,
    Affinity,
    AuditEvent,
]


def _call() -> Call:
    return Call.objects.get(title=CALL)


def _published(call: Call):
    return Assignment.objects.filter(call=call, state=Assignment.State.PUBLISHED)


def test_the_call_in_review_has_exactly_one_published_run(demo):
    call = _call()
    runs = call.assignment_runs.all()
    assert [run.status for run in runs] == [AssignmentRun.Status.PUBLISHED]
    run = runs.get()
    assert run.review_due_at == call.review_due_at
    assert run.total_affinity > 0
    assert run.worst_application is not None
    assert set(_published(call).values_list("run_id", flat=True)) == {run.pk}
    # Executed once, here: one start, one finish, one publication in the audit trail.
    verbs = Counter(
        AuditEvent.objects.filter(verb__startswith="assignment.run_").values_list("verb", flat=True)
    )
    assert verbs == {
        "assignment.run_started": 1,
        "assignment.run_finished": 1,
        "assignment.run_published": 1,
    }


def test_every_application_has_k_reviewers_with_a_lay_reviewer(demo):
    call = _call()
    k = call.reviewers_per_application
    assert k == 3
    submitted = set(call.applications.submitted().values_list("pk", flat=True))
    assert len(submitted) == 195
    reviewers: dict[int, list[str]] = {}
    for app_id, kind in _published(call).values_list("application_id", "reviewer__reviewer_profile__kind"):
        reviewers.setdefault(app_id, []).append(kind)
    assert set(reviewers) == submitted
    for kinds in reviewers.values():
        assert len(kinds) == k
        assert kinds.count(ReviewerProfile.Kind.LAY) >= call.lay_reviewers_per_application >= 1


def test_no_assigned_pair_is_a_conflict_and_same_institution_conflicts_exist(demo):
    call = _call()
    assigned = set(_published(call).values_list("application_id", "reviewer_id"))
    assert not assigned & active_conflict_pairs(call)
    same_institution = Conflict.objects.filter(
        application__call=call, kind=Conflict.Kind.SAME_INSTITUTION, lifted=False
    )
    assert same_institution.count() >= 1
    for conflict in same_institution.select_related("reviewer__institution", "application__institution")[:50]:
        assert conflict.reviewer.institution is not None
    assert not assigned & set(same_institution.values_list("application_id", "reviewer_id"))
    # Collaborators the reviewers listed and conflicts they declared themselves are there too.
    kinds = Counter(Conflict.objects.filter(application__call=call).values_list("kind", flat=True))
    assert kinds[Conflict.Kind.COLLABORATOR] >= 1
    assert Conflict.objects.filter(application__call=call, source=Conflict.Source.DECLARED).count() == 2


def test_loads_stay_within_each_reviewers_limit(demo):
    call = _call()
    loads = Counter(_published(call).values_list("reviewer_id", flat=True))
    invitations = {
        inv.reviewer_id: inv
        for inv in ReviewerInvitation.objects.filter(call=call).select_related("reviewer__reviewer_profile")
    }
    for reviewer_id, load in loads.items():
        invitation = invitations[reviewer_id]
        assert invitation.status == ReviewerInvitation.Status.ACCEPTED
        assert load <= reviewer_load_limit(invitation)
    lowered = [inv for inv in invitations.values() if inv.load_limit]
    assert lowered
    assert all(inv.load_limit < inv.reviewer.reviewer_profile.default_load for inv in lowered)


def test_the_pool_is_a_third_lay_and_most_accept(demo):
    call = _call()
    invitations = ReviewerInvitation.objects.filter(call=call).select_related("reviewer__reviewer_profile")
    kinds = Counter(inv.reviewer.reviewer_profile.kind for inv in invitations)
    assert 55 <= sum(kinds.values()) <= 65
    assert abs(kinds[ReviewerProfile.Kind.LAY] * 3 - sum(kinds.values())) <= 3
    statuses = Counter(inv.status for inv in invitations)
    assert statuses[ReviewerInvitation.Status.PENDING] == 0
    assert statuses[ReviewerInvitation.Status.DECLINED] >= 2
    assert statuses[ReviewerInvitation.Status.ACCEPTED] > 0.9 * sum(statuses.values())
    for inv in invitations.filter(status=ReviewerInvitation.Status.DECLINED):
        assert inv.decline_reason
    for profile in ReviewerProfile.objects.filter(user__review_invitations__call=call):
        assert 8 <= profile.default_load <= 14
        assert profile.expertise
        assert profile.keywords
        assert profile.focus_areas.exists()
    for email in (REVIEWER, LAY_REVIEWER):
        assert invitations.get(reviewer__email=email).status == ReviewerInvitation.Status.ACCEPTED
    assert User.objects.get(email=LAY_REVIEWER).reviewer_profile.is_lay
    assert not User.objects.get(email=REVIEWER).reviewer_profile.is_lay


def test_bids_of_every_kind_on_applications_without_conflict(demo):
    call = _call()
    bids = Bid.objects.filter(application__call=call)
    values = set(bids.values_list("value", flat=True))
    assert {Bid.Value.EAGER, Bid.Value.WILLING, Bid.Value.NOT_WILLING} <= values
    assert not set(bids.values_list("application_id", "reviewer_id")) & active_conflict_pairs(call)
    # Affinity was computed for every allowed pair of the run, with the bids in it.
    run = call.assignment_runs.get()
    affinities = Affinity.objects.filter(run=run)
    assert affinities.count() > 9000
    assert affinities.filter(bid=1.0).exists()


def test_the_demo_reviewer_sees_exactly_their_assigned_applications(demo):
    call = _call()
    reviewer = User.objects.get(email=REVIEWER)
    assigned = set(_published(call).filter(reviewer=reviewer).values_list("application_id", flat=True))
    assert len(assigned) >= 1
    visible = set(applications_visible_to(reviewer).values_list("pk", flat=True))
    assert visible == assigned
    assert set(Application.objects.filter(pk__in=visible).values_list("call_id", flat=True)) == {call.pk}
    # Their own institution's applications are conflicts, and hidden.
    conflicted = {a for a, r in active_conflict_pairs(call) if r == reviewer.pk}
    assert conflicted
    assert not conflicted & visible


def test_the_reviewer_logins_are_printed_and_work(demo):
    assert f"Review of {CALL}: " in demo
    assert "20 lay" in demo
    assert "same institution" in demo
    for email in (REVIEWER, LAY_REVIEWER):
        row = re.search(rf"\|\s*([^|]+?)\s*\|\s*{re.escape(email)}\s*\|\s*(\S+)\s*\|", demo)
        assert row, f"{email} is missing from the logins table"
        # Axes (login throttling) needs the request that signs in.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=email, password=row.group(2)) == User.objects.get(email=email)


def test_second_run_changes_no_counts(demo):
    first = {model.__name__: model.objects.count() for model in MODELS}
    call_command("demo", "--quiet", stdout=StringIO())
    assert {model.__name__: model.objects.count() for model in MODELS} == first
    assert first["AssignmentRun"] == 1
    assert first["Assignment"] == 585
