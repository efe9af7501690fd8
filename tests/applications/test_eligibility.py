"""Who may start an application to a call."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from applications import services
from applications.models import Application, Call
from awards.models import Award
from core.errors import NotAllowed, StateConflict
from tests.applications.factories import ApplicantFactory, ApplicationFactory
from tests.factories import CallFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_pi_from_a_country_not_listed_is_refused_with_the_country_names():
    call = CallFactory(allowed_countries=["FR", "DE"])
    pi = ApplicantFactory(institution=InstitutionFactory(country="GB"))

    with pytest.raises(NotAllowed) as refused:
        services.start_application(call=call, by=pi)

    assert refused.value.message == "This call is open to principal investigators in France, Germany only."
    assert Application.objects.count() == 0


def test_a_pi_from_a_listed_country_may_apply():
    call = CallFactory(allowed_countries=["FR", "DE"])
    pi = ApplicantFactory(institution=InstitutionFactory(country="DE"))

    application = services.start_application(call=call, by=pi)

    assert (application.pi, application.institution, application.status) == (pi, pi.institution, "draft")


def test_a_pi_without_institution_is_asked_to_add_one():
    call = CallFactory(allowed_countries=["FR"])

    with pytest.raises(NotAllowed) as refused:
        services.start_application(call=call, by=UserFactory())

    assert refused.value.message == (
        "Add your institution to your profile: this call is open to some countries only."
    )


def test_the_limit_per_pi_counts_all_but_withdrawn_applications():
    call = CallFactory(max_applications_per_pi=1)
    pi = ApplicantFactory()
    first = services.start_application(call=call, by=pi)

    with pytest.raises(NotAllowed) as refused:
        services.start_application(call=call, by=pi)
    assert refused.value.message == (
        "You already have an application to this call (the limit per principal investigator); "
        "withdraw one to start another."
    )

    services.withdraw_application(application=first, by=pi)
    second = services.start_application(call=call, by=pi)
    assert list(Application.objects.filter(call=call, pi=pi).values_list("pk", "status")) == [
        (second.pk, "draft"),
        (first.pk, "withdrawn"),
    ]


def test_a_limit_above_one_names_the_number():
    call = CallFactory(max_applications_per_pi=2)
    pi = ApplicantFactory()
    ApplicationFactory(call=call, pi=pi)
    ApplicationFactory(call=call, pi=pi)

    with pytest.raises(NotAllowed, match=r"^You already have 2 applications to this call"):
        services.start_application(call=call, by=pi)


@pytest.fixture
def stage_two():
    planning = CallFactory(title="Planning grants 2025", status=Call.Status.DECIDED)
    return CallFactory(prerequisite_call=planning)


def test_stage_two_refuses_a_pi_without_an_award(stage_two):
    pi = ApplicantFactory()
    ApplicationFactory(call=stage_two.prerequisite_call, pi=pi)  # applied, but was not funded

    with pytest.raises(NotAllowed) as refused:
        services.start_application(call=stage_two, by=pi)

    assert refused.value.message == (
        "Only holders of an award from “Planning grants 2025” may apply to this stage-2 call."
    )


def test_stage_two_accepts_an_award_holder(stage_two):
    pi = ApplicantFactory()
    funded = ApplicationFactory(call=stage_two.prerequisite_call, pi=pi, status="submitted")
    Award.objects.create(application=funded, reference="PG-2025-0001", amount=Decimal("5000"), currency="EUR")

    application = services.start_application(call=stage_two, by=pi)

    assert application.call == stage_two


def test_an_award_from_another_call_does_not_count(stage_two):
    pi = ApplicantFactory()
    elsewhere = ApplicationFactory(call=CallFactory(), pi=pi)
    Award.objects.create(application=elsewhere, reference="X-1", amount=Decimal("1"), currency="EUR")

    with pytest.raises(NotAllowed):
        services.start_application(call=stage_two, by=pi)


def test_a_call_not_yet_open_says_when_it_opens_in_its_time_zone():
    call = CallFactory(
        timezone="America/Los_Angeles",
        opens_at=datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
        closes_at=datetime(2027, 3, 1, tzinfo=UTC),
    )

    with pytest.raises(StateConflict) as refused:
        services.start_application(call=call, by=ApplicantFactory())

    assert refused.value.message == (
        "This call is not open yet; it opens on 15 January 2027, 09:00 (America/Los_Angeles)."
    )


def test_a_closed_call_says_when_it_closed_in_its_time_zone():
    call = CallFactory(
        timezone="Pacific/Auckland",
        status=Call.Status.CLOSED,
        opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        closes_at=datetime(2026, 6, 30, 11, 59, tzinfo=UTC),
    )

    with pytest.raises(StateConflict) as refused:
        services.start_application(call=call, by=ApplicantFactory())

    assert refused.value.message == (
        "This call closed on 30 June 2026, 23:59 (Pacific/Auckland); it no longer accepts applications."
    )
    assert Application.objects.count() == 0
