"""Rendering letters: a staff-written body with merge fields, wrapped in our layout, as a PDF.

A call's ``LetterTemplate`` body is a Django template written by staff. It is rendered with a
restricted engine: autoescape always on (no ``safe``, no ``{% autoescape off %}``), no loaders and no
``{% include %}``, ``{% extends %}``, ``{% load %}`` or ``{% debug %}``, and a context of plain
strings, numbers, lists and dicts only — never model instances, so a template cannot walk from the
applicant to their password hash. The layout (``awards/letters/layout.html``, ours) adds the
letterhead, the date, the address block and the footer; WeasyPrint renders it with
``core.pdf``'s fetcher, which serves only static files and ``data:`` URLs. Stylesheets, fonts and
images are parsed once per process and reused across a batch.
"""

import base64
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.files.storage import default_storage
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from applications.models import Call, CommitteeMembership
from awards.models import Decision, Letter, LetterSettings, LetterTemplate
from awards.models.letters import LetterKind
from awards.money import format_money
from awards.summary import SAMPLE_SUMMARY, summary_for_decision
from core.pdf import font_config, static_root, stylesheet, url_fetcher

STYLESHEETS = ("css/letter.css",)
DEFAULT_LETTERHEAD = "letters/letterhead.svg"
OUTCOME_KINDS = {
    Decision.Outcome.FUND: LetterKind.AWARD,
    Decision.Outcome.DECLINE: LetterKind.DECLINE,
    Decision.Outcome.WAITLIST: LetterKind.WAITLIST,
}
DEFAULT_SUBJECTS = {
    LetterKind.AWARD: "Your application {{ reference }} has been funded",
    LetterKind.DECLINE: "The outcome of your application {{ reference }}",
    LetterKind.WAITLIST: "Your application {{ reference }} is on the waiting list",
    LetterKind.SUMMARY: "The summary statement of your application {{ reference }}",
}

MERGE_FIELDS: dict[str, str] = {
    "applicant": "The principal investigator's full name.",
    "institution": "The principal investigator's institution (may be empty).",
    "city": "The institution's city (may be empty).",
    "country": "The institution's country (may be empty).",
    "title": "The application's title.",
    "reference": "The application's reference, e.g. CA-2026-0042.",
    "award_reference": "The award's reference (award letters; empty otherwise).",
    "call": "The call's title.",
    "program": "The funding program's name.",
    "outcome": "The published outcome: Fund, Do not fund or Waitlist.",
    "amount": "The approved amount with its currency, e.g. EUR 48,500.00 (empty unless funded).",
    "amount_value": "The approved amount as a number, e.g. 48500.00 (empty unless funded).",
    "currency": "The call's currency code, e.g. EUR.",
    "requested_amount": "The amount requested, with its currency.",
    "funders": "The funder split: a list of {name, amount}; loop with {% for f in funders %}.",
    "funder_table": "The funder split as a ready-made table (empty without a split).",
    "conditions": "The award's conditions as plain text; use {{ conditions|linebreaks }}.",
    "start_date": "The start date, e.g. 1 March 2027 (may be empty).",
    "duration_months": "The duration in months (may be empty).",
    "date": "The letter's date: the day the decision was applied, e.g. 12 December 2026.",
    "signatory_name": "Who signs: the letter settings' signatory, else the committee chair.",
    "signatory_title": "The signatory's title, e.g. Chair of the Scientific Steering Committee.",
    "signature": "The signature image (empty when none was uploaded).",
    "signature_block": "The signature image, the signatory's name and title: the usual closing.",
    "letterhead": "The letterhead image; the layout already prints it at the top of page 1.",
    "sender_address": "The sender's address (printed in the footer too).",
    "summary_released": "True when the call releases summary statements with the decision.",
}

# The tags and filters a staff template may use; anything else is a syntax error.
ALLOWED_TAGS = {
    "comment", "cycle", "filter", "firstof", "for", "if", "ifchanged", "now", "regroup",
    "resetcycle", "spaceless", "templatetag", "verbatim", "widthratio", "with",
}  # fmt: skip
FORBIDDEN_FILTERS = {"safe", "safeseq", "pprint", "center", "ljust", "rjust", "json_script", "random"}


class LetterTemplateError(Exception):
    """A staff template that cannot be compiled or rendered; ``str(error)`` is shown to staff."""


class _RestrictedEngine(Engine):
    default_builtins = []

    def __init__(self) -> None:
        super().__init__(
            loaders=[("django.template.loaders.locmem.Loader", {})],
            libraries={},
            autoescape=True,
            debug=True,  # keeps the line of a syntax error for the message
        )
        library = Library()
        library.tags = {name: tag for name, tag in defaulttags.register.tags.items() if name in ALLOWED_TAGS}
        library.filters = {
            name: f for name, f in defaultfilters.register.filters.items() if name not in FORBIDDEN_FILTERS
        }
        self.template_builtins = [library]


@lru_cache(maxsize=1)
def restricted_engine() -> Engine:
    return _RestrictedEngine()


