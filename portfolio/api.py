"""API of the portfolio: its figures (``portfolio/``, the portal's filters) and the 360Giving package
(``open-data/360giving.json``). Rules live in the selectors and permissions."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERROR_RESPONSES
from core.errors import Invalid, ensure
from portfolio.filters import parse_filter
from portfolio.open_data import Scope, package
from portfolio.permissions import can_read_open_data, can_view_portfolio
from portfolio.selectors import Portfolio, portfolio_for

MONEY = {"max_digits": 16, "decimal_places": 2}
ERRORS = {code: ERROR_RESPONSES[code] for code in (400, 403)}


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Focus area slug, country code, program code, funder id, year or stage."
    )
    label = serializers.CharField()
    awards = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY, help_text="In the reporting currency.")
    share = serializers.FloatField(help_text="Of the portfolio's total amount, 0 to 1.")


class BreakdownSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    dimension = serializers.CharField()
    note = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class ConversionSerializer(serializers.Serializer):
    call = serializers.CharField(source="call_slug")
    currency = serializers.CharField(help_text="The call's currency.")
    rate = serializers.DecimalField(
        max_digits=24, decimal_places=10, allow_null=True, help_text="One unit in the reporting currency."
    )
    source = serializers.CharField(help_text="Where the rate comes from.")


class StageLinkSerializer(serializers.Serializer):
    planning_grant = serializers.CharField(source="planning.reference")
    follow_on_award = serializers.CharField(source="follow_on.reference")


class PortfolioSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="The reporting currency (setting PORTFOLIO_CURRENCY).")
    filters = serializers.DictField(child=serializers.CharField())
    awards = serializers.IntegerField(help_text="Standing awards (offered or accepted).")
    amount = serializers.DecimalField(**MONEY)
    countries = serializers.IntegerField()
    planning_grants = serializers.IntegerField(source="planning")
    planning_grants_with_follow_on = serializers.IntegerField(source="linked_planning")
    breakdowns = BreakdownSerializer(many=True)
    conversion = ConversionSerializer(many=True, source="rates")
    left_out = serializers.ListField(
        child=serializers.CharField(), help_text="Calls whose currency has no rate: not in the totals."
    )
    stage_links = StageLinkSerializer(
        many=True, source="links", help_text="The planning grant → follow-on pairs the caller may see named."
    )


def _body(portfolio: Portfolio) -> dict:
    return PortfolioSerializer(
        {
            "currency": portfolio.currency,
            "filters": portfolio.filter.as_params(),
            "awards": portfolio.awards,
            "amount": portfolio.total,
            "countries": portfolio.countries,
            "planning": portfolio.planning,
            "linked_planning": portfolio.linked_planning,
            "breakdowns": portfolio.breakdowns,
            "rates": portfolio.rates,
            "left_out": [rate.call_slug for rate in portfolio.unconverted],
            "links": portfolio.links,
        }
    ).data


FILTERS = [
    OpenApiParameter("call", str, description="A call's slug."),
    OpenApiParameter("program", str, description="A program's code, e.g. CA."),
    OpenApiParameter("funder", int, description="A funder's id: amounts become that funder's shares."),
    OpenApiParameter("year", int, description="The year the award was made."),
    OpenApiParameter("focus_area", str, description="A focus area's slug."),
    OpenApiParameter("country", str, description="ISO 3166-1 code of the institution's country."),
]


class PortfolioView(APIView):
    """``portfolio/``: the funded-research portfolio's figures, for staff and committee members."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="portfolio_retrieve",
        parameters=FILTERS,
        responses={200: PortfolioSerializer, **ERRORS},
    )
    def get(self, request):
        """Totals and breakdowns (focus area, country, program, funder, year, stage) of the standing
        awards in the reporting currency, under the same filters as the portal page. An unknown filter
        value is a 400."""
        ensure(can_view_portfolio(request.user))
        portfolio_filter, form = parse_filter(request.query_params)
        if form.errors:
            raise Invalid(
                "Check the filters.",
                field_errors={name: [str(m) for m in messages] for name, messages in form.errors.items()},
            )
        return Response(_body(portfolio_for(viewer=request.user, portfolio_filter=portfolio_filter)))


class ThreeSixtyGivingView(APIView):
    """``open-data/360giving.json``: awards as a 360Giving Data Standard package."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="open_data_360giving",
        parameters=[
            OpenApiParameter(
                "scope",
                str,
                enum=[Scope.PUBLISHED, Scope.ALL],
                description="`published` (default, anyone): the projects on the public page; "
                "`all` (staff only): every standing award.",
            )
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A 360Giving package (schema 1.4): `grants` and the package metadata.",
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        """The awards as 360Giving grants: ids with the GRANTED_360_PREFIX, funders and institutions by
        org-id (ROR-based where known), programme, focus areas, country and the planning grant ↔
        follow-on link. Researchers' names never appear."""
        scope = request.query_params.get("scope", Scope.PUBLISHED)
        if scope not in (Scope.PUBLISHED, Scope.ALL):
            raise Invalid("Choose scope=published or scope=all.", field_errors={"scope": ["Unknown scope."]})
        ensure(can_read_open_data(request.user, scope))
        return Response(package(scope))
