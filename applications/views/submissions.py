"""Applicant portal: dashboard, the sectioned draft form (saved in place with htmx), submit,
withdraw, the read-only view, PDF and attachment downloads, and co-investigator invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from applications import services
from applications.downloads import pdf_file_response
from applications.eligibility import count_words, submission_problems
from applications.forms import (
    AttachmentForm,
    BudgetLineForm,
    DetailsForm,
    ExclusionForm,
    PreferencesForm,
    TeamMemberForm,
    WithdrawForm,
)
from applications.models import Application, Attachment, BudgetLine, ReviewerExclusion, TeamMember
from applications.pdf import render_application_pdf
from applications.permissions import can_edit_application, can_withdraw_application
from applications.selectors import (
    application_detail,
    application_page,
    applications_visible_to,
    budget_total,
    calls_visible_to,
)
from awards.permissions import can_respond_to_award
from awards.selectors import applicant_outcome, published_outcomes
from core.errors import DomainError, StateConflict
from core.forms import apply_error
from core.page_cache import cached_page
from reviews.selectors import conflicts_in_force

SECTIONS = ["details", "team", "budget", "attachments", "preferences"]


def _visible_application(request: HttpRequest, pk: int) -> Application:
    """404 for applications the user may not see: their existence is not revealed."""
    return get_object_or_404(applications_visible_to(request.user), pk=pk)


def _editable_application(request: HttpRequest, pk: int) -> Application:
    application = _visible_application(request, pk)
    verdict = can_edit_application(request.user, application)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    return application


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _edit_context(application: Application, **bound) -> dict:
    application = application_detail(application)
    problems = submission_problems(application, now=timezone.now())
    return {
        "application": application,
        "call": application.call,
        "details_form": bound.get("details") or DetailsForm(instance=application),
        "team_form": bound.get("team") or TeamMemberForm(prefix="team"),
        "budget_form": bound.get("budget") or BudgetLineForm(prefix="budget"),
        "attachment_form": bound.get("attachments") or AttachmentForm(prefix="attachment"),
        "preferences_form": bound.get("preferences") or PreferencesForm(instance=application),
        "exclusion_form": bound.get("exclusions") or ExclusionForm(prefix="exclusion"),
        "problems": problems,
        "budget_total": budget_total(application),
        "lay_words": count_words(application.lay_summary),
        "abstract_words": count_words(application.scientific_abstract),
    }


def _respond(request: HttpRequest, application: Application, section: str, *, status: int = 200, **bound):
    """After a section's save: the section and the report in place (htmx), else the whole page."""
    context = _edit_context(application, **bound)
    if _is_htmx(request):
        context["oob"] = True
        return render(request, f"applications/sections/{section}.html", context, status=status)
    if status == 200:
        return redirect(
            reverse("applications:application_edit", args=[application.pk]) + f"#section-{section}"
        )
    return render(request, "applications/application_edit.html", context, status=status)


@login_required
def my_applications_view(request: HttpRequest) -> HttpResponse:
    applications = applications_visible_to(request.user).filter(pi=request.user).order_by("-updated_at")
    # Only those the user co-investigates: staff, who may see every application, must not get them all here.
    shared = (
        applications_visible_to(request.user)
        .filter(
            team__user=request.user,
            team__role=TeamMember.Role.CO_INVESTIGATOR,
            team__accepted_at__isnull=False,
        )
        .exclude(pi=request.user)
        .distinct()
        .order_by("-updated_at")
    )
    outcomes = published_outcomes(applications)  # only what the applicant has been told
    rows = [(application, outcomes.get(application.pk)) for application in applications]
    return render(
        request,
        "applications/my_applications.html",
        {"applications": applications, "rows": rows, "shared": shared},
    )


