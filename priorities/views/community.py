"""The start page of research priorities, joining as a community member, and a member's own page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.errors import DomainError
from core.forms import apply_error
from priorities.forms import CommunityProfileForm, CommunitySignUpForm
from priorities.models import CommunityProfile
from priorities.permissions import is_community_member, is_moderator
from priorities.selectors import (
    active_rounds,
    ballot_summary,
    moderation_queue,
    questions_of,
    rounds_visible_to,
)
from priorities.services import register_community_member, save_community_profile


def index_view(request: HttpRequest) -> HttpResponse:
    """What research priorities are, the rounds under way and the lists chosen in earlier rounds."""
    user = request.user
    context = {
        "active": list(active_rounds()),
        "past": list(rounds_visible_to(user).filter(phase="closed").select_related("top_ten")),
        "is_member": is_community_member(user),
        "waiting": moderation_queue().count() if is_moderator(user) else 0,
    }
    return render(request, "priorities/index.html", context)


def join_view(request: HttpRequest) -> HttpResponse:
    """Join as a community member: a new account and profile for visitors; a profile for a signed-in
    user (or a change to it)."""
    user = request.user
    profile = CommunityProfile.objects.filter(user=user).first() if user.is_authenticated else None
    initial = {"kind": profile.kind, "public_name": profile.public_name} if profile else None
    form_class = CommunityProfileForm if user.is_authenticated else CommunitySignUpForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if user.is_authenticated:
                save_community_profile(user=user, by=user, kind=data["kind"], public_name=data["public_name"])
            else:
                user = register_community_member(
                    email=data["email"],
                    full_name=data["full_name"],
                    password=data["password1"],
                    kind=data["kind"],
                    public_name=data["public_name"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except (DomainError, ValidationError) as error:
            apply_error(form, error, password_field="password1")  # noqa: S106 (a field name)
        else:
            messages.success(
                request,
                "Your community profile is saved." if profile else "Welcome. You can now propose and vote.",
            )
            return redirect("priorities:index")
    status = 400 if form.errors else 200
    return render(request, "priorities/join.html", {"form": form, "profile": profile}, status=status)


@login_required
def my_priorities_view(request: HttpRequest) -> HttpResponse:
    """A member's questions in every state (drafts to finish, moderators' notes) and their votes."""
    user = request.user
    ballots = []
    for round_ in active_rounds().filter(phase="voting"):
        summary = ballot_summary(round_=round_, member=user)
        questions = round_.questions.filter(pk__in=summary.votes).select_related("focus_area")
        ballots.append(
            {"round": round_, "summary": summary, "questions": [(q, summary.on(q.pk)) for q in questions]}
        )
    context = {
        "questions": list(questions_of(user)),
        "ballots": ballots,
        "is_member": is_community_member(user),
    }
    return render(request, "priorities/mine.html", context)
