from applications.models import Call
from awards.models import Award


def has_award_from_call(*, user, call: Call) -> bool:
    """Whether ``user`` was the principal investigator of an award made in ``call``."""
    if not user.is_authenticated:
        return False
    return Award.objects.filter(application__call=call, application__pi=user).exists()
