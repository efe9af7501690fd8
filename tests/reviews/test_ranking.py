"""The committee's ranking: the numbers on a hand-checked panel, conflicts (portal, API, CSV, XLSX),
the permission matrix of every page and endpoint, the triage line and overrides, sorting and
filtering, the downloads, the reviewer's score page and query counts with 1 and 3 items."""

import csv
import io
import math
from dataclasses import dataclass

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Call, CommitteeMembership
from audit.models import AuditEvent
from core.errors import NotAllowed
from reviews.models import ReviewerProfile, ReviewForm, Triage, TriageOverride
from reviews.selectors_ranking import ranking_for
from reviews.services.triage import set_triage_line, set_triage_override
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory
from tests.reviews.factories import (
    ConflictFactory,
    ReviewFormFactory,
    SubmittedApplicationFactory,
    accepted_reviewer,
    submitted_review,
)

pytestmark = pytest.mark.django_db
LAY = ReviewerProfile.Kind.LAY

# Totals (0-100) of three scientific reviewers and one lay reviewer; L reviews twice, so L is left raw.
TOTALS = {
    "R1": {"A": 80, "B": 60, "C": 40},
    "R2": {"A": 70, "B": 50, "C": 90},
    "R3": {"A": 50, "B": 50, "C": 20},
    "L": {"A": 90, "B": 40},
}


@dataclass
class Panel:
    call: Call
    apps: dict
    reviewers: dict
    member: object
    conflicted: object
    chair: object
    staff: object
    applicant: object
    other_member: object

    def actor(self, name):
        return {
            "anonymous": None,
            "applicant": self.applicant,
            "reviewer": self.reviewers["R1"],
            "member": self.member,
            "conflicted": self.conflicted,
            "chair": self.chair,
            "staff": self.staff,
            "other_member": self.other_member,
        }[name]


@pytest.fixture
def panel(db) -> Panel:
    call = CallFactory(title="Ranking Challenge", slug="ranking-challenge", status=Call.Status.CLOSED)
    apps = {
        "A": SubmittedApplicationFactory(call=call, reference="RC-A", title="Alpha"),
        "B": SubmittedApplicationFactory(call=call, reference="RC-B", title='=HYPERLINK("x")'),
        "C": SubmittedApplicationFactory(call=call, reference="RC-C", title="Gamma"),
    }
    SubmittedApplicationFactory(call=call, reference="RC-D", status=Application.Status.WITHDRAWN)
    forms = {
        "scientific": ReviewFormFactory(call=call),
        "lay": ReviewFormFactory(call=call, audience=ReviewForm.Audience.LAY, name="Lay review"),
    }
    reviewers = {}
    for name, totals in TOTALS.items():
        kind = LAY if name == "L" else ReviewerProfile.Kind.SCIENTIFIC
        reviewers[name] = accepted_reviewer(call, name=f"Reviewer {name}", kind=kind)
        for key, total in totals.items():
            submitted_review(apps[key], reviewers[name], total, forms[kind])
    member = CommitteeMembershipFactory(call=call, user__full_name="Mo Member").user
    conflicted = CommitteeMembershipFactory(call=call, user__full_name="Conny Conflicted").user
    ConflictFactory(application=apps["B"], reviewer=conflicted)
    chair = CommitteeMembershipFactory(call=call, role=CommitteeMembership.Role.CHAIR).user
    other_member = CommitteeMembershipFactory(call=CallFactory(status=Call.Status.CLOSED)).user
    return Panel(
        call=call,
        apps=apps,
        reviewers=reviewers,
        member=member,
        conflicted=conflicted,
        chair=chair,
        staff=UserFactory(is_staff=True),
        applicant=apps["A"].pi,
        other_member=other_member,
    )


def by_reference(ranking):
    return {row.reference: row for row in ranking.rows}


# The numbers, checked by hand.


