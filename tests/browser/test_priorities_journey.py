"""A community member's research-priorities journey in Chromium.

1. The member opens "Research priorities", suggests a question, saves it as a draft, comes back to it
   from "My questions" and sends it to the moderators.
2. In the round that is voting, they give 3 votes to one question with the mouse and 1 to another
   with the keyboard only (each saved in place with htmx, focus kept); a reload shows both saved.
3. In the closed round they open the first question of the top ten and see the call that addresses
   it and the project funded from it, with its lay summary.
4. Without JavaScript a vote is still saved with the button.

Every page passes axe with 0 violations, and the controls are at least 44 px high.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Call
from awards.models import Award, Decision
from priorities.models import Question, Round, TopTen
from tests.awards.factories import submitted_application
from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, CallFactory, InstitutionFactory, UserFactory
from tests.priorities.factories import CommunityMemberFactory, QuestionFactory, RoundFactory, voting_round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

FUNDED_TITLE = "Metformin and clemastine to repair myelin in progressive MS"
LAY_SUMMARY = "We test whether two old medicines together help the brain repair the coating of its nerves."

TARGETS = """() => [...document.querySelectorAll('main button, main .choice, main input[type=submit]')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.textContent.trim().slice(0, 40), Math.round(e.getBoundingClientRect().height)])
    .filter(([, h]) => h < 44)"""


@pytest.fixture
def journey(transactional_db):
    """A round gathering questions, one voting (three questions), and one closed whose first choice a
    decided call addresses, with one award made from it."""
    member = CommunityMemberFactory(
        email="morag@example.org", full_name="Morag Lennox", profile__public_name="Morag"
    )
    gathering = RoundFactory(title="Research priorities 2027", slug="priorities-2027")
    voting = voting_round(title="Research priorities 2026", slug="priorities-2026")
    questions = [
        QuestionFactory(round=voting, title=title)
        for title in [
            "What helps with fatigue in progressive MS?",
            "Can bladder problems be treated better?",
            "Can trials include people with more disability?",
        ]
    ]
    now = timezone.now()
    closed = voting_round(
        title="Research priorities 2024",
        slug="priorities-2024",
        phase=Round.Phase.CLOSED,
        opens_at=now - timedelta(days=700),
        gathering_closes_at=now - timedelta(days=600),
        voting_closes_at=now - timedelta(days=500),
        top_count=1,
    )
    chosen = QuestionFactory(
        round=closed, title="Can existing medicines be repurposed to slow progressive MS?"
    )
    top_ten = TopTen.objects.create(round=closed, chosen_on=(now - timedelta(days=450)).date())
    top_ten.steering_group.set([member, UserFactory()])
    top_ten.choices.create(position=1, question=chosen, votes=48, voters=21)
    call = CallFactory(title="Planning Grants 2025", status=Call.Status.DECIDED)
    chosen.calls.add(call)
    application = submitted_application(call, requested="80000", title=FUNDED_TITLE, n=1)
    application.lay_summary = LAY_SUMMARY
    application.institution = InstitutionFactory(name="University of Milan")
    application.save(update_fields=["lay_summary", "institution"])
    decision = Decision.objects.create(
        call=call,
        application=application,
        outcome="fund",
        status="applied",
        published_outcome="fund",
        amount=Decimal("80000"),
    )
    Award.objects.create(
        application=application,
        decision=decision,
        reference="PG-2025-0001",
        amount=Decimal("80000"),
        currency="EUR",
    )
    return {
        "member": member,
        "gathering": gathering,
        "voting": voting,
        "questions": questions,
        "chosen": chosen,
    }


def assert_large_targets(page) -> None:
    assert page.evaluate(TARGETS) == [], page.url


def test_member_proposes_votes_and_sees_what_became_of_a_question(
    page, browser, live_server, journey, screenshot
):
    fatigue, bladder, _ = journey["questions"]
    sign_in(page, live_server, "morag@example.org")

    # 1. Suggest a question, keep it as a draft, come back and send it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Research priorities").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Research priorities")
    assert_accessible(page)
    page.get_by_role("link", name="Research priorities 2027").click()
    page.get_by_role("link", name="Suggest a question").click()
    page.get_by_label("Your question").fill("Does cooling help with heat sensitivity?")
    page.get_by_label("Why it matters to you (optional)").fill("Summer makes all my symptoms worse.")
    page.get_by_label("Symptom management and rehabilitation").check()
    assert_accessible(page)
    assert_large_targets(page)
    screenshot("priorities-01-propose")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()

    page.goto(f"{live_server.url}/priorities/mine/")
    page.get_by_role("link", name=re.compile(r"^Carry on with this draft\s*: Does cooling")).click()
    expect(page.get_by_label("Your question")).to_have_value("Does cooling help with heat sensitivity?")
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_text("Your question is with the moderators")).to_be_visible()
    expect(page.get_by_text("Waiting for a moderator")).to_be_visible()
    assert_accessible(page)
    question = Question.objects.get(title="Does cooling help with heat sensitivity?")
    assert (question.status, question.original_description) == (
        "submitted",
        "Summer makes all my symptoms worse.",
    )

    # 2. Vote: 3 with the mouse, 1 with the keyboard; both saved in place and after a reload.
    page.goto(f"{live_server.url}/priorities/rounds/{journey['voting'].slug}/")
    expect(page.locator("#votes-left")).to_have_text(
        "You have 10 of your 10 votes left to give (at most 3 on one question)."
    )
    page.locator(f"#vote-{fatigue.pk}").get_by_label("3 votes").click()
    expect(page.locator(f"#vote-{fatigue.pk}")).to_contain_text("Saved: 3 votes on this question.")
    expect(page.locator("#votes-left")).to_contain_text("You have 7 of your 10 votes left")

    page.locator(f"#votes-{bladder.pk}-0").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#vote-{bladder.pk}")).to_contain_text("Saved: 1 vote on this question.")
    expect(page.locator("#votes-left")).to_contain_text("You have 6 of your 10 votes left")
    expect(page.locator(f"#votes-{bladder.pk}-1")).to_be_focused()
    assert_accessible(page)
    assert_large_targets(page)
    screenshot("priorities-02-voting")
    page.reload()
    expect(page.locator(f"#votes-{fatigue.pk}-3")).to_be_checked()
    expect(page.locator(f"#votes-{bladder.pk}-1")).to_be_checked()

    # 3. What became of a question of the earlier round.
    page.goto(f"{live_server.url}/priorities/rounds/priorities-2024/")
    expect(page.get_by_role("heading", name="The top 1")).to_be_visible()
    page.get_by_role(
        "link", name="Can existing medicines be repurposed to slow progressive MS?"
    ).first.click()
    expect(page.get_by_text("Number 1 in the top 1")).to_be_visible()
    became = page.locator("section", has=page.get_by_role("heading", name="What became of this question"))
    expect(became).to_contain_text("Planning Grants 2025")
    expect(became.get_by_role("heading", name=FUNDED_TITLE)).to_be_visible()
    expect(became).to_contain_text("University of Milan")
    became.get_by_text("The project in plain words").click()
    expect(became.get_by_text(LAY_SUMMARY)).to_be_visible()
    assert_accessible(page)
    screenshot("priorities-03-what-became")

    # 4. Without JavaScript the button saves the vote.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    try:
        plain.goto(f"{live_server.url}/accounts/login/")
        plain.get_by_label("E-mail address").fill("morag@example.org")
        plain.get_by_label("Password").fill(PASSWORD)
        plain.get_by_role("button", name="Sign in").click()
        plain.goto(f"{live_server.url}/priorities/questions/{bladder.pk}/")
        plain.locator(f"#votes-{bladder.pk}-2").check()
        plain.locator(f"#vote-{bladder.pk}").get_by_role(
            "button", name="Save my votes on this question"
        ).click()
        expect(plain.get_by_text("Saved: 2 votes on")).to_be_visible()
        expect(plain.locator("#votes-left")).to_contain_text("You have 5 of your 10 votes left")
    finally:
        context.close()


def test_a_visitor_joins_and_a_moderator_publishes_their_question(page, live_server, journey, screenshot):
    # A visitor joins as a carer (no research role, no institution).
    page.goto(f"{live_server.url}/priorities/join/")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Alan Brodie")
    page.get_by_label("E-mail address").fill("alan@example.org")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I care for someone who lives with MS").check()
    page.get_by_label("Name others see (optional)").fill("Alan")
    assert_large_targets(page)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome. You can now propose and vote.")).to_be_visible()
    page.get_by_role("link", name="Research priorities 2027").click()
    page.get_by_role("link", name="Suggest a question").click()
    page.get_by_label("Your question").fill("Could respite care be studied as part of treatment?")
    page.get_by_label("Symptom management and rehabilitation").check()
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_text("Your question is with the moderators")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # A moderator publishes it with clearer words; the author's are kept.
    UserFactory(email="mo@example.org", is_staff=True)
    sign_in(page, live_server, "mo@example.org")
    page.goto(f"{live_server.url}/priorities/moderate/")
    assert_accessible(page)
    page.get_by_role("link", name="Could respite care be studied as part of treatment?").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The question is published.")).to_be_visible()
    page.locator("#id_edit-title").fill("Does respite care for carers help people with progressive MS?")
    page.locator("#id_edit-reason").fill("Clearer about who it helps.")
    page.get_by_role("button", name="Save the edit").click()
    expect(page.get_by_text("The question is edited; the author's own words are kept.")).to_be_visible()
    assert_accessible(page)
    screenshot("priorities-04-moderation")
    question = Question.objects.get(author__email="alan@example.org")
    assert (question.status, question.original_title) == (
        "published",
        "Could respite care be studied as part of treatment?",
    )
