"""Community members: signing up as one, or joining with an existing account."""

from django.db import transaction

from accounts.models import User
from accounts.services import register_user
from audit.services import record_event
from core.errors import Invalid, NotAllowed
from priorities.models import CommunityProfile


def _profile(profile: CommunityProfile) -> dict:
    return {"kind": profile.kind, "public_name": profile.public_name}


@transaction.atomic
def save_community_profile(*, user: User, by: User, kind: str, public_name: str = "") -> CommunityProfile:
    """Make ``user`` a community member (or change how they appear): no research role is needed."""
    if not by.is_authenticated or (by.pk != user.pk and not by.is_staff):
        raise NotAllowed("You can only change your own community profile.")
    if kind not in CommunityProfile.Kind.values:
        raise Invalid(
            "Choose what describes you best.", field_errors={"kind": ["Choose one of the options."]}
        )
    profile, created = CommunityProfile.objects.select_for_update().get_or_create(
        user=user, defaults={"kind": kind, "public_name": public_name.strip()}
    )
    if created:
        record_event(profile, "community.joined", by=by, after=_profile(profile))
        return profile
    before = _profile(profile)
    profile.kind, profile.public_name = kind, public_name.strip()
    profile.full_clean()
    if _profile(profile) != before:
        profile.save(update_fields=["kind", "public_name", "updated_at"])
        record_event(profile, "community.profile_updated", by=by, before=before, after=_profile(profile))
    return profile


@transaction.atomic
def register_community_member(
    *, email: str, full_name: str, password: str, kind: str, public_name: str = ""
) -> User:
    """Sign up someone who lives with MS, cares for someone who does, or is close to it: an account
    (no institution, no ORCID iD) and its community profile, in one step."""
    user = register_user(email=email, full_name=full_name, password=password, institution=None)
    save_community_profile(user=user, by=user, kind=kind, public_name=public_name)
    return user
