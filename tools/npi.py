"""The National Provider Identifier's check digit: Luhn over the ISO issuer prefix 80840 followed
by the NPI's first nine digits (CMS, "Requirements for NPI check digit")."""

from __future__ import annotations

import re

_PREFIX = "80840"


def npi_check_digit(first9: str) -> int:
    """The check digit for nine leading digits.

    >>> npi_check_digit("123456789")
    3
    """
    total = 0
    # From the right of the payload, every other digit (starting with the last) is doubled: the check
    # digit will sit after it.
    for i, ch in enumerate(reversed(_PREFIX + first9)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """True when `npi` is ten digits whose last is the check digit of the first nine.

    >>> npi_is_valid("1234567893"), npi_is_valid("1234567890")
    (True, False)
    """
    return bool(re.fullmatch(r"\d{10}", npi)) and npi_check_digit(npi[:9]) == int(npi[9])