def test_statistics_of_the_hand_checked_panel(panel):
    rows = by_reference(ranking_for(panel.call, panel.member))
    a, b, c = rows["RC-A"], rows["RC-B"], rows["RC-C"]
    assert [a.count, b.count, c.count] == [4, 4, 3]
    assert (a.raw_mean, a.median, a.low, a.high, a.range) == (72.5, 75, 50, 90, 40)
    assert a.sd == pytest.approx(math.sqrt(875 / 3), abs=1e-9)  # squared deviations 56.25+6.25+506.25+306.25
    assert (a.scientific_mean, a.lay_mean, a.disagreement) == (pytest.approx(200 / 3, abs=1e-9), 90, True)
    assert (b.raw_mean, b.median, b.range, b.lay_mean, b.disagreement) == (50, 50, 20, 40, False)
    assert b.sd == pytest.approx(math.sqrt(200 / 3), abs=1e-9)
    assert b.scientific_mean == pytest.approx(160 / 3, abs=1e-9)
    assert (c.raw_mean, c.median, c.range, c.lay_mean, c.disagreement) == (50, 40, 70, None, True)
    assert c.sd == pytest.approx(math.sqrt(1300), abs=1e-9)


def test_normalised_means_and_percentiles_of_the_hand_checked_panel(panel):
    # The call's 11 totals: mean 640/11, population sd S. R1-R3 (3 reviews) are z-scored against their
    # own mean and population sd; L (2 reviews) is left raw.
    m = 640 / 11
    s = math.sqrt(sum((t - m) ** 2 for totals in TOTALS.values() for t in totals.values()) / 11)
    z1 = 20 / math.sqrt(800 / 3)  # R1: 80, 60, 40 around 60
    z2 = 20 / math.sqrt(800 / 3)  # R2: 70, 50, 90 around 70
    z3 = 10 / math.sqrt(200)  # R3: 50, 50, 20 around 40 (population sd √200)
    expected = {
        "RC-A": ((m + z1 * s) + (m + 0 * s) + (m + z3 * s) + 90) / 4,
        "RC-B": ((m + 0 * s) + (m - z2 * s) + (m + z3 * s) + 40) / 4,
        "RC-C": ((m - z1 * s) + (m + z2 * s) + (m - 2 * z3 * s)) / 3,
    }
    ranking = ranking_for(panel.call, panel.member)
    assert ranking.flagged_reviewers == {panel.reviewers["L"].pk}
    rows = by_reference(ranking)
    for reference, value in expected.items():
        assert rows[reference].normalised_mean == pytest.approx(value, abs=1e-9)
    assert [row.reference for row in ranking.rows] == ["RC-A", "RC-B", "RC-C"]  # 76.40, 50.89, 48.17
    assert [row.rank for row in ranking.rows] == [1, 2, 3]
    assert [row.percentile for row in ranking.rows] == [100.0, pytest.approx(200 / 3), pytest.approx(100 / 3)]
    assert [row.raw_percentile for row in ranking.rows] == [
        100.0,
        pytest.approx(200 / 3),
        pytest.approx(200 / 3),
    ]


# Conflicts: never seen, anywhere.


def test_a_conflicted_member_never_sees_their_conflicted_item(panel, client_for):
    ranking = ranking_for(panel.call, panel.conflicted)
    assert [(row.reference, row.rank, row.percentile) for row in ranking.rows] == [
        ("RC-A", 1, 100.0),
        ("RC-C", 2, 50.0),
    ]
    client = client_for(panel.conflicted)
    page = client.get(f"/review/calls/{panel.call.slug}/ranking/").content.decode()
    assert "RC-A" in page
    assert "RC-B" not in page
    assert "HYPERLINK" not in page
    data = client_for(panel.conflicted, api=True).get(f"/api/v1/calls/{panel.call.pk}/ranking/").json()
    assert [row["reference"] for row in data["results"]] == ["RC-A", "RC-C"]
    assert [row[1] for row in read_csv(client.get(csv_url(panel)))[1:]] == ["RC-A", "RC-C"]
    assert [row[1] for row in read_xlsx(client.get(xlsx_url(panel)))[1:]] == ["RC-A", "RC-C"]


