"""The authorisation matrix: every route of the URLconf (by namespaced name) with, for each method it is
exercised with and each of the ten roles, the exact answer (``matrix_core``). Admin routes follow one
rule (``matrix_admin``); a DRF format-suffix variant (``….json``) follows its base route's GET cells.

The parts: ``matrix_portal`` (accounts, applications, decisions, awards), ``matrix_portal_review``
(review, priorities, portfolio), ``matrix_api`` and ``matrix_api_review`` (the API).
"""

from tests.security.authz.matrix_admin import admin_cells
from tests.security.authz.matrix_api import API
from tests.security.authz.matrix_api_review import REVIEWS
from tests.security.authz.matrix_core import Entry
from tests.security.authz.matrix_portal import PORTAL
from tests.security.authz.matrix_portal_review import REVIEW
from tests.security.authz.routes import Route


def _merged(*parts: dict) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for part in parts:
        twice = set(merged) & set(part)
        assert not twice, f"declared twice: {sorted(twice)}"
        merged.update(part)
    return merged


MATRIX = _merged(PORTAL, REVIEW, API, REVIEWS)


def entry_for(route: Route) -> Entry | None:
    """The route's entry: the admin rule, or its declaration (None when it has none)."""
    if route.is_admin:
        return Entry(cells={"GET": admin_cells(route)})
    return MATRIX.get(route.key)
