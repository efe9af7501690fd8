"""``manage.py demo`` fills the call in review with ~195 submitted applications and the open call with
drafts, all within the calls' rules; running it again adds nothing.

The demo is built once per module (the ``demo`` fixture in conftest.py).
"""

import re

from django.core.management import call_command
from django.utils import timezone

from accounts.identifiers import validate_orcid
from accounts.models import User
from applications.eligibility import count_words, submission_problems
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    ReviewerExclusion,
    TeamMember,
)
from audit.models import AuditEvent

MODELS = [User, Application, BudgetLine, TeamMember, ReviewerExclusion, Attachment, AuditEvent]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_call_in_review_has_195_submitted_applications_within_its_rules(demo):
    call = Call.objects.get(title="Challenge Awards 2026")
    assert call.status == Call.Status.IN_REVIEW
    assert not call.allowed_countries
    applications = list(
        call.applications.select_related("institution", "pi").prefetch_related("budget_lines", "attachments")
    )
    assert 190 <= len(applications) <= 200
    assert all(a.status == Application.Status.SUBMITTED for a in applications)
    assert len({a.institution.country.code for a in applications}) == 21
    assert len({a.pi_id for a in applications}) == len(applications)
    references = [a.reference for a in applications]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"CA-2026-\d{4}", r) for r in references)
    for application in applications:
        assert call.opens_at < application.submitted_at < call.closes_at
        assert application.requested_amount <= call.max_request
        assert application.requested_amount % 1000 == 0
        assert sum(line.amount for line in application.budget_lines.all()) == application.requested_amount
        assert 2 <= len(application.budget_lines.all()) <= 5
        assert 12 <= application.duration_months <= 36
        assert 0 < count_words(application.lay_summary) <= call.lay_summary_word_limit
        assert 0 < count_words(application.scientific_abstract) <= call.abstract_word_limit
        plans = [a for a in application.attachments.all() if a.kind == Attachment.Kind.RESEARCH_PLAN]
        assert len(plans) == 1
        assert plans[0].pages >= 1
        with plans[0].file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"
    # References follow the order of submission, in the last two weeks before the deadline.
    by_time = sorted(applications, key=lambda a: a.submitted_at)
    assert [a.reference for a in by_time] == sorted(references)
    assert (call.closes_at - by_time[0].submitted_at).days < 14


def test_submitted_applications_have_teams_exclusions_and_audit_rows(demo):
    call = Call.objects.get(title="Challenge Awards 2026")
    members = TeamMember.objects.filter(application__call=call)
    assert members.exists()
    assert members.exclude(orcid="").exists()
    for orcid in members.exclude(orcid="").values_list("orcid", flat=True):
        validate_orcid(orcid)
    assert ReviewerExclusion.objects.filter(application__call=call).exists()
    submitted = AuditEvent.objects.filter(
        verb="application.submitted",
        target_id__in=[str(pk) for pk in call.applications.values_list("pk", flat=True)],
    ).count()
    assert submitted == call.applications.count()
    pi_emails = call.applications.values_list("pi__email", flat=True)
    assert all(e == "applicant@granted.demo" or e.endswith(".demo") for e in pi_emails)


def test_open_call_has_drafts_and_the_demo_applicant_lacks_only_the_research_plan(demo):
    call = Call.objects.get(title="Challenge Awards 2027")
    assert call.is_open_now
    drafts = call.applications.filter(status=Application.Status.DRAFT)
    assert drafts.count() >= 10
    mine = drafts.get(pi__email="applicant@granted.demo")
    problems = submission_problems(mine, now=timezone.now())
    assert [(p.section, p.message) for p in problems] == [("attachments", "Upload the research plan (PDF).")]


def test_second_run_creates_nothing(demo):
    first = counts()
    call_command("demo", "--quiet")
    assert counts() == first
