from django import forms
from django.core.exceptions import ValidationError

from core.errors import DomainError


def apply_error(form: forms.Form, error: DomainError | ValidationError, *, password_field: str = "") -> None:
    """Show a service's refusal on the form, next to the field it concerns where it names one."""
    if isinstance(error, DomainError):
        for field, field_messages in error.field_errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        if not error.field_errors:
            form.add_error(None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        # Password validators raise a plain list of messages.
        form.add_error(password_field or None, error)
