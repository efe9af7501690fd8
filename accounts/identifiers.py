"""Validators for researcher and organisation identifiers: ORCID iD and ROR id."""

import re

from django.core.exceptions import ValidationError

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# A ROR id is "0", six Crockford base-32 characters (no i, l, o, u) and a two-digit checksum.
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}\d{2}$")
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ORCID_PREFIX = "https://orcid.org/"
ROR_PREFIX = "https://ror.org/"


def orcid_check_digit(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value: str) -> str:
    value = value.strip().upper()
    if value.upper().startswith(ORCID_PREFIX.upper()):
        value = value[len(ORCID_PREFIX) :]
    return value


def validate_orcid(value: str) -> None:
    orcid = normalise_orcid(value)
    if not ORCID_RE.match(orcid):
        raise ValidationError(
            "An ORCID iD has 16 characters in four groups of four, e.g. 0000-0002-1825-0097.",
            code="orcid_format",
        )
    digits = orcid.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            "This ORCID iD's last character does not match its check digit; please copy it again "
            "from your ORCID record.",
            code="orcid_checksum",
        )


def normalise_ror(value: str) -> str:
    value = value.strip().lower()
    if value.startswith(ROR_PREFIX):
        value = value[len(ROR_PREFIX) :]
    return value


def ror_checksum(body: str) -> str:
    """ROR's checksum: ISO 7064 MOD 97-10 over the base-32 value of the six body characters."""
    number = 0
    for char in body:
        number = number * 32 + CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def validate_ror(value: str) -> None:
    ror = normalise_ror(value)
    if not ROR_RE.match(ror):
        raise ValidationError(
            "A ROR id is 9 characters starting with 0, e.g. 052gg0110 (or https://ror.org/052gg0110).",
            code="ror_format",
        )
    if ror_checksum(ror[1:7]) != ror[7:]:
        raise ValidationError(
            "This ROR id's last two digits do not match its checksum; please copy it again from ROR.",
            code="ror_checksum",
        )
