"""Letters as rows: queued with the decisions, rendered once by a worker, e-mailed once, swept when stuck.

A letter is one (decision, kind, version). Creating it queues the render task after the commit, never
before, so a worker never looks for a row that is not there. Rendering locks the row and does nothing
if the letter is done, so a task delivered twice (late acknowledgement, the sweep) makes one file. The
e-mail to the applicant is a second step after the commit, recorded by ``emailed_at``, so a retry
after a mail-server error sends it once. The sweep re-queues letters still pending after a while: a
broker outage delays letters but loses none. Each attempt is counted before it starts, so a letter
whose rendering kills its worker fails after ``LETTERS_MAX_ATTEMPTS`` instead of looping forever.
"""

import hashlib
import io
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable
from pypdf import PdfReader

from applications.models import Call
from applications.permissions import can_manage_calls
from audit.services import record_event
from awards.letters import (
    OUTCOME_KINDS,
    LetterTemplateError,
    check_template,
    decision_context,
    letter_subject,
    letter_template,
    render_letter_pdf,
)
from awards.models import Decision, Letter, LetterBatch, LetterSettings, LetterTemplate
from awards.permissions import can_decide
from core.errors import Invalid, StateConflict, ensure

logger = logging.getLogger(__name__)

KIND_ORDER = [Letter.Kind.AWARD, Letter.Kind.DECLINE, Letter.Kind.WAITLIST, Letter.Kind.SUMMARY]
LOCKED_RELATED = ("decision__application__pi", "decision__call__program")


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def letter_kinds(decision: Decision) -> list[str]:
    """The letters a decision's published outcome calls for: its decision letter, and the summary
    statement when the call releases them."""
    kinds = [OUTCOME_KINDS[decision.published_outcome]]
    if decision.call.release_summary_statements:
        kinds.append(Letter.Kind.SUMMARY)
    return kinds


def _enqueue(letter_ids: list[int]) -> None:
    """Send each letter to the render queue. An error is logged, not raised to the request that
    committed: a broker error leaves the letter pending for the sweep; run in process (no broker),
    a failed render leaves it failed, to be retried. The first broker error ends the loop: each
    publish to a broker that is down waits ~0.6 s for its retries, and the letters left are pending
    for the sweep anyway, so a batch of 200 answers at once instead of after two minutes."""
    from awards.tasks import render_letter as render_letter_task

    for index, letter_id in enumerate(letter_ids):
        try:
            render_letter_task.delay(letter_id)
        except BrokerUnavailable as exc:
            logger.error(
                "The broker is unreachable (%s): %d letter(s) stay pending for the sweep (first: %s)",
                exc,
                len(letter_ids) - index,
                letter_id,
            )
            return
        except Exception:
            logger.exception("Letter %s could not be queued or rendered", letter_id)


def _enqueue_after_commit(letter_ids: list[int]) -> None:
    if letter_ids:
        transaction.on_commit(partial(_enqueue, letter_ids))


def queue_after_commit(letters: list[Letter]) -> None:
    """Queue ``letters`` once the transaction commits, in one go (one broker error ends it)."""
    _enqueue_after_commit([letter.pk for letter in letters])


@transaction.atomic
def create_letters(
    decision: Decision, *, batch: LetterBatch | None, by, regenerate: bool = False, queue: bool = True
) -> list[Letter]:
    """Queue the letters of ``decision``'s published outcome (and its summary statement). A kind that
    has a letter already is skipped, so applying twice makes one letter per version; ``regenerate``
    makes the next version beside the old one. Rendering starts after the commit; with ``queue``
    false the caller queues them (a batch's letters all together: ``queue_after_commit``)."""
    if not decision.published_outcome:
        raise StateConflict("This decision has not been applied: it has no letters yet.")
    # Serialises version numbers per decision when two requests race.
    Decision.objects.select_for_update().filter(pk=decision.pk).values_list("pk").first()
    latest = dict(
        Letter.objects.filter(decision=decision)
        .values("kind")
        .annotate(version=Max("version"))
        .values_list("kind", "version")
    )
    now = timezone.now()
    created = []
    for kind in letter_kinds(decision):
        if kind in latest and not regenerate:
            continue
        letter = Letter.objects.create(
            decision=decision,
            batch=batch,
            kind=kind,
            version=latest.get(kind, 0) + 1,
            created_by=_user(by),
            queued_at=now,
        )
        record_event(
            letter,
            "letter.queued",
            by=by,
            kind=kind,
            version=letter.version,
            batch=batch.pk if batch else None,
        )
        created.append(letter)
    if queue:
        queue_after_commit(created)
    return created


