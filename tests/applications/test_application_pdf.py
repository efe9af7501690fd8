"""The application as PDF: its facts are in the text, and hostile markup stays text."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from applications import services
from tests.applications.factories import complete_draft

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = 'Study <img src="file:///etc/passwd"> of remyelination'


def pdf_of(client, application) -> tuple[bytes, str]:
    response = client.get(f"/applications/{application.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.attachments == {}
    text = " ".join(page.extract_text() for page in reader.pages)
    return response.content, " ".join(text.split())


def squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_pdf_shows_title_reference_pi_and_budget_total(client_for):
    draft = complete_draft(title="Remyelination in progressive MS")
    draft.pi.full_name = "Priya Investigator"
    draft.pi.save()
    application = services.submit_application(application=draft, by=draft.pi)

    _, text = pdf_of(client_for(draft.pi), application)

    assert "Remyelination in progressive MS" in text
    assert application.reference in text
    assert "Priya Investigator" in text
    assert sum(line.amount for line in application.budget_lines.all()) == Decimal("10000.00")
    assert "Total 10,000.00" in text


def test_a_hostile_title_is_printed_as_text_and_fetches_nothing(client_for, staff):
    draft = complete_draft(title=HOSTILE_TITLE)

    content, text = pdf_of(client_for(staff), draft)

    assert squeezed(HOSTILE_TITLE) in squeezed(text)
    assert b"root:x:0:0" not in content
    assert "root:x:0:0" not in text
    first_line = Path("/etc/passwd").read_text().splitlines()[0]
    assert first_line not in text
