import os
from pathlib import Path

import pytest
from django.test import override_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium instead of a browser downloaded by Playwright."""
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the whole page as artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with a placeholder MEDIA_URL.

    Settings leave MEDIA_URL as None so that private files never get a URL, but Django's live-server
    media handler parses MEDIA_URL when the server starts and fails on None.
    """
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    with override_settings(MEDIA_URL="/media-is-never-served/"):
        server = LiveServer(address)
    yield server
    server.stop()
