"""API tokens for a password, except for accounts that two-factor authentication protects."""

from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts.two_factor import has_two_factor
from core.errors import NotAllowed

TWO_FACTOR_ACCOUNT = (
    "This account uses two-factor authentication, so a password alone cannot obtain an API token. "
    "Sign in to the portal and create a personal API token on your account page (/accounts/)."
)


class PasswordTokenSerializer(AuthTokenSerializer):
    """The token endpoint's credentials; refused (403) for an account with two-factor authentication:
    a token got with the password alone would bypass the second factor."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if has_two_factor(attrs["user"]):
            raise NotAllowed(TWO_FACTOR_ACCOUNT)
        return attrs
