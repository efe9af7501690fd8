"""The API's token endpoint and documentation page, as the security settings need them."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError

from accounts.api import PasswordTokenSerializer
from core.api import ERROR
from core.security import lockout_response


class TokenView(ObtainAuthToken):
    """Exchange an e-mail address (``username``) and password for an API token.

    Sign-ins are throttled like the portal's (django-axes): after too many failures of one address from
    one client, the answer is 429 with a ``detail`` saying when to try again.
    """

    # Refused (403) for an account with two-factor authentication: see accounts.api.
    serializer_class = PasswordTokenSerializer

    @extend_schema(
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(ERROR, description="Wrong e-mail address or password, or a field missing."),
            403: OpenApiResponse(ERROR, description="The account uses two-factor authentication."),
            429: OpenApiResponse(ERROR, description="Too many failed sign-ins; `detail` says until when."),
        }
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # Axes marks the DRF request (the one authenticate() saw), which AxesMiddleware never sees.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request, None, getattr(request, "axes_credentials", None))
            raise


# Swagger UI's own stylesheet draws its icons as data: images; nothing else on the site needs them.
@method_decorator(csp_update({"img-src": ["data:"]}), name="get")
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served from a URL of its own (no inline script), and our
    page template without the inline <style> of drf-spectacular's."""

    template_name = "api/swagger_ui.html"
