"""Fixtures of the concurrency tests: the small review world of ``tests.reviews.review_world`` with a
review form and an open writing phase, and private storage in a temporary folder."""

import pytest

from reviews.models import Assignment
from tests.reviews.factories import ReviewPhaseFactory, workspace_form
from tests.reviews.review_world import review_media_root, world  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads and letters go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    return settings.MEDIA_ROOT


@pytest.fixture
def reviewing(world):  # noqa: F811 (the imported fixture)
    """The review world with the call's form and a phase in which reviewers write; ``mine`` is the
    reviewer's published assignment."""
    workspace_form(world.call)
    ReviewPhaseFactory(call=world.call, name="Independent review")
    world.mine = Assignment.objects.get(application=world.application, reviewer=world.reviewer)
    return world
