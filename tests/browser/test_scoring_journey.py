"""Scoring in Chromium, from the reviewer's workspace to the panel's final score.

1. A reviewer completes two reviews with a reload in the middle of typing (the draft survives) and
   submits: scores chosen and strengths typed in the first workspace are autosaved ("Saved at …"),
   still there after a reload, then finished and submitted; the second review goes through "Save and
   next" and is submitted from "My assignments", which then shows both as submitted.
2. The chair opens the ranking, moves the triage line down by one and sees it move; opens the
   meeting, makes the second item current and gives a final score. A member in a second browser
   context follows the current item by polling and scores it; a member conflicted with that item
   (third context) sees "You are conflicted" and nothing of the item. The chair closes the item and
   sees the final score (the mean, times 10).

axe finds 0 violations on every page looked at (workspace before and after submitting, My
assignments, ranking, the meeting as the chair, a member and the conflicted member).

Setup in the database: a call in review with the NIH form for scientific reviewers, the default
phases (independent review active), four submitted applications, the test reviewer with two published
assignments, and two other reviewers whose reviews of all four are saved and submitted through the
services (so their totals are computed).
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Call, CommitteeMembership
from reviews.models import (
    Assignment,
    FinalScore,
    MeetingItem,
    PanelMeeting,
    Review,
    ReviewerProfile,
    ReviewForm,
    ReviewPhase,
    Triage,
)
from reviews.selectors_ranking import ranking_for
from reviews.services.forms import activate_review_phase, apply_form_template, create_default_phases
from reviews.services.reviewing import save_review_draft, submit_review
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.browser.helpers import assert_accessible, sign_in, sign_out
from tests.factories import CallFactory, CommitteeMembershipFactory, ProgramFactory, UserFactory
from tests.reviews.factories import (
    AssignmentFactory,
    ConflictFactory,
    ReviewerInvitationFactory,
    ReviewerProfileFactory,
    SubmittedApplicationFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

CALL_TITLE = "Progressive MS Awards 2026"  # short enough for the navigation links
TIMES = "\u00d7"  # the multiplication sign of "mean 2.500 x 10"
POLL = 10_000  # ms: members' pages poll every 3 s

# (title, lay summary): best first by the other reviewers' scores.
APPLICATIONS = [
    ("Clemastine to promote remyelination", "An old allergy drug may help repair the coating of nerves."),
    ("Home exercise against fatigue", "A simple exercise programme done at home."),
    ("Gut microbiome and relapse risk", "Bacteria in the gut may influence MS."),
    ("Retinal imaging of neurodegeneration", "A quick scan of the eye may show nerve loss."),
]
# The other reviewers' NIH scores per application: (importance, rigour and feasibility, overall).
OTHER_SCORES = {
    "sam@example.org": [(1, 2, 1), (3, 3, 3), (5, 5, 5), (7, 8, 7)],
    "tess@example.org": [(2, 1, 2), (3, 4, 3), (5, 6, 5), (8, 8, 8)],
}
CONFLICTED_APP = 1  # Cora sits on the committee with a conflict on the second application

# Rita's two reviews: criterion radio labels (NIH anchors) and texts.
FIRST = {
    "importance": "2 Outstanding",
    "rigor_feasibility": "2 Outstanding",
    "expertise_resources": "1 Appropriate",
    "overall": "2 Outstanding",
    "strengths": "A clear mechanism and a trial design with myelin water imaging",
    "strengths_more": "; the team has run two similar trials.",
    "weaknesses": "The primary outcome may be slow to change.",
    "comments": "Please justify the sample size.",
}
SECOND = {
    "importance": "3 Excellent",
    "rigor_feasibility": "4 Very good",
    "expertise_resources": "1 Appropriate",
    "overall": "3 Excellent",
    "strengths": "Addresses the symptom patients rank highest.",
    "weaknesses": "Adherence to home exercise is hard to measure.",
    "comments": "Consider wearable activity monitors.",
}
CRITERIA = {
    "importance": "Importance of the research",
    "rigor_feasibility": "Rigour and feasibility",
    "expertise_resources": "Expertise and resources",
    "overall": "Overall impact",
}
SUBMIT_CONFIRM = "Submit this review? You can change it later only while the phase allows."


NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def reviewer(call, name: str, email: str):
    profile = ReviewerProfileFactory(
        user__full_name=name, user__email=email, kind=ReviewerProfile.Kind.SCIENTIFIC
    )
    ReviewerInvitationFactory(call=call, reviewer=profile.user)
    return profile.user


@pytest.fixture
def scoring_call(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    now = timezone.now()
    staff = UserFactory(full_name="Olga Officer", email="olga@example.org", is_staff=True)
    call = CallFactory(
        program=ProgramFactory(name="Research Awards", code="RA"),
        title=CALL_TITLE,
        slug="pms-awards-2026",
        status=Call.Status.IN_REVIEW,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10),
    )
    form = apply_form_template(call=call, template="nih", audience=ReviewForm.Audience.SCIENTIFIC, by=staff)
    phases = create_default_phases(call=call, by=staff)
    independent = activate_review_phase(phase=phases[0], by=staff)
    assert (independent.name, independent.active, independent.see_others) == (
        "Independent review",
        True,
        ReviewPhase.SeeOthers.NEVER,
    )
    applications = [
        SubmittedApplicationFactory(call=call, title=title, lay_summary=lay) for title, lay in APPLICATIONS
    ]
    due = now + timedelta(days=14)

    rita = reviewer(call, "Rita Reviewer", "rita@example.org")
    mine = [AssignmentFactory(application=a, reviewer=rita, due_at=due) for a in applications[:2]]
    for (email, scores), name in zip(OTHER_SCORES.items(), ("Sam Scientist", "Tess Therapist"), strict=True):
        other = reviewer(call, name, email)
        for application, (importance, rigour, overall) in zip(applications, scores, strict=True):
            assignment = AssignmentFactory(application=application, reviewer=other, due_at=due)
            draft = save_review_draft(
                assignment=assignment,
                by=other,
                scores={"importance": importance, "rigor_feasibility": rigour, "expertise_resources": 1},
                overall=overall,
                strengths="Well argued.",
                weaknesses="Some risks.",
            )
            submit_review(review=draft, by=other)

    chair = CommitteeMembershipFactory(
        call=call,
        role=CommitteeMembership.Role.CHAIR,
        user__full_name="Carla Chair",
        user__email="carla@example.org",
    ).user
    member = CommitteeMembershipFactory(
        call=call, user__full_name="Mo Member", user__email="mo@example.org"
    ).user
    conflicted = CommitteeMembershipFactory(
        call=call, user__full_name="Cora Conflicted", user__email="cora@example.org"
    ).user
    ConflictFactory(application=applications[CONFLICTED_APP], reviewer=conflicted)
    return SimpleNamespace(
        call=call,
        form=form,
        applications=applications,
        rita=rita,
        mine=mine,
        chair=chair,
        member=member,
        conflicted=conflicted,
    )


def choose(page, key: str, label: str) -> None:
    page.locator(f"#field-{key}").get_by_role("radio", name=label, exact=True).check()


def expect_chosen(page, key: str, label: str) -> None:
    expect(page.locator(f"#field-{key}").get_by_role("radio", name=label, exact=True)).to_be_checked()


def autosaved_with(page, **fields):
    """Wait for the autosave request that carries ``fields`` (the last one, after typing stops)."""

    def matches(response) -> bool:
        if not response.url.endswith("/save/") or response.request.method != "POST":
            return False
        posted = parse_qs(response.request.post_data or "")
        return all(posted.get(name, [""])[0] == value for name, value in fields.items())

    return page.expect_response(matches, timeout=10_000)


def settle(page, assignment: Assignment) -> None:
    """The autosaves are answered and the form holds the version last saved (so a click on a button
    posts the version the server has)."""
    review = Review.objects.get(assignment=assignment)
    expect(page.locator("#review-version")).to_have_value(str(review.version))
    expect(page.locator("#review-save-status")).to_contain_text("Saved at")


def test_reviewer_scores_and_the_panel_gives_a_final_score(
    page, browser, live_server, scoring_call, screenshot
):
    world = scoring_call
    apps, call = world.applications, world.call
    first, second = world.mine
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    # 1. Rita signs in and opens her first workspace from "My assignments".
    sign_in(page, live_server, "rita@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviewing").click()
    page.get_by_role("link", name="My assignments").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:my_assignments"))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    for assignment in world.mine:
        expect(rows.filter(has_text=assignment.application.reference)).to_contain_text("Not started")
    rows.first.get_by_role("link", name=f"{apps[0].reference}: {apps[0].title}").click()

    expect(page).to_have_url(live_server.url + reverse("reviews:workspace", args=[first.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review of {apps[0].reference}")
    expect(page.locator("#h-review")).to_have_text("NIH simplified framework")
    expect(page.locator("#review-progress")).to_have_text("0 of 2 done")
    expect(page.locator("main")).to_contain_text("Independent review")
    for key, legend in CRITERIA.items():
        expect(page.locator(f"#field-{key} legend")).to_contain_text(legend)
    assert_accessible(page)

    # Scores, then the start of the strengths typed key by key; the autosave says "Saved at …".
    for key in ("importance", "rigor_feasibility"):
        choose(page, key, FIRST[key])
    strengths = page.get_by_label("Strengths")
    with autosaved_with(page, strengths=FIRST["strengths"], **{"score-importance": "2"}) as saved:
        strengths.press_sequentially(FIRST["strengths"], delay=15)
    assert saved.value.status == 200
    expect(page.locator("#review-save-status")).to_contain_text("Saved at")
    settle(page, first)
    draft = Review.objects.get(assignment=first)
    assert (draft.status, draft.strengths) == (Review.Status.DRAFT, FIRST["strengths"])
    assert draft.saved_in_tab == page.locator("input[name=tab]").input_value() != ""  # named by granted.js
    assert {s.criterion.key: s.value for s in draft.scores.select_related("criterion")} == {
        "importance": 2,
        "rigor_feasibility": 2,
        "expertise_resources": None,
    }
    screenshot("scoring-01-workspace-draft")

    # A reload in the middle of typing: the draft survives.
    page.evaluate("window.__stillThisPage = true")
    page.reload()
    assert page.evaluate("window.__stillThisPage") is None
    expect(page.get_by_label("Strengths")).to_have_value(FIRST["strengths"])
    for key in ("importance", "rigor_feasibility"):
        expect_chosen(page, key, FIRST[key])
    expect(page.locator("#field-overall input:checked")).to_have_count(0)
    expect(page.locator(".workspace-facts")).to_contain_text("Draft")

    # Finish and submit (the browser asks to confirm).
    strengths = page.get_by_label("Strengths")
    strengths.press("End")
    strengths.press_sequentially(FIRST["strengths_more"], delay=15)
    choose(page, "expertise_resources", FIRST["expertise_resources"])
    choose(page, "overall", FIRST["overall"])
    page.get_by_label("Weaknesses").fill(FIRST["weaknesses"])
    page.get_by_label("Comments to the applicant").fill(FIRST["comments"])
    # Straight to the button, as people do: leaving the text box fires an autosave, which the
    # submission waits for instead of racing it (else: "changed in another tab or window").
    page.get_by_role("button", name="Submit review").click()

    expect(page.locator(".messages")).to_contain_text("Your review is submitted. Thank you.")
    assert dialogs == [SUBMIT_CONFIRM]
    expect(page.locator("#review-progress")).to_have_text("1 of 2 done")
    expect(page.locator(".workspace-facts")).to_contain_text("Submitted")
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    expect(page.get_by_label("Strengths")).to_have_value(FIRST["strengths"] + FIRST["strengths_more"])
    submitted = Review.objects.get(assignment=first)
    assert submitted.status == Review.Status.SUBMITTED
    assert submitted.strengths == FIRST["strengths"] + FIRST["strengths_more"]
    assert (submitted.overall_score, submitted.weighted_total) == (2, 87.5)  # (2, 2) on 1-9, 1 best
    assert (submitted.weaknesses, submitted.comments_to_applicant) == (FIRST["weaknesses"], FIRST["comments"])
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot("scoring-02-workspace-submitted")
    assert_accessible(page)

    # 2. The second review: "Next unfinished", then "Save and next" (nothing left, so My assignments).
    page.get_by_role("link", name=f"Next unfinished: {apps[1].reference}").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:workspace", args=[second.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review of {apps[1].reference}")
    for key in CRITERIA:
        choose(page, key, SECOND[key])
    page.get_by_label("Strengths").fill(SECOND["strengths"])
    page.get_by_label("Weaknesses").fill(SECOND["weaknesses"])
    with autosaved_with(page, comments_to_applicant=SECOND["comments"]):
        page.get_by_label("Comments to the applicant").fill(SECOND["comments"])
    settle(page, second)
    page.get_by_role("button", name="Save and next").click()

    expect(page).to_have_url(live_server.url + reverse("reviews:my_assignments"))
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    expect(page.locator(".messages")).to_contain_text(
        "No other unfinished reviews in this call (1 of 2 done)."
    )
    rows = page.locator("main table tbody tr")
    expect(rows.filter(has_text=apps[0].reference)).to_contain_text("Submitted")
    expect(rows.filter(has_text=apps[1].reference)).to_contain_text("Draft")
    rows.filter(has_text=apps[1].reference).get_by_role(
        "link", name=f"{apps[1].reference}: {apps[1].title}"
    ).click()
    for key in CRITERIA:
        expect_chosen(page, key, SECOND[key])
    expect(page.get_by_label("Weaknesses")).to_have_value(SECOND["weaknesses"])
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator(".messages")).to_contain_text("Your review is submitted. Thank you.")
    expect(page.locator("#review-progress")).to_have_text("2 of 2 done")
    assert dialogs == [SUBMIT_CONFIRM, SUBMIT_CONFIRM]
    assert Review.objects.get(assignment=second).status == Review.Status.SUBMITTED

    page.get_by_role("link", name="My assignments").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    for assignment in world.mine:
        expect(rows.filter(has_text=assignment.application.reference)).to_contain_text("Submitted")
    screenshot("scoring-03-my-assignments")
    assert_accessible(page)
    sign_out(page)

    # 3. The chair opens the ranking: the line at the default (top half) after the second application.
    expected_order = [row.application_id for row in ranking_for(call, world.chair).rows]
    assert expected_order == [a.pk for a in apps], "the scores were meant to rank the applications in order"
    sign_in(page, live_server, "carla@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=f"Ranking: {CALL_TITLE}").click()
    expect(page).to_have_url(live_server.url + reverse("reviews:ranking", args=[call.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ranking of {CALL_TITLE}")
    table = page.locator("#ranking-table")
    expect(table.get_by_role("status")).to_have_text(
        "4 applications shown; 2 to be discussed (the line is at the default: the top half)."
    )
    line_follows = "document.querySelector('#triage-line').previousElementSibling.id"
    assert page.evaluate(line_follows) == f"rank-{apps[1].pk}"
    expect(page.locator(f"#rank-{apps[2].pk}")).to_have_class("not-discussed")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the wide table scrolls in its box, not the page"
    screenshot("scoring-04-ranking")
    assert_accessible(page)

    # The line moves down by one, in place.
    page.evaluate("window.__stillThisPage = true")
    page.get_by_role("button", name="Move the line down").click()
    expect(table.get_by_role("status")).to_have_text("4 applications shown; 3 to be discussed.")
    assert page.evaluate(line_follows) == f"rank-{apps[2].pk}"
    expect(page.locator(f"#rank-{apps[2].pk}")).to_have_class("discussed")
    expect(page.locator(f"#rank-{apps[3].pk}")).to_have_class("not-discussed")
    expect(page.get_by_label("Discuss the top")).to_have_value("3")
    assert page.evaluate("window.__stillThisPage") is True
    assert Triage.objects.get(call=call).discuss_count == 3
    screenshot("scoring-05-ranking-line-moved")
    assert_accessible(page)

    # 4. The members open the meeting page in their own browsers before it starts.
    contexts = []
    try:
        members = {}
        for email in ("mo@example.org", "cora@example.org"):
            context = browser.new_context()
            contexts.append(context)
            other = context.new_page()
            sign_in(other, live_server, email)
            other.get_by_role("navigation", name="Main").get_by_role(
                "link", name=f"Meeting: {CALL_TITLE}"
            ).click()
            expect(other.locator("#meeting-current")).to_contain_text(
                "The panel meeting has not started yet."
            )
            members[email] = other
        mo, cora = members["mo@example.org"], members["cora@example.org"]
        expect(mo.get_by_role("button", name="Open the meeting")).to_have_count(0)

        # The chair opens the meeting: the agenda is the three discussed applications, best first.
        page.get_by_role("navigation", name="Main").get_by_role("link", name=f"Meeting: {CALL_TITLE}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Panel meeting of {CALL_TITLE}")
        assert_accessible(page)
        page.get_by_role("button", name="Open the meeting").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")
        assert dialogs[-1] == "Open the meeting with the applications marked for discussion?"
        agenda = page.locator(".meeting-agenda tbody tr")
        expect(agenda).to_have_count(3)
        for position, application in enumerate(apps[:3]):
            expect(agenda.nth(position)).to_contain_text(f"{application.reference} — {application.title}")
        expect(agenda.nth(0)).to_contain_text("Now")
        meeting = PanelMeeting.objects.get(call=call)
        items = list(meeting.items.order_by("position"))
        assert [i.application_id for i in items] == [a.pk for a in apps[:3]]

        # Both members follow by polling: the first item, which Cora may see.
        for other in (mo, cora):
            expect(other.locator("#meeting-current h3")).to_have_text(
                f"1. {apps[0].reference} — {apps[0].title}", timeout=POLL
            )

        # The chair makes the second item current: Mo follows; Cora, conflicted with it, sees only that.
        agenda.nth(1).get_by_role("button", name="Discuss now").click()
        expect(page.locator(".meeting-agenda tbody tr").nth(1)).to_contain_text("Now")
        expect(page.locator("#chair-heading")).to_have_text(f"Chairing {apps[1].reference}")
        expect(page.locator("#meeting-tally")).to_contain_text("0 of 2 eligible members have scored.")
        expect(page.locator("#meeting-tally")).to_contain_text("Waiting for: Carla Chair, Mo Member.")
        expect(mo.locator("#meeting-current h3")).to_have_text(
            f"2. {apps[1].reference} — {apps[1].title}", timeout=POLL
        )
        expect(cora.locator("#meeting-current")).to_contain_text(
            "You are conflicted with the current item.", timeout=POLL
        )
        conflicted_html = cora.content()
        for secret in (apps[1].title, apps[1].reference, apps[1].lay_summary):
            assert secret not in conflicted_html
        expect(cora.get_by_label("Your final score")).to_have_count(0)
        shot(cora, "scoring-08-meeting-conflicted")
        assert_accessible(cora)

        # The chair gives a final score, as a member of the committee.
        page.get_by_label("Your final score").fill("2")
        page.get_by_role("button", name="Give my score").click()
        expect(page.locator("#meeting-current [role=status]")).to_have_text("Saved: 2.0.")
        expect(page.locator("#meeting-tally")).to_contain_text(
            "1 of 2 eligible members have scored.", timeout=POLL
        )

        # Mo scores in his browser.
        expect(mo.get_by_label("Your final score (1\u20139, 1 is best)")).to_be_visible()
        assert_accessible(mo)
        mo.get_by_label("Your final score").fill("3")
        mo.get_by_role("button", name="Give my score").click()
        expect(mo.locator("#meeting-current [role=status]")).to_have_text("Saved: 3.0.")
        shot(mo, "scoring-07-meeting-member")
        assert {(s.member_id, s.score) for s in FinalScore.objects.filter(item=items[1])} == {
            (world.chair.pk, Decimal("2.0")),
            (world.member.pk, Decimal("3.0")),
        }

        # The chair sees both have scored (values hidden), then closes the item.
        tally = page.locator("#meeting-tally")
        expect(tally).to_contain_text("2 of 2 eligible members have scored.", timeout=POLL)
        expect(tally).to_contain_text("Waiting for: nobody.")
        expect(tally).not_to_contain_text("3.0")
        screenshot("scoring-06-meeting-chair")
        assert_accessible(page)
        page.get_by_role("button", name="Close the item and compute the final score").click()
        assert dialogs[-1] == "Close this item? Its final score is then fixed."

        # The mean of 2 and 3 is 2.5, shown times 10 (NIH's impact score).
        expect(page.locator("#meeting-current")).to_contain_text(
            f"Final score: 25.0 (mean 2.500 {TIMES} 10)."
        )
        expect(page.locator("#meeting-tally")).to_contain_text(
            f"Final score: 25.0 (mean 2.500 {TIMES} 10) from 2 eligible members."
        )
        expect(page.locator("#meeting-tally")).to_contain_text("Carla Chair: 2.0")
        expect(page.locator("#meeting-tally")).to_contain_text("Mo Member: 3.0")
        expect(page.locator(".meeting-agenda tbody tr").nth(1).locator("td").nth(3)).to_have_text("25.0")
        expect(page.get_by_role("button", name="Close the item and compute the final score")).to_have_count(0)
        item = MeetingItem.objects.get(pk=items[1].pk)
        assert (item.final_score, item.discussed_at is not None) == (Decimal("2.500"), True)
        screenshot("scoring-09-meeting-item-closed")
        assert_accessible(page)

        # Mo's page shows the final score too; Cora's still says nothing of the item.
        expect(mo.locator("#meeting-current")).to_contain_text("Final score: 25.0", timeout=POLL)
        expect(mo.locator("#meeting-current")).to_contain_text("Your score: 3.0.")
        assert_accessible(mo)
        expect(cora.locator("#meeting-current")).to_contain_text("You are conflicted with the current item.")
        conflicted_html = cora.content()
        for secret in (apps[1].title, apps[1].reference, "25.0"):
            assert secret not in conflicted_html
    finally:
        for context in contexts:
            context.close()
