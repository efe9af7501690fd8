"""Conflict detection on a generated pool with planted ties: every true conflict is found with the
right kind, nothing else is, lifted conflicts stay lifted, and the optimiser never assigns a conflict."""

import random

import pytest

from accounts.identifiers import orcid_check_digit
from applications.models import Call
from reviews.models import Assignment, AssignmentRun, Conflict, ReviewerInvitation
from reviews.services import (
    detect_call_conflicts,
    execute_assignment_run,
    lift_conflict,
    start_assignment_run,
)
from tests.applications.factories import ReviewerExclusionFactory, TeamMemberFactory
from tests.factories import CallFactory, InstitutionFactory, UserFactory
from tests.reviews.factories import (
    ReviewerInvitationFactory,
    ReviewerProfileFactory,
    SubmittedApplicationFactory,
)

K = Conflict.Kind


def make_orcid(n: int) -> str:
    base = f"{n:015d}"
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


@pytest.fixture
def pool(db, staff):
    """A call with 30 applications and 20 invited reviewers, and the conflicts planted among them."""
    rng = random.Random(7)
    call = CallFactory(
        status=Call.Status.CLOSED, reviewers_per_application=2, lay_reviewers_per_application=0
    )
    # Institutions: three with ROR ids, and one known by two spellings of the same name (no ROR id).
    oxford = InstitutionFactory(name="University of Oxford", ror_id="052gg0110")
    cambridge = InstitutionFactory(name="University of Cambridge", ror_id="013meh722")
    leiden = InstitutionFactory(name="Leiden University", ror_id="027bh9e22", country="NL")
    example_a = InstitutionFactory(name="The University of Example", country="NL")
    example_b = InstitutionFactory(name="University of Example", country="NL")
    same_place = {
        oxford: {oxford},
        cambridge: {cambridge},
        leiden: {leiden},
        example_a: {example_a, example_b},
        example_b: {example_a, example_b},
    }
    places = list(same_place)

    reviewers = []
    for i in range(20):
        institution = rng.choice([*places, None])
        user = UserFactory(
            email=f"reviewer{i}@pool.org",
            full_name=f"Reviewer {i}",
            institution=institution,
            orcid=make_orcid(1000 + i),
        )
        ReviewerProfileFactory(user=user)
        ReviewerInvitationFactory(call=call, reviewer=user, load_limit=6)
        reviewers.append(user)

    expected: set[tuple[int, int, str]] = set()
    collaborators: dict[int, list[str]] = {r.pk: [] for r in reviewers}
    for n in range(30):
        if n == 0:  # a reviewer applies to the call they review
            pi = reviewers[3]
        else:
            pi = UserFactory(
                email=f"pi{n}@lab.org",
                full_name=f"Principal {n}",
                institution=rng.choice([*places, InstitutionFactory(name=f"Lab {n}")]),
            )
        application = SubmittedApplicationFactory(call=call, pi=pi, institution=pi.institution)
        for reviewer in reviewers:
            if reviewer == pi:
                expected.add((application.pk, reviewer.pk, K.PI))
            if reviewer.institution and pi.institution in same_place.get(reviewer.institution, set()):
                expected.add((application.pk, reviewer.pk, K.SAME_INSTITUTION))
        for _ in range(rng.randint(0, 3)):
            tie = rng.random()
            if tie < 0.2:  # a reviewer is on the team, found by e-mail
                reviewer = rng.choice(reviewers)
                TeamMemberFactory(
                    application=application,
                    name=reviewer.full_name,
                    email=reviewer.email,
                    institution_name="Elsewhere Institute",
                )
                expected.add((application.pk, reviewer.pk, K.TEAM_MEMBER))
            elif tie < 0.35:  # found by ORCID iD under another address
                reviewer = rng.choice(reviewers)
                TeamMemberFactory(
                    application=application,
                    email=f"other{n}-{reviewer.pk}@mail.org",
                    orcid=reviewer.orcid,
                    institution_name="Elsewhere Institute",
                )
                expected.add((application.pk, reviewer.pk, K.TEAM_MEMBER))
            elif tie < 0.5:  # a stranger whose institution is a reviewer's (by name only)
                place = rng.choice(places)
                TeamMemberFactory(application=application, institution_name=place.name)
                for reviewer in reviewers:
                    if reviewer.institution and place in same_place[reviewer.institution]:
                        expected.add((application.pk, reviewer.pk, K.SAME_INSTITUTION))
            else:
                TeamMemberFactory(application=application, institution_name="Elsewhere Institute")
        if rng.random() < 0.15:  # a reviewer lists the PI as a collaborator
            reviewer = rng.choice(reviewers)
            collaborators[reviewer.pk].append(pi.email)
            expected.add((application.pk, reviewer.pk, K.COLLABORATOR))
        if rng.random() < 0.15:  # the applicant asks that a reviewer (named by ORCID iD) not review
            reviewer = rng.choice(reviewers)
            ReviewerExclusionFactory(application=application, name="Someone", orcid=reviewer.orcid)
            expected.add((application.pk, reviewer.pk, K.APPLICANT_EXCLUSION))
    for reviewer in reviewers:
        reviewer.reviewer_profile.collaborators = "\n".join(collaborators[reviewer.pk])
        reviewer.reviewer_profile.save()
    return call, reviewers, expected


