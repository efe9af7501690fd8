"""Serving stored PDFs to those allowed to see them (the caller checks permission)."""

from django.http import FileResponse

from applications.models import Attachment


def pdf_file_response(attachment: Attachment) -> FileResponse:
    """Serve a stored PDF inline, under its original name, never as HTML."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type="application/pdf",
        filename=attachment.original_name,
        as_attachment=False,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
