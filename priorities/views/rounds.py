"""A round's page (its phases, the questions to vote on, the ranking and the final list) and the
staff's tools to move it along and record the steering group's top ten."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from applications.models import FocusArea
from core.decorators import staff_required
from core.errors import DomainError
from core.forms import apply_error
from priorities.forms import TopTenForm, TransitionForm
from priorities.models import Round
from priorities.permissions import can_propose, can_see_ranking, can_vote, is_community_member, is_moderator
from priorities.selectors import (
    ballot_summary,
    focus_areas_of,
    published_questions,
    ranking_for,
    top_ten_of,
    with_totals,
)
from priorities.services import record_top_ten, transition_round
from priorities.views.common import visible_round
from priorities.workflow import transitions_from

STEPS = [Round.Phase.GATHERING, Round.Phase.VOTING, Round.Phase.FINAL, Round.Phase.CLOSED]


def round_view(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = visible_round(request, slug)
    user, now = request.user, timezone.now()
    area = FocusArea.objects.filter(slug=request.GET.get("area", "")).first()
    ranking_visible = can_see_ranking(user, round_)
    questions = published_questions(round_, focus_area=area)
    if ranking_visible:
        questions = with_totals(questions)
    vote_verdict = can_vote(user, round_, now)
    context = {
        "round": round_,
        "steps": [(step, Round.Phase(step).label) for step in STEPS],
        "area": area,
        "areas": focus_areas_of(round_),
        "questions": list(questions),
        "propose_verdict": can_propose(user, round_, now),
        "vote_verdict": vote_verdict,
        "ballot": ballot_summary(round_=round_, member=user) if vote_verdict else None,
        "is_member": is_community_member(user),
        "ranking_visible": ranking_visible,
        "ranking": ranking_for(round_) if ranking_visible and round_.phase != Round.Phase.GATHERING else [],
        "top_ten": top_ten_of(round_),
        "is_moderator": is_moderator(user),
        "transitions": transitions_from(round_.phase) if is_moderator(user) else [],
    }
    return render(request, "priorities/round.html", context)


@staff_required
@require_POST
def round_transition_view(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = visible_round(request, slug)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            round_ = transition_round(
                round_=round_, to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{round_.title}: {round_.get_phase_display().lower()}.")
    return redirect("priorities:round", slug=round_.slug)


@staff_required
def top_ten_record_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the steering group's final list, pre-filled with the interim ranking's order."""
    round_ = visible_round(request, slug)
    ranking = ranking_for(round_)
    count = min(round_.top_count, len(ranking))
    form = TopTenForm(
        request.POST or None,
        questions=published_questions(round_),
        count=count,
        initial_order=[row.question.pk for row in ranking],
        initial={"chosen_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            emails = form.emails()
            people = list(User.objects.filter(email__in=emails))
            unknown = sorted(set(emails) - {p.email for p in people})
            if unknown:
                form.add_error("steering_group", f"No account has these addresses: {', '.join(unknown)}.")
            else:
                try:
                    record_top_ten(
                        round_=round_,
                        questions=form.chosen_questions(),
                        steering_group=people,
                        chosen_on=form.cleaned_data["chosen_on"],
                        notes=form.cleaned_data["notes"],
                        by=request.user,
                    )
                except DomainError as error:
                    apply_error(form, error)
                    status = error.status_code
                else:
                    messages.success(request, "The final list is recorded.")
                    return redirect("priorities:round", slug=round_.slug)
    context = {"round": round_, "form": form, "ranking": ranking, "count": count}
    return render(request, "priorities/top_ten_form.html", context, status=status)
