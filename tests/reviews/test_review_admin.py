"""Staff add reviewers to the pool in the admin, through the audited service; the admin pages load."""

import pytest

from audit.models import AuditEvent
from reviews.models import ReviewerProfile
from tests.factories import FocusAreaFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_add_a_reviewer_to_the_pool(admin_client):
    person, area = UserFactory(full_name="Rosa Reviewer"), FocusAreaFactory()
    response = admin_client.post(
        "/admin/reviews/reviewerprofile/add/",
        {
            "user": person.pk,
            "kind": "lay",
            "expertise": "Living with progressive MS for 12 years.",
            "keywords": "fatigue, mobility",
            "default_load": "6",
            "collaborators": "",
            "active": "on",
            "focus_areas": [area.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    profile = ReviewerProfile.objects.get(user=person)
    assert (profile.kind, profile.default_load, list(profile.focus_areas.all())) == ("lay", 6, [area])
    assert AuditEvent.objects.filter(verb="reviewer.profile_saved", target_id=str(profile.pk)).count() == 1


@pytest.mark.parametrize(
    "path",
    ["reviewerprofile", "reviewform", "reviewphase", "conflict", "assignmentrun", "review"],
)
def test_review_admin_pages_load(admin_client, path):
    assert admin_client.get(f"/admin/reviews/{path}/").status_code == 200
