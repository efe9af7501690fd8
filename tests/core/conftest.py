"""Fixtures of the core tests: the small review world (``tests.reviews.review_world``) for the page cache."""

from tests.reviews.review_world import review_media_root, world  # noqa: F401 (fixtures)
