"""Spec: Danish formatting of everything a reader sees (evalkit.fmt).

Danish numbers use a point as thousands separator and a comma as decimal mark (1.234,5);
percentages carry a space before the sign (21,5 %); dates are dd.mm.yyyy. A missing value is
shown as an en dash, "–", never as 0, "nan" or "<NA>".
"""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from evalkit import fmt
from evalkit.domain import STATUS_SYMBOLS

MISSING_VALUES = [None, pd.NA, float("nan"), np.nan]
MISSING_IDS = ["None", "pd.NA", "float-nan", "np.nan"]


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0, 0, "0"),
        (7, 0, "7"),
        (999, 0, "999"),
        (1234, 0, "1.234"),
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (1000000, 0, "1.000.000"),
        (0.5, 2, "0,50"),
        (3.14159, 3, "3,142"),
        (141.44, 1, "141,4"),
        (-1234.5, 1, "-1.234,5"),
        (np.int64(1234), 0, "1.234"),
        (pd.array([1234], dtype="Int64")[0], 0, "1.234"),
    ],
)
def test_number_uses_thousands_point_and_decimal_comma(x, decimals, expected):
    assert fmt.number(x, decimals) == expected


def test_number_defaults_to_no_decimals():
    assert fmt.number(1234.4) == "1.234"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (21.5, 1, "21,5 %"),
        (21.54, 1, "21,5 %"),
        (21.56, 1, "21,6 %"),
        (0, 1, "0,0 %"),
        (100, 1, "100,0 %"),
        (10.784313725, 1, "10,8 %"),
        (80, 0, "80 %"),
        (37.8, 2, "37,80 %"),
        (1234.5, 1, "1.234,5 %"),
    ],
)
def test_pct_is_a_danish_number_with_a_spaced_percent_sign(x, decimals, expected):
    assert fmt.pct(x, decimals) == expected


def test_pct_defaults_to_one_decimal():
    assert fmt.pct(21.5) == "21,5 %"


@pytest.mark.parametrize(
    ("x", "enhed", "expected"),
    [
        (21.5, "procent", "21,5 %"),
        (10.78, "procent", "10,8 %"),
        (3, "antal", "3"),
        (0, "antal", "0"),
        (1234, "antal", "1.234"),
        (0, "procent", "0,0 %"),
    ],
)
def test_value_shows_shares_as_percent_and_counts_as_whole_numbers(x, enhed, expected):
    assert fmt.value(x, enhed) == expected


@pytest.mark.parametrize("missing", MISSING_VALUES, ids=MISSING_IDS)
@pytest.mark.parametrize(
    "show",
    [
        fmt.number,
        lambda x: fmt.number(x, 2),
        fmt.pct,
        lambda x: fmt.value(x, "procent"),
        lambda x: fmt.value(x, "antal"),
    ],
    ids=["number", "number-2-decimals", "pct", "value-procent", "value-antal"],
)
def test_missing_is_an_en_dash_never_zero(show, missing):
    assert fmt.MISSING == "–"  # U+2013 EN DASH
    assert show(missing) == "–"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2029, 7, 31), "31.07.2029"),
        (date(2025, 8, 1), "01.08.2025"),
        (date(2024, 1, 1), "01.01.2024"),
        (datetime(2025, 12, 31, 23, 59), "31.12.2025"),
        (pd.Timestamp("2025-08-01"), "01.08.2025"),
    ],
)
def test_day_is_dd_mm_yyyy(d, expected):
    assert fmt.day(d) == expected


@pytest.mark.parametrize(
    ("status", "symbol"),
    [
        ("forbedret", "▲"),
        ("uændret (inden for usikkerheden)", "●"),
        ("forværret", "▼"),
        ("steget", "↑"),
        ("faldet", "↓"),
        ("ingen data", "–"),
        ("ingen baseline", "○"),
        ("baselineår", "◇"),
    ],
)
def test_every_status_has_its_own_symbol(status, symbol):
    # Status is told by a symbol and a word, never by colour alone.
    assert STATUS_SYMBOLS[status] == symbol


def test_status_symbols_cover_exactly_the_statuses_of_the_indicators():
    from evalkit.domain import STATUSES

    assert set(STATUS_SYMBOLS) == set(STATUSES)
    assert len(set(STATUS_SYMBOLS.values())) == len(STATUSES)
