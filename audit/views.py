from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from audit.selectors import audit_csv_rows, audit_events
from core.decorators import staff_required
from core.exports import csv_response


@staff_required
def audit_export_view(request: HttpRequest) -> StreamingHttpResponse:
    """The audit trail as CSV for staff, filtered by ``verb``, ``actor`` and ``target_type``."""
    events = audit_events(
        verb=request.GET.get("verb", ""),
        actor_email=request.GET.get("actor", ""),
        target_type=request.GET.get("target_type", ""),
    )
    return csv_response(audit_csv_rows(events), filename=f"audit-{timezone.now():%Y%m%d-%H%M}.csv")
