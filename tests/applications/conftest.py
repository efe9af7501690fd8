"""Fixtures for the applications tests: private storage in a temporary folder, the demo built once."""

from pathlib import Path

import pytest

from config import settings as project_settings
from tests.applications.factories import complete_draft


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never into var/.

    A module fixture that already moved MEDIA_ROOT (e.g. the demo, built once per module with its
    files in its own temporary folder) keeps its folder, or its files could not be read back.
    """
    if Path(settings.MEDIA_ROOT) == Path(project_settings.MEDIA_ROOT):
        settings.MEDIA_ROOT = tmp_path / "storage"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(settings):
    """``stored_files()`` lists every file below MEDIA_ROOT (relative paths, sorted)."""

    def list_files() -> list[str]:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def draft(db):
    """A complete, submittable draft to an open call."""
    return complete_draft()
