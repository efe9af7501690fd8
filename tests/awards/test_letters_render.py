"""Letters as PDFs: each kind says what it must (read back with pypdf), staff templates are used and
restricted, and the summary statement is anonymised."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from awards.letters import (
    MERGE_FIELDS,
    LetterTemplateError,
    check_template,
    letter_context,
    render_letter_pdf,
    render_preview,
    render_template_source,
)
from awards.models import Decision, Letter, LetterTemplate
from tests.awards.letters_world import (
    CONFIDENTIAL,
    DRAFT_TEXT,
    REVIEWER_NAMES,
    decided,
    letter_for,
    media_root,  # noqa: F401 (autouse fixture)
    pdf_text,
    save_artifact,
)

pytestmark = pytest.mark.django_db
OUTCOMES = {
    "award": Decision.Outcome.FUND,
    "decline": Decision.Outcome.DECLINE,
    "waitlist": Decision.Outcome.WAITLIST,
}


def test_the_award_letter_names_the_applicant_award_amount_split_and_signatory():
    decision = decided(Decision.Outcome.FUND)
    reference = decision.application.reference

    pdf = render_letter_pdf(letter_for(decision, Letter.Kind.AWARD))

    text = pdf_text(pdf)
    for expected in [
        "Priya Investigator",
        "University of Leiden",
        "Leiden, Netherlands",
        "Remyelination in progressive MS",
        f"Award letter: {reference}",
        "EUR 48,500.00",
        f"AW-{reference}",
        "North Sea MS Society EUR 30,000.00",
        "Alpine MS Foundation EUR 18,500.00",
        "Ethics approval before the first payment.",
        "1 March 2027",
        "Prof. Carla Chair",
        "Chair of the Scientific Steering Committee",
        "Keizersgracht 1",
        "Page 1 of 1",
    ]:
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert save_artifact(pdf, "award").stat().st_size > 10_000


@pytest.mark.parametrize("kind", ["decline", "waitlist"])
def test_decline_and_waitlist_letters_name_the_application_and_no_amount(kind):
    decision = decided(OUTCOMES[kind])

    pdf = render_letter_pdf(letter_for(decision, kind))

    text = pdf_text(pdf)
    heading = {"decline": "Decline letter", "waitlist": "Waitlist letter"}[kind]
    assert f"{heading}: {decision.application.reference}" in text
    assert "Priya Investigator" in text
    assert "Remyelination in progressive MS" in text
    assert "EUR" not in text
    assert "not able to fund" in text if kind == "decline" else "waiting list" in text
    save_artifact(pdf, kind)


def test_the_summary_statement_is_anonymised_and_holds_only_submitted_reviews():
    decision = decided(Decision.Outcome.DECLINE)

    pdf = render_letter_pdf(letter_for(decision, Letter.Kind.SUMMARY))

    text = pdf_text(pdf)
    for expected in [
        "Summary statement",
        decision.application.reference,
        "Remyelination in progressive MS",
        "The committee praised the hypothesis and asked for a recruitment milestone.",
        "Reviewer 1",
        "Reviewer 2",
        "Bold hypothesis, strong team.",
        "Recruitment is optimistic.",
        "Add a second site.",
        "Matters to people with MS.",
        "Reviewer 1 4 3 5",  # impact, method, overall
        "Reviewer 2 5 n/a 4",
    ]:
        assert expected in text, expected
    assert "Reviewer 3" not in text
    assert CONFIDENTIAL not in text
    assert DRAFT_TEXT not in text
    assert not [name for name in REVIEWER_NAMES if name in text]
    save_artifact(pdf, "summary")


def test_a_call_template_replaces_the_default_body_and_its_merge_fields_are_filled():
    decision = decided(Decision.Outcome.FUND)
    LetterTemplate.objects.create(
        call=decision.call,
        kind=Letter.Kind.AWARD,
        subject="Award {{ reference }}",
        body="<p>Hello {{ applicant }}: {{ amount }} for “{{ title }}” from {{ start_date }}.</p>"
        "{% for f in funders %}<p>{{ f.name }} pays {{ f.amount }}</p>{% endfor %}{{ signature_block }}",
    )

    text = pdf_text(render_letter_pdf(letter_for(decision, Letter.Kind.AWARD)))

    assert (
        "Hello Priya Investigator: EUR 48,500.00 for “Remyelination in progressive MS” from 1 March 2027."
        in text
    )
    assert "North Sea MS Society pays EUR 30,000.00" in text
    assert "delighted" not in text  # the default body is not used


def test_the_merge_fields_are_plain_data_never_model_instances():
    decision = decided(Decision.Outcome.FUND)

    context = letter_context(letter_for(decision, Letter.Kind.AWARD))

    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return isinstance(value, str | int | Decimal)

    assert plain(context)
    assert render_template_source("{{ applicant.password }}{{ applicant.pk }}", context) == ""


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% include "base.html" %}', "line 1): the tag {% include %} is not available in letters"),
        ('{% extends "base.html" %}', "the tag {% extends %} is not available in letters"),
        ("{% load static %}", "the tag {% load %} is not available in letters"),
        ("{% debug %}", "the tag {% debug %} is not available in letters"),
        ("{% autoescape off %}{{ title }}{% endautoescape %}", "{% autoescape %} is not available"),
        ("<p>ok</p>\n{{ title|safe }}", "(line 2): Invalid filter: 'safe'"),
        ("{% if applicant %}<p>open</p>", "Unclosed tag on line 1: 'if'"),
    ],
)
def test_a_template_outside_the_restricted_language_is_refused_with_a_clear_message(source, message):
    with pytest.raises(LetterTemplateError) as error:
        check_template(source)
    assert message in str(error.value)
    assert str(error.value).startswith("The letter template has an error")


def test_applicant_text_is_always_escaped_in_a_staff_template():
    html = render_template_source("<p>{{ title }}</p>", {"title": "<b>bold</b> & co"})
    assert html == "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>"


def test_a_preview_renders_each_kind_with_sample_data():
    decision = decided(Decision.Outcome.FUND, reviews=False)
    for kind in ("award", "decline", "waitlist", "summary"):
        text = pdf_text(render_preview(kind, decision.call))
        assert "Dr Maria Example" in text
        assert "SAMPLE-2026-0001" in text
    assert "EUR 48,500.00" in pdf_text(render_preview("award", decision.call))
    assert "Prof. Carla Chair" in pdf_text(render_preview("award", decision.call))  # the call's signatory


def test_a_preview_of_a_broken_unsaved_template_raises_the_clear_error():
    decision = decided(Decision.Outcome.FUND, reviews=False)
    template = LetterTemplate(call=decision.call, kind="award", subject="x", body="{% for x in %}")

    with pytest.raises(LetterTemplateError, match="line 1"):
        render_preview(template, decision.call)


def test_every_merge_field_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "letters.md").read_text()
    rows = {line.split("`")[1] for line in docs.splitlines() if line.startswith("| `{{ ")}
    assert rows == {f"{{{{ {name} }}}}" for name in MERGE_FIELDS}
