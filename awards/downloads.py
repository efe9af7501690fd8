"""Serving a stored letter: the one check the portal and the API share before a PDF leaves the server.

A letter is served only when it is rendered, its file is there, and the file's SHA-256 is the one
recorded when it was rendered (a changed or damaged file is never served). Otherwise the reason is
given with the status the caller answers: 409 while it is being prepared, 410 once the retention
policy removed it, 500 for a damaged file (logged).
"""

import hashlib
import hmac
import logging

from django.http import FileResponse

from awards.models import Letter

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


class LetterUnavailable(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _verified_handle(letter: Letter):
    try:
        handle = letter.file.open("rb")
    except OSError:
        logger.exception("letter %s: stored file %s cannot be read", letter.pk, letter.file.name)
        return None
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    if not letter.sha256 or not hmac.compare_digest(digest.hexdigest(), letter.sha256.lower()):
        handle.close()
        logger.error(
            "letter %s: stored file %s has SHA-256 %s, not the recorded %r; refused to serve it",
            letter.pk,
            letter.file.name,
            digest.hexdigest(),
            letter.sha256,
        )
        return None
    handle.seek(0)
    return handle


def letter_response(letter: Letter) -> FileResponse:
    """The letter's PDF as a download, or ``LetterUnavailable`` with the status and the reason."""
    kind = letter.get_kind_display().lower()
    if letter.decision.application.anonymised_at:
        raise LetterUnavailable(
            410, f"This {kind} was removed under the funder's data-retention policy; only its record is kept."
        )
    if letter.status != Letter.Status.DONE or not letter.file:
        raise LetterUnavailable(
            409,
            f"The {kind} is being prepared. It usually takes a few minutes; you are sent an e-mail when it "
            "is ready. Please try again later.",
        )
    handle = _verified_handle(letter)
    if handle is None:
        raise LetterUnavailable(
            500,
            f"The {kind} cannot be downloaded now: its stored file does not match the letter that was "
            "issued. The error is recorded; please write to the program officer.",
        )
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=letter.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