def stored_name(letter: Letter) -> str:
    """Where a letter's PDF is stored: one name per letter row. A worker killed after writing the
    file but before its commit leaves a file the next attempt replaces, never an orphan beside it."""
    return f"letters/{letter.decision.call_id}/{letter.pk}-{letter.kind}-v{letter.version}.pdf"


def _remove_leftover(letter: Letter) -> None:
    """Delete the file an interrupted attempt may have left (the row never pointed at it)."""
    storage = letter.file.storage
    name = stored_name(letter)
    if storage.exists(name):
        logger.warning("Letter %s: removing %s, left by an attempt that did not finish", letter.pk, name)
        storage.delete(name)


def _store(letter: Letter, pdf: bytes) -> None:
    _remove_leftover(letter)
    letter.file.name = letter.file.storage.save(stored_name(letter), ContentFile(pdf))
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.size = len(pdf)
    letter.pages = len(PdfReader(io.BytesIO(pdf)).pages)
    letter.status = Letter.Status.DONE
    letter.rendered_at = timezone.now()
    letter.last_error = ""
    letter.attempts = max(letter.attempts - 1, 0)  # this attempt succeeded: it takes its count back
    letter.save(
        update_fields=["file", "sha256", "size", "pages", "status", "rendered_at", "last_error", "attempts"]
    )
    record_event(
        letter, "letter.rendered", by=None, sha256=letter.sha256, pages=letter.pages, size=letter.size
    )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _record_failure(letter_id: int, error: Exception, *, final: bool) -> None:
    """Keep the error of an attempt (counted when it started); the letter fails on the final one."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        before = {"status": letter.status}
        letter.last_error = _describe(error)
        if final or letter.attempts >= settings.LETTERS_MAX_ATTEMPTS:
            letter.status = Letter.Status.FAILED
        letter.save(update_fields=["last_error", "status"])
        record_event(
            letter,
            "letter.failed" if letter.status == Letter.Status.FAILED else "letter.render_error",
            by=None,
            before=before,
            after={"status": letter.status},
            error=letter.last_error,
            attempts=letter.attempts,
        )


def _give_up(letter: Letter) -> None:
    """The letter's attempts are spent and the last one never finished (its worker stopped: out of
    memory, killed, crashed): fail it with a message instead of stopping worker after worker."""
    before = {"status": letter.status}
    message = (
        f"Given up after {letter.attempts} attempts: rendering this letter never finished, the worker "
        "stopped while rendering it (out of memory, killed or crashed). Retry it once the cause is found."
    )
    letter.last_error = (
        f"{message} Earlier error: {letter.last_error}"[:2000] if letter.last_error else message
    )
    letter.status = Letter.Status.FAILED
    _remove_leftover(letter)
    letter.save(update_fields=["last_error", "status"])
    record_event(
        letter,
        "letter.failed",
        by=None,
        before=before,
        after={"status": letter.status},
        error=letter.last_error,
        attempts=letter.attempts,
    )
    logger.error("Letter %s: %s", letter.pk, message)


def _claim(letter_id: int) -> tuple[Letter, bool]:
    """Count an attempt before it starts, in a transaction of its own: an attempt whose worker dies
    (its render transaction rolled back) still counts, so a letter that kills its worker is given up
    after ``LETTERS_MAX_ATTEMPTS`` instead of being redelivered forever. True: render it now."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",)).select_related(*LOCKED_RELATED).get(pk=letter_id)
        )
        if letter.status != Letter.Status.PENDING:  # done (a redelivery), or failed until retried
            return letter, False
        if letter.attempts >= settings.LETTERS_MAX_ATTEMPTS:
            _give_up(letter)
            return letter, False
        letter.attempts += 1
        letter.save(update_fields=["attempts"])
        return letter, True


