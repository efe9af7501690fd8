"""A question's public page: "what became of your question" — the calls that address it and, once
awards are made, the funded projects with their lay summaries (never a declined award, a decision not
yet applied, or a call still in draft)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Call
from awards.models import Award, Decision
from core.errors import NotAllowed, StateConflict
from priorities.selectors import funded_projects_for
from priorities.services import set_question_calls
from tests.awards.factories import submitted_application
from tests.factories import CallFactory, InstitutionFactory, UserFactory
from tests.priorities.factories import CommentFactory, QuestionFactory

# The question with its round and author, comments, calls, funded projects and final-list places.
QUESTION_PAGE_QUERIES = 5


def award(call: Call, *, title: str, status=Award.Status.ACCEPTED, applied=True, n: int = 0) -> Award:
    application = submitted_application(call, requested="50000", title=title, n=n)
    application.lay_summary = f"In plain words: {title.lower()}."
    application.institution = InstitutionFactory(name=f"Institute {n}")
    application.save(update_fields=["lay_summary", "institution"])
    decision = Decision.objects.create(
        call=call,
        application=application,
        outcome=Decision.Outcome.FUND,
        status=Decision.Status.APPLIED if applied else Decision.Status.PENDING,
        published_outcome=Decision.Outcome.FUND if applied else "",
        amount=Decimal("50000"),
    )
    return Award.objects.create(
        application=application,
        decision=decision,
        reference=f"PG-2025-{n:04d}",
        amount=Decimal("50000"),
        currency="EUR",
        status=status,
    )


@pytest.fixture
def question(db):
    return QuestionFactory(title="Can we repair myelin in progressive MS?")


@pytest.fixture
def decided_call(db):
    return CallFactory(title="Planning Grants 2025", status=Call.Status.DECIDED)


def test_a_question_no_call_names_says_so(question, client_for):
    page = client_for(None).get(f"/priorities/questions/{question.pk}/").content.decode()
    assert "No call for research names this question yet." in page


def test_the_page_shows_the_calls_that_address_it_and_what_they_funded(question, decided_call, client_for):
    staff = UserFactory(is_staff=True)
    set_question_calls(question=question, calls=[decided_call], by=staff)
    funded = award(decided_call, title="Remyelination trial with clemastine", n=1)
    award(decided_call, title="Declined by its awardee", status=Award.Status.DECLINED, n=2)
    award(decided_call, title="Decision still pending", applied=False, n=3)
    other_call = CallFactory(status=Call.Status.DECIDED)
    award(other_call, title="Funded by a call that does not address it", n=4)

    assert list(funded_projects_for(question)) == [funded]
    page = client_for(None).get(f"/priorities/questions/{question.pk}/").content.decode()
    assert "Planning Grants 2025" in page
    assert "Remyelination trial with clemastine" in page
    assert "In plain words: remyelination trial with clemastine." in page
    assert "Institute 1" in page
    for hidden in ["Declined by its awardee", "Decision still pending", "does not address it"]:
        assert hidden not in page


def test_an_offered_award_counts_as_funded(question, decided_call):
    set_question_calls(question=question, calls=[decided_call], by=UserFactory(is_staff=True))
    offered = award(decided_call, title="Offered, not yet accepted", status=Award.Status.OFFERED, n=5)
    assert list(funded_projects_for(question)) == [offered]


def test_a_call_in_draft_is_not_shown(question, client_for):
    draft_call = CallFactory(title="Secret future call", status=Call.Status.DRAFT)
    set_question_calls(question=question, calls=[draft_call], by=UserFactory(is_staff=True))
    assert (
        "Secret future call"
        not in client_for(None).get(f"/priorities/questions/{question.pk}/").content.decode()
    )


def test_only_staff_link_calls_and_only_to_published_questions(question, decided_call):
    with pytest.raises(NotAllowed):
        set_question_calls(question=question, calls=[decided_call], by=question.author)
    hidden = QuestionFactory(status="hidden")
    with pytest.raises(StateConflict):
        set_question_calls(question=hidden, calls=[decided_call], by=UserFactory(is_staff=True))
    assert list(question.calls.all()) == []


def test_the_call_knows_the_priorities_it_addresses(question, decided_call):
    set_question_calls(question=question, calls=[decided_call], by=UserFactory(is_staff=True))
    assert list(decided_call.priorities.all()) == [question]


@pytest.mark.parametrize("count", [1, 3])
def test_the_question_page_needs_the_same_queries_for_1_or_3_projects_and_comments(
    question, decided_call, client_for, count
):
    set_question_calls(question=question, calls=[decided_call], by=UserFactory(is_staff=True))
    for n in range(count):
        award(decided_call, title=f"Project {n}", n=n)
        CommentFactory(question=question)
    client = client_for(None)
    client.get(f"/priorities/questions/{question.pk}/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/priorities/questions/{question.pk}/")
    assert response.status_code == 200
    assert len(queries) == QUESTION_PAGE_QUERIES
