"""REST API of the panel meeting: the agenda and current item as the caller may see them (an item
the caller is conflicted with is redacted to its position), and the chair's and members' actions.
Permissions are the portal's (``reviews.selectors_meeting``); the services enforce them again."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Call
from core.api import ERROR_RESPONSES
from core.errors import ensure
from reviews.final_scores import shown_final_score
from reviews.models import MeetingItem, PanelMeeting
from reviews.selectors_meeting import (
    agenda_for,
    can_attend_meeting,
    can_handle_item,
    can_run_meeting,
    can_score_item,
    meeting_of,
    own_final_score,
    sees_chair_details,
    tally_of,
)
from reviews.selectors_portal import calls_for_review
from reviews.services.meeting import (
    close_item,
    close_meeting,
    open_meeting,
    record_discussion_notes,
    record_final_score,
    set_current_item,
)


class MeetingItemSerializer(serializers.Serializer):
    """One agenda item; ``conflicted`` items carry only their position and id."""

    id = serializers.IntegerField()
    position = serializers.IntegerField()
    conflicted = serializers.BooleanField()
    current = serializers.BooleanField()
    closed = serializers.BooleanField()
    application = serializers.IntegerField(required=False)
    reference = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    lay_summary = serializers.CharField(required=False)
    preliminary_score = serializers.FloatField(required=False, allow_null=True)
    final_score = serializers.CharField(
        required=False, allow_null=True, help_text="The mean, three decimals."
    )
    shown_final_score = serializers.CharField(
        required=False, allow_null=True, help_text="As shown: the mean, or the mean times 10 (NIH style)."
    )
    my_score = serializers.CharField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, help_text="Only for whoever runs the meeting.")


class MeetingSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    status = serializers.CharField()
    final_scale_min = serializers.IntegerField()
    final_scale_max = serializers.IntegerField()
    lower_is_better = serializers.BooleanField()
    show_times_ten = serializers.BooleanField()
    current = MeetingItemSerializer(allow_null=True)
    agenda = MeetingItemSerializer(many=True)
    scored_by = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Only for whoever runs the meeting."
    )


class CurrentSerializer(serializers.Serializer):
    item = serializers.IntegerField()


class ScoreSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=4, decimal_places=1)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, max_length=20000, trim_whitespace=True)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row_data(row, meeting: PanelMeeting, user, *, chair: bool) -> dict:
    data = {
        "id": row.item_id,
        "position": row.position,
        "conflicted": row.conflicted,
        "current": row.is_current,
        "closed": row.closed,
    }
    if row.conflicted:
        return data
    item = row.item
    own = own_final_score(item, user)
    shown = shown_final_score(item.final_score, times_ten=meeting.show_times_ten)
    data |= {
        "application": item.application_id,
        "reference": item.application.reference,
        "title": item.application.title,
        "lay_summary": item.application.lay_summary,
        "preliminary_score": item.preliminary_score,
        "final_score": _text(item.final_score),
        "shown_final_score": _text(shown),
        "my_score": _text(own.score if own else None),
    }
    if chair:
        data["notes"] = item.discussion_notes
    return data


def meeting_data(meeting: PanelMeeting, user) -> dict:
    chair = sees_chair_details(user, meeting.call)
    rows = [_row_data(row, meeting, user, chair=chair) for row in agenda_for(meeting, user)]
    current = next((row for row in rows if row["current"]), None)
    data = {
        "call": meeting.call_id,
        "status": meeting.status,
        "final_scale_min": meeting.final_scale_min,
        "final_scale_max": meeting.final_scale_max,
        "lower_is_better": meeting.lower_is_better,
        "show_times_ten": meeting.show_times_ten,
        "current": current,
        "agenda": rows,
    }
    if chair and current is not None and not current["conflicted"]:
        data["scored_by"] = [m.full_name for m in tally_of(meeting.current_item).scored]
    return data


class MeetingAPIView(APIView):
    permission_classes = [IsAuthenticated]

    def attended_call(self, call_pk: int) -> Call:
        call = get_object_or_404(calls_for_review(self.request.user), pk=call_pk)
        ensure(can_attend_meeting(self.request.user, call))
        return call

    def meeting(self, call: Call) -> PanelMeeting:
        return get_object_or_404(PanelMeeting.objects.select_related("call"), call=call)

    def item(self, call: Call, item_pk: int) -> MeetingItem:
        return get_object_or_404(
            MeetingItem.objects.select_related("meeting__call", "application"), pk=item_pk, meeting__call=call
        )

    def respond(self, call: Call, status: int = 200) -> Response:
        # Not through the serializer (it only documents the shape): a redacted item must lack the keys.
        return Response(meeting_data(meeting_of(call), self.request.user), status=status)


class MeetingView(MeetingAPIView):
    @extend_schema(responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def get(self, request, call_pk: int):
        """The agenda and the current item (committee, chair and staff). Items the caller is conflicted
        with show only ``id``, ``position`` and ``conflicted``; for whoever runs the meeting only,
        ``notes`` and ``scored_by`` (who has scored the current item; values stay hidden until it is
        closed). 404 before the meeting is opened."""
        call = self.attended_call(call_pk)
        self.meeting(call)
        return self.respond(call)


class MeetingOpenView(MeetingAPIView):
    @extend_schema(request=None, responses={201: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Open the meeting with the discussed applications, best preliminary score first (chair or
        staff). 409 when it is open already or the call is not closed."""
        call = self.attended_call(call_pk)
        open_meeting(call=call, by=request.user)
        return self.respond(call, status=201)


class MeetingCloseView(MeetingAPIView):
    @extend_schema(request=None, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Close the meeting (chair or staff); 409 while an item is still open."""
        call = self.attended_call(call_pk)
        close_meeting(meeting=self.meeting(call), by=request.user)
        return self.respond(call)


class MeetingCurrentView(MeetingAPIView):
    @extend_schema(request=CurrentSerializer, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Move the meeting to another item of its agenda (chair or staff)."""
        call = self.attended_call(call_pk)
        ensure(can_run_meeting(request.user, call))  # before the body (the service again)
        payload = CurrentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = self.item(call, payload.validated_data["item"])
        set_current_item(meeting=item.meeting, item=item, by=request.user)
        return self.respond(call)


class ItemScoreView(MeetingAPIView):
    @extend_schema(request=ScoreSerializer, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int, item_pk: int):
        """The caller's final score of the current item, on the meeting's final scale (a committee
        member without a conflict on it); again to change it until the item is closed."""
        call = self.attended_call(call_pk)
        item = self.item(call, item_pk)
        ensure(can_score_item(request.user, item))  # before the body (the service again)
        payload = ScoreSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record_final_score(
            item=item, member=request.user, score=payload.validated_data["score"], by=request.user
        )
        return self.respond(call)


class ItemNotesView(MeetingAPIView):
    @extend_schema(request=NotesSerializer, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int, item_pk: int):
        """Record the discussion notes of an item (chair or staff, not conflicted with it)."""
        call = self.attended_call(call_pk)
        item = self.item(call, item_pk)
        ensure(can_handle_item(request.user, item))  # before the body (the service again)
        payload = NotesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record_discussion_notes(item=item, notes=payload.validated_data["notes"], by=request.user)
        return self.respond(call)


class ItemCloseView(MeetingAPIView):
    @extend_schema(request=None, responses={200: MeetingSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int, item_pk: int):
        """Close the current item: its final score becomes the mean of the eligible members' scores
        (chair or staff, not conflicted with it). 409 before anyone eligible has scored."""
        call = self.attended_call(call_pk)
        close_item(item=self.item(call, item_pk), by=request.user)
        return self.respond(call)
