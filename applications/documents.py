"""Checks on uploaded attachments: PDF by content, size, page count and a safe file name."""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from core.errors import Invalid

PDF_MAGIC = b"%PDF-"
# Folders (either slash), control characters, or a name that is only dots.
NAME_PROBLEM = re.compile(r"[/\\\x00-\x1f]|^\.+$")


@dataclass(frozen=True)
class CheckedPdf:
    content: bytes
    display_name: str
    size: int
    pages: int
    sha256: str


def _refuse(message: str) -> Invalid:
    return Invalid(message, field_errors={"file": [message]})


def check_pdf_upload(upload: UploadedFile, *, size_limit_mb: int, page_limit: int | None) -> CheckedPdf:
    """Accept a PDF only by its content; refuse with a message the applicant can act on."""
    name = unicodedata.normalize("NFC", upload.name or "").strip()
    if not name or NAME_PROBLEM.search(name) or len(name) > 200:
        raise _refuse(
            "The file name must be a plain name without folders or special characters "
            "(at most 200 characters); rename the file and upload it again."
        )
    limit = size_limit_mb * 1024 * 1024
    if upload.size is None or upload.size > limit:
        raise _refuse(f"The file is {upload.size / 1048576:.1f} MB; the limit is {size_limit_mb} MB.")
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _refuse(f"The file is larger than the {size_limit_mb} MB limit.")
    if not content.startswith(PDF_MAGIC):
        raise _refuse(
            "This file is not a PDF (whatever its name says). Export or print it as PDF and try again."
        )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refuse("This PDF is password-protected. Upload a copy without a password.")
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise _refuse("This PDF could not be read; it may be damaged. Export it again and retry.") from error
    if pages == 0:
        raise _refuse("This PDF has no pages.")
    if page_limit is not None and pages > page_limit:
        raise _refuse(f"This PDF has {pages} pages; the limit is {page_limit}.")
    return CheckedPdf(
        content=content,
        display_name=name,
        size=len(content),
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
    )
