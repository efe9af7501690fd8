"""A decided application for the letter tests: its PI, call, chair, funder split, award, reviews (two
submitted, one draft) and the call's letter settings with a signature. Decisions are made directly
with the ORM, as applied; the decision services are not under test here."""

import io
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from applications.models import Application, Call
from awards.models import Award, Decision, FundingShare, Letter, LetterSettings
from reviews.models import CriterionScore, ReviewForm
from tests.applications.factories import ApplicantFactory, ApplicationFactory
from tests.factories import CallFactory, CommitteeMembershipFactory, FunderFactory, InstitutionFactory
from tests.reviews.factories import (
    AssignmentFactory,
    CriterionFactory,
    ReviewFormFactory,
    SubmittedReviewFactory,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "letters"
CONFIDENTIAL = "CONFIDENTIAL-NOTE-FOR-COMMITTEE"
DRAFT_TEXT = "UNFINISHED-DRAFT-CRITIQUE"
REVIEWER_NAMES = ("Rex Reviewer", "Lara Layperson", "Drew Drafter")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Letters and signatures go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    return settings.MEDIA_ROOT


def signature_png(width: int = 360, height: int = 110) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(12 + i * 6, 70 - (25 if i % 4 == 1 else -18 if i % 4 == 3 else 0)) for i in range(55)]
    draw.line(points, fill=(20, 40, 110, 255), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def decided(
    outcome: str = Decision.Outcome.FUND,
    *,
    title: str = "Remyelination in progressive MS",
    call: Call | None = None,
    release_summary: bool = True,
    reviews: bool = True,
) -> Decision:
    """An applied decision on a submitted application; funded ones have an award and a split."""
    if call is None:
        call = CallFactory(
            status=Call.Status.IN_REVIEW,
            title="Challenge Awards 2026",
            program__name="Challenge Awards",
            currency="EUR",
            release_summary_statements=release_summary,
        )
        CommitteeMembershipFactory(call=call, role="chair", user__full_name="Carla Chair")
        settings = LetterSettings(
            call=call,
            signatory_name="Prof. Carla Chair",
            sender_address="Granted Research Alliance\nKeizersgracht 1\n1015 CJ Amsterdam",
        )
        settings.signature.save("signature.png", ContentFile(signature_png()), save=False)
        settings.save()
    pi = ApplicantFactory(
        full_name="Priya Investigator",
        institution=InstitutionFactory(name="University of Leiden", city="Leiden", country="NL"),
    )
    application = ApplicationFactory(
        call=call,
        pi=pi,
        title=title,
        requested_amount=Decimal("50000.00"),
        duration_months=24,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=90),
    )
    application.reference = f"CA-2026-{application.pk:04d}"
    application.save(update_fields=["reference"])
    funded = outcome == Decision.Outcome.FUND
    decision = Decision.objects.create(
        call=call,
        application=application,
        outcome=outcome,
        published_outcome=outcome,
        status=Decision.Status.APPLIED,
        amount=Decimal("48500.00") if funded else None,
        conditions="Ethics approval before the first payment.\nA progress report every year."
        if funded
        else "",
        start_date=date(2027, 3, 1) if funded else None,
        duration_months=24 if funded else None,
        discussion_summary="The committee praised the hypothesis and asked for a recruitment milestone.",
        applied_at=timezone.now(),
    )
    if funded:
        FundingShare.objects.create(
            decision=decision, funder=FunderFactory(name="North Sea MS Society"), amount=Decimal("30000.00")
        )
        FundingShare.objects.create(
            decision=decision, funder=FunderFactory(name="Alpine MS Foundation"), amount=Decimal("18500.00")
        )
        Award.objects.create(
            application=application,
            decision=decision,
            reference=f"AW-{application.reference}",
            amount=decision.amount,
            currency=call.currency,
            start_date=decision.start_date,
            duration_months=24,
        )
    if reviews:
        add_reviews(application)
    return decision


def add_reviews(application: Application) -> None:
    """Two submitted reviews with criterion scores and confidential comments, and one draft."""
    form = ReviewForm.objects.filter(call=application.call).first()
    if form is None:
        form = ReviewFormFactory(call=application.call, name="Scientific review")
        CriterionFactory(form=form, key="impact", label="Impact", position=1)
        CriterionFactory(form=form, key="method", label="Method", position=2, allow_not_applicable=True)
    impact, method = form.criteria.order_by("position")
    texts = [
        ("Bold hypothesis, strong team.", "Recruitment is optimistic.", "Add a second site.", (4, 3), 5),
        ("Matters to people with MS.", "Jargon in the lay summary.", "", (5, None), 4),
    ]
    for name, (strengths, weaknesses, comments, (s1, s2), overall) in zip(
        REVIEWER_NAMES, texts, strict=False
    ):
        assignment = AssignmentFactory(application=application, reviewer__full_name=name)
        review = SubmittedReviewFactory(
            assignment=assignment,
            form=form,
            strengths=strengths,
            weaknesses=weaknesses,
            comments_to_applicant=comments,
            confidential_comments=f"{CONFIDENTIAL} from {name}",
            overall_score=overall,
        )
        CriterionScore.objects.create(review=review, criterion=impact, value=s1)
        CriterionScore.objects.create(review=review, criterion=method, value=s2, not_applicable=s2 is None)
    draft = AssignmentFactory(application=application, reviewer__full_name=REVIEWER_NAMES[2])
    SubmittedReviewFactory(
        assignment=draft, form=form, status="draft", strengths=DRAFT_TEXT, submitted_at=None
    )


def letter_for(decision: Decision, kind: str, version: int = 1, **fields) -> Letter:
    return Letter.objects.create(decision=decision, kind=kind, version=version, **fields)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with whitespace squeezed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def squeezed(text: str) -> str:
    return "".join(text.split())


def save_artifact(pdf: bytes, name: str) -> Path:
    """Keep the PDF and a PNG of its first page (60 dpi) under artifacts/letters/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(target), str(ARTIFACTS / name)],
        check=True,
        timeout=60,
    )
    return ARTIFACTS / f"{name}.png"
