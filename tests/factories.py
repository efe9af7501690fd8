"""Factories for the foundation models: plain defaults, no hidden side effects."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Institution, User
from applications.models import Call, Commitment, CommitteeMembership, FocusArea, Funder, Program

PASSWORD = "correct-horse-battery"


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"University of Testing {n}")
    country = "GB"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person Number {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        user = model_class(*args, **kwargs)
        user.set_password(password)
        user.save()
        return user


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Research Society {n}")
    short_name = factory.Sequence(lambda n: f"RS{n}")
    country = "DE"


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Challenge Awards {n}")
    code = factory.Sequence(lambda n: f"CA{n}")


class FocusAreaFactory(DjangoModelFactory):
    class Meta:
        model = FocusArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Test focus area {n}")
    slug = factory.Sequence(lambda n: f"test-focus-{n}")


class CallFactory(DjangoModelFactory):
    """An OPEN call that opened yesterday and closes in thirty days."""

    class Meta:
        model = Call

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Call for proposals {n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    summary = "Funding for collaborative research."
    description = "We fund collaborative research projects across member societies."
    status = Call.Status.OPEN  # editable=False: only services change it, so factories set it directly
    timezone = "Europe/London"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    budget = Decimal("100000.00")
    currency = "EUR"
    max_request = Decimal("20000.00")


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = Commitment

    funder = factory.SubFactory(FunderFactory)
    call = factory.SubFactory(CallFactory)
    amount = Decimal("50000.00")
    currency = factory.SelfAttribute("call.currency")
    rate_to_call_currency = Decimal("1")


class CommitteeMembershipFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMembership

    user = factory.SubFactory(UserFactory)
    call = factory.SubFactory(CallFactory)
    role = CommitteeMembership.Role.MEMBER