def _compile(source: str, what: str):
    try:
        return restricted_engine().from_string(source)
    except TemplateSyntaxError as exc:
        line = getattr(exc, "template_debug", {}).get("line")
        where = f" (line {line})" if line else ""
        message = str(exc)
        if unknown := re.match(r"Invalid block tag on line \d+: '([^']+)'\. Did you forget", message):
            message = f"the tag {{% {unknown[1]} %}} is not available in letters"
        raise LetterTemplateError(f"The {what} has an error{where}: {message}") from exc


def check_template(source: str, *, what: str = "letter template") -> None:
    """Raise ``LetterTemplateError`` with a readable message if ``source`` does not compile or fails
    to render with the sample data."""
    render_template_source(source, sample_context(), what=what)


def render_template_source(source: str, context: dict, *, what: str = "letter template", html=True) -> str:
    template = _compile(source, what)
    try:
        return template.render(Context(context, autoescape=html))
    except Exception as exc:
        raise LetterTemplateError(f"The {what} cannot be rendered: {exc}") from exc


def money(amount: Decimal | None, currency: str) -> str:
    """``EUR 48,500.00``, or empty for no amount (a merge field is never a dash)."""
    return "" if amount is None else format_money(amount, currency)


def format_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def funder_table(funders: list[dict], currency: str) -> str:
    if not funders:
        return ""
    rows = format_html_join(
        "", "<tr><td>{}</td><td class='num'>{}</td></tr>", ((f["name"], f["amount"]) for f in funders)
    )
    return format_html(
        "<table class='funders'><thead><tr><th>Funder</th><th class='num'>Amount ({})</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        currency,
        rows,
    )


@lru_cache(maxsize=16)
def _signature_data_url(name: str) -> str:
    """The stored signature PNG as a ``data:`` URL; file names are unique per upload, so caching is safe."""
    try:
        with default_storage.open(name, "rb") as handle:
            return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")
    except FileNotFoundError as error:  # removed from storage: no retry mends it (other OSErrors may pass)
        raise LetterTemplateError(
            "The signature image of the call's letter settings is missing from storage: upload it again."
        ) from error


def settings_context(call: Call, letter_settings: LetterSettings | None) -> dict:
    """Who signs, the signature, letterhead and sender address of ``call``'s letters, as plain data."""
    name = letter_settings.signatory_name if letter_settings else ""
    if not name:
        chair = (
            CommitteeMembership.objects.filter(call=call, role=CommitteeMembership.Role.CHAIR)
            .select_related("user")
            .first()
        )
        name = chair.user.full_name if chair else ""
    title = (
        letter_settings.signatory_title if letter_settings else LetterSettings.signatory_title.field.default
    )
    signature_url = ""
    if letter_settings and letter_settings.signature:
        signature_url = _signature_data_url(letter_settings.signature.name)
    letterhead_url = (letter_settings.letterhead if letter_settings else "") or DEFAULT_LETTERHEAD
    signature = format_html("<img class='signature' src='{}' alt=''>", signature_url) if signature_url else ""
    return {
        "signatory_name": name,
        "signatory_title": title,
        "signature": signature,
        "signature_block": format_html(
            "<div class='signature-block'>{}<p class='signatory'>{}<br><span>{}</span></p></div>",
            signature,
            name,
            title,
        ),
        "letterhead_url": letterhead_url,
        "letterhead": format_html("<img class='letterhead-image' src='{}' alt=''>", letterhead_url),
        "sender_address": letter_settings.sender_address if letter_settings else "",
    }


def decision_context(decision: Decision) -> dict:
    """The merge fields of ``decision``'s letters: plain strings, numbers, lists and dicts only."""
    application, call = decision.application, decision.call
    institution = application.institution or application.pi.institution
    award = getattr(decision, "award", None)
    funded = decision.published_outcome == Decision.Outcome.FUND
    amount = (award.amount if award else decision.amount) if funded else None
    currency = award.currency if award else call.currency
    funders = (
        [{"name": s.funder.name, "amount": money(s.amount, currency)} for s in decision.shares.all()]
        if funded
        else []
    )
    applied_at = decision.applied_at or timezone.now()
    return {
        "applicant": application.pi.full_name,
        "institution": institution.name if institution else "",
        "city": institution.city if institution else "",
        "country": institution.country.name if institution and institution.country else "",
        "title": application.title,
        "reference": application.reference,
        "award_reference": award.reference if award and funded else "",
        "call": call.title,
        "program": call.program.name,
        "outcome": Decision.Outcome(decision.published_outcome or decision.outcome).label,
        "amount": money(amount, currency),
        "amount_value": amount if amount is not None else "",
        "currency": currency,
        "requested_amount": money(application.requested_amount, call.currency),
        "funders": funders,
        "funder_table": funder_table(funders, currency),
        "conditions": (award.conditions if award and award.conditions else decision.conditions)
        if funded
        else "",
        "start_date": format_date((award and award.start_date) or decision.start_date) if funded else "",
        "duration_months": ((award and award.duration_months) or decision.duration_months or "")
        if funded
        else "",
        "date": format_date(timezone.localtime(applied_at, call.zone).date()),
        "summary_released": call.release_summary_statements,
    }


