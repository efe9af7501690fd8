"""The portfolio, the process analytics and the 360Giving package on the demo world."""

from django.urls import reverse

from accounts.models import User
from awards.models import Award
from portfolio.filters import PortfolioFilter
from portfolio.open_data import Scope, package
from portfolio.selectors import portfolio_for
from tests.portfolio.threesixty import errors


def test_the_demo_portfolio_renders_and_its_open_data_validates(demo, client_for):
    officer = User.objects.get(email="officer@granted.demo")
    member = User.objects.get(email="member@granted.demo")

    portfolio = portfolio_for(viewer=officer, portfolio_filter=PortfolioFilter())
    data = package(Scope.ALL)

    assert portfolio.awards == Award.objects.standing().count() > 0
    assert portfolio.unconverted == []
    assert len(data["grants"]) == portfolio.awards
    assert errors(data) == []
    for name in ("portfolio:portfolio", "portfolio:analytics", "portfolio:projects", "portfolio:exports"):
        assert client_for(officer).get(reverse(name)).status_code == 200
    assert client_for(member).get(reverse("portfolio:portfolio")).status_code == 200
