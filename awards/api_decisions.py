"""REST API of a call's funding decisions (the chair's and staff's, read by the committee):
``calls/{id}/funding/``, ``calls/{id}/decisions/{application_id}/`` and the bulk actions.

A call the caller does not take part in answers 404, as do an application outside the call and one
the caller is conflicted with; a call they see but may not decide on answers 403. The services check
everything again under the call's lock (budget and commitments: 409 with the reason).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application, Call
from awards.api import (
    AppliedSerializer,
    DecideRestSerializer,
    DecisionInputSerializer,
    DecisionsChangedSerializer,
    DecisionSerializer,
    FundingSheetSerializer,
    FundTopSerializer,
    TotalsSerializer,
)
from awards.models import Decision
from awards.permissions import can_decide, can_view_funding
from awards.selectors import call_totals, funding_sheet
from awards.services import (
    DecisionInput,
    apply_decisions,
    clear_decision,
    decide_rest,
    fund_down_to_budget,
    fund_top,
    set_decision,
)
from core.api import ERROR, ERROR_RESPONSES
from core.errors import ensure
from reviews.selectors import without_conflicts_of
from reviews.selectors_portal import calls_for_review


class CallDecisionsView(APIView):
    permission_classes = [IsAuthenticated]

    def call(self, call_pk: int, *, decide: bool = True) -> Call:
        call = get_object_or_404(calls_for_review(self.request.user), pk=call_pk)
        ensure(can_decide(self.request.user, call) if decide else can_view_funding(self.request.user, call))
        return call

    def changed(self, call: Call, decisions: list[Decision]) -> Response:
        decisions = Decision.objects.filter(pk__in=[d.pk for d in decisions]).prefetch_related(
            "shares__funder"
        )
        body = {"decisions": DecisionSerializer(decisions.order_by("pk"), many=True).data}
        body["totals"] = TotalsSerializer(call_totals(call)).data
        return Response(body)


class FundingView(CallDecisionsView):
    @extend_schema(responses={200: FundingSheetSerializer, **ERROR_RESPONSES})
    def get(self, request, call_pk: int):
        """The funding scenario (staff and the committee): the ranked applications with their decisions
        and the totals against the budget and each funder's commitment. Items the caller is conflicted
        with are left out; the totals still count their money."""
        sheet = funding_sheet(self.call(call_pk, decide=False), request.user)
        return Response(FundingSheetSerializer(sheet).data)


class DecisionView(CallDecisionsView):
    def application(self, call: Call, application_pk: int) -> Application:
        applications = Application.objects.filter(call=call).exclude(status=Application.Status.DRAFT)
        if not self.request.user.is_staff:
            applications = without_conflicts_of(applications, self.request.user)
        return get_object_or_404(applications.select_related("call"), pk=application_pk)

    @extend_schema(
        request=DecisionInputSerializer,
        responses={
            200: DecisionSerializer,
            **ERROR_RESPONSES,
            409: OpenApiResponse(
                ERROR,
                description="Over the budget or a funder's commitment (the reason says by how much), "
                "the decision has been applied, or the call is not in review.",
            ),
        },
    )
    def put(self, request, call_pk: int, application_pk: int):
        """Set or change the pending decision on one application (the chair or staff)."""
        call = self.call(call_pk)
        application = self.application(call, application_pk)
        payload = DecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decision = set_decision(
            application=application, by=request.user, data=DecisionInput(**payload.validated_data)
        )
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    def delete(self, request, call_pk: int, application_pk: int):
        """Take back a decision that was never applied (nothing to take back is fine); 409 once applied."""
        call = self.call(call_pk)
        clear_decision(application=self.application(call, application_pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FundTopView(CallDecisionsView):
    @extend_schema(request=FundTopSerializer, responses={200: DecisionsChangedSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Fund the ``count`` best-ranked undecided applications at their requested amounts, all or
        none: 409 naming the one that would not fit the budget or a commitment."""
        call = self.call(call_pk)
        payload = FundTopSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self.changed(call, fund_top(call=call, count=payload.validated_data["count"], by=request.user))


class FundToBudgetView(CallDecisionsView):
    @extend_schema(request=None, responses={200: DecisionsChangedSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Fund undecided applications in rank order until the next one no longer fits."""
        call = self.call(call_pk)
        return self.changed(call, fund_down_to_budget(call=call, by=request.user))


class DecideRestView(CallDecisionsView):
    @extend_schema(
        request=DecideRestSerializer, responses={200: DecisionsChangedSerializer, **ERROR_RESPONSES}
    )
    def post(self, request, call_pk: int):
        """Mark every undecided application as not funded (``decline``) or waitlisted."""
        call = self.call(call_pk)
        payload = DecideRestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self.changed(
            call, decide_rest(call=call, outcome=payload.validated_data["outcome"], by=request.user)
        )


class ApplyDecisionsView(CallDecisionsView):
    @extend_schema(request=None, responses={201: AppliedSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Publish every pending decision: applicants see their outcomes, funded applications get
        awards, letters are queued in one batch. 409 with nothing pending or over the budget."""
        call = self.call(call_pk)
        batch = apply_decisions(call=call, by=request.user)
        body = {"batch": batch.pk, "counts": batch.applied_counts, "letters": batch.letters.count()}
        return Response(body, status=status.HTTP_201_CREATED)
