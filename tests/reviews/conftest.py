"""Fixtures of the review tests: ``world``, the small review world of ``review_world``; the demo
world is the root conftest's ``demo``."""

from tests.reviews.review_world import review_media_root, world  # noqa: F401 (fixtures)