def found(call) -> set[tuple[int, int, str]]:
    return set(
        Conflict.objects.filter(application__call=call).values_list("application_id", "reviewer_id", "kind")
    )


def test_every_planted_conflict_is_found_and_nothing_else(pool, staff):
    call, _, expected = pool
    assert {kind for _, _, kind in expected} == {
        K.PI,
        K.TEAM_MEMBER,
        K.SAME_INSTITUTION,
        K.COLLABORATOR,
        K.APPLICANT_EXCLUSION,
    }

    created = detect_call_conflicts(call=call, by=staff)

    assert found(call) == expected
    assert len(created) == len(expected)
    sources = dict(Conflict.objects.values_list("kind", "source").distinct())
    assert sources[K.APPLICANT_EXCLUSION] == Conflict.Source.APPLICANT
    assert sources[K.SAME_INSTITUTION] == Conflict.Source.DETECTED
    assert all(Conflict.objects.values_list("reason", flat=True))  # each with its evidence


def test_detection_again_adds_nothing_and_never_reraises_a_lifted_conflict(pool, staff):
    call, _, expected = pool
    detect_call_conflicts(call=call, by=staff)
    cleared = Conflict.objects.filter(application__call=call, kind=K.SAME_INSTITUTION).first()
    lift_conflict(conflict=cleared, by=staff, reason="Different departments on different sites.")

    assert detect_call_conflicts(call=call, by=staff) == []
    cleared.refresh_from_db()
    assert cleared.lifted
    assert found(call) == expected


def test_declined_reviewers_are_not_checked(pool, staff):
    call, reviewers, expected = pool
    declined = reviewers[0]
    ReviewerInvitation.objects.filter(call=call, reviewer=declined).update(
        status=ReviewerInvitation.Status.DECLINED
    )
    detect_call_conflicts(call=call, by=staff)
    assert found(call) == {pair for pair in expected if pair[1] != declined.pk}


def test_the_optimiser_never_assigns_a_conflicted_pair(pool, staff, django_capture_on_commit_callbacks):
    call, _, _ = pool
    detect_call_conflicts(call=call, by=staff)
    conflicted = {(a, r) for a, r, _ in found(call)}
    with django_capture_on_commit_callbacks(execute=False):
        run = start_assignment_run(call=call, by=staff)
    run = execute_assignment_run(run_id=run.pk)

    assert run.status == AssignmentRun.Status.PROPOSED, run.message
    pairs = set(Assignment.objects.filter(run=run).values_list("application_id", "reviewer_id"))
    assert len(pairs) == 30 * 2
    assert pairs & conflicted == set()
