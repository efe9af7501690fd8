"""REST API of letters: a call's letter batches with their progress and retry (the chair and staff),
and one letter's metadata and PDF for whoever may download it (``can_view_letter``: the awardee once
the decision is applied, staff, the call's chair unless conflicted). A letter the caller may not
download answers 404, as an application they may not see does: its existence is not revealed."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from awards.api import BatchSerializer, LetterSerializer
from awards.downloads import LetterUnavailable, letter_response
from awards.models import Letter, LetterBatch
from awards.permissions import can_decide, can_view_letter
from core.api import ERROR, ERROR_RESPONSES
from core.errors import StateConflict, ensure
from reviews.selectors_portal import calls_for_review


class DamagedLetter(APIException):
    status_code = 500
    default_detail = (
        "This letter cannot be downloaded now: its stored file does not match the letter that was issued. "
        "The program officers have been told."
    )
    default_code = "damaged_letter"


class LetterGone(APIException):
    status_code = 410
    default_code = "letter_removed"


def batch_data(batch: LetterBatch) -> dict:
    from awards.services.letters import batch_progress

    progress = batch_progress(batch)
    return {
        "id": batch.pk,
        "call": batch.call_id,
        "label": batch.label,
        "created_at": batch.created_at,
        **progress,
        "finished": progress["pending"] == 0,
    }


class LetterAPIView(APIView):
    permission_classes = [IsAuthenticated]

    def batch(self, batch_pk: int) -> LetterBatch:
        calls = calls_for_review(self.request.user)
        batch = get_object_or_404(
            LetterBatch.objects.select_related("call").filter(call__in=calls), pk=batch_pk
        )
        ensure(can_decide(self.request.user, batch.call))
        return batch

    def letter(self, letter_pk: int) -> Letter:
        letter = get_object_or_404(Letter.objects.select_related("decision__application__call"), pk=letter_pk)
        if not can_view_letter(self.request.user, letter):
            raise Http404("No letter matches the given query.")
        return letter


class CallLetterBatchesView(LetterAPIView):
    @extend_schema(responses={200: BatchSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, call_pk: int):
        """The call's letter batches, newest first, with their progress (the chair and staff)."""
        call = get_object_or_404(calls_for_review(request.user), pk=call_pk)
        ensure(can_decide(request.user, call))
        return Response([batch_data(batch) for batch in call.letter_batches.select_related("call")])


class LetterBatchView(LetterAPIView):
    @extend_schema(responses={200: BatchSerializer, **ERROR_RESPONSES})
    def get(self, request, batch_pk: int):
        """One batch's progress: rendered, waiting and failed letters."""
        return Response(batch_data(self.batch(batch_pk)))


class LetterBatchRetryView(LetterAPIView):
    @extend_schema(request=None, responses={200: BatchSerializer, **ERROR_RESPONSES})
    def post(self, request, batch_pk: int):
        """Queue the batch's failed letters again; answers the batch's progress."""
        from awards.services.letters import retry_letters

        batch = self.batch(batch_pk)
        retry_letters(batch=batch, by=request.user)
        return Response(batch_data(batch))


class LetterView(LetterAPIView):
    @extend_schema(responses={200: LetterSerializer, **ERROR_RESPONSES})
    def get(self, request, letter_pk: int):
        """A letter's metadata: kind, version, status and the SHA-256 of its PDF."""
        return Response(LetterSerializer(self.letter(letter_pk)).data)


class LetterDownloadView(LetterAPIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **ERROR_RESPONSES,
            410: OpenApiResponse(ERROR, description="Removed under the data-retention policy."),
            500: OpenApiResponse(ERROR, description="The stored file is damaged; it is never served."),
        }
    )
    def get(self, request, letter_pk: int):
        """The letter's PDF, as a download; 409 while it is still being rendered or after it failed,
        500 when the stored file no longer matches the SHA-256 recorded when it was rendered."""
        letter = self.letter(letter_pk)
        try:
            return letter_response(letter)
        except LetterUnavailable as unavailable:
            if unavailable.status == 500:
                raise DamagedLetter() from None
            if unavailable.status == 410:
                raise LetterGone(unavailable.message) from None
            raise StateConflict(unavailable.message) from None
