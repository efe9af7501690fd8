"""The Alliance's five focus areas, as the data migration seeds them, for code that needs them present
again after a database was emptied (``manage.py flush``, or a test run's table truncation)."""

import importlib

from applications.models import FocusArea


def ensure_alliance_focus_areas() -> int:
    """Create whichever of the five focus areas is missing (an existing one is left as it is); returns
    how many were created."""
    seeded = importlib.import_module("applications.migrations.0002_seed_focus_areas").FOCUS_AREAS
    created = 0
    for position, (slug, name, description) in enumerate(seeded, start=1):
        _, new = FocusArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        created += new
    return created
