"""A real Celery worker renders and e-mails letters queued by a committed transaction."""

import hashlib
import os
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import transaction

from awards.models import Decision, Letter, LetterBatch
from awards.services.letters import create_letters
from tests.awards.letters_world import decided, pdf_text
from tests.awards.letters_world import media_root as media_root  # a fixture

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: the integration tests need a broker and start a real worker.",
    ),
]


@pytest.fixture
def outbox(tmp_path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def celery_worker_env(media_root, outbox):
    """The worker stores letters where this process reads them and writes e-mails to files."""
    return {"STORAGE_ROOT": str(media_root), "EMAIL_URL": f"filemail:///{outbox}"}


def wait_for(letters: list[Letter], seconds: float = 60) -> list[Letter]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for letter in letters:
            letter.refresh_from_db()
        if all(x.status != Letter.Status.PENDING and (x.kind == "summary" or x.emailed_at) for x in letters):
            break
        time.sleep(0.25)
    return letters


def test_the_worker_renders_stores_and_emails_the_letters(celery_worker_process, media_root, outbox):
    decision = decided(Decision.Outcome.FUND)
    batch = LetterBatch.objects.create(call=decision.call, label="Decisions applied")
    with transaction.atomic():
        letters = create_letters(decision, batch=batch, by=None)
        assert Letter.objects.filter(status="pending").count() == 2  # queued only when this commits

    award, summary = wait_for(letters)

    assert [(x.kind, x.status, x.attempts) for x in (award, summary)] == [
        ("award", "done", 0),
        ("summary", "done", 0),
    ]
    content = Path(media_root, award.file.name).read_bytes()
    assert (hashlib.sha256(content).hexdigest(), len(content)) == (award.sha256, award.size)
    assert "EUR 48,500.00" in pdf_text(content)
    assert "Reviewer 1" in pdf_text(Path(media_root, summary.file.name).read_bytes())
    [mail_file] = list(outbox.iterdir())
    message = message_from_bytes(mail_file.read_bytes())
    attachments = [part.get_filename() for part in message.walk() if part.get_filename()]
    assert attachments == [f"{decision.application.reference}-award-v1.pdf"]
    assert summary.emailed_at is None
