"""API tokens for a password, except for accounts that two-factor authentication protects."""

from django.conf import settings
from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts.two_factor import has_two_factor
from core.errors import NotAllowed

TWO_FACTOR_ACCOUNT = (
    "This account uses two-factor authentication, so a password alone cannot obtain an API token. "
    "Sign in to the portal and create a personal API token on your account page (/accounts/)."
)

STAFF_WITHOUT_TWO_FACTOR = (
    "Staff accounts must use two-factor authentication here. Sign in to the portal, set it up on your "
    "account page (/accounts/), then create a personal API token there."
)


class PasswordTokenSerializer(AuthTokenSerializer):
    """The token endpoint's credentials; refused (403) for an account with two-factor authentication:
    a token got with the password alone would bypass the second factor."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        if has_two_factor(user):
            raise NotAllowed(TWO_FACTOR_ACCOUNT)
        if user.is_staff and settings.GRANTED_REQUIRE_2FA_FOR_STAFF:
            raise NotAllowed(STAFF_WITHOUT_TWO_FACTOR)
        return attrs
