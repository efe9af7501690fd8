"""Submitting and withdrawing: the deadline to the second, idempotent submission, races, the
frozen state afterwards, and the audit row every service writes."""

import inspect
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from applications import services
from applications.models import Application, ReferenceSequence
from applications.services import submissions as submission_services
from audit.models import AuditEvent
from core.errors import NotAllowed, StateConflict
from tests.applications.factories import (
    ApplicantFactory,
    ReviewerExclusionFactory,
    TeamMemberFactory,
    complete_draft,
    pdf_bytes,
)
from tests.factories import CallFactory, UserFactory

CLOSES_AT = datetime(2026, 3, 31, 11, 0, tzinfo=UTC)  # 1 April 2026, 00:00 in Auckland (NZDT, UTC+13)
SECOND = timedelta(seconds=1)
FROZEN = "This application is submitted; its content is frozen and can no longer change."

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL"
)


def submitted_events(application) -> int:
    return AuditEvent.objects.filter(verb="application.submitted", target_id=str(application.pk)).count()


@pytest.fixture
def auckland_draft(db):
    call = CallFactory(
        timezone="Pacific/Auckland",
        opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        closes_at=CLOSES_AT,
        program__code="NZ",
    )
    return complete_draft(call=call)


# Deadline -----------------------------------------------------------------------------------------


def test_submitting_one_second_before_the_deadline_succeeds(auckland_draft):
    application = services.submit_application(
        application=auckland_draft, by=auckland_draft.pi, now=CLOSES_AT - SECOND
    )

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at == CLOSES_AT - SECOND
    assert application.reference == "NZ-2026-0001"


def test_submitting_one_second_after_the_deadline_is_refused_with_the_local_time(auckland_draft):
    with pytest.raises(StateConflict) as refused:
        services.submit_application(application=auckland_draft, by=auckland_draft.pi, now=CLOSES_AT + SECOND)

    assert refused.value.message == (
        "This call closed on 01 April 2026, 00:00 (Pacific/Auckland); it no longer accepts applications."
    )
    auckland_draft.refresh_from_db()
    assert (auckland_draft.status, auckland_draft.reference) == (Application.Status.DRAFT, "")
    assert submitted_events(auckland_draft) == 0


def test_submitting_exactly_at_the_deadline_is_too_late(auckland_draft):
    with pytest.raises(StateConflict):
        services.submit_application(application=auckland_draft, by=auckland_draft.pi, now=CLOSES_AT)


def test_api_submission_after_the_deadline_is_a_conflict(db, client_for):
    draft = complete_draft(call=CallFactory(timezone="Pacific/Auckland"))
    closes_at = timezone.now() - SECOND
    type(draft.call).objects.filter(pk=draft.call_id).update(closes_at=closes_at)
    local = timezone.localtime(closes_at, draft.call.zone)

    response = client_for(draft.pi, api=True).post(f"/api/v1/applications/{draft.pk}/submit/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"This call closed on {local:%d %B %Y, %H:%M} (Pacific/Auckland); "
        "it no longer accepts applications."
    }
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert mail.outbox == []


# Double submission ---------------------------------------------------------------------------------


