"""The awardee's side: the published outcome on the applicant's pages, letter downloads, the award page,
accepting and declining. Decisions are made and applied with the services; letters render eagerly
when the commit callbacks run."""

import hashlib
import logging
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from awards.models import Award, Decision, Letter
from awards.services import DecisionInput, apply_decisions, set_decision
from awards.services.letters import regenerate_letters
from tests.applications.factories import accepted_co_investigator
from tests.awards.factories import deciding_call
from tests.factories import CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import ConflictFactory

pytestmark = pytest.mark.django_db
FUND = Decision.Outcome.FUND
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"


def _decide(application, by, outcome=FUND, **fields):
    return set_decision(application=application, by=by, data=DecisionInput(outcome=outcome, **fields))


def _world(capture, *, outcome=FUND, render=True):
    """One application with an applied decision (rendered letters unless ``render`` is False), its PI, a
    co-investigator, the chair, a committee member, another applicant and staff."""
    call, chair, [application] = deciding_call(requests=["30000"])
    staff = UserFactory(is_staff=True)
    fields = (
        {"conditions": "An annual report each March.", "start_date": date(2027, 1, 1), "duration_months": 24}
        if outcome == FUND
        else {}
    )
    _decide(application, staff, outcome, **fields)
    if render:
        with capture(execute=True):
            apply_decisions(call=call, by=staff)
    else:
        apply_decisions(call=call, by=staff)
    application.refresh_from_db()
    return SimpleNamespace(
        call=call,
        application=application,
        pi=application.pi,
        co_investigator=accepted_co_investigator(application).user,
        chair=chair,
        member=CommitteeMembershipFactory(call=call).user,
        other=UserFactory(),
        staff=staff,
        decision=Decision.objects.get(application=application),
        award=Award.objects.filter(application=application).first(),
    )


@pytest.fixture
def funded(django_capture_on_commit_callbacks):
    return _world(django_capture_on_commit_callbacks)


def _letter(world, kind="award") -> Letter:
    return Letter.objects.get(decision=world.decision, kind=kind)


def _download(client_for, user, letter):
    return client_for(user).get(reverse("awards:letter_download", args=[letter.pk]))


# Letter downloads.


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("pi", 200),
        ("co_investigator", 404),
        ("other", 404),
        ("member", 404),
        ("chair", 200),
        ("staff", 200),
    ],
)
def test_letter_download_access(funded, client_for, actor, status):
    letter = _letter(funded)
    user = None if actor == "anonymous" else getattr(funded, actor)

    response = _download(client_for, user, letter)

    assert response.status_code == status
    if status == 200:
        letter.file.open("rb")
        assert b"".join(response.streaming_content) == letter.file.read()
        assert response["Content-Type"] == "application/pdf"
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="{funded.application.reference}-award-v1.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
    elif status == 404:
        assert funded.application.title not in response.content.decode()
    else:
        assert response["Location"].startswith(LOGIN)


def test_a_conflicted_chair_gets_404_for_the_letter_and_the_award(funded, client_for):
    ConflictFactory(application=funded.application, reviewer=funded.chair)

    assert _download(client_for, funded.chair, _letter(funded)).status_code == 404
    assert (
        client_for(funded.chair).get(reverse("awards:award_detail", args=[funded.award.pk])).status_code
        == 404
    )


def test_a_letter_still_pending_says_it_is_being_prepared(django_capture_on_commit_callbacks, client_for):
    world = _world(django_capture_on_commit_callbacks, render=False)
    letter = _letter(world)
    assert letter.status == Letter.Status.PENDING

    response = _download(client_for, world.pi, letter)

    assert response.status_code == 409
    assert "The award letter is being prepared" in response.content.decode()
    detail = client_for(world.pi).get(reverse("applications:application_detail", args=[world.application.pk]))
    assert "Award letter: being prepared" in detail.content.decode()


def test_a_stored_letter_that_does_not_match_its_sha256_is_refused(funded, client_for, caplog):
    letter = _letter(funded)
    name = letter.file.name
    letter.file.storage.delete(name)
    letter.file.storage.save(name, ContentFile(b"%PDF-1.7 tampered"))
    assert hashlib.sha256(b"%PDF-1.7 tampered").hexdigest() != letter.sha256

    with caplog.at_level(logging.ERROR, logger="awards.views.awards"):
        response = _download(client_for, funded.pi, letter)

    assert response.status_code == 500
    assert b"tampered" not in response.content
    assert "does not match" in response.content.decode()
    assert [r.levelname for r in caplog.records if "refused to serve" in r.getMessage()] == ["ERROR"]