def _letter_settings(call: Call) -> LetterSettings | None:
    return LetterSettings.objects.filter(call=call).first()


def letter_template(call: Call, kind: str) -> LetterTemplate | None:
    return LetterTemplate.objects.filter(call=call, kind=kind).first()


def default_body(kind: str) -> str:
    """The shipped body of ``kind``, itself written with the merge fields staff use."""
    return get_template(f"awards/letters/{kind}.html").template.source


def letter_body(kind: str, context: dict, *, template: LetterTemplate | None = None, summary=None) -> str:
    """The rendered body (safe HTML). The summary statement is ours, not staff-editable."""
    if kind == LetterKind.SUMMARY:
        return render_to_string("awards/letters/summary.html", {**context, "summary": summary})
    source = template.body if template else default_body(kind)
    return render_template_source(source, context)


def compose_html(kind: str, context: dict, body: str) -> str:
    """Our layout around a rendered body."""
    return render_to_string(
        "awards/letters/layout.html",
        {
            **context,
            "kind": kind,
            "heading": LetterKind(kind).label,
            "body": mark_safe(body),  # rendered by the restricted engine (autoescaped) or from our template
            "sender_lines": [line for line in context.get("sender_address", "").splitlines() if line.strip()],
        },
    )


def letter_subject(kind: str, context: dict, template: LetterTemplate | None = None) -> str:
    source = template.subject if template else DEFAULT_SUBJECTS[kind]
    subject = render_template_source(source, context, what="e-mail subject", html=False)
    return " ".join(subject.split())[:200]


def letter_context(letter: Letter) -> dict:
    decision = letter.decision
    return {**decision_context(decision), **settings_context(decision.call, _letter_settings(decision.call))}


def letter_html(letter: Letter) -> str:
    context = letter_context(letter)
    kind = letter.kind
    template = None if kind == LetterKind.SUMMARY else letter_template(letter.decision.call, kind)
    summary = summary_for_decision(letter.decision) if kind == LetterKind.SUMMARY else None
    return compose_html(kind, context, letter_body(kind, context, template=template, summary=summary))


class _ImageCache(dict):
    """WeasyPrint's image cache, shared across renders (the letterhead is parsed once per process);
    bounded, since signatures and staff images vary per call."""

    limit = 64

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)


_images = _ImageCache()


def render_pdf(html: str) -> bytes:
    """HTML to PDF with the static-only fetcher and the process's parsed stylesheets, fonts and images."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=url_fetcher())
    return document.write_pdf(
        stylesheets=[stylesheet(name) for name in STYLESHEETS], font_config=font_config(), cache=_images
    )


def render_letter_pdf(letter: Letter) -> bytes:
    return render_pdf(letter_html(letter))


def render_preview(template_or_kind: LetterTemplate | str, call: Call) -> bytes:
    """A PDF of a template (saved or not) or of a kind's current body for ``call``, with sample data."""
    if isinstance(template_or_kind, LetterTemplate):
        kind, template = template_or_kind.kind, template_or_kind
    else:
        kind = template_or_kind
        template = None if kind == LetterKind.SUMMARY else letter_template(call, kind)
    context = {**sample_context(call), **settings_context(call, _letter_settings(call))}
    body = letter_body(kind, context, template=template, summary=SAMPLE_SUMMARY)
    return render_pdf(compose_html(kind, context, body))


def sample_context(call: Call | None = None) -> dict:
    """Merge fields of an invented award, for previews and for checking templates on save."""
    currency = call.currency if call else "EUR"
    funders = [
        {"name": "North Sea Research Society", "amount": money(Decimal("30000.00"), currency)},
        {"name": "Alpine Health Foundation", "amount": money(Decimal("18500.00"), currency)},
    ]
    return {
        "applicant": "Dr Maria Example",
        "institution": "University of Examples",
        "city": "Utrecht",
        "country": "Netherlands",
        "title": "Remyelination in progressive disease: a sample study",
        "reference": "SAMPLE-2026-0001",
        "award_reference": "AW-SAMPLE-0001",
        "call": call.title if call else "Sample call",
        "program": call.program.name if call else "Sample program",
        "outcome": "Fund",
        "amount": money(Decimal("48500.00"), currency),
        "amount_value": Decimal("48500.00"),
        "currency": currency,
        "requested_amount": money(Decimal("50000.00"), currency),
        "funders": funders,
        "funder_table": funder_table(funders, currency),
        "conditions": "An ethics approval is to be sent before the first payment.\nReports are due yearly.",
        "start_date": "1 March 2027",
        "duration_months": 24,
        "date": format_date(timezone.localdate()),
        "signatory_name": "Dr Sam Signatory",
        "signatory_title": "Chair of the Scientific Steering Committee",
        "signature": "",
        "signature_block": SafeString(
            "<div class='signature-block'><p class='signatory'>Dr Sam Signatory</p></div>"
        ),
        "letterhead_url": DEFAULT_LETTERHEAD,
        "letterhead": "",
        "sender_address": "Granted Research Funding\n1 Example Street\n1000 AA Sampletown",
        "summary_released": True,
    }
