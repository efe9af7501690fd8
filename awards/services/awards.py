"""The awardee's answer to an award: accept or decline, with the date recorded."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from awards.models import Award
from awards.permissions import can_respond_to_award
from core.errors import Invalid, StateConflict, ensure


@transaction.atomic
def respond_to_award(*, award: Award, accept: bool, by: User, note: str = "") -> Award:
    """Accept or decline an offered award. Declining gives its money back to the call's budget (the
    chair may then fund a waitlisted application with it). Answering again is refused (409)."""
    award = Award.objects.select_for_update().select_related("application__call").get(pk=award.pk)
    if award.status != Award.Status.OFFERED and award.application.pi_id == by.pk:
        raise StateConflict(
            f"You {award.get_status_display().lower().replace(' by the awardee', '')} this award on "
            f"{timezone.localtime(award.responded_at):%d %b %Y}; the answer cannot change here. Write to "
            "the program officer if it must."
        )
    ensure(can_respond_to_award(by, award))
    note = note.strip()
    if not accept and not note:
        raise Invalid(
            "Tell the funder why you decline the award.",
            field_errors={"note": ["Give a reason, e.g. the project has other funding."]},
        )
    before = {"status": award.status}
    award.status = Award.Status.ACCEPTED if accept else Award.Status.DECLINED
    award.responded_at = timezone.now()
    award.responded_by = by
    award.response_note = note
    award.save(update_fields=["status", "responded_at", "responded_by", "response_note"])
    record_event(
        award,
        "award.accepted" if accept else "award.declined",
        by=by,
        before=before,
        after={"status": award.status},
        note=note,
    )
    return award
