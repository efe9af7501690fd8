"""The awards API: the funding scenario, decisions within budget, applying, letter batches, awards and
letters. ``deciding`` is a call in review with a 100,000 budget (funders A 40,000 and B 60,000) and
three submitted applications asking 40,000, 30,000 and 20,000, in rank order."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Call, CommitteeMembership
from awards.models import Award, Decision, Letter
from awards.services import DecisionInput, apply_decisions, fund_top, set_decision
from tests.applications.factories import accepted_co_investigator
from tests.awards.factories import deciding_call, submitted_application
from tests.factories import CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import AssignmentFactory, ConflictFactory, accepted_reviewer

pytestmark = pytest.mark.django_db
FUND, DECLINE, WAITLIST = Decision.Outcome.FUND, Decision.Outcome.DECLINE, Decision.Outcome.WAITLIST


@dataclass
class Deciding:
    """A call in review and everyone around it; ``first`` is the applicant's, ``second`` another's."""

    call: Call
    first: Application
    second: Application
    third: Application
    chair: object
    conflicted_chair: object  # a second chair, conflicted with ``first``
    member: object
    staff: object
    co_investigator: object
    reviewer: object  # assigned to ``first``
    funder_a: int  # committed 40,000
    funder_b: int  # committed 60,000

    @property
    def applicant(self):
        return self.first.pi

    @property
    def other_applicant(self):
        return self.second.pi

    def actor(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def letters_media(settings, tmp_path):
    """Rendered letters go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    return settings.MEDIA_ROOT


def build_deciding(requests=("40000", "30000", "20000")) -> Deciding:
    call, chair, applications = deciding_call(
        commitments=(("40000", "EUR", "1"), ("60000", "EUR", "1")), requests=requests
    )
    first, second, third, *_ = applications
    conflicted_chair = CommitteeMembershipFactory(
        call=call, role=CommitteeMembership.Role.CHAIR, user__full_name="Conny Conflicted"
    ).user
    ConflictFactory(application=first, reviewer=conflicted_chair)
    member = CommitteeMembershipFactory(call=call, user__full_name="Mo Member").user
    co_investigator = accepted_co_investigator(first).user
    reviewer = accepted_reviewer(call, name="Rita Reviewer")
    AssignmentFactory(application=first, reviewer=reviewer)
    funder_a, funder_b = call.commitments.order_by("amount").values_list("funder_id", flat=True)
    staff = UserFactory(full_name="Olga Officer", is_staff=True)
    people = (chair, conflicted_chair, member, staff, co_investigator, reviewer)
    return Deciding(call, first, second, third, *people, funder_a, funder_b)


@pytest.fixture
def w(letters_media) -> Deciding:
    return build_deciding()


def api(client_for, user):
    return client_for(user, api=True)


def url(w: Deciding, part: str) -> str:
    return f"/api/v1/calls/{w.call.pk}/{part}"


def applied(w: Deciding, capture) -> Letter:
    """``first`` funded and ``second`` declined, applied, letters rendered; returns ``first``'s letter."""
    set_decision(application=w.first, by=w.chair, data=DecisionInput(outcome=FUND))
    set_decision(application=w.second, by=w.chair, data=DecisionInput(outcome=DECLINE))
    with capture(execute=True):
        apply_decisions(call=w.call, by=w.chair)
    return Letter.objects.get(decision__application=w.first, kind=Letter.Kind.AWARD)


# The funding scenario


