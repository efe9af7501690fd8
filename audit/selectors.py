from collections.abc import Iterator

from django.db.models import QuerySet

from audit.models import AuditEvent

CSV_HEADER = ["time", "actor", "verb", "target_type", "target_id", "target", "before", "after", "data"]


def audit_events(*, verb: str = "", actor_email: str = "", target_type: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("target_type").order_by("-created_at", "-id")
    if verb:
        events = events.filter(verb__startswith=verb)
    if actor_email:
        events = events.filter(actor_repr__iexact=actor_email)
    if target_type:
        events = events.filter(target_type__model=target_type)
    return events


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    """Rows for the CSV export, streamed in chunks so a long trail is never held in memory."""
    import json

    yield CSV_HEADER
    for event in events.iterator(chunk_size=2000):
        yield [
            event.created_at.isoformat(),
            event.actor_repr,
            event.verb,
            event.target_type.model if event.target_type else "",
            event.target_id,
            event.target_repr,
            json.dumps(event.before, sort_keys=True, default=str),
            json.dumps(event.after, sort_keys=True, default=str),
            json.dumps(event.data, sort_keys=True, default=str),
        ]
