"""Danish number and date formatting for everything a reader sees: 21,5 %; 1.234; 31.07.2029."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

MISSING = "–"


def rounded(x: float, decimals: int) -> Decimal:
    """Round half up, as Excel shows numbers (12.25 -> 12.3), from the shortest decimal form."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(x: float | None, decimals: int = 0) -> str:
    """1234.5 -> "1.234,5" (Danish thousands point and decimal comma)."""
    if x is None or pd.isna(x):
        return MISSING
    text = f"{rounded(x, decimals):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(x: float | None, decimals: int = 1) -> str:
    """21.5 -> "21,5 %"."""
    if x is None or pd.isna(x):
        return MISSING
    return f"{number(x, decimals)} %"


def value(x: float | None, enhed: str) -> str:
    """An indicator value in its unit: a percentage for shares, a whole number for counts."""
    return pct(x) if enhed == "procent" else number(x)


def day(d: date) -> str:
    """date(2029, 7, 31) -> "31.07.2029"."""
    return d.strftime("%d.%m.%Y")
