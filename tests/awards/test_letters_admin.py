"""Letters in the admin: templates are checked on save and previewed as PDF (a broken one is a message,
never a 500); signatures must be PNGs of at most 1 MB; letters are read-only, downloadable and retried."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from awards.models import Decision, Letter, LetterSettings, LetterTemplate
from awards.services.letters import render_letter
from tests.awards.letters_world import (
    decided,
    letter_for,
    media_root,  # noqa: F401 (autouse fixture)
    pdf_text,
    signature_png,
)
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db
AWARD_BODY = "<p>Dear {{ applicant }}, you receive {{ amount }}.</p>{{ signature_block }}"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, full_name="Olga Officer"))
    return client


def template_data(call, **fields) -> dict:
    return {
        "call": call.pk,
        "kind": "award",
        "subject": "Award {{ reference }}",
        "body": AWARD_BODY,
        **fields,
    }


def test_a_template_with_a_syntax_error_is_refused_on_save_with_its_line(admin_client):
    call = CallFactory()
    body = "<p>Dear {{ applicant }},</p>\n{% include 'base.html' %}"

    response = admin_client.post("/admin/awards/lettertemplate/add/", template_data(call, body=body))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["body"] == [
        "The letter template has an error (line 2): the tag {% include %} is not available in letters"
    ]
    assert not LetterTemplate.objects.exists()


def test_a_bad_subject_is_refused_too(admin_client):
    call = CallFactory()
    response = admin_client.post(
        "/admin/awards/lettertemplate/add/", template_data(call, subject="{{ x|nope }}")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subject"] == [
        "The e-mail subject has an error (line 1): Invalid filter: 'nope'"
    ]


def test_a_valid_template_is_saved_audited_and_previewed(admin_client):
    call = CallFactory(currency="GBP")

    response = admin_client.post("/admin/awards/lettertemplate/add/", template_data(call))

    assert response.status_code == 302, response.content.decode()[:2000]
    template = LetterTemplate.objects.get()
    assert template.updated_by.full_name == "Olga Officer"
    assert AuditEvent.objects.filter(verb="letter_template.created", target_id=str(template.pk)).count() == 1
    preview = admin_client.get(f"/admin/awards/lettertemplate/{template.pk}/preview/")
    assert (preview.status_code, preview["Content-Type"]) == (200, "application/pdf")
    assert "Dear Dr Maria Example, you receive GBP 48,500.00." in pdf_text(preview.content)


def test_the_change_page_lists_the_merge_fields_and_links_the_preview(admin_client):
    template = LetterTemplate.objects.create(call=CallFactory(), kind="decline", subject="s", body="<p>x</p>")
    page = admin_client.get(f"/admin/awards/lettertemplate/{template.pk}/change/").content.decode()
    assert "{{ funder_table }}" in page
    assert "{{ signature_block }}" in page
    assert f"/admin/awards/lettertemplate/{template.pk}/preview/" in page


def test_the_add_page_starts_from_the_default_body(admin_client):
    page = admin_client.get("/admin/awards/lettertemplate/add/?kind=waitlist").content.decode()
    assert "waiting list" in page


def test_a_broken_saved_template_previews_as_a_message_not_a_500(admin_client):
    template = LetterTemplate.objects.create(call=CallFactory(), kind="award", subject="s", body="{% for %}")

    response = admin_client.get(f"/admin/awards/lettertemplate/{template.pk}/preview/", follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The letter template has an error (line 1): 'for' statements should have at least four words: for"
    ]


def test_the_preview_action_returns_the_pdf(admin_client):
    template = LetterTemplate.objects.create(call=CallFactory(), kind="award", subject="s", body=AWARD_BODY)
    response = admin_client.post(
        "/admin/awards/lettertemplate/",
        {"action": "preview_pdf", "_selected_action": [template.pk]},
    )
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def settings_data(call, **fields) -> dict:
    return {
        "call": call.pk,
        "signatory_name": "Prof. Ann Signer",
        "signatory_title": "Chair",
        "letterhead": "letters/letterhead.svg",
        "sender_address": "1 Main Street",
        **fields,
    }


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (b"GIF89a" + b"\0" * 100, "The signature must be a PNG image."),
        (b"\xff\xd8\xff\xe0" + b"\0" * 100, "The signature must be a PNG image."),
        (signature_png() + b"\0" * (1024 * 1024), "The signature image must be at most 1 MB."),
        (signature_png(width=5000, height=10), "The signature image may be at most 4000 pixels a side."),
    ],
)
def test_a_signature_must_be_a_small_png(admin_client, upload, error):
    call = CallFactory()
    data = settings_data(
        call, signature=SimpleUploadedFile("signature.png", upload, content_type="image/png")
    )

    response = admin_client.post("/admin/awards/lettersettings/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signature"] == [error]
    assert not LetterSettings.objects.exists()


@pytest.mark.parametrize(
    "letterhead", ["../../etc/passwd", "/etc/hostname", "css/pdf.css", "letters/missing.svg"]
)
def test_the_letterhead_must_be_an_image_of_the_static_letters_folder(admin_client, letterhead):
    response = admin_client.post(
        "/admin/awards/lettersettings/add/", settings_data(CallFactory(), letterhead=letterhead)
    )
    assert response.context["adminform"].form.errors["letterhead"] == [
        "Name an SVG or PNG file of the static files' letters/ folder."
    ]


def test_a_png_signature_is_stored_and_audited(admin_client):
    call = CallFactory()
    data = settings_data(
        call, signature=SimpleUploadedFile("any-name.png", signature_png(), content_type="image/png")
    )

    response = admin_client.post("/admin/awards/lettersettings/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = LetterSettings.objects.get()
    assert re.fullmatch(r"signatures/[0-9a-f]{32}\.png", saved.signature.name)
    assert AuditEvent.objects.filter(verb="letter_settings.created", target_id=str(saved.pk)).count() == 1


def test_letters_are_listed_read_only_downloaded_and_retried(admin_client):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    done = render_letter(letter_for(decision, "decline").pk)
    failed = letter_for(decision, "summary", status=Letter.Status.FAILED, last_error="OSError: disk full")

    listing = admin_client.get("/admin/awards/letter/")
    download = admin_client.get(f"/admin/awards/letter/{done.pk}/pdf/")
    retried = admin_client.post(
        "/admin/awards/letter/",
        {"action": "retry_failed", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )

    assert listing.status_code == 200
    assert decision.application.reference in listing.content.decode()
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == done.file.open("rb").read()
    assert [str(m) for m in retried.context["messages"]] == ["1 failed letter(s) queued again."]
    failed.refresh_from_db()
    assert failed.status == "pending"  # queued after the commit
    assert admin_client.get("/admin/awards/letter/add/").status_code == 403
    assert admin_client.get("/admin/awards/letterbatch/").status_code == 200


def test_the_change_pages_of_a_rendered_letter_and_of_settings_with_a_signature_load(admin_client):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    letter = render_letter(letter_for(decision, "decline").pk)
    letter_settings = decision.call.letter_settings

    letter_page = admin_client.get(f"/admin/awards/letter/{letter.pk}/change/")
    settings_page = admin_client.get(f"/admin/awards/lettersettings/{letter_settings.pk}/change/")

    assert letter_page.status_code == 200
    assert f"/admin/awards/letter/{letter.pk}/pdf/" in letter_page.content.decode()
    assert settings_page.status_code == 200
    assert "<img src='data:image/png;base64," in settings_page.content.decode()


def test_a_signature_can_be_removed(admin_client):
    decision = decided(Decision.Outcome.DECLINE, reviews=False)
    letter_settings = decision.call.letter_settings
    data = settings_data(decision.call, remove_signature="on")

    response = admin_client.post(f"/admin/awards/lettersettings/{letter_settings.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    letter_settings.refresh_from_db()
    assert letter_settings.signature.name == ""


def test_a_signature_missing_from_storage_is_a_message_not_a_500(admin_client):
    call = CallFactory()
    admin_client.post(
        "/admin/awards/lettersettings/add/",
        settings_data(call, signature=SimpleUploadedFile("s.png", signature_png(), content_type="image/png")),
    )
    saved = LetterSettings.objects.get()
    saved.signature.storage.delete(saved.signature.name)  # gone from storage, still named in the row

    response = admin_client.post(
        "/admin/awards/lettersettings/",
        {"action": "preview_award_letter", "_selected_action": [saved.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]][-1] == (
        "The signature image of the call's letter settings is missing from storage: upload it again."
    )
