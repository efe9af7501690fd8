"""The permission matrix of decisions, awards and letters, API and portal: each role and action gets an
exact status. On a denial nothing changes (decisions, shares, awards, letters, batches, audit rows)
and the body says nothing of the application (its title, reference, amount or award reference).

The world is ``tests.awards.test_api``'s: ``first`` (the applicant's, 40,000 requested) is the
object under test; the conflicted chair is a second chair with a conflict on it; the co-investigator
is on ``first``'s team; ``other_applicant`` is ``second``'s PI; the reviewer is assigned to ``first``.

Calls a user takes no part in answer 404 (``calls_for_review``), as do objects hidden from them (an
award not theirs, a letter they may not download, an application they are conflicted with); what
they can see but not do answers 403; anonymous API calls 403, anonymous portal pages redirect.
"""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent
from awards.models import Award, Decision, FundingShare, Letter, LetterBatch
from awards.services import DecisionInput, apply_decisions, set_decision
from tests.applications.factories import pdf_bytes
from tests.awards.test_api import Deciding, build_deciding

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "applicant",
    "co_investigator",
    "other_applicant",
    "reviewer",
    "member",
    "conflicted_chair",
    "chair",
    "staff",
]
APPLICANTS = {"applicant", "co_investigator", "other_applicant"}
VIEWERS = {"member", "conflicted_chair", "chair", "staff"}  # the call's funding scenario
CALL_DECIDERS = {"conflicted_chair", "chair", "staff"}  # call-wide actions (conflicted items aside)
DECIDERS = {"chair", "staff"}  # the decision on ``first``
AWARD_VIEWERS = {"applicant", "member", "chair", "staff"}
LETTER_VIEWERS = {"applicant", "chair", "staff"}


def call_codes(ok: set[str], success: int) -> dict[str, int]:
    """A call-level endpoint: applicants take no part in the call (404); the rest see it (403)."""
    codes = {role: (404 if role in APPLICANTS else 403) for role in ROLES}
    return codes | dict.fromkeys(ok, success)


def decision_codes(success: int) -> dict[str, int]:
    """The decision on ``first``: hidden from the conflicted chair like an application not in the call."""
    return call_codes(DECIDERS, success) | {"conflicted_chair": 404}


def object_codes(ok: set[str], success: int, *, seen_by: set[str] = frozenset()) -> dict[str, int]:
    """An award or letter: hidden (404) unless the role sees it; seen but not theirs to act on, 403."""
    codes = {role: 403 if role in seen_by else 404 for role in ROLES} | {"anonymous": 403}
    return codes | dict.fromkeys(ok, success)


# States the world is put in before the request.


def pending(w: Deciding) -> None:
    set_decision(application=w.first, by=w.chair, data=DecisionInput(outcome=Decision.Outcome.FUND))
    set_decision(application=w.second, by=w.chair, data=DecisionInput(outcome=Decision.Outcome.DECLINE))


def applied(w: Deciding) -> None:
    """Applied, and every letter stored as a rendered PDF (without running WeasyPrint each time)."""
    pending(w)
    apply_decisions(call=w.call, by=w.chair)
    content = pdf_bytes()
    for letter in Letter.objects.all():
        letter.file.save(f"{letter.kind}.pdf", ContentFile(content), save=False)
        letter.sha256 = hashlib.sha256(content).hexdigest()
        letter.status = Letter.Status.DONE
        letter.save()


def failed(w: Deciding) -> None:
    applied(w)
    Letter.objects.filter(decision__application=w.first, kind=Letter.Kind.AWARD).update(
        status=Letter.Status.FAILED
    )


STATES = {"undecided": lambda w: None, "pending": pending, "applied": applied, "failed": failed}


def award(w: Deciding) -> Award:
    return Award.objects.get(application=w.first)


def letter(w: Deciding) -> Letter:
    return Letter.objects.get(decision__application=w.first, kind=Letter.Kind.AWARD)


def batch(w: Deciding) -> LetterBatch:
    return LetterBatch.objects.get(call=w.call)


def call_api(part: str):
    return lambda w: f"/api/v1/calls/{w.call.pk}/{part}"


