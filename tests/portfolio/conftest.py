import pytest

from tests.portfolio.world import build_world


@pytest.fixture
def world(db, settings):
    settings.PORTFOLIO_CURRENCY = "EUR"
    settings.GRANTED_360_PREFIX = "360G-granted"
    return build_world()
