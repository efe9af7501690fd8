"""The chair's funding pages: the scenario on the ranked list per role, deciding a row (htmx and plain),
refusals shown beside the row with what was typed, the bulk helpers, applying, letter progress, retry."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import Award, Decision, Letter
from awards.services import DecisionInput, apply_decisions, fund_top, set_decision
from tests.awards.factories import deciding_call, submitted_application
from tests.factories import CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import ConflictFactory

pytestmark = pytest.mark.django_db
FUND = Decision.Outcome.FUND
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    """Budget 100,000 from two funders (60,000 and 40,000); four requests, ranked in this order."""
    call, chair, applications = deciding_call(requests=["40000", "40000", "30000", "10000"])
    member = CommitteeMembershipFactory(call=call, role="member").user
    return SimpleNamespace(call=call, chair=chair, member=member, applications=applications)


def funding_url(call) -> str:
    return reverse("awards:funding", args=[call.slug])


def decide_url(call, application, action="funding_decide") -> str:
    return reverse(f"awards:{action}", args=[call.slug, application.pk])


def fields(application, **values) -> dict:
    """The row form's fields, named with the row's prefix."""
    return {f"d{application.pk}-{name}": value for name, value in values.items()}


def funders(call) -> list[int]:
    return [c.funder_id for c in call.commitments.order_by("funder__name")]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("chair", 200), ("staff", 200), ("member", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_the_funding_page_per_role(actor, status, world, staff, client_for):
    call, chair, member, applications = world.call, world.chair, world.member, world.applications
    user = {"chair": chair, "staff": staff, "member": member, "outsider": UserFactory(), "anonymous": None}[
        actor
    ]

    response = client_for(user).get(funding_url(call))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    if status == 200:
        html = response.content.decode()
        assert [a.reference in html for a in applications] == [True] * 4
        assert "EUR 0.00 of EUR 100,000.00 (0%); EUR 100,000.00 left" in html
        can_change = actor != "member"
        assert ("Fund down the ranking until the budget runs out" in html) is can_change
        assert (decide_url(call, applications[0], "funding_row") in html) is can_change
        assert ("the chair and staff make the decisions" in html) is not can_change


def test_a_member_and_an_outsider_cannot_decide(world, client_for):
    call, member, application = world.call, world.member, world.applications[0]

    for user, status in ((member, 403), (UserFactory(), 404)):
        response = client_for(user).post(decide_url(call, application), fields(application, outcome="fund"))
        assert response.status_code == status
        response = client_for(user).post(reverse("awards:funding_fund_down", args=[call.slug]))
        assert response.status_code == status
    anonymous = client_for(None).post(decide_url(call, application), fields(application, outcome="fund"))
    assert anonymous.status_code == 302
    assert not Decision.objects.exists()


def test_a_conflicted_chair_never_sees_the_row_nor_reaches_it(world, client_for):
    call, chair, applications = world.call, world.chair, world.applications
    hidden = applications[1]
    ConflictFactory(application=hidden, reviewer=chair)
    set_decision(application=hidden, by=UserFactory(is_staff=True), data=DecisionInput(outcome=FUND))
    client = client_for(chair)

    html = client.get(funding_url(call)).content.decode()

    assert hidden.reference not in html
    assert hidden.title not in html
    assert "EUR 40,000.00 of EUR 100,000.00" in html  # the budget counts it without naming it
    assert client.get(decide_url(call, hidden, "funding_row") + "?edit=1", **HTMX).status_code == 404
    response = client.post(decide_url(call, hidden), fields(hidden, outcome="decline"))
    assert response.status_code == 404
    assert client.post(decide_url(call, hidden, "funding_clear")).status_code == 404
    assert Decision.objects.get(application=hidden).outcome == FUND
    apply_page = client.get(reverse("awards:funding_apply", args=[call.slug])).content.decode()
    assert hidden.reference not in apply_page
    assert (
        "1 more pending decision on application you have a conflict of interest with is applied" in apply_page
    )


def test_setting_a_decision_without_javascript(world, client_for):
    call, chair, application = world.call, world.chair, world.applications[0]
    data = fields(
        application,
        outcome="fund",
        amount="35000",
        conditions="Ethics approval first.",
        start_date="2026-09-01",
        duration_months="18",
        discussion_summary="Strong team.",
    )

    client = client_for(chair)

    response = client.post(decide_url(call, application), data)

    assert response.status_code == 302
    assert response["Location"] == f"{funding_url(call)}#funding-row-{application.pk}"
    decision = Decision.objects.get(application=application)
    assert (decision.amount, decision.conditions, decision.duration_months) == (
        Decimal("35000"),
        "Ethics approval first.",
        18,
    )
    assert str(decision.start_date) == "2026-09-01"
    assert decision.discussion_summary == "Strong team."
    assert sorted(decision.shares.values_list("amount", flat=True)) == [Decimal("14000"), Decimal("21000")]
    assert decision.status == Decision.Status.PENDING
    assert decision.published_outcome == ""  # applicants see nothing
    page = client.get(response["Location"]).content.decode()
    assert f"{application.reference}: Saved: fund (pending)." in page
    assert "EUR 35,000.00 of EUR 100,000.00 (35%); EUR 65,000.00 left" in page


def test_setting_a_decision_with_htmx_returns_the_row_and_the_totals(world, client_for):
    call, chair, application = world.call, world.chair, world.applications[0]
    first, second = funders(call)
    data = fields(
        application, outcome="fund", amount="40000", **{f"share_{first}": "40000", f"share_{second}": ""}
    )

    response = client_for(chair).post(decide_url(call, application), data, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tbody id="funding-row-{application.pk}"')
    assert '<section id="funding-summary"' in html
    assert 'hx-swap-oob="true"' in html
    assert "EUR 40,000.00 of EUR 100,000.00 (40%)" in html
    assert "Saved: fund (pending)." in html
    shares = dict(Decision.objects.get(application=application).shares.values_list("funder_id", "amount"))
    assert shares == {first: Decimal("40000")}  # the empty share counts as 0


@pytest.mark.parametrize("htmx", [True, False])
def test_an_over_budget_decision_shows_the_409_beside_the_row_with_what_was_typed(htmx, world, client_for):
    call, chair, applications = world.call, world.chair, world.applications
    fund_top(call=call, count=2, by=chair)  # 80,000 of 100,000
    application = applications[2]
    data = fields(application, outcome="fund", amount="30000", conditions="Typed by the chair")

    response = client_for(chair).post(decide_url(call, application), data, **(HTMX if htmx else {}))

    assert response.status_code == 409
    html = response.content.decode()
    assert "over its budget of EUR 100,000.00 by EUR 10,000.00. EUR 20,000.00 is left." in html
    assert "Typed by the chair</textarea>" in html
    assert 'value="30000"' in html
    assert f'id="funding-form-{application.pk}-error"' in html
    assert html.lstrip().startswith("<tbody") is htmx
    assert not Decision.objects.filter(application=application).exists()


def test_an_amount_above_the_request_is_a_400_on_the_amount(world, client_for):
    call, chair, applications = world.call, world.chair, world.applications
    application = applications[3]  # requested 10,000

    response = client_for(chair).post(
        decide_url(call, application), fields(application, outcome="fund", amount="10000.01"), **HTMX
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The approved amount cannot exceed the EUR 10,000.00 requested." in html
    assert f'<div id="id_d{application.pk}-amount_error"><p class="error">At most EUR 10,000.00.</p>' in html
    assert 'value="10000.01"' in html
    assert not Decision.objects.exists()


def test_a_form_error_is_a_400_before_the_service(world, client_for):
    call, chair, application = world.call, world.chair, world.applications[0]

    response = client_for(chair).post(decide_url(call, application), fields(application, outcome="maybe"))

    assert response.status_code == 400
    assert "Correct the fields marked below." in response.content.decode()
    assert not Decision.objects.exists()


def test_the_edit_form_opens_without_javascript_filled_from_the_decision(world, client_for):
    call, chair, application = world.call, world.chair, world.applications[0]
    first, second = funders(call)
    set_decision(
        application=application,
        by=chair,
        data=DecisionInput(outcome=FUND, amount=Decimal("30000"), shares={first: Decimal("30000")}),
    )
    client = client_for(chair)

    row = client.get(decide_url(call, application, "funding_row") + "?edit=1")
    assert row.status_code == 302
    assert row["Location"] == f"{funding_url(call)}?edit={application.pk}#funding-row-{application.pk}"
    html = client.get(row["Location"]).content.decode()

    assert f'action="{decide_url(call, application)}"' in html
    assert f'name="d{application.pk}-amount" value="30000.00"' in html
    assert f'name="d{application.pk}-share_{first}" value="30000.00"' in html  # an edited split is kept
    assert f'name="d{application.pk}-share_{second}" min="0"' in html  # and the other share is empty


def test_clear_takes_back_a_pending_decision_only(world, client_for):
    call, chair, applications = world.call, world.chair, world.applications
    fund_top(call=call, count=1, by=chair)
    client = client_for(chair)

    response = client.post(decide_url(call, applications[0], "funding_clear"), **HTMX)
    assert response.status_code == 200
    assert "Cleared: undecided." in response.content.decode()
    assert not Decision.objects.exists()

    set_decision(application=applications[0], by=chair, data=DecisionInput(outcome=Decision.Outcome.DECLINE))
    apply_decisions(call=call, by=chair)
    response = client.post(decide_url(call, applications[0], "funding_clear"))
    assert response.status_code == 409
    assert "has been applied; change it rather than clear it" in response.content.decode()
    assert Decision.objects.get().published_outcome == Decision.Outcome.DECLINE


def test_the_helpers(world, client_for):
    call, chair, applications = world.call, world.chair, world.applications
    client = client_for(chair)

    response = client.post(reverse("awards:funding_fund_top", args=[call.slug]), {"count": "1"})
    assert response.status_code == 302
    assert list(Decision.objects.values_list("application", flat=True)) == [applications[0].pk]

    response = client.post(reverse("awards:funding_fund_down", args=[call.slug]), follow=True)
    assert f"Funded 1 application: {applications[1].reference}." in response.content.decode()

    response = client.post(reverse("awards:funding_fund_top", args=[call.slug]), {"count": "2"})
    assert response.status_code == 409  # all or nothing: 30,000 + 10,000 does not fit the 20,000 left
    assert "over its budget" in response.content.decode()
    assert 'class="narrow-number" value="2"' in response.content.decode()  # what was typed stays

    response = client.post(reverse("awards:funding_fund_top", args=[call.slug]), {"count": "0"})
    assert response.status_code == 400

    response = client.post(
        reverse("awards:funding_decide_rest", args=[call.slug]), {"outcome": "decline"}, follow=True
    )
    assert "Marked 2 applications as do not fund." in response.content.decode()
    assert sorted(Decision.objects.values_list("outcome", flat=True)) == [
        "decline",
        "decline",
        "fund",
        "fund",
    ]


def test_apply_confirms_then_publishes_and_goes_to_the_batch(
    world, client_for, django_capture_on_commit_callbacks
):
    call, chair = world.call, world.chair
    fund_top(call=call, count=2, by=chair)
    client = client_for(chair)
    apply_url = reverse("awards:funding_apply", args=[call.slug])
    assert f'href="{apply_url}"' in client.get(funding_url(call)).content.decode()

    confirm = client.get(apply_url).content.decode()
    assert "<li>Fund: <strong>2</strong></li>" in confirm
    assert "<li>Do not fund: <strong>0</strong></li>" in confirm
    assert "Apply 2 decisions and queue the letters" in confirm
    assert Decision.objects.filter(published_outcome="").count() == 2  # nothing published by looking

    response = client.post(apply_url)

    batch = call.letter_batches.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:batch", args=[batch.pk])
    assert Award.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "0 of 4</strong> letters done (0%)" in page  # award letters and summary statements, queued
    assert 'hx-trigger="every 2s"' in page
    assert 'aria-valuenow="0"' in page
    assert client.post(apply_url).status_code == 409  # nothing pending any more


def test_the_progress_fragment_polls_while_pending_and_then_reloads_once(world, client_for):
    call, chair, member = world.call, world.chair, world.member
    fund_top(call=call, count=1, by=chair)
    batch = apply_decisions(call=call, by=chair)  # rendering waits for the commit: pending here
    url = reverse("awards:batch_progress", args=[batch.pk])
    client = client_for(chair)

    pending = client.get(url, **HTMX)
    assert 'hx-trigger="every 2s"' in pending.content.decode()
    assert "HX-Refresh" not in pending

    batch.letters.update(status=Letter.Status.DONE)
    done = client.get(url, **HTMX)
    assert done["HX-Refresh"] == "true"
    html = done.content.decode()
    assert "hx-trigger" not in html
    assert 'aria-valuenow="100"' in html
    assert "2 of 2</strong> letters done (100%)" in html
    assert client_for(member).get(url).status_code == 403


def test_retry_of_a_failed_letter(world, client_for, django_capture_on_commit_callbacks):
    call, chair, member = world.call, world.chair, world.member
    fund_top(call=call, count=1, by=chair)
    batch = apply_decisions(call=call, by=chair)
    letter = batch.letters.get(kind=Letter.Kind.AWARD)
    Letter.objects.filter(pk=letter.pk).update(
        status=Letter.Status.FAILED, attempts=3, last_error="OSError: disk full"
    )
    client = client_for(chair)

    page = client.get(reverse("awards:batch", args=[batch.pk])).content.decode()
    assert "OSError: disk full" in page
    assert f'name="letter" value="{letter.pk}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("awards:batch_retry", args=[batch.pk]), {"letter": letter.pk})

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DONE
    assert letter.file
    page = client.get(response["Location"]).content.decode()
    assert "1 letter is queued again." in page
    assert reverse("awards:letter_download", args=[letter.pk]) in page
    assert client_for(member).post(reverse("awards:batch_retry", args=[batch.pk])).status_code == 403


def test_the_letters_page_lists_downloads_and_regenerates(
    world, client_for, django_capture_on_commit_callbacks
):
    call, chair, member = world.call, world.chair, world.member
    fund_top(call=call, count=1, by=chair)
    with django_capture_on_commit_callbacks(execute=True):
        apply_decisions(call=call, by=chair)
    client = client_for(chair)

    page = client.get(reverse("awards:letters", args=[call.slug])).content.decode()
    letters = list(Letter.objects.order_by("pk"))
    assert [reverse("awards:letter_download", args=[letter.pk]) in page for letter in letters] == [True, True]
    assert "2 of 2</strong> letters done (100%)" in page

    response = client.post(reverse("awards:letters_regenerate", args=[call.slug]))
    assert response.status_code == 302
    assert sorted(Letter.objects.values_list("version", flat=True)) == [1, 1, 2, 2]
    assert client_for(member).get(reverse("awards:letters", args=[call.slug])).status_code == 403


def test_regenerating_before_any_apply_is_a_409_with_the_reason(world, client_for):
    call, chair = world.call, world.chair

    response = client_for(chair).post(reverse("awards:letters_regenerate", args=[call.slug]))

    assert response.status_code == 409
    assert "there are no letters to regenerate" in response.content.decode()


def test_the_review_navigation_links_to_the_decisions(world, client_for):
    call, chair = world.call, world.chair

    html = client_for(chair).get(reverse("reviews:assignment", args=[call.slug])).content.decode()

    assert f'<a href="{funding_url(call)}">Decisions</a>' in html


def test_the_funding_page_needs_the_same_queries_for_one_and_three_rows(client_for):
    def count(n: int) -> int:
        call, chair, applications = deciding_call(requests=["1000"] * n)
        for application in applications:
            set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))
        client = client_for(chair)
        client.get(funding_url(call))  # sessions, content types: warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(funding_url(call)).status_code == 200
        return len(queries)

    assert count(1) == count(3)


def test_a_closed_call_is_read_only_for_the_chair(client_for):
    call, chair, _ = deciding_call(requests=["1000"])
    call.status = "closed"
    call.save(update_fields=["status"])
    submitted_application(call, requested="2000", n=9)

    html = client_for(chair).get(funding_url(call)).content.decode()

    assert "decisions are made once the call is in review" in html
    assert "Fund down the ranking" not in html


def test_a_batch_is_404_outside_the_committee_and_a_bad_letter_id_retries_nothing(world, client_for):
    call, chair = world.call, world.chair
    fund_top(call=call, count=1, by=chair)
    batch = apply_decisions(call=call, by=chair)
    letter = batch.letters.get(kind=Letter.Kind.AWARD)
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.FAILED, last_error="OSError: disk full")

    assert client_for(UserFactory()).get(reverse("awards:batch", args=[batch.pk])).status_code == 404
    assert client_for(UserFactory()).get(reverse("awards:batch", args=[batch.pk + 1000])).status_code == 404
    response = client_for(chair).post(reverse("awards:batch_retry", args=[batch.pk]), {"letter": "abc"})

    assert response.status_code == 400
    assert "Choose a failed letter of this batch to retry." in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED
