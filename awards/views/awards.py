"""The awardee's pages (their award, accepting or declining it, letter downloads) and the staff award
register with its CSV export. Who may see what is decided by ``awards.permissions`` and
``awards.selectors``; what is unseen answers 404, so that its existence is not revealed."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from applications.models import Call, Funder
from awards.downloads import LetterUnavailable, letter_response
from awards.exports import register_csv_rows
from awards.models import Award, Letter
from awards.permissions import can_respond_to_award, can_view_letter, can_view_register
from awards.selectors import (
    applicant_letters,
    award_register,
    awards_of,
    awards_visible_to,
    register_choices,
    register_totals,
)
from awards.services import respond_to_award
from core.errors import DomainError, NotAllowed, StateConflict
from core.exports import csv_response
from core.forms import apply_error

logger = logging.getLogger(__name__)
REGISTER_PAGE_SIZE = 50


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(label="I accept this award and its conditions for the project.")


class DeclineForm(forms.Form):
    note = forms.CharField(
        label="Why do you decline the award?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The program officer reads it, e.g. “the project has other funding”.",
    )
    confirm = forms.BooleanField(label="I decline this award. The answer cannot be changed here afterwards.")


def _visible_award(request: HttpRequest, pk: int) -> Award:
    awards = awards_visible_to(request.user).select_related("application__institution")
    return get_object_or_404(awards, pk=pk)


def _award_context(request: HttpRequest, award: Award, **bound) -> dict:
    """The award with its funder split and, for those who may read them, its letters."""
    decision = award.decision
    letters, superseded = applicant_letters(decision) if decision else ([], [])
    # Every letter here is of the same decision: one answer holds for all of them.
    if (letters or superseded) and not can_view_letter(request.user, (letters or superseded)[0]):
        letters, superseded = [], []
    return {
        "award": award,
        "application": award.application,
        "shares": list(decision.shares.select_related("funder")) if decision else [],
        "decided_at": decision.applied_at if decision else award.created_at,
        "letters": letters,
        "superseded": superseded,
        "can_respond": bool(can_respond_to_award(request.user, award)),
        "accept_form": bound.get("accept") or AcceptForm(),
        "decline_form": bound.get("decline") or DeclineForm(),
    }


@login_required
@require_GET
def my_awards_view(request: HttpRequest) -> HttpResponse:
    awards = awards_of(request.user).order_by("-created_at")
    return render(request, "awards/_award_list.html", {"awards": awards})


@login_required
@require_GET
def award_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    award = _visible_award(request, pk)
    return render(request, "awards/award_detail.html", _award_context(request, award))


def _respond(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    award = _visible_award(request, pk)
    form = AcceptForm(request.POST) if accept else DeclineForm(request.POST)
    valid = form.is_valid()
    status = 400
    # Someone who may not answer (or an award answered already) is told so by the service, which then
    # changes nothing; an incomplete form is shown again only to whoever may answer.
    if valid or not can_respond_to_award(request.user, award):
        try:
            respond_to_award(
                award=award, accept=accept, by=request.user, note=form.cleaned_data.get("note", "")
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except StateConflict as error:
            messages.error(request, error.message)
            status = error.status_code
        except DomainError as error:
            apply_error(form, error)
            status = error.status_code
        else:
            if accept:
                messages.success(request, f"You accepted award {award.reference}. Thank you.")
            else:
                messages.success(
                    request,
                    f"You declined award {award.reference}. Your reason is recorded for the program officer.",
                )
            return redirect("awards:award_detail", pk=award.pk)
    award.refresh_from_db()
    context = _award_context(request, award, **{"accept" if accept else "decline": form})
    return render(request, "awards/award_detail.html", context, status=status)


@login_required
@require_POST
def award_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _respond(request, pk, accept=True)


@login_required
@require_POST
def award_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _respond(request, pk, accept=False)


def _letter_unavailable(request: HttpRequest, letter: Letter, message: str, *, status: int) -> HttpResponse:
    context = {"letter": letter, "application": letter.decision.application, "message": message}
    return render(request, "awards/_award_letter_unavailable.html", context, status=status)


@login_required
@require_GET
def letter_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a letter as a PDF download, for the applicant, staff and the unconflicted chair."""
    letter = get_object_or_404(Letter.objects.select_related("decision__application__call"), pk=pk)
    if not can_view_letter(request.user, letter):
        raise Http404("No such letter.")
    try:
        return letter_response(letter)
    except LetterUnavailable as unavailable:
        return _letter_unavailable(request, letter, unavailable.message, status=unavailable.status)


# The staff register.


class RegisterFilterForm(forms.Form):
    call = forms.ModelChoiceField(queryset=Call.objects.all(), required=False)
    funder = forms.ModelChoiceField(queryset=Funder.objects.all(), required=False)
    status = forms.ChoiceField(choices=[("", "All"), *Award.Status.choices], required=False)
    year = forms.IntegerField(min_value=1900, max_value=9999, required=False)
    q = forms.CharField(max_length=200, required=False)


def _register(request: HttpRequest):
    """The filtered register and the filter form; an unknown filter value gives the whole register and
    the form's errors (the caller answers 400)."""
    verdict = can_view_register(request.user)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    form = RegisterFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    awards = award_register(
        call=data.get("call"),
        funder=data.get("funder"),
        status=data.get("status") or None,
        year=data.get("year"),
        search=data.get("q", ""),
    )
    return awards, form


@login_required
@require_GET
def register_view(request: HttpRequest) -> HttpResponse:
    awards, form = _register(request)
    page = Paginator(awards, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        "form": form,
        "page": page,
        "totals": register_totals(awards),
        "choices": register_choices(),
        "statuses": Award.Status.choices,
        "query_string": urlencode(filters),
    }
    return render(request, "awards/register.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def register_csv_view(request: HttpRequest) -> HttpResponse:
    awards, form = _register(request)
    if form.errors:
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    return csv_response(register_csv_rows(awards), filename=f"awards-{timezone.now():%Y%m%d-%H%M}.csv")