# name: (state, method, url, body, codes)
API = {
    "funding": ("pending", "get", call_api("funding/"), None, call_codes(VIEWERS, 200)),
    "set decision": (
        "pending",
        "put",
        lambda w: f"/api/v1/calls/{w.call.pk}/decisions/{w.first.pk}/",
        {"outcome": "decline"},
        decision_codes(200),
    ),
    "clear decision": (
        "pending",
        "delete",
        lambda w: f"/api/v1/calls/{w.call.pk}/decisions/{w.first.pk}/",
        None,
        decision_codes(204),
    ),
    "fund top": (
        "undecided",
        "post",
        call_api("decisions/fund-top/"),
        {"count": 1},
        # The conflicted chair's top undecided item is the one they cannot decide: never skipped.
        call_codes(CALL_DECIDERS, 200) | {"conflicted_chair": 409},
    ),
    "fund to budget": (
        "undecided",
        "post",
        call_api("decisions/fund-to-budget/"),
        None,
        call_codes(CALL_DECIDERS, 200) | {"conflicted_chair": 409},
    ),
    "decide rest": (
        "undecided",
        "post",
        call_api("decisions/decide-rest/"),
        {"outcome": "decline"},
        call_codes(CALL_DECIDERS, 200),
    ),
    "apply": ("pending", "post", call_api("decisions/apply/"), None, call_codes(CALL_DECIDERS, 201)),
    "letter batches": ("applied", "get", call_api("letter-batches/"), None, call_codes(CALL_DECIDERS, 200)),
    "letter batch": (
        "applied",
        "get",
        lambda w: f"/api/v1/letter-batches/{batch(w).pk}/",
        None,
        call_codes(CALL_DECIDERS, 200),
    ),
    "retry letters": (
        "failed",
        "post",
        lambda w: f"/api/v1/letter-batches/{batch(w).pk}/retry/",
        None,
        call_codes(CALL_DECIDERS, 200),
    ),
    "award": (
        "applied",
        "get",
        lambda w: f"/api/v1/awards/{award(w).pk}/",
        None,
        object_codes(AWARD_VIEWERS, 200),
    ),
    "accept": (
        "applied",
        "post",
        lambda w: f"/api/v1/awards/{award(w).pk}/accept/",
        None,
        object_codes({"applicant"}, 200, seen_by=AWARD_VIEWERS),
    ),
    "decline": (
        "applied",
        "post",
        lambda w: f"/api/v1/awards/{award(w).pk}/decline/",
        {"note": "Funded elsewhere."},
        object_codes({"applicant"}, 200, seen_by=AWARD_VIEWERS),
    ),
    "letter": (
        "applied",
        "get",
        lambda w: f"/api/v1/letters/{letter(w).pk}/",
        None,
        object_codes(LETTER_VIEWERS, 200),
    ),
    "download": (
        "applied",
        "get",
        lambda w: f"/api/v1/letters/{letter(w).pk}/download/",
        None,
        object_codes(LETTER_VIEWERS, 200),
    ),
}


def portal_codes(codes: dict[str, int]) -> dict[str, int]:
    return codes | {"anonymous": 302}


# The portal pages of the same objects (awards.urls): the same answers, but anonymous users are sent
# to sign in.
PORTAL = {
    "funding page": (
        "pending",
        "get",
        lambda w: reverse("awards:funding", args=[w.call.slug]),
        None,
        # As the review portal's call pages: 404 for anyone outside the committee and staff.
        portal_codes(object_codes(VIEWERS, 200)),
    ),
    "award page": (
        "applied",
        "get",
        lambda w: reverse("awards:award_detail", args=[award(w).pk]),
        None,
        portal_codes(object_codes(AWARD_VIEWERS, 200)),
    ),
    "letter download": (
        "applied",
        "get",
        lambda w: reverse("awards:letter_download", args=[letter(w).pk]),
        None,
        portal_codes(object_codes(LETTER_VIEWERS, 200)),
    ),
    "award register": (
        "applied",
        "get",
        lambda w: reverse("awards:register"),
        None,
        portal_codes(object_codes({"staff"}, 200, seen_by=set(ROLES))),
    ),
}


def snapshot() -> tuple:
    return (
        list(Decision.objects.order_by("pk").values_list("application", "outcome", "status", "amount")),
        list(FundingShare.objects.order_by("pk").values_list("decision", "funder", "amount")),
        list(Award.objects.order_by("pk").values_list("reference", "status", "amount", "response_note")),
        list(Letter.objects.order_by("pk").values_list("decision", "kind", "version", "status")),
        LetterBatch.objects.count(),
        AuditEvent.objects.count(),
    )


def secrets(w: Deciding) -> list[str]:
    found = [w.first.title, w.first.reference]
    if Award.objects.filter(application=w.first).exists():
        found += [award(w).reference, "40000", "40,000"]
    return found


@pytest.fixture
def w(settings, tmp_path) -> Deciding:
    settings.MEDIA_ROOT = tmp_path / "storage"
    return build_deciding()


def _check(w: Deciding, table: dict, name: str, role: str, client_for, *, api: bool) -> None:
    state, method, path, body, codes = table[name]
    STATES[state](w)
    url = path(w)
    before = snapshot()
    client = client_for(w.actor(role), api=api)

    response = getattr(client, method)(url, body, format="json") if api else getattr(client, method)(url)

    assert response.status_code == codes[role], (
        response.status_code,
        getattr(response, "content", b"")[:300],
    )
    succeeded = 200 <= codes[role] < 300
    if not succeeded or method == "get":
        assert snapshot() == before
    else:
        assert snapshot() != before
    if not succeeded and not response.streaming:
        page = response.content.decode()
        assert [secret for secret in secrets(w) if secret in page] == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", API)
def test_api_access(name, role, w, client_for):
    _check(w, API, name, role, client_for, api=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PORTAL)
def test_portal_access(name, role, w, client_for):
    _check(w, PORTAL, name, role, client_for, api=False)


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_award_list_holds_only_the_awards_the_role_may_see(role, w, client_for):
    applied(w)
    response = client_for(w.actor(role), api=True).get("/api/v1/awards/")

    assert response.status_code == 200
    references = [item["reference"] for item in response.json()["results"]]
    assert references == ([award(w).reference] if role in AWARD_VIEWERS else [])
    if role not in AWARD_VIEWERS:
        assert [secret for secret in secrets(w) if secret in response.content.decode()] == []


def test_the_conflicted_chair_sees_nothing_of_the_item_in_the_scenario(w, client_for):
    pending(w)
    page = (
        client_for(w.conflicted_chair, api=True).get(f"/api/v1/calls/{w.call.pk}/funding/").content.decode()
    )
    assert w.first.title not in page
    assert w.first.reference not in page
    assert f'"application":{w.first.pk},' not in page.replace(" ", "")


def test_anonymous_api_calls_are_refused_before_anything_is_looked_up(w, client_for):
    response = client_for(None, api=True).get("/api/v1/letters/999999/")
    assert response.status_code == 403
