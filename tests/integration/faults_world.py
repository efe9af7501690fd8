"""A call in review with many submitted applications and their pending decisions, built with bulk
inserts (200 applicants in well under a second); applying the decisions and creating the letters is
left to the real services. Short letter templates keep each PDF cheap to render."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import Institution, User
from applications.models import Application
from awards.models import Decision, LetterTemplate
from tests.awards.factories import deciding_call

OUTCOMES = (
    Decision.Outcome.FUND,
    Decision.Outcome.DECLINE,
    Decision.Outcome.WAITLIST,
    Decision.Outcome.DECLINE,
)
BODY = "<p>Dear {{ applicant }},</p><p>{{ title }} ({{ reference }}): {{ outcome }}. {{ amount }}</p>"


def call_with_pending_decisions(n: int, *, release_summary: bool = False, tag: str = "F"):
    """A call (budget for every fund decision) with ``n`` submitted applications, each by its own PI
    and with a pending decision: fund, decline, waitlist, decline, … Returns (call, chair, decisions)."""
    call, chair, _ = deciding_call(budget="10000000", commitments=(("10000000", "EUR", "1"),))
    call.release_summary_statements = release_summary
    call.save(update_fields=["release_summary_statements"])
    for kind in ("award", "decline", "waitlist"):
        LetterTemplate.objects.create(
            call=call, kind=kind, subject="Your application {{ reference }}", body=BODY
        )
    institution = Institution.objects.create(name="University of Faults", city="Leiden", country="NL")
    pis = User.objects.bulk_create(
        User(email=f"pi{i}-{call.pk}@example.org", full_name=f"Applicant {tag}{i}", institution=institution)
        for i in range(n)
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            call=call,
            pi=pi,
            institution=institution,
            title=f"Study {tag}{i}",
            requested_amount=Decimal("20000.00"),
            duration_months=24,
            status=Application.Status.SUBMITTED,
            submitted_at=now,
            reference=f"{tag}{call.pk}-{i:04d}",
        )
        for i, pi in enumerate(pis)
    )
    decisions = Decision.objects.bulk_create(
        Decision(
            call=call,
            application=application,
            outcome=OUTCOMES[i % len(OUTCOMES)],
            amount=Decimal("15000.00") if OUTCOMES[i % len(OUTCOMES)] == Decision.Outcome.FUND else None,
            status=Decision.Status.PENDING,
            decided_by=chair,
        )
        for i, application in enumerate(applications)
    )
    return call, chair, decisions
