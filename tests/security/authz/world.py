"""The authorisation matrix's world: one call under review, one open call, one decided call, research
priorities and the portfolio, with the ten roles around them (``roles``). Private texts carry unique
canary strings, each with the roles that may ever read it (``Canary.seen_by``).

- ``submitted`` (call under review, ``review_call``): the owner's application with ``co_investigator``
  accepted on its team, a named team member, budget lines, a research plan and a reviewer exclusion;
  ``assigned_reviewer`` has a published assignment and a draft review; ``other_reviewer`` (no role)
  a submitted review; ``conflicted_reviewer`` an assignment, a bid and a declared conflict (the conflict
  wins); ``unassigned_reviewer`` accepted the invitation (and may bid). The committee (``committee_member``
  and ``chair``) has a triage line, a panel meeting in progress on it and a pending fund decision; a
  proposed assignment run waits beside the published assignments.
- ``draft`` (open call): the owner's complete draft, co-investigator accepted, one more invited by
  ``invite_token``; ``another_applicant`` has a draft of their own there. ``unassigned_reviewer`` has a
  pending invitation to review the open call.
- ``won`` (``decided_call``): the owner's funded application, decisions applied through the services,
  the award offered, its award letter rendered (WeasyPrint, once); a second award (no role) is published
  on the public page.
- Priorities: a voting round with a published question (a visible and a hidden comment), a gathering
  round with a published question and the owner's draft one (the owner is a community member), a
  closed round with its top ten.
- For the admin's pages: a group, sign-in throttling records and unconfirmed two-factor devices of a
  user with no role (a confirmed device would sign the role out).
"""

from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from tests.applications.factories import pdf_bytes
from tests.security.authz import world_parts
from tests.security.authz.roles import (
    ANONYMOUS,
    ASSIGNED,
    CHAIR,
    COMMITTEE,
    CONFLICTED,
    OWNER,
    OWNER_TEAM,
    ROLES,
    STAFF,
    UNASSIGNED,
)


@dataclass(frozen=True)
class Canary:
    label: str
    value: str
    seen_by: frozenset  # the roles that may ever read it, on any page or endpoint


TEAM_EMAIL = "canary.sub-team-email-z9@authz.example"  # an e-mail address: lower case, with a domain


def canary(label: str) -> str:
    """A unique marker: the ``-Z9`` end keeps one canary from being a prefix of another."""
    return f"CANARY-{label}-Z9"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role → user (anonymous: None)
    canaries: list = field(default_factory=list)
    objects: dict = field(default_factory=dict)  # name → object (calls, applications, …)
    sessions: dict = field(default_factory=dict)  # role → session key
    tokens: dict = field(default_factory=dict)  # role → API token key

    def __getattr__(self, name: str):
        objects = self.__dict__.get("objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(name)

    def user(self, role: str):
        return self.users.get(role)

    def add(self, label: str, seen_by, value: str = "") -> str:
        value = value or canary(label)
        self.canaries.append(Canary(label, value, frozenset(seen_by)))
        return value


def _register_canaries(w: World) -> None:
    """Every private text of the world, with who may read it. Staff (a superuser) may read all."""
    bidders = {ASSIGNED, UNASSIGNED}  # accepted reviewers bid on title and lay summary
    readers = OWNER_TEAM | {ASSIGNED}
    committee = set(COMMITTEE)
    plan = {
        # The submitted application under review.
        "sub-title": readers | bidders | committee,
        "sub-lay": readers | bidders | committee,
        "sub-abstract": readers,
        "sub-keyword": readers,
        "sub-team-name": readers,
        "sub-team-email": OWNER_TEAM,
        "sub-budget": readers,
        "sub-exclusion-name": OWNER_TEAM,
        "sub-exclusion-reason": OWNER_TEAM,
        "sub-attachment": readers,
        "sub-draft-review": {ASSIGNED},
        "sub-review-to-applicant": committee,
        "sub-review-confidential": committee,
        "sub-conflict-reason": {CONFLICTED},
        "sub-meeting-notes": {CHAIR},
        "sub-decision-conditions": committee,
        "sub-decision-summary": committee,
        # The owner's draft in the open call, and another applicant's.
        "draft-title": OWNER_TEAM,
        "draft-abstract": OWNER_TEAM,
        "other-draft-title": {"another_applicant"},
        # The owner's awarded application in the decided call.
        "won-title": {OWNER} | committee,
        "won-conditions": {OWNER} | committee,
        "won-summary": committee,
        # Research priorities.
        "question-draft": {OWNER},
        "comment-hidden": set(),
    }
    for label, seen_by in plan.items():
        w.add(label, set(seen_by) | {STAFF}, value=TEAM_EMAIL if label == "sub-team-email" else "")


def value(w: World, label: str) -> str:
    return next(c.value for c in w.canaries if c.label == label)


def build_world() -> World:
    """Build everything (the caller holds a transaction it rolls back, and a temporary MEDIA_ROOT)."""
    w = World()
    _register_canaries(w)
    world_parts.people(w)
    world_parts.open_call(w, value)
    world_parts.review_call(w, value)
    world_parts.decided_call(w, value)
    world_parts.priorities(w, value)
    w.objects["call_content_type"] = ContentType.objects.get_for_model(w.review_call)
    w.objects["upload"] = lambda: SimpleUploadedFile("cv.pdf", pdf_bytes(1), content_type="application/pdf")
    for role in ROLES:
        user = w.user(role)
        if user is not None:
            w.tokens[role] = Token.objects.create(user=user).key
    w.users[ANONYMOUS] = None
    return w


def sign_in_all(w: World, client_class) -> None:
    """One session per role, made once: each cell sends its role's cookie (``force_login`` writes the
    session and ``last_login``; doing it here keeps those writes out of the cells)."""
    for role in ROLES:
        user = w.user(role)
        if user is None:
            continue
        client = client_class()
        client.force_login(user)
        w.sessions[role] = client.session.session_key
    # A password-reset link of the owner's (its token depends on last_login: made after signing in).
    owner = w.user(OWNER)
    owner.refresh_from_db()
    w.objects["reset_uid"] = urlsafe_base64_encode(force_bytes(owner.pk))
    w.objects["reset_token"] = default_token_generator.make_token(owner)
