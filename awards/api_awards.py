"""REST API of awards: ``awards/`` (the caller's: the PI their own, the committee their calls', staff
all), ``awards/{id}/`` with the funder split and the letters the caller may download, and the
awardee's ``accept/`` and ``decline/``. An award made exists only once its decision was applied, so
nothing here shows a pending decision."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from awards.api import AwardDetailSerializer, AwardSerializer, RespondSerializer
from awards.models import Award
from awards.permissions import can_view_letter, may_respond_to_award
from awards.selectors import applicant_letters, awards_visible_to
from awards.services import respond_to_award
from core.api import ERROR_RESPONSES
from core.api_filters import IdFilter, YearFilter
from core.errors import ensure


class AwardFilter(django_filters.FilterSet):
    call = IdFilter(field_name="application__call", label="Call id")
    status = django_filters.ChoiceFilter(choices=Award.Status.choices)
    funder = IdFilter(method="by_funder", label="Funder id (a share above 0)")
    year = YearFilter(field_name="created_at__year", label="Year the award was made")

    class Meta:
        model = Award
        fields = ["call", "status", "funder", "year"]

    def by_funder(self, queryset, name, value):
        return queryset.filter(decision__shares__funder=value, decision__shares__amount__gt=0).distinct()


class AwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Awards the caller may see; another's answers 404."""

    permission_classes = [IsAuthenticated]
    filterset_class = AwardFilter
    ordering_fields = ["reference", "created_at", "amount"]
    ordering = ["reference"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return awards_visible_to(self.request.user).prefetch_related("decision__shares__funder")

    def get_serializer_class(self):
        return AwardSerializer if self.action == "list" else AwardDetailSerializer

    def detail_response(self, award: Award) -> Response:
        current = applicant_letters(award.decision)[0] if award.decision_id else []
        letters = [letter for letter in current if can_view_letter(self.request.user, letter)]
        award = self.get_queryset().get(pk=award.pk)
        return Response(AwardDetailSerializer(award, context={"letters": letters}).data)

    @extend_schema(responses={200: AwardDetailSerializer, **ERROR_RESPONSES})
    def retrieve(self, request, *args, **kwargs):
        """One award with its funder split and its current letters (the newest award letter and
        summary statement) for those who may download them: the awardee, staff and the call's chair."""
        return self.detail_response(self.get_object())

    @extend_schema(request=None, responses={200: AwardDetailSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the award (its principal investigator); 409 once answered."""
        award = respond_to_award(award=self.get_object(), accept=True, by=request.user)
        return self.detail_response(award)

    @extend_schema(request=RespondSerializer, responses={200: AwardDetailSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the award with a reason (its principal investigator); its money goes back to the
        call's budget. 409 once answered."""
        award = self.get_object()
        ensure(may_respond_to_award(request.user, award))  # before the body
        payload = RespondSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        award = respond_to_award(
            award=award, accept=False, by=request.user, note=payload.validated_data["note"]
        )
        return self.detail_response(award)
