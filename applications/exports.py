"""Rows of the applications register for CSV export (streamed; never all in memory)."""

from collections.abc import Iterator

from django.db.models import QuerySet

from applications.models import Application

HEADER = [
    "reference",
    "call",
    "status",
    "title",
    "pi",
    "pi_email",
    "institution",
    "country",
    "focus_areas",
    "keywords",
    "requested_amount",
    "currency",
    "duration_months",
    "submitted_at",
]


def applications_csv_rows(applications: QuerySet[Application]) -> Iterator[list]:
    yield HEADER
    rows = applications.select_related("call", "pi", "institution").prefetch_related("focus_areas")
    for application in rows.order_by("call_id", "reference", "pk").iterator(chunk_size=500):
        yield [
            application.reference,
            application.call.slug,
            application.status,
            application.title,
            application.pi.full_name,
            application.pi.email,
            application.institution.name if application.institution else "",
            application.institution.country.code if application.institution else "",
            "; ".join(area.slug for area in application.focus_areas.all()),
            application.keywords,
            application.requested_amount if application.requested_amount is not None else "",
            application.call.currency,
            application.duration_months or "",
            application.submitted_at.isoformat() if application.submitted_at else "",
        ]
