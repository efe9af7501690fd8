"""The PDF of an application, as submitted (or as it stands, for a draft)."""

from django.template.loader import render_to_string
from django.utils import timezone

from applications.models import Application
from applications.selectors import budget_total
from core.pdf import html_to_pdf


def render_application_pdf(application: Application) -> bytes:
    context = {
        "application": application,
        "call": application.call,
        "budget_total": budget_total(application),
        "generated_at": timezone.now(),
    }
    html = render_to_string("applications/pdf/application.html", context)
    return html_to_pdf(html, stylesheets=("css/pdf.css",))
