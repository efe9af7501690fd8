from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from applications.selectors import committees_of, open_calls


def home_view(request: HttpRequest) -> HttpResponse:
    """The start page: open calls for everyone, and what the signed-in user takes part in."""
    context = {"calls": open_calls()[:6], "committees": committees_of(request.user)}
    return render(request, "home.html", context)
