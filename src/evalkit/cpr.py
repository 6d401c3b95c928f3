"""Person-level data has no place in the inputs: CPR numbers and name columns are refused.

A CPR number is ddmmyy-xxxx, or ten digits in a row, whose first six digits form a valid date.
A ten-digit number that is no date (a unit count, an account number) is not taken for one.
"""

import re
from datetime import date

from evalkit.names import normalize

_HYPHENATED = re.compile(r"(?<!\d)(\d{6})-(\d{4})(?!\d)")
_TEN_DIGITS = re.compile(r"(?<!\d)(\d{6})(\d{4})(?!\d)")
PERSON_COLUMNS = {"navn", "name", "fornavn", "efternavn", "cpr", "cprnr", "cprnummer",
                  "personnummer", "personnr", "foedselsdato"}  # fmt: skip


_LONG_DIGITS = re.compile(r"\d{6}-\d{4}|\d{9}")


def may_hold_cpr(cells: list) -> bool:
    """False when no cell has the digits of a CPR number: a quick look before a close one."""
    text = "\n".join(
        f"{int(c)}" if isinstance(c, float) and c.is_integer() else str(c) for c in cells
    )
    return _LONG_DIGITS.search(text) is not None


def is_date(ddmmyy: str) -> bool:
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def looks_like_cpr(value) -> bool:
    """True when a cell holds something that looks like a CPR number."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        if value != int(value) or not 10**8 <= abs(value) < 10**10:
            return False
        text = f"{int(abs(value)):010d}"  # Excel drops the leading zero of 010203-1234
    else:
        text = str(value)
    found = [m.group(1) for m in _HYPHENATED.finditer(text)]
    found += [m.group(1) for m in _TEN_DIGITS.finditer(text)]
    return any(is_date(d) for d in found)


def is_person_column(header: str) -> bool:
    """A column named like navn, cpr or personnummer."""
    key = normalize(header)
    return key in PERSON_COLUMNS or "cpr" in key or "personnummer" in key
