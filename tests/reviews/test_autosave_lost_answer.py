"""Autosave whose answer was lost: the save committed but the page never learnt the new version (the
connection dropped, the server restarted before answering). The page retries with what the reviewer
has typed since; that is its own newest work, not a change made elsewhere, so it is saved. A save
from another tab or window in between still makes the retry a 409 with nothing overwritten."""

import secrets

import pytest

from core.errors import StateConflict
from reviews.models import Assignment, Review, ReviewPhase
from reviews.services.reviewing import save_review_draft, submit_review
from tests.reviews.factories import ReviewPhaseFactory, workspace_form

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FULL = {"score-impact": "4", "score-method": "3", "score-involvement": "na", "overall": "4"}


@pytest.fixture
def mine(world):
    workspace_form(world.call)
    ReviewPhaseFactory(call=world.call, name="Reading", see_others=ReviewPhase.SeeOthers.AFTER_OWN)
    return Assignment.objects.get(application=world.application, reviewer=world.reviewer)


def new_tab() -> str:
    """A page's name for its saves, as granted.js makes one for each page it loads."""
    return secrets.token_hex(16)


def autosave(client, assignment, *, version, tab, **fields):
    data = {"version": version, "tab": tab, **fields}
    return client.post(f"/review/assignments/{assignment.pk}/save/", data, **HTMX)


def test_the_page_leaves_naming_to_the_browser_and_is_never_reused_from_a_cache(mine, client_for):
    """The name comes from the page's script, not the server: a duplicated tab or a page restored from
    the browser's cache would otherwise share it, and overwrite each other's saves without a 409."""
    response = client_for(mine.reviewer).get(f"/review/assignments/{mine.pk}/")
    assert '<input type="hidden" name="tab" value="" autocomplete="off">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_retry_after_a_lost_answer_saves_what_was_typed_since(mine, client_for):
    client = client_for(mine.reviewer)
    tab = new_tab()
    assert autosave(client, mine, version="", tab=tab, strengths="First words").status_code == 200
    # The answer (version 1) never arrived: the page still holds "" and retries with more text.
    retry = autosave(client, mine, version="", tab=tab, strengths="First words and more")
    assert retry.status_code == 200
    assert 'id="review-version" value="2" hx-swap-oob="true"' in retry.content.decode()
    review = Review.objects.get(assignment=mine)
    assert (review.version, review.strengths) == (2, "First words and more")
    # Two answers lost in a row: the page still holds version 2.
    assert autosave(client, mine, version="2", tab=tab, strengths="Third").status_code == 200
    assert autosave(client, mine, version="2", tab=tab, strengths="Fourth").status_code == 200
    assert Review.objects.get(assignment=mine).strengths == "Fourth"


def test_a_save_from_another_tab_in_between_still_refuses_the_retry(mine, client_for):
    client = client_for(mine.reviewer)
    first, second = new_tab(), new_tab()
    assert autosave(client, mine, version="", tab=first, strengths="Tab one").status_code == 200
    assert autosave(client, mine, version="1", tab=second, strengths="Tab two").status_code == 200
    retry = autosave(client, mine, version="", tab=first, strengths="Tab one again")
    assert retry.status_code == 409
    assert "changed in another tab or window" in retry.content.decode()
    assert Review.objects.get(assignment=mine).strengths == "Tab two"
    # The other tab, which holds version 2, saves on.
    assert autosave(client, mine, version="2", tab=second, strengths="Tab two, later").status_code == 200


def test_a_page_cannot_save_a_version_newer_than_the_review(mine, client_for):
    client = client_for(mine.reviewer)
    tab = new_tab()
    assert autosave(client, mine, version="", tab=tab, strengths="One").status_code == 200
    assert autosave(client, mine, version="7", tab=tab, strengths="Forged").status_code == 409
    assert Review.objects.get(assignment=mine).strengths == "One"


def test_without_a_tab_a_stale_version_is_refused_as_before(mine):
    save_review_draft(assignment=mine, by=mine.reviewer, scores={}, strengths="API one")
    with pytest.raises(StateConflict):
        save_review_draft(assignment=mine, by=mine.reviewer, scores={}, version=None, strengths="API two")
    review = Review.objects.get(assignment=mine)
    assert (review.strengths, review.saved_in_tab) == ("API one", "")


def test_a_submission_ends_the_claim_of_the_tab(mine, client_for):
    client = client_for(mine.reviewer)
    tab = new_tab()
    scores = {"impact": 4, "method": 3, "involvement": "na"}
    review = save_review_draft(
        assignment=mine, by=mine.reviewer, scores=scores, overall=4, tab=tab, strengths="S"
    )
    submitted = submit_review(review=review, by=mine.reviewer)
    assert submitted.saved_in_tab == ""
    late = autosave(client, mine, version="1", tab=tab, strengths="A late autosave")
    assert late.status_code == 409
    assert Review.objects.get(assignment=mine).strengths == "S"
