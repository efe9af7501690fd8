"""The letter pipeline: queued after the commit, rendered once per version, e-mailed once, regenerated
beside the old version, swept when stuck, retried after a failure. Tasks run in the test process."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from awards.letters import LetterTemplateError
from awards.models import Decision, Letter, LetterBatch, LetterTemplate
from awards.services.letters import (
    batch_progress,
    create_letters,
    latest_letters,
    regenerate_letters,
    render_letter,
    retry_letters,
    sweep_pending_letters,
)
from awards.tasks import render_letter as render_letter_task
from core.errors import NotAllowed
from tests.awards.letters_world import decided, letter_for
from tests.awards.letters_world import media_root as media_root  # autouse fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def stored(root) -> list[str]:
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.pdf")) if root.exists() else []


def chair_of(decision: Decision):
    return decision.call.committee.get(role="chair").user


def batch_of(decision: Decision) -> LetterBatch:
    return LetterBatch.objects.create(call=decision.call, label="Decisions applied")


def verbs(letter: Letter) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(letter.pk)).order_by("pk").values_list("verb", flat=True)
    )


def test_letters_are_queued_only_after_the_commit_and_rendered_then(
    django_capture_on_commit_callbacks, media_root
):
    decision = decided(Decision.Outcome.FUND)
    with django_capture_on_commit_callbacks() as callbacks:
        letters = create_letters(decision, batch=batch_of(decision), by=chair_of(decision))
        assert [(x.kind, x.version, x.status) for x in letters] == [
            ("award", 1, "pending"),
            ("summary", 1, "pending"),
        ]
        assert stored(media_root) == []  # nothing renders before the commit
    assert len(callbacks) == 1
    assert all(x.queued_at is not None for x in letters)

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit: the task renders, then e-mails after its own commit

    assert sorted(Letter.objects.values_list("kind", "status")) == [("award", "done"), ("summary", "done")]
    assert len(stored(media_root)) == 2
    assert verbs(letters[0]) == ["letter.queued", "letter.rendered", "letter.emailed"]


def test_creating_twice_makes_one_letter_per_version(django_capture_on_commit_callbacks):
    decision = decided(Decision.Outcome.WAITLIST)
    chair = chair_of(decision)
    with django_capture_on_commit_callbacks(execute=True):
        first = create_letters(decision, batch=batch_of(decision), by=chair)
        again = create_letters(decision, batch=batch_of(decision), by=chair)

    assert [(x.kind, x.version) for x in first] == [("waitlist", 1), ("summary", 1)]
    assert again == []
    assert Letter.objects.count() == 2


def test_a_summary_statement_only_when_the_call_releases_them(django_capture_on_commit_callbacks):
    decision = decided(Decision.Outcome.DECLINE, release_summary=False)
    with django_capture_on_commit_callbacks(execute=True):
        letters = create_letters(decision, batch=None, by=None)
    assert [x.kind for x in letters] == ["decline"]


def test_an_outcome_changed_from_the_waitlist_gets_its_own_letter_and_keeps_the_summary(
    django_capture_on_commit_callbacks,
):
    decision = decided(Decision.Outcome.WAITLIST)
    with django_capture_on_commit_callbacks(execute=True):
        create_letters(decision, batch=None, by=None)
        decision.published_outcome = decision.outcome = Decision.Outcome.DECLINE
        decision.save()
        changed = create_letters(decision, batch=None, by=None)

    assert [(x.kind, x.version) for x in changed] == [("decline", 1)]
    assert [(x.kind, x.version) for x in latest_letters(decision)] == [
        ("decline", 1),
        ("waitlist", 1),
        ("summary", 1),
    ]


def test_rendering_twice_makes_one_file_with_one_sha(media_root):
    decision = decided(Decision.Outcome.FUND)
    letter = letter_for(decision, Letter.Kind.AWARD)

    first = render_letter(letter.pk)
    second = render_letter(letter.pk)

    assert stored(media_root) == [first.file.name]
    assert second.file.name == first.file.name
    assert (
        second.sha256
        == first.sha256
        == hashlib.sha256(Path(media_root, first.file.name).read_bytes()).hexdigest()
    )
    assert (second.status, second.pages, second.size) == (
        "done",
        1,
        Path(media_root, first.file.name).stat().st_size,
    )
    assert verbs(letter).count("letter.rendered") == 1


def test_regenerating_makes_version_two_beside_version_one(django_capture_on_commit_callbacks, media_root):
    decision = decided(Decision.Outcome.FUND)
    chair = chair_of(decision)
    with django_capture_on_commit_callbacks(execute=True):
        create_letters(decision, batch=batch_of(decision), by=chair)
    v1 = {x.kind: x for x in Letter.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        batch = regenerate_letters(decision.call, by=chair)

    letters = list(
        Letter.objects.order_by("kind", "version").values_list("kind", "version", "status", "batch")
    )
    assert letters == [
        ("award", 1, "done", v1["award"].batch_id),
        ("award", 2, "done", batch.pk),
        ("summary", 1, "done", v1["summary"].batch_id),
        ("summary", 2, "done", batch.pk),
    ]
    files = stored(media_root)
    assert len(files) == 4
    assert all(Path(media_root, x.file.name).exists() for x in v1.values())
    assert [(x.kind, x.version) for x in latest_letters(decision)] == [("award", 2), ("summary", 2)]
    assert batch_progress(batch) == {"total": 2, "done": 2, "failed": 0, "pending": 0, "percent": 100}
    assert AuditEvent.objects.filter(verb="letters.regenerated", target_id=str(batch.pk)).count() == 1


def test_only_the_chair_or_staff_regenerate_and_retry():
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    letter = letter_for(decision, Letter.Kind.DECLINE, status=Letter.Status.FAILED)
    stranger = UserFactory()

    with pytest.raises(NotAllowed):
        regenerate_letters(decision.call, by=stranger)
    with pytest.raises(NotAllowed):
        retry_letters(letters=[letter], by=stranger)

    letter.refresh_from_db()
    assert (Letter.objects.count(), letter.status, LetterBatch.objects.count()) == (1, "failed", 0)


def test_the_applicant_gets_the_decision_letter_once_with_the_pdf_and_no_mail_for_the_summary(
    django_capture_on_commit_callbacks, media_root
):
    decision = decided(Decision.Outcome.FUND)
    LetterTemplate.objects.create(
        call=decision.call, kind="award", subject="Funded: {{ reference }} & {{ title }}", body="<p>Yes.</p>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        create_letters(decision, batch=batch_of(decision), by=chair_of(decision))
    award = Letter.objects.get(kind="award")
    with django_capture_on_commit_callbacks(execute=True):
        render_letter(award.pk)  # a redelivered task
        render_letter_task.delay(award.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    reference = decision.application.reference
    assert message.to == [decision.application.pi.email]
    assert message.subject == f"Funded: {reference} & Remyelination in progressive MS"
    assert "Remyelination in progressive MS" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{reference}-award-v1.pdf", "application/pdf")
    assert content == Path(media_root, award.file.name).read_bytes()
    award.refresh_from_db()
    summary = Letter.objects.get(kind="summary")
    assert award.emailed_at is not None
    assert (summary.status, summary.emailed_at) == ("done", None)


def test_the_sweep_requeues_only_stale_pending_letters(django_capture_on_commit_callbacks):
    decision = decided(Decision.Outcome.FUND, reviews=False)
    long_ago, just_now = timezone.now() - timedelta(minutes=30), timezone.now() - timedelta(minutes=1)
    stale = letter_for(decision, "award", 1, queued_at=long_ago)
    never = letter_for(decision, "summary", 1, queued_at=None)
    recent = letter_for(decision, "award", 2, queued_at=just_now)
    done = letter_for(decision, "summary", 2, queued_at=long_ago, status="done")
    failed = letter_for(decision, "award", 3, queued_at=long_ago, status="failed")

    with django_capture_on_commit_callbacks() as callbacks:
        assert sweep_pending_letters() == 2
    for letter in (stale, never, recent, done, failed):
        letter.refresh_from_db()
    assert min(stale.queued_at, never.queued_at) > just_now
    assert (recent.queued_at, done.queued_at, failed.queued_at) == (just_now, long_ago, long_ago)

    [callback] = callbacks
    callback()
    statuses = dict(Letter.objects.values_list("pk", "status"))
    assert [statuses[x.pk] for x in (stale, never, recent, done, failed)] == [
        "done",
        "done",
        "pending",
        "done",
        "failed",
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        assert sweep_pending_letters() == 0
    assert callbacks == []


def test_a_failed_attempt_keeps_the_error_and_only_the_last_attempt_fails_the_letter(settings, tmp_path):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    letter = letter_for(decision, Letter.Kind.DECLINE)
    settings.MEDIA_ROOT = tmp_path / "a-file"  # storage cannot write below a file: an OSError
    settings.MEDIA_ROOT.write_text("not a folder")

    with pytest.raises(OSError, match=r"Not a directory|File exists"):
        render_letter(letter.pk, final_attempt=False)  # the worker retries later, with backoff
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, letter.file.name) == ("pending", 1, "")
    assert letter.last_error.startswith(("FileExistsError", "NotADirectoryError"))

    with pytest.raises(OSError, match=r"Not a directory|File exists"):
        render_letter(letter.pk, final_attempt=True)
    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("failed", 2)
    assert verbs(letter) == ["letter.render_error", "letter.failed"]


def test_the_render_task_is_acknowledged_late_and_retried_with_backoff():
    assert (
        render_letter_task.name,
        render_letter_task.acks_late,
        render_letter_task.reject_on_worker_lost,
    ) == (
        "awards.tasks.render_letter",
        True,
        True,
    )
    assert (render_letter_task.max_retries, render_letter_task.retry_backoff) == (5, True)


def test_a_failed_letter_is_retried_into_a_done_one(settings, tmp_path, django_capture_on_commit_callbacks):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    batch = batch_of(decision)
    good_root = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path / "a-file"
    settings.MEDIA_ROOT.write_text("not a folder")
    with django_capture_on_commit_callbacks(execute=True):
        [letter] = create_letters(decision, batch=batch, by=None)[:1]  # in process: the failure is final

    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("failed", 1)
    assert batch_progress(batch) == {"total": 2, "done": 0, "failed": 2, "pending": 0, "percent": 0}

    settings.MEDIA_ROOT = good_root
    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_letters(batch=batch, by=chair_of(decision))

    assert [x.kind for x in retried] == ["decline", "summary"]
    letter.refresh_from_db()
    # A retry by a person starts a fresh count of attempts; the audit keeps the earlier one.
    assert (letter.status, letter.attempts, letter.last_error) == ("done", 0, "")
    assert verbs(letter) == [
        "letter.queued", "letter.failed", "letter.requeued", "letter.rendered", "letter.emailed",
    ]  # fmt: skip
    assert batch_progress(batch) == {"total": 2, "done": 2, "failed": 0, "pending": 0, "percent": 100}
    assert len(mail.outbox) == 1


def test_a_broken_template_fails_at_once_with_its_message(django_capture_on_commit_callbacks):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    LetterTemplate.objects.create(
        call=decision.call, kind="decline", subject="x", body="{% if %}"
    )  # not via admin
    letter = letter_for(decision, Letter.Kind.DECLINE)

    with pytest.raises(LetterTemplateError):
        render_letter_task.delay(letter.pk)  # not retried: no retry mends a template

    letter.refresh_from_db()
    assert (letter.status, letter.attempts) == ("failed", 1)
    assert letter.last_error == (
        "LetterTemplateError: The letter template has an error (line 1): "
        "Unexpected end of expression in if tag."
    )
    assert mail.outbox == []


def test_the_sweep_sends_again_the_e_mail_of_a_rendered_letter_that_never_went_out(
    django_capture_on_commit_callbacks,
):
    decision = decided(Decision.Outcome.FUND, reviews=False)
    letter = letter_for(decision, "award", 1)
    render_letter(letter.pk)  # rendered; its e-mail (after the commit) never ran: the mail server was down
    Letter.objects.filter(pk=letter.pk).update(rendered_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_letters() == 1

    letter.refresh_from_db()
    assert letter.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_letters() == 0  # sent: never again