def test_a_regenerated_letter_supersedes_the_earlier_version(
    funded, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        regenerate_letters(funded.call, by=funded.staff)
    old, new = Letter.objects.filter(decision=funded.decision, kind="award").order_by("version")

    page = client_for(funded.pi).get(reverse("applications:application_detail", args=[funded.application.pk]))

    html = page.content.decode()
    current, _, earlier = html.partition("Earlier letters (superseded)")
    assert reverse("awards:letter_download", args=[new.pk]) in current
    assert reverse("awards:letter_download", args=[old.pk]) in earlier
    assert reverse("awards:letter_download", args=[old.pk]) not in current
    assert _download(client_for, funded.pi, old).status_code == 200


def test_a_failed_regeneration_never_hides_the_good_earlier_letter(funded, client_for):
    regenerate_letters(funded.call, by=funded.staff)  # version 2 queued, never rendered …
    old, new = Letter.objects.filter(decision=funded.decision, kind="award").order_by("version")
    Letter.objects.filter(pk=new.pk).update(status=Letter.Status.FAILED, last_error="OSError: disk full")

    page = client_for(funded.pi).get(reverse("applications:application_detail", args=[funded.application.pk]))

    current, _, _ = page.content.decode().partition("Earlier letters (superseded)")
    assert reverse("awards:letter_download", args=[old.pk]) in current  # … so the rendered one stays current
    assert reverse("awards:letter_download", args=[new.pk]) not in page.content.decode()


# The outcome on the applicant's pages.


def test_the_applicant_sees_the_award_with_its_terms_and_letters(funded, client_for):
    shares = sorted(funded.decision.shares.select_related("funder"), key=lambda s: s.amount)

    html = client_for(funded.pi).get(reverse("applications:application_detail", args=[funded.application.pk]))
    html = html.content.decode()

    assert 'Outcome: <span class="status status-fund">Awarded</span>' in html
    decided = timezone.localtime(funded.decision.applied_at, funded.call.zone)
    assert f'Decided on <time datetime="{decided:%Y-%m-%d}' in html
    assert f"{decided:%-d %B %Y}</time>" in html
    assert "EUR 30,000.00" in html
    assert f"{shares[0].funder.name}: EUR 12,000.00" in html
    assert f"{shares[1].funder.name}: EUR 18,000.00" in html
    assert "An annual report each March." in html
    assert "1 January 2027" in html
    assert "24 months" in html
    assert reverse("awards:letter_download", args=[_letter(funded).pk]) in html
    assert reverse("awards:letter_download", args=[_letter(funded, "summary").pk]) in html
    assert reverse("awards:award_accept", args=[funded.award.pk]) in html
    mine = client_for(funded.pi).get(reverse("applications:my_applications")).content.decode()
    assert "Awarded</span> on" in mine
    assert "awaiting your answer" in mine


@pytest.mark.parametrize(
    ("outcome", "label", "kind"),
    [("decline", "Not funded", "decline"), ("waitlist", "Waitlisted", "waitlist")],
)
def test_the_applicant_sees_other_outcomes_with_their_letter(
    django_capture_on_commit_callbacks, client_for, outcome, label, kind
):
    world = _world(django_capture_on_commit_callbacks, outcome=outcome)

    html = client_for(world.pi).get(reverse("applications:application_detail", args=[world.application.pk]))

    html = html.content.decode()
    assert f">{label}</span>" in html
    assert reverse("awards:letter_download", args=[_letter(world, kind).pk]) in html
    assert "award_accept" not in html
    assert "Accept the award" not in html


def test_a_pending_decision_shows_nothing_to_the_applicant(client_for):
    _call, chair, [application] = deciding_call(requests=["30000"])
    _decide(application, chair, amount=Decimal("29000"), conditions="Secret condition")
    client = client_for(application.pi)

    detail = client.get(reverse("applications:application_detail", args=[application.pk])).content.decode()
    mine = client.get(reverse("applications:my_applications")).content.decode()
    awards = client.get(reverse("awards:my_awards")).content.decode()

    for html in (detail, mine):
        for word in (
            "Outcome:",
            "Awarded",
            "Not funded",
            "Waitlisted",
            "29,000.00",
            "Secret condition",
            "Award letter",
        ):
            assert word not in html, word
    assert "You hold no awards yet" in awards
    assert Letter.objects.count() == 0


def test_a_waitlisted_decision_changed_but_not_applied_still_shows_waitlisted(
    django_capture_on_commit_callbacks, client_for
):
    world = _world(django_capture_on_commit_callbacks, outcome="waitlist")
    _decide(world.application, world.staff, FUND, amount=Decimal("25000"), conditions="Not yet told")

    html = client_for(world.pi).get(reverse("applications:application_detail", args=[world.application.pk]))

    html = html.content.decode()
    assert ">Waitlisted</span>" in html
    assert "Awarded" not in html
    assert "25,000.00" not in html
    assert "Not yet told" not in html


def test_a_co_investigator_sees_the_application_but_not_the_outcome(funded, client_for):
    response = client_for(funded.co_investigator).get(
        reverse("applications:application_detail", args=[funded.application.pk])
    )

    assert response.status_code == 200
    assert "Outcome:" not in response.content.decode()


# The award page, accepting and declining.


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("pi", 200),
        ("co_investigator", 404),
        ("other", 404),
        ("member", 200),
        ("staff", 200),
    ],
)
def test_award_page_access(funded, client_for, actor, status):
    user = None if actor == "anonymous" else getattr(funded, actor)

    response = client_for(user).get(reverse("awards:award_detail", args=[funded.award.pk]))

    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert funded.award.reference in html
        assert "EUR 30,000.00" in html
        # Letters are for the applicant, staff and the chair; the form for the PI only.
        letter_link = reverse("awards:letter_download", args=[_letter(funded).pk])
        assert (letter_link in html) == (actor in ("pi", "staff"))
        assert ("Accept the award" in html) == (actor == "pi")


