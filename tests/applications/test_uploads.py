"""Hostile uploads are refused with a message the applicant can act on, and leave nothing behind;
a valid PDF is stored under a generated name and served only to those who may see it."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Attachment
from core.errors import Invalid, StateConflict
from tests.applications.factories import ApplicationFactory, pdf_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
NOT_PDF = "This file is not a PDF (whatever its name says). Export or print it as PDF and try again."
HOSTILE = {
    "png-renamed-pdf": ("plan.pdf", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 512, "cv", NOT_PDF),
    "twenty-megabytes": (
        "big.pdf",
        lambda: b"%PDF-1.7\n" + b"0" * (20 * MB - 9),
        "cv",
        "The file is 20.0 MB; the limit is 10 MB.",
    ),
    "over-the-page-limit": (
        "plan.pdf",
        lambda: pdf_bytes(11),
        "research_plan",
        "This PDF has 11 pages; the limit is 10.",
    ),
    "encrypted": (
        "locked.pdf",
        lambda: pdf_bytes(1, password="secret"),
        "cv",
        "This PDF is password-protected. Upload a copy without a password.",
    ),
    "garbage-after-magic": (
        "broken.pdf",
        lambda: b"%PDF-1.7\n" + b"\xde\xad\xbe\xef garbage " * 400,
        "cv",
        "This PDF could not be read; it may be damaged. Export it again and retry.",
    ),
}


@pytest.fixture
def application(db):
    """An empty draft (no research plan yet)."""
    return ApplicationFactory()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize("case", list(HOSTILE))
def test_service_refuses_hostile_upload(case, application, stored_files):
    name, content, kind, message = HOSTILE[case]

    with pytest.raises(Invalid) as refused:
        services.add_attachment(
            application=application, by=application.pi, kind=kind, upload=upload(name, content())
        )

    assert refused.value.message == message
    assert refused.value.field_errors == {"file": [message]}
    assert Attachment.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("case", list(HOSTILE))
def test_api_refuses_hostile_upload(case, application, client_for, stored_files):
    name, content, kind, message = HOSTILE[case]

    response = client_for(application.pi, api=True).post(
        f"/api/v1/applications/{application.pk}/attachments/",
        {"kind": kind, "file": upload(name, content())},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": message, "file": [message]}
    assert Attachment.objects.count() == 0
    assert stored_files() == []


def test_a_name_with_folders_that_reaches_the_service_is_refused(application, stored_files):
    with pytest.raises(Invalid) as refused:
        services.add_attachment(
            application=application,
            by=application.pi,
            kind="cv",
            upload=upload("..\\..\\etc\\passwd.pdf", pdf_bytes(1)),
        )

    assert refused.value.message.startswith("The file name must be a plain name without folders")
    assert Attachment.objects.count() == 0
    assert stored_files() == []


def _generated(application) -> re.Pattern:
    return re.compile(rf"attachments/{application.pk}/[0-9a-f]{{32}}\.pdf")


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(application, client_for, stored_files, settings):
    """Django keeps only the last part of an uploaded name; the file is stored under a generated one."""
    response = client_for(application.pi, api=True).post(
        f"/api/v1/applications/{application.pk}/attachments/",
        {"kind": "cv", "file": upload("../../etc/passwd.pdf", pdf_bytes(1))},
        format="multipart",
    )

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert _generated(application).fullmatch(attachment.file.name)
    assert stored_files() == [attachment.file.name]


def test_a_valid_pdf_is_stored_under_a_generated_name(application, stored_files):
    content = pdf_bytes(3)

    attachment = services.add_attachment(
        application=application,
        by=application.pi,
        kind="research_plan",
        upload=upload("My plan.pdf", content),
    )

    attachment.refresh_from_db()
    assert attachment.original_name == "My plan.pdf"
    assert _generated(application).fullmatch(attachment.file.name)
    assert "My plan" not in attachment.file.name
    assert (attachment.pages, attachment.size) == (3, len(content))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_files() == [attachment.file.name]
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_a_second_research_plan_is_refused_and_not_stored(application, stored_files):
    services.add_attachment(
        application=application, by=application.pi, kind="research_plan", upload=upload("a.pdf", pdf_bytes(1))
    )
    files = stored_files()

    with pytest.raises(StateConflict, match="There is a research plan already"):
        services.add_attachment(
            application=application,
            by=application.pi,
            kind="research_plan",
            upload=upload("b.pdf", pdf_bytes(1)),
        )

    assert Attachment.objects.count() == 1
    assert stored_files() == files


def test_the_api_stores_a_valid_pdf_and_serves_it_to_the_pi_only(application, client_for, staff):
    content = pdf_bytes(2)
    client = client_for(application.pi, api=True)

    response = client.post(
        f"/api/v1/applications/{application.pk}/attachments/",
        {"kind": "research_plan", "file": upload("plan.pdf", content)},
        format="multipart",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["original_name"], body["pages"], body["size"]) == (
        "research_plan",
        "plan.pdf",
        2,
        len(content),
    )
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content
    stranger = client_for(ApplicationFactory().pi, api=True).get(body["download_url"])
    assert stranger.status_code == 404
    portal = client_for(staff).get(f"/applications/{application.pk}/attachments/{body['id']}/")
    assert portal.status_code == 200
    assert portal["Content-Type"] == "application/pdf"
    assert b"".join(portal.streaming_content) == content