def test_the_funding_sheet_lists_rows_in_rank_order_with_decisions_and_totals(w, client_for):
    set_decision(application=w.second, by=w.chair, data=DecisionInput(outcome=FUND, amount=Decimal("25000")))

    data = api(client_for, w.member).get(url(w, "funding/")).json()

    assert [(r["rank"], r["reference"], r["requested"]) for r in data["rows"]] == [
        (1, w.first.reference, "40000.00"),
        (2, w.second.reference, "30000.00"),
        (3, w.third.reference, "20000.00"),
    ]
    decided = data["rows"][1]["decision"]
    assert {k: decided[k] for k in ("outcome", "status", "published_outcome", "amount")} == {
        "outcome": "fund",
        "status": "pending",
        "published_outcome": "",
        "amount": "25000.00",
    }
    assert [(s["funder"], s["amount"]) for s in decided["shares"]] == [
        (w.funder_a, "10000.00"),
        (w.funder_b, "15000.00"),
    ]
    assert data["rows"][0]["decision"] is None
    totals = data["totals"]
    assert (totals["budget"], totals["allocated"], totals["remaining"]) == (
        "100000.00",
        "25000.00",
        "75000.00",
    )
    assert sorted(
        (f["funder"], f["commitment"], f["allocated"], f["remaining"]) for f in totals["funders"]
    ) == [
        (w.funder_a, "40000.00", "10000.00", "30000.00"),
        (w.funder_b, "60000.00", "15000.00", "45000.00"),
    ]
    assert data["counts"] == {"fund": 1, "decline": 0, "waitlist": 0}
    assert (data["pending"], data["undecided"]) == (1, 2)


def test_a_conflicted_chair_sees_no_row_of_the_item_but_the_totals_count_it(w, client_for):
    set_decision(application=w.first, by=w.chair, data=DecisionInput(outcome=FUND))

    response = api(client_for, w.conflicted_chair).get(url(w, "funding/"))

    data = response.json()
    assert [r["reference"] for r in data["rows"]] == [w.second.reference, w.third.reference]
    assert data["totals"]["allocated"] == "40000.00"
    assert w.first.title not in response.content.decode()
    assert data["counts"] == {"fund": 0, "decline": 0, "waitlist": 0}


# Setting and clearing one decision


