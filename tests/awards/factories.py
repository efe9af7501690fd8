"""A call in review with submitted applications, commitments and a chair, ready for decisions."""

from decimal import Decimal

from django.utils import timezone

from applications.models import Application, Call
from tests.applications.factories import ApplicationFactory
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CommitteeMembershipFactory,
    FunderFactory,
    UserFactory,
)


def submitted_application(
    call: Call, *, requested: str | Decimal, title: str = "", n: int = 0
) -> Application:
    """A submitted application with a reference, as ``submit_application`` leaves it."""
    application = ApplicationFactory(
        call=call,
        title=title or f"Remyelination study {n}",
        requested_amount=Decimal(requested),
        duration_months=24,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    application.reference = f"{call.program.code}-2026-{application.pk:04d}"
    application.save(update_fields=["reference"])
    return application


def deciding_call(
    *, budget="100000", commitments=(("60000", "EUR", "1"), ("40000", "EUR", "1")), requests=()
):
    """A call in review with a chair, funders' commitments (amount, currency, rate) and one submitted
    application per requested amount. Returns (call, chair, applications)."""
    call = CallFactory(status=Call.Status.IN_REVIEW, budget=Decimal(budget), max_request=Decimal(budget))
    for amount, currency, rate in commitments:
        CommitmentFactory(
            call=call,
            funder=FunderFactory(),
            amount=Decimal(amount),
            currency=currency,
            rate_to_call_currency=Decimal(rate),
        )
    chair = UserFactory(full_name="Chair Person")
    CommitteeMembershipFactory(call=call, user=chair, role="chair")
    applications = [submitted_application(call, requested=r, n=i) for i, r in enumerate(requests, 1)]
    return call, chair, applications
