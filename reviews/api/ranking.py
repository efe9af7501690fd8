"""REST API of the committee's ranking: ``calls/{id}/ranking/`` (read: staff and the committee) and
``calls/{id}/triage/`` (the line and overrides: staff or the chair). Conflicted items never appear."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERROR_RESPONSES
from core.errors import ensure
from reviews.permissions import can_manage_triage, can_view_ranking
from reviews.selectors_portal import calls_for_review
from reviews.selectors_ranking import (
    BOOLEAN_COLUMNS,
    NUMERIC_COLUMNS,
    SORT_COLUMNS,
    apply_ranking_query,
    parse_ranking_query,
    ranking_for,
    triageable_applications,
)
from reviews.services.triage import clear_triage_override, set_triage_line, set_triage_override


class RankingRowSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField()
    title = serializers.CharField()
    rank = serializers.IntegerField(help_text="Among the applications the viewer may see.")
    count = serializers.IntegerField(help_text="Submitted reviews.")
    raw_mean = serializers.FloatField(allow_null=True)
    normalised_mean = serializers.FloatField(allow_null=True)
    raw_percentile = serializers.FloatField(allow_null=True)
    percentile = serializers.FloatField(allow_null=True, help_text="Of the normalised mean.")
    median = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True, help_text="Sample standard deviation (n - 1).")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    range = serializers.FloatField(allow_null=True)
    scientific_mean = serializers.FloatField(allow_null=True)
    lay_mean = serializers.FloatField(allow_null=True)
    disagreement = serializers.BooleanField()
    above_line = serializers.BooleanField()
    discussed = serializers.BooleanField()
    override = serializers.BooleanField(allow_null=True)
    override_reason = serializers.CharField()


class RankingSerializer(serializers.Serializer):
    discuss_count = serializers.IntegerField(
        help_text="The triage line over the rows the caller may see: the top N of them lie above it."
    )
    line_is_default = serializers.BooleanField(help_text="No line set: the top half, rounded up.")
    count = serializers.IntegerField(help_text="Rows returned (after filters).")
    results = RankingRowSerializer(many=True)


class TriageSerializer(serializers.Serializer):
    """Either ``discuss_count`` (null: back to the top half) or ``application`` with ``discuss``
    (true: pull back into discussion, false: set aside, null: back to its place) and ``reason``."""

    discuss_count = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    application = serializers.IntegerField(required=False)
    discuss = serializers.BooleanField(allow_null=True, required=False)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)

    def validate(self, data):
        line, item = "discuss_count" in data, "application" in data
        if line == item:
            raise serializers.ValidationError("Give either discuss_count or application.")
        if item and "discuss" not in data:
            raise serializers.ValidationError({"discuss": ["Give true, false or null."]})
        return data


# The rows are plain dataclasses: read straight into dicts (the serializer documents the shape and
# names the fields; running it field by field over thousands of rows cost more than the ranking).
ROW_FIELDS = [(name, field.source) for name, field in RankingRowSerializer().fields.items()]


def _row(row) -> dict:
    return {name: getattr(row, source) for name, source in ROW_FIELDS}


def _call(request, call_pk: int):
    call = get_object_or_404(calls_for_review(request.user), pk=call_pk)
    ensure(can_view_ranking(request.user, call))
    return call


def _ranking_response(request, call, params) -> Response:
    query = parse_ranking_query(params)
    ranking = ranking_for(call, request.user)
    rows = apply_ranking_query(ranking.rows, query)
    body = {
        "discuss_count": ranking.line_after,
        "line_is_default": ranking.line_is_default,
        "count": len(rows),
        "results": [_row(row) for row in rows],
    }
    return Response(body)


FILTERS = [
    OpenApiParameter("sort", str, enum=list(SORT_COLUMNS), description="Column; an unknown one is a 400."),
    OpenApiParameter("dir", str, enum=["asc", "desc"]),
    OpenApiParameter("q", str, description="Part of the reference or title."),
    *(OpenApiParameter(column, str, enum=["yes", "no"]) for column in BOOLEAN_COLUMNS),
    *(OpenApiParameter(f"{c}_min", float) for c in NUMERIC_COLUMNS),
    *(OpenApiParameter(f"{c}_max", float) for c in NUMERIC_COLUMNS),
]


class CallRankingView(APIView):
    """``calls/{id}/ranking/``: the whole ranking, not paginated (the triage line and percentiles are
    about the whole list; a call has at most a few thousand applications)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=FILTERS, responses={200: RankingSerializer, **ERROR_RESPONSES})
    def get(self, request, call_pk: int):
        """The ranking as the user may see it (staff and the committee; conflicted items left out):
        raw and normalised means side by side, percentiles, statistics, disagreement and triage."""
        return _ranking_response(request, _call(request, call_pk), request.query_params)


class CallTriageView(APIView):
    """``calls/{id}/triage/``: move the triage line or override one application (staff or the chair)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TriageSerializer, responses={200: RankingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Answers the ranking after the change, in its default order."""
        call = _call(request, call_pk)
        ensure(can_manage_triage(request.user, call))
        payload = TriageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "application" in data:
            application = get_object_or_404(
                triageable_applications(call, request.user), pk=data["application"]
            )
            if data["discuss"] is None:
                clear_triage_override(call=call, application=application, by=request.user)
            else:
                set_triage_override(
                    call=call,
                    application=application,
                    discuss=data["discuss"],
                    reason=data["reason"],
                    by=request.user,
                )
        else:
            # Over the rows the caller sees, like the ranking it answers.
            line = ranking_for(call, request.user).call_line(data["discuss_count"])
            set_triage_line(call=call, discuss_count=line, by=request.user)
        return _ranking_response(request, call, {})
