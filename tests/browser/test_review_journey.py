"""The review of a closed call in Chromium, from the reviewer's invitation to the published assignment.

1. A reviewer signs in, accepts the invitation with a lower load, declares a conflict with one
   application (which leaves the list at once) and bids on two others (saved in place with htmx,
   still there after a reload).
2. The other reviewers accept in the database.
3. The chair starts an assignment run and watches its progress (the htmx poll updates the progress
   in place, then reloads the page when the proposal is ready), swaps a reviewer on one application
   and publishes with a due date.
4. The reviewer signs in again: "My assignments" lists exactly their published applications, and
   the conflicted application never shows on any page they visit after declaring the conflict.

The run is not executed inside the start request: the test holds the Celery task back (see
``held_runs``), moves the run to "Running" as a worker would, and then executes it itself, so the
polling is really watched whatever the broker settings are.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Call, CommitteeMembership
from reviews.models import Assignment, AssignmentRun, Bid, Conflict, ReviewerInvitation, ReviewerProfile
from reviews.selectors_portal import swap_candidates
from reviews.services import respond_to_invitation
from reviews.services.assignment import execute_assignment_run
from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import assert_accessible, sign_in, sign_out
from tests.factories import CallFactory, CommitteeMembershipFactory, ProgramFactory
from tests.reviews.factories import (
    ReviewerInvitationFactory,
    ReviewerProfileFactory,
    SubmittedApplicationFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

CALL_TITLE = "Progressive MS Challenge 2026"  # short enough for the chair's navigation link

# (title, lay summary, scientific abstract, keywords): six distinct topics.
APPLICATIONS = [
    (
        "Clemastine to promote remyelination in progressive MS",
        "We test whether an old allergy drug helps the brain repair the coating of its nerves.",
        "Remyelination fails in progressive multiple sclerosis. We will test clemastine, which drives "
        "oligodendrocyte differentiation, in a randomised trial with myelin water imaging.",
        "remyelination, oligodendrocyte, myelin, clemastine",
    ),
    (
        "A home exercise programme against fatigue in daily life",
        "People with MS often feel exhausted. We test a simple exercise programme done at home.",
        "Fatigue is the most disabling symptom of MS. A randomised trial of aerobic exercise and "
        "rehabilitation at home, with fatigue severity as the primary outcome.",
        "fatigue, exercise, rehabilitation",
    ),
    (
        "Gut microbiome composition and the risk of relapse",
        "Bacteria in the gut may influence MS. We follow them over two years.",
        "A cohort study of the gut microbiome, diet and relapse risk, with metagenomic sequencing of "
        "stool samples every three months.",
        "microbiome, gut bacteria, diet, relapse",
    ),
    (
        "Retinal imaging as a biomarker of neurodegeneration",
        "A quick scan of the eye may show how fast nerves are lost in the brain.",
        "Optical coherence tomography measures retinal nerve fibre layer thinning; we relate retinal "
        "atrophy to brain atrophy and disability progression over five years.",
        "optical coherence tomography, retina, neurodegeneration, atrophy",
    ),
    (
        "Online cognitive behavioural therapy for depression in MS",
        "Depression is common in MS. We test a course of therapy delivered online.",
        "A randomised trial of internet-delivered cognitive behavioural therapy for depression and "
        "low mood, with depression scores at six months as the primary outcome.",
        "depression, cognitive behavioural therapy, mood",
    ),
    (
        "Vitamin D supplementation in paediatric-onset MS",
        "Children with MS may benefit from more vitamin D. We test a daily supplement.",
        "A placebo-controlled trial of vitamin D supplementation in children and adolescents with "
        "paediatric-onset multiple sclerosis, with relapse rate as the primary outcome.",
        "vitamin D, children, paediatric, supplementation",
    ),
]
CONFLICTED, EAGER, WILLING = 0, 3, 2  # indexes into APPLICATIONS

# (name, e-mail, kind, expertise, keywords, default load)
REVIEWERS = [
    (
        "Rita Reviewer",
        "rita@example.org",
        ReviewerProfile.Kind.SCIENTIFIC,
        "Myelin biology, oligodendrocyte differentiation and remyelination trials; retinal imaging with "
        "optical coherence tomography as a biomarker of neurodegeneration.",
        "remyelination, myelin, retina, neurodegeneration",
        6,
    ),
    (
        "Sam Scientist",
        "sam@example.org",
        ReviewerProfile.Kind.SCIENTIFIC,
        "Epidemiology of MS: the gut microbiome, diet, vitamin D and relapse risk in cohort studies.",
        "microbiome, diet, vitamin D, relapse",
        8,
    ),
    (
        "Tess Therapist",
        "tess@example.org",
        ReviewerProfile.Kind.SCIENTIFIC,
        "Rehabilitation and exercise for fatigue; cognitive behavioural therapy for depression.",
        "rehabilitation, exercise, fatigue, depression",
        8,
    ),
    (
        "Liam Layman",
        "liam@example.org",
        ReviewerProfile.Kind.LAY,
        "I have lived with MS for fifteen years; fatigue and exercise shape my daily life.",
        "fatigue, exercise",
        8,
    ),
    (
        "Lena Layperson",
        "lena@example.org",
        ReviewerProfile.Kind.LAY,
        "Parent of a child with MS; interested in diet, vitamin D and mood.",
        "children, diet, mood",
        8,
    ),
]
RITA_LOAD = 4  # lower than her default of 6
CONFLICT_REASON = "I co-authored two papers with the principal investigator last year."


@pytest.fixture
def review_call(transactional_db, settings, tmp_path):
    """A closed call ready for assignment: six submitted applications, five invited reviewers (two
    lay, none has answered yet) and the committee's chair."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    now = timezone.now()
    call = CallFactory(
        program=ProgramFactory(name="Challenge Awards", code="PC"),
        title=CALL_TITLE,
        slug="pms-2026",
        status=Call.Status.CLOSED,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=2),
        reviewers_per_application=2,
        lay_reviewers_per_application=1,
    )
    applications = [
        SubmittedApplicationFactory(
            call=call, title=title, lay_summary=lay, scientific_abstract=abstract, keywords=keywords
        )
        for title, lay, abstract, keywords in APPLICATIONS
    ]
    reviewers = {}
    for name, email, kind, expertise, keywords, load in REVIEWERS:
        profile = ReviewerProfileFactory(
            user__full_name=name,
            user__email=email,
            kind=kind,
            expertise=expertise,
            keywords=keywords,
            default_load=load,
        )
        ReviewerInvitationFactory(
            call=call, reviewer=profile.user, status=ReviewerInvitation.Status.PENDING, responded_at=None
        )
        reviewers[email] = profile.user
    chair = CommitteeMembershipFactory(
        call=call,
        role=CommitteeMembership.Role.CHAIR,
        user__full_name="Carla Chair",
        user__email="carla@example.org",
    ).user
    return SimpleNamespace(call=call, applications=applications, reviewers=reviewers, chair=chair)