def test_a_conflicted_chair_cannot_override_the_item(panel):
    ConflictFactory(application=panel.apps["C"], reviewer=panel.chair)
    with pytest.raises(NotAllowed, match="conflict of interest"):
        set_triage_override(call=panel.call, application=panel.apps["C"], discuss=True, by=panel.chair)
    assert not TriageOverride.objects.exists()


# The permission matrix: exact codes, and a denial changes nothing.

ACTORS = ["anonymous", "applicant", "reviewer", "member", "conflicted", "chair", "staff", "other_member"]
READERS = {"anonymous": 302, "applicant": 404, "reviewer": 403, "member": 200, "conflicted": 200}
READERS |= {"chair": 200, "staff": 200, "other_member": 404}
MANAGERS = READERS | {"member": 403, "conflicted": 403}
CHANGES = MANAGERS | {"chair": 302, "staff": 302}
API_READERS = READERS | {"anonymous": 403}
API_CHANGES = CHANGES | {"anonymous": 403, "member": 403, "conflicted": 403, "chair": 200, "staff": 200}

PAGES = {
    "ranking": (lambda p: f"/review/calls/{p.call.slug}/ranking/", READERS),
    "csv": (lambda p: csv_url(p), READERS),
    "xlsx": (lambda p: xlsx_url(p), READERS),
    "reviewer-scores": (
        lambda p: f"/review/calls/{p.call.slug}/reviewers/{p.reviewers['R1'].pk}/scores/",
        MANAGERS,
    ),
    "api-ranking": (lambda p: f"/api/v1/calls/{p.call.pk}/ranking/", API_READERS),
}
POSTS = {
    "line": (lambda p: f"/review/calls/{p.call.slug}/ranking/line/", {"discuss_count": "1"}, CHANGES),
    "override": (
        lambda p: f"/review/calls/{p.call.slug}/ranking/{p.apps['C'].pk}/triage/",
        {"action": "discuss", "reason": "Novel"},
        CHANGES,
    ),
    "api-line": (lambda p: f"/api/v1/calls/{p.call.pk}/triage/", {"discuss_count": 1}, API_CHANGES),
    "api-override": (
        lambda p: f"/api/v1/calls/{p.call.pk}/triage/",
        {"application": "C", "discuss": True},
        API_CHANGES,
    ),
}


def csv_url(p):
    return f"/review/calls/{p.call.slug}/ranking/ranking.csv"


def xlsx_url(p):
    return f"/review/calls/{p.call.slug}/ranking/ranking.xlsx"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_read(panel, client_for, page, actor):
    url, codes = PAGES[page]
    response = client_for(panel.actor(actor), api=page.startswith("api")).get(url(panel))
    assert response.status_code == codes[actor]


def _state(panel):
    return (
        list(Triage.objects.values_list("call_id", "discuss_count")),
        list(TriageOverride.objects.values_list("application_id", "discuss")),
        AuditEvent.objects.filter(verb__startswith="triage.").count(),
    )


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", POSTS)
def test_who_may_change_the_triage(panel, client_for, endpoint, actor):
    url, data, codes = POSTS[endpoint]
    api = endpoint.startswith("api")
    if data.get("application") == "C":
        data = data | {"application": panel.apps["C"].pk}
    before = _state(panel)
    client = client_for(panel.actor(actor), api=api)
    response = client.post(url(panel), data, format="json") if api else client.post(url(panel), data)
    assert response.status_code == codes[actor]
    if actor not in ("chair", "staff"):
        assert _state(panel) == before
    else:
        assert _state(panel) != before
        assert AuditEvent.objects.filter(verb__startswith="triage.").count() == 1


# The triage line and overrides.


def discussed(ranking):
    return [row.reference for row in ranking.rows if row.discussed]


def test_the_line_defaults_to_the_top_half_rounded_up(panel):
    ranking = ranking_for(panel.call, panel.chair)
    assert (ranking.discuss_count, ranking.line_is_default, discussed(ranking)) == (2, True, ["RC-A", "RC-B"])