def test_the_pi_accepts_with_the_date_and_an_audit_row(funded, client_for):
    client = client_for(funded.pi)

    response = client.post(reverse("awards:award_accept", args=[funded.award.pk]), {"confirm": "on"})

    assert response.status_code == 302
    award = Award.objects.get(pk=funded.award.pk)
    assert award.status == Award.Status.ACCEPTED
    assert award.responded_by == funded.pi
    assert award.responded_at is not None
    events = AuditEvent.objects.filter(target_id=str(award.pk), verb__startswith="award.")
    assert list(events.values_list("verb", flat=True).order_by("pk")) == ["award.made", "award.accepted"]
    html = client.get(
        reverse("applications:application_detail", args=[funded.application.pk])
    ).content.decode()
    answered = timezone.localtime(award.responded_at, funded.call.zone)
    assert f'Accepted</span> on <time datetime="{answered:%Y-%m-%d}' in html
    assert "Accept the award" not in html


def test_accepting_needs_the_confirmation(funded, client_for):
    response = client_for(funded.pi).post(reverse("awards:award_accept", args=[funded.award.pk]), {})

    assert response.status_code == 400
    assert Award.objects.get(pk=funded.award.pk).status == Award.Status.OFFERED


def test_declining_needs_a_reason_then_records_it(funded, client_for):
    client = client_for(funded.pi)
    url = reverse("awards:award_decline", args=[funded.award.pk])

    refused = client.post(url, {"note": "  ", "confirm": "on"})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    assert Award.objects.get(pk=funded.award.pk).status == Award.Status.OFFERED
    assert not AuditEvent.objects.filter(verb="award.declined").exists()

    assert client.post(url, {"note": "The project has other funding.", "confirm": "on"}).status_code == 302
    award = Award.objects.get(pk=funded.award.pk)
    assert (award.status, award.response_note) == (Award.Status.DECLINED, "The project has other funding.")
    event = AuditEvent.objects.get(verb="award.declined", target_id=str(award.pk))
    assert event.data == {"note": "The project has other funding."}


def test_answering_twice_is_409_with_the_first_answer_and_its_date(funded, client_for):
    client = client_for(funded.pi)
    client.post(reverse("awards:award_accept", args=[funded.award.pk]), {"confirm": "on"})

    response = client.post(
        reverse("awards:award_decline", args=[funded.award.pk]), {"note": "Changed my mind", "confirm": "on"}
    )

    assert response.status_code == 409
    award = Award.objects.get(pk=funded.award.pk)
    assert f"You accepted this award on {award.responded_at:%d %b %Y}" in response.content.decode()
    assert award.status == Award.Status.ACCEPTED
    assert award.response_note == ""
    assert AuditEvent.objects.filter(verb__in=["award.accepted", "award.declined"]).count() == 1


@pytest.mark.parametrize(
    ("actor", "status"), [("staff", 403), ("member", 403), ("co_investigator", 404), ("other", 404)]
)
def test_only_the_pi_answers(funded, client_for, actor, status):
    response = client_for(getattr(funded, actor)).post(
        reverse("awards:award_accept", args=[funded.award.pk]), {"confirm": "on"}
    )

    assert response.status_code == status
    assert Award.objects.get(pk=funded.award.pk).status == Award.Status.OFFERED
    assert not AuditEvent.objects.filter(verb="award.accepted").exists()


def test_my_awards_lists_only_my_awards(funded, client_for, django_capture_on_commit_callbacks):
    other = _world(django_capture_on_commit_callbacks, render=False)

    html = client_for(funded.pi).get(reverse("awards:my_awards")).content.decode()

    assert funded.award.reference in html
    assert other.award.reference not in html


def test_an_awarded_application_cannot_be_withdrawn():
    from applications.services import withdraw_application
    from awards.services import DecisionInput, apply_decisions, set_decision
    from core.errors import StateConflict
    from tests.awards.factories import deciding_call

    call, chair, [application] = deciding_call(requests=["10000"])
    set_decision(application=application, by=chair, data=DecisionInput(outcome="fund"))
    apply_decisions(call=call, by=chair)

    with pytest.raises(StateConflict, match="decline the award instead"):
        withdraw_application(application=application, by=application.pi)
