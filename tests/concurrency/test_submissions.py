"""Twenty submissions of one draft at the same instant, through the portal and through the API: one
submission, one reference number (taken once, no gaps), one audit event, one receipt; every request
gets a clear answer — the same submission with its reference, never a 500 or a second number.

Submitting is idempotent by design (``submit_application``): a double click, a second tab or a
retried request is answered with the submission that was made, so the other 19 are not refused with
409 but shown the one reference. The race runs ``ROUNDS`` times on one call, so the references must
come out 0001, 0002, 0003: a request that took a number and lost would leave a gap.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application, ReferenceSequence
from audit.models import AuditEvent
from tests.applications.factories import complete_draft
from tests.concurrency.race import ROUNDS, answer_of, requires_postgresql, run_together, statuses
from tests.factories import CallFactory

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]
TABS = 20


def portal_submit(draft):
    client = Client()
    client.force_login(draft.pi)
    url = reverse("applications:application_submit", args=[draft.pk])
    return lambda: answer_of(client.post(url))


def api_submit(draft):
    client = APIClient()
    client.force_authenticate(draft.pi)
    url = f"/api/v1/applications/{draft.pk}/submit/"
    return lambda: answer_of(client.post(url))


CHANNELS = {
    "portal": lambda draft: [portal_submit(draft) for _ in range(TABS)],
    "api": lambda draft: [api_submit(draft) for _ in range(TABS)],
    "portal and api": lambda draft: [(portal_submit if i % 2 else api_submit)(draft) for i in range(TABS)],
}


def expected_answer(answer, draft, reference: str) -> bool:
    """The portal's redirect with the reference, or the API's submitted application."""
    if answer.location:
        detail = reverse("applications:application_detail", args=[draft.pk])
        message = f"Submitted. Your reference is {reference}; a receipt is on its way."
        return (answer.status, answer.location, answer.messages) == (302, detail, [message])
    return (answer.status, answer.json["status"], answer.json["reference"]) == (200, "submitted", reference)


@pytest.mark.parametrize("channel", CHANNELS)
def test_twenty_submissions_of_one_draft_at_once_make_one(channel):
    call = CallFactory()
    year = call.closes_local.year
    for round_ in range(1, ROUNDS + 1):
        draft = complete_draft(call=call, title=f"Remyelination round {round_}")
        sent_before = len(mail.outbox)

        answers = run_together(CHANNELS[channel](draft))

        reference = f"{call.program.code}-{year}-{round_:04d}"
        wrong = [a for a in answers if not expected_answer(a, draft, reference)]
        assert wrong == [], (round_, statuses(answers), wrong[:1])
        draft.refresh_from_db()
        assert (draft.status, draft.reference) == (Application.Status.SUBMITTED, reference)
        assert draft.submitted_at is not None
        assert draft.receipt_sent_at is not None
        events = AuditEvent.objects.filter(verb="application.submitted", target_id=str(draft.pk))
        assert [e.after for e in events] == [{"status": "submitted", "reference": reference}]
        receipts = mail.outbox[sent_before:]
        assert [(m.to, m.subject) for m in receipts] == [
            ([draft.pi.email], f"Received: {reference} — {draft.title}")
        ]
        sequence = ReferenceSequence.objects.get(program=call.program, year=year)
        assert sequence.last == round_  # one number taken per round: no loser consumed one

    assert Application.objects.filter(call=call, status=Application.Status.SUBMITTED).count() == ROUNDS


def test_twenty_different_drafts_of_one_program_at_once_get_twenty_numbers():
    """The first submissions of a program's year race to create its reference sequence: each gets its
    own number, 0001 to 0020, none twice and none skipped."""
    call = CallFactory()
    drafts = [complete_draft(call=call, title=f"Study {i}") for i in range(TABS)]

    answers = run_together([api_submit(draft) for draft in drafts])

    assert statuses(answers) == {200: TABS}
    prefix = f"{call.program.code}-{call.closes_local.year}"
    references = sorted(a.json["reference"] for a in answers)
    assert references == [f"{prefix}-{n:04d}" for n in range(1, TABS + 1)]
    stored = Application.objects.filter(call=call).values_list("reference", flat=True)
    assert sorted(stored) == references
    assert ReferenceSequence.objects.get(program=call.program).last == TABS
    assert AuditEvent.objects.filter(verb="application.submitted").count() == TABS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.pi.email for d in drafts)
