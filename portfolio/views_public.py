"""The public page of funded projects (no sign-in), the staff page that publishes them, and the
360Giving CSV (published projects for anyone; every standing award for staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from applications.models import Call
from awards.models import Award
from core.errors import DomainError
from core.exports import csv_response
from portfolio.open_data import Scope, csv_rows
from portfolio.permissions import can_publish_projects, can_read_open_data
from portfolio.selectors import publishable_awards, published_projects
from portfolio.services import publish_project, unpublish_project
from portfolio.views import require

PAGE_SIZE = 20


@require_GET
def funded_projects_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(published_projects(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portfolio/funded_projects.html", {"page": page, "projects": page.object_list})


@login_required
@require_GET
def projects_manage_view(request: HttpRequest) -> HttpResponse:
    require(can_publish_projects(request.user))
    calls = Call.objects.filter(applications__award__isnull=False).distinct().order_by("-opens_at", "title")
    call = None
    if request.GET.get("call"):
        call = get_object_or_404(Call, slug=request.GET["call"])
    page = Paginator(publishable_awards(call=call), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolio/projects_manage.html",
        {
            "page": page,
            "awards": page.object_list,
            "calls": calls,
            "call": call,
            "query": urlencode({"call": call.slug} if call else {}),
            "section": "projects",
        },
    )


def _toggle(request: HttpRequest, pk: int, *, publish: bool) -> HttpResponse:
    require(can_publish_projects(request.user))
    award = get_object_or_404(Award, pk=pk)
    try:
        if publish:
            publish_project(award=award, by=request.user)
            messages.success(request, f"{award.reference} is on the public page.")
        else:
            unpublish_project(award=award, by=request.user)
            messages.success(request, f"{award.reference} is no longer on the public page.")
    except DomainError as error:
        messages.error(request, error.message)
    back = request.POST.get("next", "")
    if back.startswith("/portfolio/projects/") and "//" not in back:
        return redirect(back)
    return redirect(reverse("portfolio:projects"))


@login_required
@require_POST
def project_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, publish=True)


@login_required
@require_POST
def project_unpublish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _toggle(request, pk, publish=False)


@require_GET
def open_data_csv_view(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", Scope.PUBLISHED)
    if scope not in (Scope.PUBLISHED, Scope.ALL):
        raise Http404("No such scope.")
    require(can_read_open_data(request.user, scope))
    return csv_response(csv_rows(scope), filename=f"360giving-{scope}.csv")