@pytest.fixture
def held_runs(monkeypatch):
    """Queue assignment runs without executing them: ``start_assignment_run`` imports the task from
    ``reviews.tasks`` when it is called, so a stand-in there records the run ids instead."""
    held: list[int] = []
    monkeypatch.setattr(
        "reviews.tasks.run_assignment",
        SimpleNamespace(name="reviews.tasks.run_assignment", apply_async=lambda args: held.append(args[0])),
    )
    return held


def test_reviewer_bids_chair_assigns_and_publishes(page, live_server, review_call, held_runs, screenshot):
    call, apps = review_call.call, review_call.applications
    rita = review_call.reviewers["rita@example.org"]
    conflicted, eager, willing = apps[CONFLICTED], apps[EAGER], apps[WILLING]
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    def assert_conflicted_absent() -> None:
        """The conflicted application shows nowhere on Rita's current page."""
        html = page.content()
        assert conflicted.title not in html, page.url
        assert conflicted.reference not in html, page.url
        assert f"app-{conflicted.pk}" not in html, page.url

    # 1. Rita signs in, goes to "Reviewing" and accepts with a lower load than her default.
    sign_in(page, live_server, "rita@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviewing").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviewing")
    invitation = ReviewerInvitation.objects.get(call=call, reviewer=rita)
    card = page.locator(f"#invitation-{invitation.pk}")
    expect(card.get_by_role("heading", level=3)).to_have_text(CALL_TITLE)
    expect(card).to_contain_text("Pending")
    expect(card.get_by_role("link", name="Bid on applications")).to_have_count(0)
    assert_accessible(page)
    card.get_by_label("Your load for this call").fill(str(RITA_LOAD))
    card.get_by_role("button", name="Accept").click()

    expect(page).to_have_url(live_server.url + reverse("reviews:home"))
    expect(page.locator(".messages")).to_contain_text(f"Thank you: you review {CALL_TITLE}")
    card = page.locator(f"#invitation-{invitation.pk}")
    expect(card).to_contain_text("Accepted")
    expect(card).to_contain_text(f"Load for this call: {RITA_LOAD}.")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.load_limit) == (ReviewerInvitation.Status.ACCEPTED, RITA_LOAD)
    screenshot("review-01-home")
    assert_accessible(page)

    # The bid page lists the six applications.
    card.get_by_role("link", name="Bid on applications").click()
    bids_url = live_server.url + reverse("reviews:bids", args=[call.slug])
    expect(page).to_have_url(bids_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bid on the applications to {CALL_TITLE}")
    expect(page.locator(".bid-row")).to_have_count(6)
    expect(page.get_by_text("6 applications.")).to_be_visible()
    page.evaluate("window.__stillThisPage = true")  # survives htmx swaps, not a page load

    # A conflict with the first application: its row goes at once, without a page load.
    row = page.locator(f"#app-{conflicted.pk}")
    expect(row.get_by_role("heading", level=2)).to_have_text(f"{conflicted.reference}: {conflicted.title}")
    row.get_by_text("Declare a conflict of interest").click()
    row.get_by_label("Kind").select_option(label="Collaborator")
    row.get_by_label("What is the conflict?").fill(CONFLICT_REASON)
    row.get_by_role("button", name="Declare the conflict").click()
    expect(page.locator(f"#app-{conflicted.pk}")).to_have_count(0)
    expect(page.locator("#bid-status")).to_contain_text(
        f"Conflict declared: {conflicted.reference} is no longer shown to you."
    )
    expect(page.locator(".bid-row")).to_have_count(5)
    assert dialogs == ["Declare a conflict? The application will no longer be shown to you."]
    assert page.evaluate("window.__stillThisPage") is True
    conflict = Conflict.objects.get(application=conflicted, reviewer=rita)
    assert (conflict.kind, conflict.source, conflict.reason, conflict.lifted) == (
        Conflict.Kind.COLLABORATOR,
        Conflict.Source.DECLARED,
        CONFLICT_REASON,
        False,
    )

    # Bids on two other applications, each saved in place when the radio button changes.
    for application, value, label in ((eager, "eager", "Eager"), (willing, "willing", "Willing")):
        control = page.locator(f"#bid-{application.pk}")
        control.get_by_label(label, exact=True).check()
        expect(page.locator(f"#bid-{application.pk} [role=status]")).to_have_text(f"Saved: {value}.")
        expect(page.locator(f"#bid-{application.pk}").get_by_label(label, exact=True)).to_be_checked()
    assert page.evaluate("window.__stillThisPage") is True
    assert dict(Bid.objects.filter(reviewer=rita).values_list("application_id", "value")) == {
        eager.pk: Bid.Value.EAGER,
        willing.pk: Bid.Value.WILLING,
    }

    # After a reload the bids are still there and the conflicted application is still gone.
    page.reload()
    assert page.evaluate("window.__stillThisPage") is None
    expect(page.locator(".bid-row")).to_have_count(5)
    expect(page.get_by_text("5 applications.")).to_be_visible()
    for application, value, label in ((eager, "eager", "Eager"), (willing, "willing", "Willing")):
        control = page.locator(f"#bid-{application.pk}")
        expect(control.get_by_label(label, exact=True)).to_be_checked()
        expect(control.locator("[role=status]")).to_have_text(f"Your bid: {value}.")
    untouched = page.locator(f"#bid-{apps[1].pk}")
    expect(untouched.get_by_label("Neutral", exact=True)).to_be_checked()
    assert_conflicted_absent()
    screenshot("review-02-bids")
    assert_accessible(page)
    sign_out(page)

    # 2. The other reviewers accept in the database.
    for email, user in review_call.reviewers.items():
        if email != "rita@example.org":
            respond_to_invitation(
                invitation=ReviewerInvitation.objects.get(call=call, reviewer=user), by=user, accept=True
            )

    # 3. The chair starts a run from the call's assignment page.
    sign_in(page, live_server, "carla@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=f"Assignment: {CALL_TITLE}").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:assignment", args=[call.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assignment of reviewers for {CALL_TITLE}")
    expect(page.locator("main")).to_contain_text(
        "2 reviewers per application, at least 1 of them lay reviewers."
    )
    expect(page.get_by_text("No run yet.")).to_be_visible()
    screenshot("review-03-assignment")
    assert_accessible(page)
    page.get_by_role("button", name="Start an assignment run").click()

    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    run = AssignmentRun.objects.get(call=call)
    assert held_runs == [run.pk]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assignment run #{run.pk} Queued")
    expect(page.locator(".messages")).to_contain_text(f"Assignment run #{run.pk} is queued.")
    progress = page.locator("#run-progress")
    expect(progress.get_by_role("status")).to_have_text("Queued — Queued")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "0")
    expect(progress).to_contain_text("This page updates by itself.")
    expect(page.locator(".assignment-matrix")).to_have_count(0)
    page.evaluate("window.__stillThisPage = true")
    assert_accessible(page)

    # A worker picks the run up and reports progress: the poll shows it in place.
    AssignmentRun.objects.filter(pk=run.pk).update(
        status=AssignmentRun.Status.RUNNING, progress=40, stage="Solving"
    )
    page.wait_for_selector("#run-progress-bar[value='40']", timeout=10_000)
    expect(progress.get_by_role("status")).to_have_text("Running — Solving")
    expect(progress).to_contain_text("40%")
    assert page.evaluate("window.__stillThisPage") is True  # updated by htmx, not reloaded
    screenshot("review-04-run-progress")

    # The run finishes; the next poll reloads the page with the proposal.
    run = execute_assignment_run(run_id=run.pk)
    assert run.status == AssignmentRun.Status.PROPOSED, run.message
    page.wait_for_selector("table.assignment-matrix", timeout=15_000)
    assert page.evaluate("window.__stillThisPage") is None  # a fresh page
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assignment run #{run.pk} Proposal ready")
    progress = page.locator("#run-progress")
    expect(progress.get_by_role("status")).to_have_text("Proposal ready — Proposal ready")
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100")
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("."))  # polling stopped
    expect(page.locator(".assignment-matrix tbody")).to_have_count(6)
    expect(page.locator(".assignment-matrix .error")).to_have_count(0)  # nobody short of reviewers

    proposed = list(run.assignments.select_related("application", "reviewer__reviewer_profile"))
    assert len(proposed) == 12
    assert (conflicted.pk, rita.pk) not in {(a.application_id, a.reviewer_id) for a in proposed}
    # Rita is neither on the conflicted application nor offered for it.
    conflicted_group = page.locator(f"#application-{conflicted.pk}")
    expect(conflicted_group).not_to_contain_text("Rita Reviewer")
    expect(conflicted_group.locator("option", has_text="Rita Reviewer")).to_have_count(0)
    for assignment in proposed:
        group = page.locator(f"#application-{assignment.application_id}")
        expect(group).to_contain_text(assignment.reviewer.full_name)
    screenshot("review-05-proposal")
    assert_accessible(page)

    # The chair swaps a scientific reviewer for another eligible one (Rita, if she has room).
    candidates = swap_candidates(run)
    swaps = []
    for assignment in sorted(proposed, key=lambda a: a.application.reference):
        if assignment.reviewer.reviewer_profile.is_lay:
            continue  # a lay place stays lay
        for candidate in candidates[assignment.application_id]:
            if not candidate.reviewer_profile.is_lay:
                swaps.append((candidate.pk != rita.pk, assignment, candidate))
    assert swaps, "no scientific reviewer could take over an application"
    _, swapped, newcomer = min(swaps, key=lambda s: (s[0], s[1].application.reference))
    application, before = swapped.application, swapped.reviewer
    assert application.pk != conflicted.pk or newcomer.pk != rita.pk
    select = page.get_by_label(f"Swap {before.full_name} on {application.reference} to")
    select.select_option(label=newcomer.full_name)
    page.locator("form").filter(has=select).get_by_role("button", name="Swap").click()

    expect(page.locator(".messages")).to_contain_text(
        f"{application.reference} now goes to {newcomer.full_name} instead of {before.full_name}."
    )
    reviewer_cells = page.locator(f"#application-{application.pk} tr:not(:last-child) > td:first-of-type")
    expect(reviewer_cells).to_have_count(2)
    expect(reviewer_cells.filter(has_text=newcomer.full_name)).to_contain_text("manual")
    expect(reviewer_cells.filter(has_text=before.full_name)).to_have_count(0)
    swapped.refresh_from_db()
    assert (swapped.reviewer_id, swapped.source) == (newcomer.pk, Assignment.Source.MANUAL)

    # Publish with a due date, confirming the browser's dialog.
    due = (timezone.now() + timedelta(days=21)).replace(hour=17, minute=0, second=0, microsecond=0)
    due_local = timezone.localtime(due)
    page.get_by_label("Reviews due").fill(due_local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        "The assignment is published; the reviewers are told by e-mail."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assignment run #{run.pk} Published")
    expect(page.locator("main")).to_contain_text("Published on")
    expect(page.get_by_role("button", name="Swap")).to_have_count(0)  # no more edits
    assert dialogs[-1] == "Publish this assignment to the reviewers?"
    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.PUBLISHED
    assert run.review_due_at == due
    screenshot("review-06-published")
    sign_out(page)

    # 4. Rita's assignments: exactly her published ones, never the conflicted application.
    mine = list(
        Assignment.objects.filter(run=run, reviewer=rita, state=Assignment.State.PUBLISHED)
        .select_related("application")
        .order_by("application__reference")
    )
    assert mine, "Rita got no assignment"
    assert len(mine) <= RITA_LOAD
    assert conflicted.pk not in {a.application_id for a in mine}
    sign_in(page, live_server, "rita@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviewing").click()
    assert_conflicted_absent()
    page.get_by_role("link", name="My assignments").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:my_assignments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My assignments")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(mine))
    for assignment in mine:
        row = rows.filter(has_text=assignment.application.reference)
        workspace = row.get_by_role("link").first  # the title opens the review workspace
        expect(workspace).to_have_text(f"{assignment.application.reference}: {assignment.application.title}")
        expect(workspace).to_have_attribute("href", reverse("reviews:workspace", args=[assignment.pk]))
        expect(row).to_contain_text(CALL_TITLE)
        expect(row).to_contain_text(f"{due_local.day} {due_local:%b %Y}")
    if newcomer.pk == rita.pk:
        expect(rows.filter(has_text=application.reference)).to_have_count(1)
    assert_conflicted_absent()
    screenshot("review-07-my-assignments")
    assert_accessible(page)

    page.goto(bids_url)
    expect(page.locator(".bid-row")).to_have_count(5)
    assert_conflicted_absent()
