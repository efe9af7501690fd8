import re
import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.identifiers import normalise_orcid, normalise_ror, validate_orcid, validate_ror

_LEGAL_FORMS = re.compile(r"\b(the|of|and|for|gmbh|inc|ltd|plc|ag|sa|bv)\b")


def normalise_institution_name(name: str) -> str:
    """A comparable form of an institution's name: no accents, case, punctuation or legal forms."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _LEGAL_FORMS.sub(" ", re.sub(r"[^a-z0-9 ]+", " ", text))
    return " ".join(text.split())


class Institution(models.Model):
    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, editable=False, db_index=True)
    country = CountryField(help_text="ISO 3166-1 country code.")
    ror_id = models.CharField(
        "ROR id",
        max_length=9,
        blank=True,
        validators=[validate_ror],
        help_text="The institution's Research Organization Registry id, e.g. 052gg0110.",
    )
    city = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ror_id"], condition=~models.Q(ror_id=""), name="unique_institution_ror_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.ror_id = normalise_ror(self.ror_id)
        self.normalised_name = normalise_institution_name(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "normalised_name", "ror_id"}
        super().save(*args, **kwargs)

    @property
    def ror_url(self) -> str:
        return f"https://ror.org/{self.ror_id}" if self.ror_id else ""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address.

    Staff (program officers) have ``is_staff``; committee roles are per call
    (``CommitteeMembership``); applicant and reviewer roles follow from what the user does.
    """

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="16 characters, e.g. 0000-0002-1825-0097.",
    )
    is_staff = models.BooleanField(
        "program officer (staff)", default=False, help_text="Can manage everything in the admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="unique_user_email_ci")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.orcid = normalise_orcid(self.orcid)

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        self.orcid = normalise_orcid(self.orcid)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def country(self):
        return self.institution.country if self.institution_id else None