def render_letter(letter_id: int, *, final_attempt: bool = True) -> Letter:
    """Render and store a pending letter's PDF once, then e-mail a decision letter to its applicant
    (after the commit). Each attempt is counted when it starts and given back when it succeeds. A
    failure keeps the error; the letter is *failed* on the final attempt (the task passes
    ``final_attempt`` when its retries are spent, or ``LETTERS_MAX_ATTEMPTS`` are used) or when its
    template is broken, which no retry mends. A done letter is not rendered again, a failed one only
    once ``retry_letters`` has made it pending."""
    letter, claimed = _claim(letter_id)
    error = None
    if claimed:
        with transaction.atomic():
            letter = (
                Letter.objects.select_for_update(of=("self",))
                .select_related(*LOCKED_RELATED)
                .get(pk=letter_id)
            )
            if letter.status == Letter.Status.PENDING:
                try:
                    with transaction.atomic():  # a failed store leaves the row lock's transaction usable
                        _store(letter, render_letter_pdf(letter))
                except Exception as exc:
                    if letter.file:
                        letter.file.delete(save=False)
                    error = exc
            else:  # another delivery rendered it between the two transactions: this one was not needed
                letter.attempts = max(letter.attempts - 1, 0)
                letter.save(update_fields=["attempts"])
    if error is not None:
        _record_failure(letter_id, error, final=final_attempt or isinstance(error, LetterTemplateError))
        raise error
    if (
        letter.status == Letter.Status.DONE
        and letter.kind != Letter.Kind.SUMMARY
        and letter.emailed_at is None
    ):
        transaction.on_commit(partial(email_letter, letter.pk))
    return letter


def email_letter(letter_id: int) -> bool:
    """E-mail a rendered decision letter to the principal investigator with the PDF attached, once."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related(*LOCKED_RELATED)
            .filter(pk=letter_id, status=Letter.Status.DONE, emailed_at__isnull=True)
            .exclude(kind=Letter.Kind.SUMMARY)
            .first()
        )
        if letter is None:
            return False
        decision = letter.decision
        context = decision_context(decision)
        try:
            subject = letter_subject(letter.kind, context, letter_template(decision.call, letter.kind))
        except LetterTemplateError:
            logger.warning(
                "The e-mail subject of letter %s is broken; the default subject is used", letter.pk
            )
            subject = letter_subject(letter.kind, context)
        body = render_to_string("awards/letters/email.txt", {**context, "heading": letter.get_kind_display()})
        message = EmailMessage(subject=subject, body=body, to=[decision.application.pi.email])
        with letter.file.open("rb") as handle:
            message.attach(letter.filename, handle.read(), "application/pdf")
        try:
            message.send()
        except Exception as exc:
            error = exc
        else:
            error = None
            letter.emailed_at = timezone.now()
            letter.save(update_fields=["emailed_at"])
            record_event(letter, "letter.emailed", by=None, to=decision.application.pi.email)
    if error is not None:
        Letter.objects.filter(pk=letter_id).update(last_error=f"E-mail: {_describe(error)}"[:2000])
        raise error
    return True


def _letter_ids(letters) -> list[int]:
    if isinstance(letters, QuerySet):
        return list(letters.values_list("pk", flat=True))
    return [letter.pk if isinstance(letter, Letter) else int(letter) for letter in letters]


@transaction.atomic
def retry_letters(batch: LetterBatch | None = None, letters=None, *, by) -> list[Letter]:
    """Queue failed letters again, of a batch or given as letters (rows, ids or a queryset), each with
    a fresh count of attempts (the audit keeps the earlier count and error)."""
    if batch is None and letters is None:
        raise Invalid("Name a batch or the letters to retry.")
    failed = Letter.objects.filter(status=Letter.Status.FAILED)
    if batch is not None:
        failed = failed.filter(batch=batch)
    if letters is not None:
        failed = failed.filter(pk__in=_letter_ids(letters))
    failed = list(failed.select_for_update(of=("self",)).select_related(*LOCKED_RELATED).order_by("pk"))
    for call in {letter.decision.call for letter in failed}:
        ensure(can_decide(by, call))
    now = timezone.now()
    for letter in failed:
        attempts, letter.attempts = letter.attempts, 0  # a retry by a person gets a fresh set of attempts
        letter.status = Letter.Status.PENDING
        letter.queued_at = now
        letter.save(update_fields=["status", "queued_at", "attempts"])
        record_event(
            letter,
            "letter.requeued",
            by=by,
            before={"status": Letter.Status.FAILED, "attempts": attempts},
            after={"status": Letter.Status.PENDING, "attempts": 0},
            last_error=letter.last_error,
        )
    _enqueue_after_commit([letter.pk for letter in failed])
    return failed


@transaction.atomic
def regenerate_letters(call: Call, *, by) -> LetterBatch:
    """Make a new version of the letters of every applied decision of ``call`` (after a corrected
    template, signature or letterhead), in a new batch; the earlier versions and their files stay."""
    ensure(can_decide(by, call))
    decisions = list(
        Decision.objects.filter(call=call)
        .exclude(published_outcome="")
        .select_related("application__pi", "call")
        .order_by("application__reference", "pk")
    )
    if not decisions:
        raise StateConflict("No decision of this call has been applied: there are no letters to regenerate.")
    now = timezone.now()
    batch = LetterBatch.objects.create(
        call=call,
        created_by=_user(by),
        label=f"Letters regenerated on {timezone.localtime(now, call.zone):%d %b %Y %H:%M}",
    )
    created = [
        x for d in decisions for x in create_letters(d, batch=batch, by=by, regenerate=True, queue=False)
    ]
    queue_after_commit(created)
    count = len(created)
    record_event(batch, "letters.regenerated", by=by, letters=count)
    return batch


@transaction.atomic
def sweep_pending_letters(older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again the letters still pending ``older_than`` after they were queued (or never queued),
    and the rendered decision letters whose e-mail has not gone out by then. Letters a worker is
    rendering right now are locked and skipped."""
    now = timezone.now()
    stale = list(
        Letter.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(*LOCKED_RELATED)
        .filter(status=Letter.Status.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - older_than))
        .order_by("pk")
    )
    for letter in stale:
        before = {"queued_at": letter.queued_at.isoformat() if letter.queued_at else None}
        letter.queued_at = now
        letter.save(update_fields=["queued_at"])
        record_event(letter, "letter.requeued", by=None, before=before, after={"queued_at": now.isoformat()})
    # Rendered but never e-mailed (the mail server refused, the retries ran out): the render task
    # finds the letter done and sends its e-mail again, once it goes through.
    unsent = list(
        Letter.objects.filter(
            status=Letter.Status.DONE, emailed_at__isnull=True, rendered_at__lt=now - older_than
        )
        .exclude(kind=Letter.Kind.SUMMARY)
        .exclude(decision__application__anonymised_at__isnull=False)
        .values_list("pk", flat=True)
    )
    if unsent:
        logger.warning("Sweep: %d rendered letter(s) not yet e-mailed are queued again", len(unsent))
    _enqueue_after_commit([letter.pk for letter in stale] + unsent)
    return len(stale) + len(unsent)


