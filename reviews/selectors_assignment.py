"""Read queries for the assignment pages of staff and the chair (never shown to reviewers)."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery

from accounts.models import User
from applications.models import Application
from reviews.models import Affinity, Assignment, AssignmentRun, ReviewerInvitation
from reviews.selectors import active_conflicts, reviewer_load_limit, without_conflicts_of

__all__ = ["ApplicationRow", "AssignedReviewer", "ReviewerLoad", "RunSummary", "run_summary"]


@dataclass
class AssignedReviewer:
    assignment: Assignment
    reviewer: User
    is_lay: bool
    affinity: float | None  # the total; None for a pair the run had no affinity for
    text: float | None
    focus: float | None
    bid: float | None
    terms: list[str]


@dataclass
class ApplicationRow:
    application: Application
    reviewers: list[AssignedReviewer] = field(default_factory=list)
    missing: int = 0  # reviewers still needed to reach k
    missing_lay: int = 0

    @property
    def affinity(self) -> float:
        """Sum over the assigned reviewers (pairs without an affinity count as nothing, not as 0)."""
        return sum(r.affinity for r in self.reviewers if r.affinity is not None)


@dataclass
class ReviewerLoad:
    reviewer: User
    is_lay: bool
    load: int
    limit: int | None  # None: the reviewer no longer has an accepted invitation


@dataclass
class RunSummary:
    run: AssignmentRun
    applications: list[ApplicationRow]  # every submitted application the viewer may see, by reference
    reviewers: list[ReviewerLoad]  # every accepted reviewer and anyone still assigned, by name
    worst: ApplicationRow | None  # lowest affinity sum among complete applications


def _affinity(field_name: str) -> Subquery:
    pair = Affinity.objects.filter(
        run=OuterRef("run"), application=OuterRef("application"), reviewer=OuterRef("reviewer")
    )
    return Subquery(pair.values(field_name)[:1])


def run_summary(run: AssignmentRun, viewer) -> RunSummary:
    """Loads, assigned reviewers per application with the affinity components, the worst-served
    application: the assignment matrix page in four queries, whatever the size of the call.

    Staff see every application; anyone else (the chair) none they are conflicted with: its row, its
    assignments (in the reviewers' loads too) and its place as the worst-served are left out."""
    call = run.call
    k, quota = call.reviewers_per_application, call.lay_reviewers_per_application
    assignments = (
        Assignment.objects.filter(run=run)
        .select_related("reviewer__reviewer_profile")
        .annotate(
            pair_text=_affinity("text"),
            pair_focus=_affinity("focus"),
            pair_bid=_affinity("bid"),
            pair_terms=_affinity("terms"),
        )
        .order_by("application_id", "-affinity", "reviewer__full_name")
    )
    applications = call.applications.submitted()
    if not viewer.is_staff:
        applications = without_conflicts_of(applications, viewer)
        assignments = assignments.exclude(
            Exists(active_conflicts().filter(reviewer=viewer, application=OuterRef("application")))
        )
    rows = {
        app.pk: ApplicationRow(application=app)
        for app in applications.select_related("institution").order_by("reference", "pk")
    }
    loads: dict[int, ReviewerLoad] = {}
    for assignment in assignments:
        reviewer = assignment.reviewer
        profile = getattr(reviewer, "reviewer_profile", None)
        is_lay = bool(profile and profile.is_lay)
        row = rows.get(assignment.application_id)
        if row is not None:
            row.reviewers.append(
                AssignedReviewer(
                    assignment=assignment,
                    reviewer=reviewer,
                    is_lay=is_lay,
                    affinity=assignment.affinity,
                    text=assignment.pair_text,
                    focus=assignment.pair_focus,
                    bid=assignment.pair_bid,
                    terms=[t for t in (assignment.pair_terms or "").split(", ") if t],
                )
            )
        entry = loads.setdefault(
            reviewer.pk, ReviewerLoad(reviewer=reviewer, is_lay=is_lay, load=0, limit=None)
        )
        entry.load += 1
    invitations = ReviewerInvitation.objects.filter(
        call=call, status=ReviewerInvitation.Status.ACCEPTED
    ).select_related("reviewer__reviewer_profile")
    for invitation in invitations:
        profile = getattr(invitation.reviewer, "reviewer_profile", None)
        if profile is None:
            continue
        entry = loads.setdefault(
            invitation.reviewer_id,
            ReviewerLoad(reviewer=invitation.reviewer, is_lay=profile.is_lay, load=0, limit=None),
        )
        entry.limit = reviewer_load_limit(invitation)
    for row in rows.values():
        row.missing = max(0, k - len(row.reviewers))
        row.missing_lay = max(0, quota - sum(r.is_lay for r in row.reviewers))
    complete = [row for row in rows.values() if not row.missing]
    worst = min(complete, key=lambda row: (row.affinity, row.application.pk), default=None)
    return RunSummary(
        run=run,
        applications=list(rows.values()),
        reviewers=sorted(loads.values(), key=lambda e: (e.reviewer.full_name, e.reviewer.pk)),
        worst=worst,
    )
