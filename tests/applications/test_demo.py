"""``manage.py demo`` builds the demo world, and running it again changes nothing."""

import re
from decimal import Decimal
from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import Institution, User
from applications.models import Call, Commitment, CommitteeMembership, Funder, Program
from audit.models import AuditEvent

DEMO_EMAILS = ["officer@granted.demo", "chair@granted.demo", "member@granted.demo", "applicant@granted.demo"]
MODELS = [Funder, Program, Call, Commitment, CommitteeMembership, Institution, User, AuditEvent]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_second_run_creates_nothing(demo):
    first = counts()
    run_demo("--quiet")
    assert counts() == first
    assert first["Funder"] == 6
    assert first["Program"] == 3
    assert first["Call"] == 4


def test_calls_are_in_their_demo_states(demo):
    statuses = dict(Call.objects.values_list("title", "status"))
    assert statuses == {
        "Challenge Awards 2027": Call.Status.OPEN,
        "Challenge Awards 2026": Call.Status.IN_REVIEW,
        "Planning Grants 2025": Call.Status.DECIDED,
        "Collaborative Network Awards 2026": Call.Status.DRAFT,
    }
    assert Call.objects.get(title="Challenge Awards 2027").is_open_now
    network = Call.objects.get(title="Collaborative Network Awards 2026")
    assert network.scheduled
    assert network.prerequisite_call == Call.objects.get(title="Planning Grants 2025")
    # Moved through the services: every transition left its audit row.
    decided = Call.objects.get(title="Planning Grants 2025")
    verbs = list(
        AuditEvent.objects.filter(target_id=str(decided.pk), verb__startswith="call.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["call.created", "call.opened", "call.closed", "call.review_started", "call.decided"]


def test_commitments_sum_to_each_budget(demo):
    assert Funder.objects.count() == 6
    for title, budget in [
        ("Challenge Awards 2027", Decimal("5500000")),
        ("Challenge Awards 2026", Decimal("5500000")),
        ("Planning Grants 2025", Decimal("1200000")),
    ]:
        call = Call.objects.get(title=title)
        assert call.budget == budget
        assert sum(c.amount_in_call_currency for c in call.commitments.all()) == budget
    currencies = set(Commitment.objects.values_list("currency", flat=True))
    assert {"EUR", "USD"} <= currencies


def test_committees_have_a_chair_and_four_members(demo):
    for title in ["Challenge Awards 2026", "Planning Grants 2025"]:
        roles = sorted(CommitteeMembership.objects.filter(call__title=title).values_list("role", flat=True))
        assert roles == ["chair", "member", "member", "member", "member"]
        chair = CommitteeMembership.objects.get(call__title=title, role="chair").user
        assert chair.email == "chair@granted.demo"


def test_demo_users_sign_in_with_the_printed_password(demo):
    assert "http://127.0.0.1:8000/" in demo
    for email in DEMO_EMAILS:
        row = re.search(rf"\|\s*([^|]+?)\s*\|\s*{re.escape(email)}\s*\|\s*(\S+)\s*\|", demo)
        assert row, f"{email} is missing from the logins table"
        # Axes (login throttling) needs the request that signs in.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=email, password=row.group(2)) == User.objects.get(email=email)
    officer = User.objects.get(email="officer@granted.demo")
    assert officer.is_staff
    assert officer.is_superuser
    assert not User.objects.get(email="applicant@granted.demo").is_staff


def test_institutions_span_21_countries_with_valid_ror_ids(demo):
    institutions = Institution.objects.all()
    assert len({i.country.code for i in institutions}) == 21
    for institution in institutions:
        institution.full_clean()  # runs the ROR checksum validator