def test_put_sets_a_decision_with_an_explicit_split_and_delete_clears_it(w, client_for):
    client = api(client_for, w.chair)
    body = {
        "outcome": "fund",
        "amount": "30000.00",
        "conditions": "Ethics approval first.",
        "start_date": "2027-01-01",
        "duration_months": 36,
        "discussion_summary": "Strong team.",
        "shares": [{"funder": w.funder_a, "amount": "30000.00"}, {"funder": w.funder_b, "amount": "0"}],
    }

    response = client.put(url(w, f"decisions/{w.first.pk}/"), body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    fields = ("outcome", "amount", "duration_months", "start_date")
    assert [data[k] for k in fields] == ["fund", "30000.00", 36, "2027-01-01"]
    assert [(s["funder"], s["amount"]) for s in data["shares"]] == [(w.funder_a, "30000.00")]
    assert Decision.objects.get().discussion_summary == "Strong team."

    assert client.delete(url(w, f"decisions/{w.first.pk}/")).status_code == 204
    assert not Decision.objects.exists()
    assert client.delete(url(w, f"decisions/{w.first.pk}/")).status_code == 204  # nothing to take back


def test_over_the_budget_is_a_409_with_the_services_reason(w, client_for):
    fourth = submitted_application(w.call, requested="35000")
    set_decision(application=w.first, by=w.chair, data=DecisionInput(outcome=FUND))
    set_decision(application=w.second, by=w.chair, data=DecisionInput(outcome=FUND))

    response = api(client_for, w.chair).put(
        url(w, f"decisions/{fourth.pk}/"), {"outcome": "fund"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Funding {fourth.reference} with EUR 35,000.00 would bring the call's decisions to "
        "EUR 105,000.00, over its budget of EUR 100,000.00 by EUR 5,000.00. EUR 30,000.00 is left."
    }
    assert Decision.objects.count() == 2


def test_over_a_commitment_is_a_409_naming_the_funder(w, client_for):
    body = {"outcome": "fund", "shares": [{"funder": w.funder_a, "amount": "40000.00"}]}
    api(client_for, w.chair).put(url(w, f"decisions/{w.first.pk}/"), body, format="json")
    body = {"outcome": "fund", "shares": [{"funder": w.funder_a, "amount": "30000.00"}]}

    response = api(client_for, w.chair).put(url(w, f"decisions/{w.second.pk}/"), body, format="json")

    assert response.status_code == 409
    assert "over its commitment of EUR 40,000.00" in response.json()["detail"]
    assert not Decision.objects.filter(application=w.second).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "fund", "amount": "lots"}, "amount"),
        ({"outcome": "fund", "amount": "40000.01"}, "amount"),  # over the request: the service's rule
        ({"outcome": "fund", "duration_months": 0}, "duration_months"),
        (
            {"outcome": "fund", "shares": [{"funder": 1, "amount": "1"}, {"funder": 1, "amount": "2"}]},
            "shares",
        ),
        ({"outcome": "decline", "shares": [{"funder": 1, "amount": "1"}]}, "shares"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(w, client_for, body, field):
    response = api(client_for, w.chair).put(url(w, f"decisions/{w.first.pk}/"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert "detail" in response.json()
    assert not Decision.objects.exists()


def test_an_application_outside_the_call_or_hidden_by_a_conflict_is_a_404(w, client_for):
    elsewhere = submitted_application(deciding_call()[0], requested="1000")
    draft = submitted_application(w.call, requested="1000")
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.DRAFT)
    for who, application in ((w.chair, elsewhere), (w.chair, draft), (w.conflicted_chair, w.first)):
        for method in ("put", "delete"):
            response = getattr(api(client_for, who), method)(
                url(w, f"decisions/{application.pk}/"), {"outcome": "decline"}, format="json"
            )
            assert response.status_code == 404, (who, application, method)
    assert not Decision.objects.exists()


def test_an_applied_decision_cannot_change_or_be_cleared(w, client_for):
    set_decision(application=w.second, by=w.chair, data=DecisionInput(outcome=DECLINE))
    apply_decisions(call=w.call, by=w.chair)
    client = api(client_for, w.chair)

    put = client.put(url(w, f"decisions/{w.second.pk}/"), {"outcome": "fund"}, format="json")
    delete = client.delete(url(w, f"decisions/{w.second.pk}/"))

    assert (put.status_code, delete.status_code) == (409, 409)
    assert "can no longer change" in put.json()["detail"]
    assert "has been applied" in delete.json()["detail"]
    assert Decision.objects.get().outcome == DECLINE


# The bulk actions and applying


def test_fund_top_is_all_or_nothing(w, client_for):
    fourth = submitted_application(w.call, requested="35000")
    client = api(client_for, w.chair)

    refused = client.post(url(w, "decisions/fund-top/"), {"count": 4}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(f"Funding {fourth.reference} with EUR 35,000.00")
    assert not Decision.objects.exists()

    response = client.post(url(w, "decisions/fund-top/"), {"count": 2}, format="json")
    assert response.status_code == 200
    assert [d["application"] for d in response.json()["decisions"]] == [w.first.pk, w.second.pk]
    assert response.json()["totals"]["allocated"] == "70000.00"
    assert client.post(url(w, "decisions/fund-top/"), {"count": 0}, format="json").status_code == 400


def test_fund_to_budget_stops_at_the_first_misfit_then_decide_rest(w, client_for):
    fourth = submitted_application(w.call, requested="35000")
    client = api(client_for, w.staff)

    funded = client.post(url(w, "decisions/fund-to-budget/"))
    assert funded.status_code == 200
    assert [d["application"] for d in funded.json()["decisions"]] == [w.first.pk, w.second.pk, w.third.pk]
    assert funded.json()["totals"]["remaining"] == "10000.00"
    assert (
        client.post(url(w, "decisions/decide-rest/"), {"outcome": "fund"}, format="json").status_code == 400
    )

    rest = client.post(url(w, "decisions/decide-rest/"), {"outcome": "waitlist"}, format="json")
    assert rest.status_code == 200
    assert [(d["application"], d["outcome"]) for d in rest.json()["decisions"]] == [(fourth.pk, "waitlist")]


def test_apply_answers_201_with_the_batch_and_counts_once(w, client_for, django_capture_on_commit_callbacks):
    fund_top(call=w.call, count=2, by=w.chair)
    set_decision(application=w.third, by=w.chair, data=DecisionInput(outcome=WAITLIST))
    client = api(client_for, w.chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(w, "decisions/apply/"))

    assert response.status_code == 201
    batch = w.call.letter_batches.get()
    assert response.json() == {
        "batch": batch.pk,
        "counts": {"fund": 2, "decline": 0, "waitlist": 1},
        "letters": batch.letters.count(),
    }
    again = client.post(url(w, "decisions/apply/"))
    assert again.status_code == 409
    assert again.json()["detail"] == "There are no pending decisions to apply."
    assert Award.objects.count() == 2


# Letter batches


def test_batches_show_progress_and_retry_requeues_failed_letters(
    w, client_for, django_capture_on_commit_callbacks
):
    letter = applied(w, django_capture_on_commit_callbacks)
    batch = letter.batch
    client = api(client_for, w.chair)
    done = batch.letters.count()

    listed = client.get(url(w, "letter-batches/")).json()
    assert [(b["id"], b["total"], b["done"], b["finished"]) for b in listed] == [(batch.pk, done, done, True)]

    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.FAILED, sha256="", file="")
    progress = client.get(f"/api/v1/letter-batches/{batch.pk}/").json()
    assert (progress["failed"], progress["done"], progress["percent"]) == (
        1,
        done - 1,
        (done - 1) * 100 // done,
    )

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/api/v1/letter-batches/{batch.pk}/retry/")
    assert retried.status_code == 200
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DONE
    assert len(letter.sha256) == 64
    assert client.get(f"/api/v1/letter-batches/{batch.pk}/").json()["failed"] == 0


# Awards


def test_awards_list_with_filters_and_the_detail_with_split_and_letters(
    w, client_for, django_capture_on_commit_callbacks
):
    letter = applied(w, django_capture_on_commit_callbacks)
    award = Award.objects.get()
    client = api(client_for, w.staff)

    listed = client.get("/api/v1/awards/").json()
    assert [a["reference"] for a in listed["results"]] == [award.reference]
    year = award.created_at.year
    for query, count in (
        (f"call={w.call.pk}", 1),
        (f"call={w.call.pk + 1000}", 0),
        ("status=offered", 1),
        ("status=accepted", 0),
        (f"funder={w.funder_a}", 1),
        (f"year={year}", 1),
        (f"year={year - 1}", 0),
    ):
        assert client.get(f"/api/v1/awards/?{query}").json()["count"] == count, query

    data = api(client_for, w.applicant).get(f"/api/v1/awards/{award.pk}/").json()
    assert (data["amount"], data["currency"], data["status"], data["application"]) == (
        "40000.00",
        "EUR",
        "offered",
        w.first.pk,
    )
    assert sorted((s["funder"], s["amount"]) for s in data["shares"]) == sorted(
        [(w.funder_a, "16000.00"), (w.funder_b, "24000.00")]
    )
    assert letter.pk in [item["id"] for item in data["letters"]]
    assert api(client_for, w.member).get(f"/api/v1/awards/{award.pk}/").json()["letters"] == []


def test_the_awardee_accepts_or_declines_once(w, client_for, django_capture_on_commit_callbacks):
    applied(w, django_capture_on_commit_callbacks)
    award = Award.objects.get()
    client = api(client_for, w.applicant)

    no_reason = client.post(f"/api/v1/awards/{award.pk}/decline/", {"note": " "}, format="json")
    assert no_reason.status_code == 400
    assert "note" in no_reason.json()
    declined = client.post(
        f"/api/v1/awards/{award.pk}/decline/", {"note": "Funded elsewhere."}, format="json"
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    again = client.post(f"/api/v1/awards/{award.pk}/accept/")
    assert again.status_code == 409
    award.refresh_from_db()
    assert (award.status, award.response_note) == ("declined", "Funded elsewhere.")


# Letters


def test_letter_metadata_and_download(w, client_for, django_capture_on_commit_callbacks):
    letter = applied(w, django_capture_on_commit_callbacks)
    client = api(client_for, w.applicant)

    meta = client.get(f"/api/v1/letters/{letter.pk}/").json()
    assert [meta[k] for k in ("kind", "version", "status", "sha256")] == ["award", 1, "done", letter.sha256]
    assert meta["download_url"] == f"/api/v1/letters/{letter.pk}/download/"
    assert meta["filename"] == f"{w.first.reference}-award-v1.pdf"

    response = client.get(meta["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{letter.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_damaged_letter_file_is_never_served(w, client_for, django_capture_on_commit_callbacks):
    letter = applied(w, django_capture_on_commit_callbacks)
    with open(letter.file.path, "ab") as handle:
        handle.write(b"tampered")

    response = api(client_for, w.applicant).get(f"/api/v1/letters/{letter.pk}/download/")

    assert response.status_code == 500
    assert "does not match the letter that was issued" in response.json()["detail"]


def test_a_letter_not_rendered_yet_is_a_409_to_download(w, client_for):
    set_decision(application=w.first, by=w.staff, data=DecisionInput(outcome=FUND))
    apply_decisions(call=w.call, by=w.chair)  # letters queued, never rendered here
    letter = Letter.objects.get(decision__application=w.first, kind=Letter.Kind.AWARD)

    response = api(client_for, w.applicant).get(f"/api/v1/letters/{letter.pk}/download/")

    assert response.status_code == 409
    assert api(client_for, w.applicant).get(f"/api/v1/letters/{letter.pk}/").json()["download_url"] is None


# Applicants see the published outcome only


def test_the_applicant_never_sees_a_pending_decision(w, client_for):
    client = api(client_for, w.applicant)
    set_decision(application=w.first, by=w.staff, data=DecisionInput(outcome=WAITLIST))
    apply_decisions(call=w.call, by=w.chair)
    set_decision(application=w.first, by=w.staff, data=DecisionInput(outcome=FUND, amount=Decimal("33333")))

    application = client.get(f"/api/v1/applications/{w.first.pk}/").content.decode()
    awards = client.get("/api/v1/awards/").json()

    assert "33333" not in application
    assert '"fund"' not in application
    assert awards["count"] == 0
    letters = Letter.objects.filter(decision__application=w.first)
    assert sorted(letter.kind for letter in letters) == ["summary", "waitlist"]
    assert client.get(url(w, "funding/")).status_code == 404
    assert (
        client.put(url(w, f"decisions/{w.first.pk}/"), {"outcome": "fund"}, format="json").status_code == 404
    )


# Query counts (1 and 3 items)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_funding_sheet_and_awards_list_use_a_fixed_number_of_queries(letters_media, client_for):
    small = build_deciding(requests=("40000", "30000", "20000"))
    big = build_deciding(requests=("10000", "10000", "10000", "10000", "10000", "10000", "10000"))
    counts = {}
    for world, n in ((small, 1), (big, 3)):
        for application in [world.first, world.second, world.third][:n]:
            set_decision(application=application, by=world.staff, data=DecisionInput(outcome=FUND))
        apply_decisions(call=world.call, by=world.staff)
        client = api(client_for, world.staff)
        client.get(f"/api/v1/calls/{world.call.pk}/funding/")
        counts[n] = (
            _queries(client, f"/api/v1/calls/{world.call.pk}/funding/"),
            _queries(client, f"/api/v1/awards/?call={world.call.pk}"),
        )
    assert counts[3] == counts[1]
