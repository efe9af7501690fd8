"""Automatic detection of conflicts of interest between a call's reviewers and its applications.

A reviewer is conflicted with an application when they are its PI or on its team (by account,
e-mail or ORCID iD); work at the same institution as the PI or a team member (by ROR id when both
have one, else by normalised name); are named as a collaborator in their own profile or by the
applicant's team; or are named by the applicant in a reviewer exclusion (by e-mail or ORCID iD).
Each finding carries its evidence so staff can check it.
"""

from collections import defaultdict
from dataclasses import dataclass

from accounts.identifiers import normalise_orcid
from accounts.models import User, normalise_institution_name
from applications.models import Application, Call
from reviews.models import Conflict


@dataclass(frozen=True)
class Finding:
    application_id: int
    reviewer_id: int
    kind: str
    source: str
    evidence: str


class _ReviewerIndex:
    """Look-ups from an e-mail, ORCID iD, ROR id or institution name to the reviewers it names."""

    def __init__(self, reviewers: list[User]) -> None:
        self.by_email: dict[str, set[int]] = defaultdict(set)
        self.by_orcid: dict[str, set[int]] = defaultdict(set)
        self.by_ror: dict[str, set[int]] = defaultdict(set)
        self.by_institution: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.names = {r.pk: r.full_name for r in reviewers}
        for reviewer in reviewers:
            self.by_email[reviewer.email.lower()].add(reviewer.pk)
            self.by_name[_person_key(reviewer.full_name)].add(reviewer.pk)
            if reviewer.orcid:
                self.by_orcid[reviewer.orcid].add(reviewer.pk)
            institution = reviewer.institution
            if institution is not None:
                if institution.ror_id:
                    self.by_ror[institution.ror_id].add(reviewer.pk)
                self.by_institution[institution.normalised_name].add(reviewer.pk)

    def person(self, *, email: str = "", orcid: str = "", name: str = "") -> set[int]:
        found: set[int] = set()
        if email:
            found |= self.by_email.get(email.strip().lower(), set())
        if orcid:
            found |= self.by_orcid.get(normalise_orcid(orcid), set())
        if name and not found:
            found |= self.by_name.get(_person_key(name), set())
        return found

    def institution(self, *, ror_id: str = "", name: str = "") -> set[int]:
        """Reviewers at an institution: by ROR id when known, and by normalised name."""
        found = set(self.by_ror.get(ror_id, set())) if ror_id else set()
        key = normalise_institution_name(name) if name else ""
        if key:
            found |= self.by_institution.get(key, set())
        return found


def _person_key(name: str) -> str:
    return " ".join(name.lower().replace(".", " ").split())


def _collaborator_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def detect_conflicts(*, call: Call, reviewers: list[User]) -> list[Finding]:
    """Every conflict between ``reviewers`` and the call's submitted applications, with evidence."""
    index = _ReviewerIndex(reviewers)
    applications = (
        Application.objects.filter(call=call, status=Application.Status.SUBMITTED)
        .select_related("pi__institution", "institution")
        .prefetch_related("team", "exclusions")
        .order_by("pk")
    )
    findings: dict[tuple[int, int, str], Finding] = {}

    def add(application: Application, reviewer_ids: set[int], kind: str, source: str, evidence: str) -> None:
        for reviewer_id in sorted(reviewer_ids):
            findings.setdefault(
                (application.pk, reviewer_id, kind),
                Finding(application.pk, reviewer_id, kind, source, evidence),
            )

    # The reviewers' own lists of collaborators, keyed like people.
    collaborator_of: dict[str, set[int]] = defaultdict(set)
    for reviewer in reviewers:
        profile = getattr(reviewer, "reviewer_profile", None)
        for line in _collaborator_lines(profile.collaborators if profile else ""):
            collaborator_of[line.lower()].add(reviewer.pk)

    for application in applications:
        pi = application.pi
        ref = application.reference or f"#{application.pk}"
        add(
            application,
            index.person(email=pi.email, orcid=pi.orcid),
            Conflict.Kind.PI,
            Conflict.Source.DETECTED,
            f"The reviewer is the principal investigator of {ref}.",
        )
        institution = application.institution or pi.institution
        if institution is not None:
            add(
                application,
                index.institution(ror_id=institution.ror_id, name=institution.name),
                Conflict.Kind.SAME_INSTITUTION,
                Conflict.Source.DETECTED,
                f"Same institution as the PI: {institution.name}"
                + (f" (ROR {institution.ror_id})." if institution.ror_id else "."),
            )
        people = [(pi.full_name, pi.email, pi.orcid, "the PI")]
        for member in application.team.all():
            who = f"{member.name} ({member.get_role_display().lower()})"
            people.append((member.name, member.email, member.orcid, who))
            add(
                application,
                index.person(email=member.email, orcid=member.orcid)
                | ({member.user_id} & set(index.names) if member.user_id else set()),
                Conflict.Kind.TEAM_MEMBER,
                Conflict.Source.DETECTED,
                f"The reviewer is on the team: {who}.",
            )
            if member.institution_name:
                add(
                    application,
                    index.institution(name=member.institution_name),
                    Conflict.Kind.SAME_INSTITUTION,
                    Conflict.Source.DETECTED,
                    f"Same institution as team member {who}: {member.institution_name}.",
                )
        for name, email, orcid, who in people:
            for key in filter(None, (name.lower(), email.lower(), orcid)):
                if key in collaborator_of:
                    add(
                        application,
                        collaborator_of[key],
                        Conflict.Kind.COLLABORATOR,
                        Conflict.Source.DETECTED,
                        f"The reviewer lists {who}, {name}, as a collaborator.",
                    )
        for exclusion in application.exclusions.all():
            named = index.person(email=exclusion.email, orcid=exclusion.orcid, name=exclusion.name)
            add(
                application,
                named,
                Conflict.Kind.APPLICANT_EXCLUSION,
                Conflict.Source.APPLICANT,
                f"The applicant asked that {exclusion.name} not review: {exclusion.reason}",
            )
    return [findings[key] for key in sorted(findings)]
