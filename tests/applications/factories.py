"""Factories for applications and what they carry; ``complete_draft`` builds a submittable one."""

import hashlib
import io
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from pypdf import PdfWriter

from applications.models import Application, Attachment, BudgetLine, ReviewerExclusion, TeamMember
from tests.factories import CallFactory, FocusAreaFactory, InstitutionFactory, UserFactory


def pdf_bytes(pages: int = 1, *, password: str = "") -> bytes:
    """A real PDF with ``pages`` blank A4 pages (encrypted with ``password`` when given)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class ApplicantFactory(UserFactory):
    """A researcher with an institution (in GB unless told)."""

    institution = factory.SubFactory(InstitutionFactory)


class ApplicationFactory(DjangoModelFactory):
    """An empty draft by an applicant with an institution."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    pi = factory.SubFactory(ApplicantFactory)
    institution = factory.LazyAttribute(lambda o: o.pi.institution)


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"Team Member {n}")
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    institution_name = "Institute of Examples"
    role = TeamMember.Role.CO_INVESTIGATOR


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = BudgetLine.Category.PERSONNEL
    year = 1
    amount = Decimal("1000.00")
    justification = "A research assistant."


class ReviewerExclusionFactory(DjangoModelFactory):
    class Meta:
        model = ReviewerExclusion

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"Rival Researcher {n}")
    reason = "Works on a competing project."


def add_pdf(
    application: Application, *, kind: str = Attachment.Kind.RESEARCH_PLAN, pages: int = 2
) -> Attachment:
    """Store a real PDF as an attachment, as the upload service would (generated file name)."""
    content = pdf_bytes(pages)
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=f"{kind}.pdf",
        size=len(content),
        pages=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=application.pi,
    )
    attachment.file.save("upload.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


def complete_draft(
    *, call=None, pi=None, title: str = "Remyelination in progressive MS", **fields
) -> Application:
    """A draft that passes every check of ``submission_problems``: details, a focus area of the
    call, keywords, budget lines that sum to the request within the duration, and a research plan."""
    call = call or CallFactory()
    area = call.focus_areas.first()
    if area is None:
        area = FocusAreaFactory(name=f"Focus of {call.slug}", slug=f"focus-{call.slug}")
        call.focus_areas.add(area)
    values = {
        "title": title,
        "lay_summary": "We study how nerve insulation repairs itself.",
        "scientific_abstract": "Oligodendrocyte precursor cells and remyelination in chronic lesions.",
        "keywords": "remyelination, microglia",
        "requested_amount": Decimal("10000.00"),
        "duration_months": 24,
        **fields,
    }
    application = ApplicationFactory(call=call, **({"pi": pi} if pi else {}), **values)
    application.focus_areas.add(area)
    BudgetLineFactory(application=application, year=1, amount=Decimal("6000.00"))
    BudgetLineFactory(
        application=application, year=2, amount=Decimal("4000.00"), category=BudgetLine.Category.TRAVEL
    )
    add_pdf(application)
    return application


def accepted_co_investigator(application: Application, user=None) -> TeamMember:
    """A co-investigator who accepted the invitation with their account."""
    user = user or ApplicantFactory()
    return TeamMemberFactory(
        application=application,
        name=user.full_name,
        email=user.email,
        user=user,
        invite_token=TeamMember.new_token(),
        invited_at=timezone.now(),
        accepted_at=timezone.now(),
    )
