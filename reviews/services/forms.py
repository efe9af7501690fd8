"""Setting up a call's review: its forms (from the shipped templates) and its dated phases."""

from django.db import transaction

from accounts.models import User
from applications.models import Call
from audit.services import record_event
from core.errors import Invalid, StateConflict, ensure
from reviews.models import ReviewForm, ReviewPhase
from reviews.permissions import can_manage_reviewers
from reviews.review_templates import TEMPLATES, build_form

SeeOthers = ReviewPhase.SeeOthers
# Blind first: score independently, then read each other's reviews before the panel meets.
DEFAULT_PHASES = [
    {"name": "Independent review", "can_write": True, "see_others": SeeOthers.NEVER},
    {"name": "Reading", "can_write": True, "see_others": SeeOthers.AFTER_OWN},
    {
        "name": "Panel discussion",
        "can_write": False,
        "see_others": SeeOthers.ALWAYS,
        "see_reviewer_names": True,
    },
]


@transaction.atomic
def apply_form_template(*, call: Call, template: str, audience: str, by: User) -> ReviewForm:
    """Give the call's ``audience`` (scientific or lay reviewers) the form of a shipped template
    (staff). Replaces an existing form only while nobody has started a review on it."""
    ensure(can_manage_reviewers(by, call))
    if template not in TEMPLATES:
        raise Invalid(f"Unknown template “{template}”; choose one of {', '.join(sorted(TEMPLATES))}.")
    if audience not in ReviewForm.Audience.values:
        raise Invalid(f"Unknown audience “{audience}”.")
    existing = ReviewForm.objects.select_for_update().filter(call=call, audience=audience).first()
    before = {}
    if existing is not None:
        if existing.reviews.exists():
            raise StateConflict("Reviews have been started on this form; it can no longer be replaced.")
        before = {"form": existing.pk, "template": existing.template}
        existing.delete()
    form = build_form(call=call, template=template, audience=audience)
    if not form.criteria_for(audience):
        raise Invalid(f"The “{template}” template has no criteria for {audience} reviewers.")
    record_event(
        form,
        "review.form_applied",
        by=by,
        before=before,
        after={"template": template, "audience": audience},
        call=call.pk,
    )
    return form


@transaction.atomic
def create_default_phases(*, call: Call, by: User) -> list[ReviewPhase]:
    """Give the call the blind-first phases (independent review, reading, panel), the first active."""
    ensure(can_manage_reviewers(by, call))
    if call.review_phases.exists():
        raise StateConflict("This call has review phases already.")
    phases = [
        ReviewPhase.objects.create(call=call, position=i, active=i == 0, **fields)
        for i, fields in enumerate(DEFAULT_PHASES)
    ]
    record_event(call, "review.phases_created", by=by, after={"phases": [p.name for p in phases]})
    return phases


@transaction.atomic
def activate_review_phase(*, phase: ReviewPhase, by: User | None) -> ReviewPhase:
    """Make ``phase`` the call's one active phase, by hand (staff) or from the periodic task
    (``by=None``)."""
    if by is not None:
        ensure(can_manage_reviewers(by, phase.call))
    phases = ReviewPhase.objects.select_for_update().filter(call_id=phase.call_id)
    previous = phases.filter(active=True).exclude(pk=phase.pk).first()
    if previous is None and phase.active:
        return phase
    phases.filter(active=True).update(active=False)  # before the new one: one active per call
    phase.active = True
    phase.save(update_fields=["active"])
    record_event(
        phase,
        "review.phase_activated",
        by=by,
        before={"phase": previous.name if previous else None},
        after={"phase": phase.name},
    )
    return phase