def test_moving_the_line_and_pulling_an_item_back(panel, client_for):
    client = client_for(panel.chair)
    url = f"/review/calls/{panel.call.slug}/ranking/"
    assert client.post(url + "line/", {"move": "up"}).status_code == 302
    assert discussed(ranking_for(panel.call, panel.chair)) == ["RC-A"]
    response = client.post(url + f"{panel.apps['C'].pk}/triage/", {"action": "discuss", "reason": "Bold"})
    assert response.status_code == 302
    ranking = ranking_for(panel.call, panel.chair)
    assert discussed(ranking) == ["RC-A", "RC-C"]
    assert (by_reference(ranking)["RC-C"].override, by_reference(ranking)["RC-C"].override_reason) == (
        True,
        "Bold",
    )
    page = client.get(url).content.decode()
    assert page.index("RC-A") < page.index('id="triage-line"') < page.index("RC-B")
    swapped = client.post(url + "line/", {"discuss_count": "3"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    assert swapped.templates[0].name == "reviews/_ranking_table.html"
    assert discussed(ranking_for(panel.call, panel.chair)) == ["RC-A", "RC-B", "RC-C"]
    assert client.post(url + "line/", {"discuss_count": "4"}).status_code == 400  # only 3 submitted
    client.post(url + f"{panel.apps['C'].pk}/triage/", {"action": "clear"})
    client.post(url + "line/", {"discuss_count": ""})
    assert Triage.objects.get().discuss_count is None
    assert discussed(ranking_for(panel.call, panel.chair)) == ["RC-A", "RC-B"]
    verbs = list(AuditEvent.objects.filter(verb__startswith="triage.").values_list("verb", flat=True))
    assert sorted(verbs) == sorted(
        ["triage.line_moved"] * 3 + ["triage.override_set", "triage.override_cleared"]
    )


def test_setting_an_item_aside_through_the_api(panel, client_for):
    client = client_for(panel.staff, api=True)
    url = f"/api/v1/calls/{panel.call.pk}/triage/"
    body = {"application": panel.apps["A"].pk, "discuss": False, "reason": "Out of scope"}
    data = client.post(url, body, format="json").json()
    assert [(r["reference"], r["discussed"], r["override"]) for r in data["results"]] == [
        ("RC-A", False, False),
        ("RC-B", True, None),
        ("RC-C", False, None),
    ]
    assert client.post(url, {"discuss_count": 1, "application": 1}, format="json").status_code == 400
    set_triage_line(call=panel.call, discuss_count=0, by=panel.staff)
    assert discussed(ranking_for(panel.call, panel.staff)) == []


# Sorting and filtering: whitelisted columns; an unknown column or value answers 400.


def references(response):
    return [row["reference"] for row in response.json()["results"]]


def test_sorting_and_filtering(panel, client_for):
    client = client_for(panel.member, api=True)
    url = f"/api/v1/calls/{panel.call.pk}/ranking/"
    assert references(client.get(url, {"sort": "raw_mean", "dir": "desc"})) == ["RC-A", "RC-B", "RC-C"]
    assert references(client.get(url, {"sort": "sd"})) == ["RC-B", "RC-A", "RC-C"]
    assert references(client.get(url, {"sort": "lay_mean"})) == ["RC-B", "RC-A", "RC-C"]  # empty last
    assert references(client.get(url, {"sort": "lay_mean", "dir": "desc"})) == ["RC-A", "RC-B", "RC-C"]
    assert references(client.get(url, {"sort": "title"})) == ["RC-B", "RC-A", "RC-C"]
    assert references(client.get(url, {"disagreement": "yes"})) == ["RC-A", "RC-C"]
    assert references(client.get(url, {"discussed": "no"})) == ["RC-C"]
    assert references(client.get(url, {"q": "gam"})) == ["RC-C"]
    assert references(client.get(url, {"median_min": "45", "median_max": "60"})) == ["RC-B"]
    assert references(client.get(url, {"lay_mean_min": "0"})) == ["RC-A", "RC-B"]
    for bad in ({"sort": "pi__email"}, {"dir": "up"}, {"discussed": "maybe"}, {"raw_mean_min": "x"}):
        assert client.get(url, bad).status_code == 400
    portal = client_for(panel.member)
    page_url = f"/review/calls/{panel.call.slug}/ranking/"
    assert portal.get(page_url, {"sort": "pi__email"}).status_code == 400
    assert portal.get(csv_url(panel), {"sort": "pi__email"}).status_code == 400
    page = portal.get(page_url, {"sort": "raw_mean", "dir": "asc"})
    assert [row.reference for row in page.context["rows"]] == ["RC-B", "RC-C", "RC-A"]
    assert 'aria-sort="ascending"' in page.content.decode()


# Downloads.


def read_csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def read_xlsx(response):
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_csv_and_xlsx_hold_the_ranking_spreadsheet_safe(panel, client_for):
    client = client_for(panel.chair)
    rows = read_csv(client.get(csv_url(panel)))
    assert rows[0][:6] == ["Rank", "Reference", "Title", "Reviews", "Raw mean", "Normalised mean"]
    assert [row[:5] for row in rows[1:]] == [
        ["1", "RC-A", "Alpha", "4", "72.5"],
        ["2", "RC-B", '\'=HYPERLINK("x")', "4", "50.0"],
        ["3", "RC-C", "Gamma", "3", "50.0"],
    ]
    assert [row[15:17] for row in rows[1:]] == [["yes", "yes"], ["no", "yes"], ["yes", "no"]]
    sheet = read_xlsx(client.get(xlsx_url(panel), {"sort": "reference"}))
    assert sheet[0] == rows[0]
    assert [row[:6] for row in sheet[1:]] == [
        [1, "RC-A", "Alpha", 4, 72.5, 76.4],
        [2, "RC-B", '\'=HYPERLINK("x")', 4, 50, 50.89],
        [3, "RC-C", "Gamma", 3, 50, 48.17],
    ]
    assert sheet[3][14] is None  # no lay review: empty, never zero


# The reviewer's score page.


def test_the_reviewer_page_compares_with_the_panel(panel, client_for):
    client = client_for(panel.chair)
    lay = client.get(f"/review/calls/{panel.call.slug}/reviewers/{panel.reviewers['L'].pk}/scores/")
    body = lay.content.decode()
    assert '<title id="chart-title">' in body
    assert '<desc id="chart-desc">' in body
    assert "Left raw" in body
    scores = lay.context["scores"]
    assert (scores.totals, scores.mean, len(scores.panel_totals)) == ([40, 90], 65, 11)
    assert [(b.low, b.reviewer, b.panel) for b in scores.bins if b.panel] == [
        (20, 0, 1),
        (40, 1, 2),
        (50, 0, 3),
        (60, 0, 1),
        (70, 0, 1),
        (80, 0, 1),
        (90, 1, 2),
    ]
    r1 = client.get(f"/review/calls/{panel.call.slug}/reviewers/{panel.reviewers['R1'].pk}/scores/")
    assert "Left raw" not in r1.content.decode()
    nobody = client.get(f"/review/calls/{panel.call.slug}/reviewers/{panel.member.pk}/scores/")
    assert nobody.status_code == 404


# Query counts: the same with 1 and 3 applications.


def _count(client, url) -> int:
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow_call(n: int):
    call = CallFactory(status=Call.Status.CLOSED)
    chair = CommitteeMembershipFactory(call=call, role=CommitteeMembership.Role.CHAIR).user
    form = ReviewFormFactory(call=call)
    reviewers = [accepted_reviewer(call, name=f"R{i}") for i in range(2)]
    for _ in range(n):
        application = SubmittedApplicationFactory(call=call)
        for i, reviewer in enumerate(reviewers):
            submitted_review(application, reviewer, 40 + 10 * i, form)
    return call, chair


@pytest.mark.parametrize("api", [False, True])
def test_the_ranking_uses_a_constant_number_of_queries(client_for, api):
    counts = []
    for n in (1, 3):
        call, chair = _grow_call(n)
        url = f"/api/v1/calls/{call.pk}/ranking/" if api else f"/review/calls/{call.slug}/ranking/"
        counts.append(_count(client_for(chair, api=api), url))
    assert counts[0] == counts[1]
