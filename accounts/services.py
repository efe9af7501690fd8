from django.contrib.auth import password_validation
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.identifiers import normalise_ror
from accounts.models import Institution, User, normalise_institution_name
from audit.services import record_event
from core.errors import Invalid, NotAllowed

PROFILE_FIELDS = ["full_name", "orcid", "institution"]


def _profile(user: User) -> dict:
    return {"full_name": user.full_name, "orcid": user.orcid, "institution": user.institution_id}


@transaction.atomic
def get_or_create_institution(*, name: str, country: str, ror_id: str = "", by: User | None) -> Institution:
    """Find an institution by ROR id, else by normalised name and country; create it if new."""
    ror_id = normalise_ror(ror_id)
    if ror_id:
        found = Institution.objects.filter(ror_id=ror_id).first()
        if found:
            return found
    found = Institution.objects.filter(
        normalised_name=normalise_institution_name(name), country=country
    ).first()
    if found:
        if ror_id and not found.ror_id:
            found.ror_id = ror_id
            found.full_clean()
            found.save(update_fields=["ror_id"])
        return found
    institution = Institution(name=name.strip(), country=country, ror_id=ror_id)
    institution.full_clean()
    institution.save()
    record_event(institution, "institution.created", by=by, after={"name": name, "country": country})
    return institution


@transaction.atomic
def register_user(
    *, email: str, full_name: str, password: str, institution: Institution | None, orcid: str = ""
) -> User:
    """Create an account for a researcher, reviewer or community member who signs up themselves."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Invalid(
            "An account with this e-mail address exists already.",
            field_errors={
                "email": [
                    "An account with this e-mail address exists already. Reset your "
                    "password if you have forgotten it."
                ]
            },
        )
    user = User(email=email, full_name=full_name.strip(), institution=institution, orcid=orcid)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    record_event(user, "account.registered", by=user, after=_profile(user))
    return user


@transaction.atomic
def update_profile(*, user: User, by: User, **changes) -> User:
    """Change a user's own name, ORCID iD or institution; staff may change anyone's."""
    if by.pk != user.pk and not by.is_staff:
        raise NotAllowed("You can only change your own profile.")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    # From the database: a ModelForm bound to ``user`` has already set the new values on it.
    before = _profile(User.objects.get(pk=user.pk))
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean()
    user.save(update_fields=list(changes))
    after = _profile(user)
    if after != before:
        record_event(user, "account.profile_updated", by=by, before=before, after=after)
    return user


@transaction.atomic
def create_api_token(*, user: User) -> str:
    """Give the user a new personal API token (replacing an older one); the key is shown once."""
    # The user's row lock makes two quick requests take turns (one token per user), not a 500.
    User.objects.select_for_update().filter(pk=user.pk).first()
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    record_event(user, "account.api_token_created", by=user, after={"replaced": replaced})
    return token.key


@transaction.atomic
def revoke_api_token(*, user: User) -> None:
    """Delete the user's API token: scripts using it are refused from now on."""
    if Token.objects.filter(user=user).delete()[0]:
        record_event(user, "account.api_token_revoked", by=user)
