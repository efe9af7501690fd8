"""Query filters of the API that refuse what they cannot read (a 400 naming the parameter) instead of
ignoring it or failing: django-filter's own let ``?open_now=maybe`` and ``?call=0.5`` through as "no
filter" or "nothing matches", and ``?year=0`` reached the database as a year it cannot hold."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

TRUE, FALSE = ("true", "True", "1"), ("false", "False", "0")


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also ``1``/``0``); empty means no filter; anything else is an error."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ValidationError("Give true or false.", code="invalid")

    def validate(self, value) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


BIGINT_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGINT_MAX})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number the database can hold (``0.5`` is an error, not an empty
    result; a 30-digit number was a server error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=BIGINT_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    """A calendar year, 1 to 9999 (a date lookup cannot hold 0 or 10000)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)
