"""Person-level data has no place in the inputs: CPR numbers and name columns are refused.

A CPR number is ddmmyy-xxxx: six digits that form a valid date and four more, written the
ways people write it: together (0102031234), or parted by a hyphen, an en or em dash, a minus
sign, a dot, a space, a no-break space or another Unicode space, or up to five of these
("010203 - 1234"). A ten-digit number that is no date (a unit count, an account number) is
not taken for one. A number cell of nine or ten digits is read as Excel shows a CPR number
whose leading zero it dropped (0102031234 becomes 102031234).

One detector for every text evalkit reads: cells, headers, sheet names, notes, file names,
metadata.yaml and the agreement files. A message says where a CPR number is, never what it is.
"""

import re
from datetime import date

from evalkit.inputs.names import normalize

# Whitespace (\s: also the no-break and other Unicode spaces), dot, hyphens and dashes, minus.
_SEPARATOR = r"[\s.\-\u2010-\u2015\u2212]"
_CPR = re.compile(rf"(?<!\d)(\d{{6}}){_SEPARATOR}{{0,5}}\d{{4}}(?!\d)")
_NINE_DIGITS = re.compile(r"\s*\d{9}\s*")  # a number saved as text, its leading 0 dropped
# A quick look over many cells at once: true for every text _CPR or _NINE_DIGITS matches
# (six digits, then four after separators or three more).
_MAYBE = re.compile(rf"\d{{6}}(?:{_SEPARATOR}{{0,5}}\d{{4}}|\d{{3}})")
PERSON_COLUMNS = {"navn", "name", "fornavn", "efternavn", "cpr", "cprnr", "cprnummer",
                  "personnummer", "personnr", "foedselsdato"}  # fmt: skip


# Every ASCII digit and every byte of a character beyond ASCII (in UTF-8) becomes "0": six
# digits in a row, of any script, leave six "0" bytes in a row.
_DIGITS_AS_ZERO = bytes.maketrans(
    bytes(range(ord("0"), ord("9") + 1)) + bytes(range(0x80, 0x100)), b"0" * (10 + 0x80)
)


def may_hold_cpr(cells: list) -> bool:
    """False when no cell has the digits of a CPR number: a quick look before a close one."""
    try:
        text = "\x1f".join(cells)  # a CSV file's cells are all text
    except TypeError:
        text = "\x1f".join(
            f"{int(c)}" if isinstance(c, float) and c.is_integer() else str(c) for c in cells
        )
    # Most tables have no six digits in a row at all: a byte search says so many times faster
    # than the pattern, which must then look only where the bytes leave a doubt.
    marked = text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZERO)
    return b"000000" in marked and _MAYBE.search(text) is not None


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
    """True when a cell, a name or a line of text holds something that looks like a CPR number."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return False
        if value != int(value) or not 10**8 <= abs(value) < 10**10:
            return False
        text = f"{int(abs(value)):010d}"  # Excel drops the leading zero of 010203-1234
    else:
        text = str(value)
        if _NINE_DIGITS.fullmatch(text):
            text = "0" + text.strip()
    return any(is_date(m.group(1)) for m in _CPR.finditer(text))


def lines_with_cpr(text: str) -> list[int]:
    """The numbers (from 1) of the lines of `text` that hold something like a CPR number."""
    if not _MAYBE.search(text):
        return []
    return [i for i, line in enumerate(text.splitlines(), start=1) if looks_like_cpr(line)]


def is_person_column(header: str) -> bool:
    """A column named like navn, cpr or personnummer."""
    key = normalize(header)
    return key in PERSON_COLUMNS or "cpr" in key or "personnummer" in key