def test_submitting_twice_through_the_service_leaves_one_submission(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.submit_application(application=draft, by=draft.pi)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.submit_application(application=draft, by=draft.pi)

    assert callbacks == []
    assert (
        second.reference
        == first.reference
        == f"{draft.call.program.code}-{draft.call.closes_local.year}-0001"
    )
    assert second.submitted_at == first.submitted_at
    assert Application.objects.submitted().count() == 1
    assert submitted_events(draft) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [draft.pi.email]
    assert mail.outbox[0].subject == f"Received: {first.reference} — {draft.title}"


def test_submitting_twice_through_the_api_leaves_one_submission(
    draft, client_for, django_capture_on_commit_callbacks
):
    client = client_for(draft.pi, api=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/applications/{draft.pk}/submit/")
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"/api/v1/applications/{draft.pk}/submit/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == second.json()["status"] == "submitted"
    assert first.json()["reference"] == second.json()["reference"] != ""
    assert Application.objects.submitted().count() == 1
    assert submitted_events(draft) == 1
    assert len(mail.outbox) == 1
    draft.refresh_from_db()
    assert draft.receipt_sent_at is not None


# Races (PostgreSQL) ------------------------------------------------------------------------------


def run_together(count: int, action) -> list:
    """Run ``action`` in ``count`` threads released at once; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@requires_postgresql
def test_twenty_concurrent_submissions_make_one(transactional_db):
    draft = complete_draft()

    results = run_together(20, lambda: services.submit_application(application=draft, by=draft.pi))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert {r.reference for r in results} == {
        f"{draft.call.program.code}-{draft.call.closes_local.year}-0001"
    }
    assert Application.objects.submitted().count() == 1
    assert list(ReferenceSequence.objects.values_list("last", flat=True)) == [1]
    assert submitted_events(draft) == 1
    assert len(mail.outbox) == 1


@requires_postgresql
def test_ten_concurrent_starts_make_one_draft(transactional_db):
    call = CallFactory(max_applications_per_pi=1)
    pi = ApplicantFactory()

    results = run_together(10, lambda: services.start_application(call=call, by=pi))

    assert Application.objects.filter(call=call, pi=pi).count() == 1
    assert sum(isinstance(r, Application) for r in results) == 1
    assert sum(isinstance(r, NotAllowed) for r in results) == 9
    assert AuditEvent.objects.filter(verb="application.started").count() == 1


# Frozen after submission ---------------------------------------------------------------------------


@pytest.fixture
def submitted(draft):
    TeamMemberFactory(application=draft)
    ReviewerExclusionFactory(application=draft)
    return services.submit_application(application=draft, by=draft.pi)


def frozen_requests(application):
    base = f"/api/v1/applications/{application.pk}"
    member = application.team.get()
    line = application.budget_lines.first()
    plan = application.attachments.get()
    exclusion = application.exclusions.get()
    upload = SimpleUploadedFile("cv.pdf", pdf_bytes(1), content_type="application/pdf")
    return [
        ("patch", f"{base}/", {"title": "Changed"}, "json"),
        ("post", f"{base}/team/", {"name": "N", "email": "n@example.org", "institution_name": "I"}, "json"),
        ("patch", f"{base}/team/{member.pk}/", {"name": "Renamed"}, "json"),
        ("delete", f"{base}/team/{member.pk}/", None, "json"),
        (
            "post",
            f"{base}/budget/",
            {"category": "travel", "year": 1, "amount": "5.00", "justification": "Bus"},
            "json",
        ),
        ("patch", f"{base}/budget/{line.pk}/", {"amount": "1.00"}, "json"),
        ("delete", f"{base}/budget/{line.pk}/", None, "json"),
        ("post", f"{base}/exclusions/", {"name": "X", "reason": "Y"}, "json"),
        ("delete", f"{base}/exclusions/{exclusion.pk}/", None, "json"),
        ("post", f"{base}/attachments/", {"kind": "cv", "file": upload}, "multipart"),
        ("delete", f"{base}/attachments/{plan.pk}/", None, "json"),
    ]


def state_of(application) -> dict:
    return {
        "row": Application.objects.filter(pk=application.pk).values().get(),
        "team": list(application.team.values()),
        "budget": list(application.budget_lines.values()),
        "attachments": list(application.attachments.values()),
        "exclusions": list(application.exclusions.values()),
    }


def test_a_submitted_application_cannot_change(submitted, client_for, stored_files):
    client = client_for(submitted.pi, api=True)
    before, files = state_of(submitted), stored_files()

    responses = [
        getattr(client, method)(url, data, format=fmt)
        for method, url, data, fmt in frozen_requests(submitted)
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(409, {"detail": FROZEN})] * 11
    assert state_of(submitted) == before
    assert stored_files() == files


def test_the_portal_edit_page_of_a_submitted_application_goes_to_the_read_only_view(submitted, client_for):
    response = client_for(submitted.pi).get(f"/applications/{submitted.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"] == f"/applications/{submitted.pk}/"


def test_a_submitted_application_can_be_withdrawn_once(submitted, client_for):
    client = client_for(submitted.pi, api=True)

    first = client.post(f"/api/v1/applications/{submitted.pk}/withdraw/", {"reason": "Funded elsewhere."})
    second = client.post(f"/api/v1/applications/{submitted.pk}/withdraw/", {"reason": "Again."})

    assert first.status_code == 200
    assert first.json()["status"] == "withdrawn"
    assert (second.status_code, second.json()) == (409, {"detail": "This application is withdrawn already."})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.withdrawal_reason) == ("withdrawn", "Funded elsewhere.")
    events = AuditEvent.objects.filter(verb="application.withdrawn")
    assert [(e.actor, e.before, e.after, e.data) for e in events] == [
        (submitted.pi, {"status": "submitted"}, {"status": "withdrawn"}, {"reason": "Funded elsewhere."})
    ]


def test_a_withdrawn_application_cannot_be_submitted_or_changed(draft, client_for):
    services.withdraw_application(application=draft, by=draft.pi)
    client = client_for(draft.pi, api=True)

    submit = client.post(f"/api/v1/applications/{draft.pk}/submit/")
    patch = client.patch(f"/api/v1/applications/{draft.pk}/", {"title": "Changed"}, format="json")

    frozen = "This application is withdrawn; its content is frozen and can no longer change."
    assert (submit.status_code, submit.json()) == (409, {"detail": frozen})
    assert (patch.status_code, patch.json()) == (409, {"detail": frozen})


# Audit ---------------------------------------------------------------------------------------------


def _invite(draft):
    member = TeamMemberFactory(application=draft)
    return lambda: services.invite_team_member(member=member, by=draft.pi), draft.pi


def _accept(draft):
    TeamMemberFactory(application=draft, invite_token="token-1", invited_at=timezone.now())
    other = UserFactory()
    return lambda: services.accept_team_invitation(token="token-1", by=other), other


def _pi_does(make):
    def setup(draft):
        action = make(draft)
        return lambda: action(draft.pi), draft.pi

    return setup


AUDITED = {
    "start_application": (
        "application.started",
        lambda d: (lambda: services.start_application(call=CallFactory(), by=d.pi), d.pi),
    ),
    "update_application": (
        "application.updated",
        _pi_does(lambda d: lambda by: services.update_application(application=d, by=by, title="New title")),
    ),
    "save_team_member": (
        "application.team_member_saved",
        _pi_does(
            lambda d: (
                lambda by: services.save_team_member(
                    application=d, by=by, name="Nia", email="nia@example.org", institution_name="UCL"
                )
            )
        ),
    ),
    "remove_team_member": (
        "application.team_member_removed",
        _pi_does(
            lambda d: (lambda m: lambda by: services.remove_team_member(member=m, by=by))(
                TeamMemberFactory(application=d)
            )
        ),
    ),
    "invite_team_member": ("application.team_member_invited", _invite),
    "accept_team_invitation": ("application.team_invitation_accepted", _accept),
    "save_budget_line": (
        "application.budget_line_saved",
        _pi_does(
            lambda d: (
                lambda by: services.save_budget_line(
                    application=d,
                    by=by,
                    category="travel",
                    year=1,
                    amount=Decimal("10.00"),
                    justification="Bus",
                )
            )
        ),
    ),
    "remove_budget_line": (
        "application.budget_line_removed",
        _pi_does(lambda d: lambda by: services.remove_budget_line(line=d.budget_lines.first(), by=by)),
    ),
    "add_attachment": (
        "application.attachment_added",
        _pi_does(
            lambda d: (
                lambda by: services.add_attachment(
                    application=d, by=by, kind="cv", upload=SimpleUploadedFile("cv.pdf", pdf_bytes(1))
                )
            )
        ),
    ),
    "remove_attachment": (
        "application.attachment_removed",
        _pi_does(lambda d: lambda by: services.remove_attachment(attachment=d.attachments.get(), by=by)),
    ),
    "save_exclusion": (
        "application.exclusion_saved",
        _pi_does(
            lambda d: lambda by: services.save_exclusion(application=d, by=by, name="X", reason="Rival")
        ),
    ),
    "remove_exclusion": (
        "application.exclusion_removed",
        _pi_does(
            lambda d: (lambda e: lambda by: services.remove_exclusion(exclusion=e, by=by))(
                ReviewerExclusionFactory(application=d)
            )
        ),
    ),
    "submit_application": (
        "application.submitted",
        _pi_does(lambda d: lambda by: services.submit_application(application=d, by=by)),
    ),
    "withdraw_application": (
        "application.withdrawn",
        _pi_does(lambda d: lambda by: services.withdraw_application(application=d, by=by, reason="r")),
    ),
}


def test_every_submission_service_is_in_the_audit_table():
    public = {
        name
        for name, function in inspect.getmembers(submission_services, inspect.isfunction)
        if function.__module__ == submission_services.__name__ and not name.startswith("_")
    }
    assert public == set(AUDITED)


@pytest.mark.parametrize(
    ("service", "verb", "setup"), [(n, v, s) for n, (v, s) in AUDITED.items()], ids=list(AUDITED)
)
def test_each_service_writes_its_audit_row(service, verb, setup, draft):
    action, actor = setup(draft)
    existing = set(AuditEvent.objects.values_list("pk", flat=True))

    action()

    new = list(AuditEvent.objects.exclude(pk__in=existing).values_list("verb", "actor"))
    assert new == [(verb, actor.pk)]
