from django import forms
from django.contrib.auth import password_validation
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from accounts.identifiers import normalise_orcid, validate_orcid, validate_ror
from accounts.models import Institution, User


class InstitutionChoiceMixin(forms.Form):
    """Pick an existing institution or name a new one (name, country and optional ROR id)."""

    institution = forms.ModelChoiceField(
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label="— my institution is not listed —",
    )
    new_institution_name = forms.CharField(label="Institution name", max_length=300, required=False)
    new_institution_country = LazyTypedChoiceField(
        label="Institution country", choices=[("", "—"), *countries], required=False
    )
    new_institution_ror = forms.CharField(
        label="ROR id (optional)",
        max_length=40,
        required=False,
        validators=[validate_ror],
        help_text="From ror.org, e.g. 052gg0110.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("institution"):
            if not data.get("new_institution_name"):
                self.add_error(
                    "new_institution_name", "Choose your institution above, or give its name here."
                )
            if not data.get("new_institution_country"):
                self.add_error("new_institution_country", "Give the country of your institution.")
        return data


class RegistrationForm(InstitutionChoiceMixin):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(label="E-mail address")
    orcid = forms.CharField(
        label="ORCID iD (optional)",
        max_length=40,
        required=False,
        validators=[validate_orcid],
        help_text="e.g. 0000-0002-1825-0097",
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["full_name", "email", "orcid", "password1", "password2", "institution"]

    def clean_orcid(self) -> str:
        return normalise_orcid(self.cleaned_data["orcid"])

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class ProfileForm(InstitutionChoiceMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "orcid", "institution"]

    def clean_orcid(self) -> str:
        return normalise_orcid(self.cleaned_data["orcid"])


class OneTimeCodeForm(forms.Form):
    """The second sign-in step, and the confirmation of a new authenticator app."""

    code = forms.CharField(
        label="Authentication code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class DisableTwoFactorForm(OneTimeCodeForm):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["password", "code"]


class SetupCodeForm(DisableTwoFactorForm):
    """Turning two-factor authentication on needs the password too: someone who found the session
    open could otherwise lock its owner out with an app of their own."""

    field_order = ["code", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The 6-digit code your authenticator app shows now for this account."