def batch_progress(batch: LetterBatch) -> dict:
    """How far a batch is: counts per status and the percentage done (100 for an empty batch)."""
    counts = dict(batch.letters.order_by().values_list("status").annotate(n=Count("pk")))
    done = counts.get(Letter.Status.DONE, 0)
    failed = counts.get(Letter.Status.FAILED, 0)
    pending = counts.get(Letter.Status.PENDING, 0)
    total = done + failed + pending
    percent = 100 if total == 0 else done * 100 // total
    return {"total": total, "done": done, "failed": failed, "pending": pending, "percent": percent}


def latest_letters(decision: Decision) -> list[Letter]:
    """The newest version of each kind of ``decision``'s letters: decision letters, then the summary."""
    latest: dict[str, Letter] = {}
    for letter in Letter.objects.filter(decision=decision).order_by("kind", "-version"):
        latest.setdefault(letter.kind, letter)
    return sorted(latest.values(), key=lambda letter: KIND_ORDER.index(letter.kind))


def save_letter_template(template: LetterTemplate, *, by) -> LetterTemplate:
    """Save a staff-written template after checking it compiles and renders with sample data."""
    ensure(can_manage_calls(by))
    for source, what in ((template.body, "letter template"), (template.subject, "e-mail subject")):
        try:
            check_template(source, what=what)
        except LetterTemplateError as exc:
            raise Invalid(str(exc)) from exc
    created = template.pk is None
    template.updated_by = _user(by)
    template.save()
    record_event(template, "letter_template.created" if created else "letter_template.changed", by=by)
    return template


def save_letter_settings(letter_settings: LetterSettings, *, by) -> LetterSettings:
    """Save who signs a call's letters and how they look."""
    ensure(can_manage_calls(by))
    created = letter_settings.pk is None
    letter_settings.save()
    record_event(
        letter_settings,
        "letter_settings.created" if created else "letter_settings.changed",
        by=by,
        signatory_name=letter_settings.signatory_name,
        letterhead=letter_settings.letterhead,
        signature=bool(letter_settings.signature),
    )
    return letter_settings
