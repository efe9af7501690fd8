"""Errors raised by services. The portal and the API map each to one status code."""

from dataclasses import dataclass


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` is shown to the user as it is."""

    status_code = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotAllowed(DomainError):
    """The acting user may not do this (403)."""

    status_code = 403


class StateConflict(DomainError):
    """The object's state forbids the action now, e.g. a closed call (409)."""

    status_code = 409


class Invalid(DomainError):
    """The input breaks a rule (400), optionally with messages per field."""

    status_code = 400


@dataclass(frozen=True)
class Verdict:
    """The answer of a permission or state predicate, with the reason when it is no."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def deny(reason: str) -> Verdict:
    return Verdict(False, reason)


def ensure(verdict: Verdict, error: type[DomainError] = NotAllowed) -> None:
    """Raise ``error`` with the verdict's reason unless it allows."""
    if not verdict:
        raise error(verdict.reason)
