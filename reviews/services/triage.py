"""The triage of a call's ranking: where the line between "discussed" and "not discussed" sits, and
the items pulled back into discussion (or set aside) whatever their place. Staff or the chair."""

from django.db import transaction

from applications.models import Application, Call
from audit.services import record_event
from core.errors import Invalid, NotAllowed, ensure
from reviews.models import Triage, TriageOverride
from reviews.permissions import can_manage_triage
from reviews.selectors import is_conflicted
from reviews.selectors_ranking import line_out_of_range


@transaction.atomic
def set_triage_line(*, call: Call, discuss_count: int | None, by) -> Triage:
    """Discuss the top ``discuss_count`` of the ranking at the meeting; None goes back to the top
    half. Overrides keep their effect wherever the line moves."""
    ensure(can_manage_triage(by, call))
    submitted = Application.objects.filter(call=call, status=Application.Status.SUBMITTED).count()
    if discuss_count is not None and not 0 <= discuss_count <= submitted:
        raise line_out_of_range()
    triage, _ = Triage.objects.select_for_update().get_or_create(call=call)
    before = {"discuss_count": triage.discuss_count}
    triage.discuss_count = discuss_count
    triage.updated_by = by
    triage.save(update_fields=["discuss_count", "updated_by", "updated_at"])
    record_event(triage, "triage.line_moved", by=by, before=before, after={"discuss_count": discuss_count})
    return triage


def _triaged_application(call: Call, application: Application, by) -> None:
    if application.call_id != call.pk or application.status != Application.Status.SUBMITTED:
        raise Invalid("Only the call's submitted applications are triaged.")
    if is_conflicted(by, application):
        raise NotAllowed("You have a conflict of interest with this application.")


@transaction.atomic
def set_triage_override(
    *, call: Call, application: Application, discuss: bool, reason: str = "", by
) -> TriageOverride:
    """Pull ``application`` back into discussion (``discuss``) or set it aside, whatever its rank.
    A conflicted chair cannot: the item is hidden from them."""
    ensure(can_manage_triage(by, call))
    _triaged_application(call, application, by)
    existing = TriageOverride.objects.filter(application=application).first()
    before = {"discuss": existing.discuss, "reason": existing.reason} if existing else {}
    override, _ = TriageOverride.objects.update_or_create(
        application=application,
        defaults={"call": call, "discuss": discuss, "reason": reason.strip()[:2000], "set_by": by},
    )
    record_event(
        override,
        "triage.override_set",
        by=by,
        before=before,
        after={"discuss": discuss, "reason": override.reason},
        call=call.pk,
        application=application.pk,
    )
    return override


@transaction.atomic
def clear_triage_override(*, call: Call, application: Application, by) -> None:
    """Give ``application`` back to its place in the ranking (above or below the line)."""
    ensure(can_manage_triage(by, call))
    _triaged_application(call, application, by)
    existing = TriageOverride.objects.filter(application=application).first()
    if existing is None:
        return
    record_event(
        existing,
        "triage.override_cleared",
        by=by,
        before={"discuss": existing.discuss, "reason": existing.reason},
        call=call.pk,
        application=application.pk,
    )
    existing.delete()
