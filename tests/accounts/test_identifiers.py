import pytest
from django.core.exceptions import ValidationError

from accounts.identifiers import normalise_orcid, normalise_ror, validate_orcid, validate_ror


@pytest.mark.parametrize("value", ["0000-0002-1825-0097", "0000-0002-1694-233X", "0000-0002-1694-233x"])
def test_valid_orcid_is_accepted(value):
    validate_orcid(value)


def test_orcid_url_prefix_is_accepted_and_normalised():
    validate_orcid("https://orcid.org/0000-0002-1825-0097")
    assert normalise_orcid(" https://orcid.org/0000-0002-1825-0097 ") == "0000-0002-1825-0097"
    assert normalise_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"


def test_orcid_with_wrong_check_digit_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as error:
        validate_orcid("0000-0002-1825-0098")
    assert error.value.code == "orcid_checksum"
    assert "check digit" in error.value.messages[0]


@pytest.mark.parametrize(
    "value", ["0000-0002-1825", "0000000218250097", "0000-0002-1825-009Y", "abcd-0002-1825-0097"]
)
def test_orcid_with_wrong_format_is_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_orcid(value)
    assert error.value.code == "orcid_format"
    assert "four groups of four" in error.value.messages[0]


def test_valid_ror_is_accepted():
    validate_ror("052gg0110")


def test_ror_url_prefix_is_accepted_and_normalised():
    validate_ror("https://ror.org/052gg0110")
    assert normalise_ror(" https://ror.org/052GG0110 ") == "052gg0110"


def test_ror_with_wrong_checksum_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_ror("052gg0111")
    assert error.value.code == "ror_checksum"
    assert "checksum" in error.value.messages[0]


@pytest.mark.parametrize("value", ["52gg0110", "152gg0110", "052gi0110", "052gg01100", "052gg01ab"])
def test_ror_with_wrong_format_is_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_ror(value)
    assert error.value.code == "ror_format"
