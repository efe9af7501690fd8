"""The application's URLconf plus one bare view, the load benchmark's baseline (``bench/load.py``).

The bare view goes through the same middleware as every page but does no work of its own: it reads
neither the session nor the user, touches no database and renders no template.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as application_urlpatterns

BARE_BODY = b"bare"


def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_BODY, content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_view, name="bench_bare"), *application_urlpatterns]