@login_required
@require_POST
def application_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(calls_visible_to(request.user), slug=slug)
    try:
        application = services.start_application(call=call, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("applications:call_detail", slug=call.slug)
    messages.success(request, "Your draft is started. It is saved as you go; submit it before the deadline.")
    return redirect("applications:application_edit", pk=application.pk)


@login_required
@cached_page(guard=conflicts_in_force)
def application_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The read-only application (submitted, withdrawn, or seen by a co-investigator or staff)."""
    application = get_object_or_404(application_page(request.user), pk=pk)  # 404: existence not revealed
    if application.is_draft and can_edit_application(request.user, application):
        return redirect("applications:application_edit", pk=pk)
    # The outcome once published, for the PI (and staff); a pending decision shows nothing.
    show_outcome = request.user.is_staff or application.pi_id == request.user.pk
    outcome = applicant_outcome(application) if show_outcome else None
    award = outcome.award if outcome else None
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "budget_total": budget_total(application),
            "can_withdraw": bool(can_withdraw_application(request.user, application)),
            "outcome": outcome,
            "can_respond": bool(award and can_respond_to_award(request.user, award)),
        },
    )


@login_required
def application_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    if not application.is_draft:
        messages.info(request, "This application is no longer a draft; its content is frozen.")
        return redirect("applications:application_detail", pk=pk)
    return render(request, "applications/application_edit.html", _edit_context(application))


def _save_section(request, application, section, form, save) -> HttpResponse:
    """Validate a section's form and save it through its service; on refusal keep what was typed."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except StateConflict as error:
            messages.error(request, error.message)
            return _respond(request, application, section, status=409, **{_bound_key(section, form): form})
        except DomainError as error:
            apply_error(form, error)
        else:
            if not _is_htmx(request):
                messages.success(request, "Saved.")
            return _respond(request, application, section)
    return _respond(request, application, section, status=422, **{_bound_key(section, form): form})


def _bound_key(section: str, form) -> str:
    return "exclusions" if isinstance(form, ExclusionForm) else section


@login_required
@require_POST
def section_save_view(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    application = _editable_application(request, pk)
    by = request.user
    if section == "details":
        form = DetailsForm(request.POST, instance=application_detail(application))

        def save(data):
            fields = {k: v for k, v in data.items() if k != "focus_areas"}
            services.update_application(
                application=application, by=by, focus_areas=list(data["focus_areas"]), **fields
            )
    elif section == "preferences":
        form = PreferencesForm(request.POST, instance=application_detail(application))

        def save(data):
            services.update_application(application=application, by=by, **data)
    elif section == "team":
        form = TeamMemberForm(request.POST, prefix="team")

        def save(data):
            services.save_team_member(application=application, by=by, **data)
    elif section == "budget":
        form = BudgetLineForm(request.POST, prefix="budget")

        def save(data):
            services.save_budget_line(application=application, by=by, **data)
    elif section == "exclusions":
        form = ExclusionForm(request.POST, prefix="exclusion")

        def save(data):
            services.save_exclusion(application=application, by=by, **data)

        return _save_section(request, application, "preferences", form, save)
    elif section == "attachments":
        form = AttachmentForm(request.POST, request.FILES, prefix="attachment")

        def save(data):
            services.add_attachment(application=application, by=by, kind=data["kind"], upload=data["file"])
    else:
        raise Http404("No such section.")
    return _save_section(request, application, section, form, save)


REMOVABLE = {
    "team": (TeamMember, lambda obj, by: services.remove_team_member(member=obj, by=by), "team"),
    "budget": (BudgetLine, lambda obj, by: services.remove_budget_line(line=obj, by=by), "budget"),
    "attachments": (
        Attachment,
        lambda obj, by: services.remove_attachment(attachment=obj, by=by),
        "attachments",
    ),
    "exclusions": (
        ReviewerExclusion,
        lambda obj, by: services.remove_exclusion(exclusion=obj, by=by),
        "preferences",
    ),
}


@login_required
@require_POST
def item_remove_view(request: HttpRequest, pk: int, section: str, item_id: int) -> HttpResponse:
    application = _editable_application(request, pk)
    if section not in REMOVABLE:
        raise Http404("No such section.")
    model, remove, shown_in = REMOVABLE[section]
    item = get_object_or_404(model, pk=item_id, application=application)
    try:
        remove(item, request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _respond(request, application, shown_in, status=error.status_code)
    return _respond(request, application, shown_in)


@login_required
@require_POST
def team_invite_view(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    application = _editable_application(request, pk)
    member = get_object_or_404(TeamMember, pk=member_id, application=application)
    try:
        services.invite_team_member(member=member, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation sent to {member.email}.")
    return _respond(request, application, "team")


@login_required
@require_POST
def application_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    try:
        application = services.submit_application(application=application, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        if not application.is_draft:
            return redirect("applications:application_detail", pk=pk)
        return render(
            request,
            "applications/application_edit.html",
            _edit_context(application),
            status=error.status_code,
        )
    messages.success(
        request, f"Submitted. Your reference is {application.reference}; a receipt is on its way."
    )
    return redirect("applications:application_detail", pk=pk)


@login_required
def application_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    if application.pi_id != request.user.pk:
        raise PermissionDenied("Only the principal investigator can withdraw this application.")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, "The application is withdrawn.")
            return redirect("applications:application_detail", pk=pk)
    return render(
        request,
        "applications/application_withdraw.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def application_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_detail(_visible_application(request, pk))
    pdf = render_application_pdf(application)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = application.reference or f"draft-{application.pk}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def attachment_download_view(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    application = _visible_application(request, pk)
    return pdf_file_response(get_object_or_404(Attachment, pk=attachment_id, application=application))


@login_required
def accept_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    member = (
        TeamMember.objects.select_related("application__call", "application__pi")
        .filter(invite_token=token)
        .first()
        if token
        else None
    )
    if request.method == "POST":
        try:
            member = services.accept_team_invitation(token=token, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "You can now read this application.")
            return redirect("applications:application_detail", pk=member.application_id)
    return render(
        request,
        "applications/accept_invitation.html",
        {"member": member, "token": token},
        status=200 if member else 404,
    )
