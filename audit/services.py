from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEvent

SYSTEM = "system"


def record_event(
    target: models.Model,
    verb: str,
    *,
    by: Any | None,
    before: dict | None = None,
    after: dict | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit row for a change a service has just made (call inside its transaction)."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=actor.email if actor else SYSTEM,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        before=before or {},
        after=after or {},
        data=data,
    )
