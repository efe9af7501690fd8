import csv
import io
import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record_event
from core.exports import spreadsheet_safe
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db
EXPORT_URL = "/audit/export.csv"


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_admin_changelist_loads_for_staff(client_for, staff, call):
    record_event(call, "call.updated", by=staff, before={"title": "A"}, after={"title": "B"})

    response = client_for(staff).get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(AuditEvent.objects.all())
    assert "call.updated" in response.content.decode()


def test_the_admin_changelist_is_not_for_other_users(client_for, user):
    response = client_for(user).get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_export_lists_events_with_a_header(client_for, staff):
    call = CallFactory(title="Ocean Health Challenge")
    first = record_event(call, "call.created", by=staff, after={"status": "draft"})
    second = record_event(call, "call.opened", by=None, before={"status": "draft"}, after={"status": "open"})

    response = client_for(staff).get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = read_csv(response)
    assert rows[0] == [
        "time",
        "actor",
        "verb",
        "target_type",
        "target_id",
        "target",
        "before",
        "after",
        "data",
    ]
    assert [row[1:] for row in rows[1:]] == [
        [
            "system",
            "call.opened",
            "call",
            str(call.pk),
            "Ocean Health Challenge",
            '{"status": "draft"}',
            '{"status": "open"}',
            "{}",
        ],
        [
            staff.email,
            "call.created",
            "call",
            str(call.pk),
            "Ocean Health Challenge",
            "{}",
            '{"status": "draft"}',
            "{}",
        ],
    ]
    assert [row[0] for row in rows[1:]] == [second.created_at.isoformat(), first.created_at.isoformat()]


def test_export_filters_by_verb_and_actor(client_for, staff, call):
    record_event(call, "call.created", by=staff)
    record_event(call, "call.opened", by=None)
    client = client_for(staff)

    assert [row[2] for row in read_csv(client.get(EXPORT_URL, {"verb": "call.open"}))[1:]] == ["call.opened"]
    by_staff = read_csv(client.get(EXPORT_URL, {"actor": staff.email.upper()}))
    assert [row[2] for row in by_staff[1:]] == ["call.created"]


def test_export_neutralises_formulas(client_for, staff):
    call = CallFactory(title='=HYPERLINK("http://evil.example","x")')
    record_event(call, "call.created", by=staff, note="+SUM(A1:A2)")

    rows = read_csv(client_for(staff).get(EXPORT_URL))

    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","x")'
    assert json.loads(rows[1][8]) == {"note": "+SUM(A1:A2)"}  # inside JSON, the cell starts with "{"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
        (42, "42"),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_export_is_forbidden_for_users_who_are_not_staff(client_for, user, call):
    record_event(call, "call.created", by=user)

    response = client_for(user).get(EXPORT_URL)

    assert response.status_code == 403


def test_export_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/audit/export.csv"
