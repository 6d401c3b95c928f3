"""Spec: the indicators of the delaftale (evalkit.compute.indicators).

Every expected number below is computed by hand in the comment beside it. The rules:
- An aggregate (boligselskab, samlet) is a ratio of sums over the afdelinger with data,
  Σ taeller / Σ naevner, never an average of percentages (LBF).
- A missing value stays missing (NA), never 0; a 0 that was delivered is a value.
- A count indicator (udsaettelser) sums counts and has no naevner.
- An aggregate's baseline is weighted by this year's naevner, Σ b·n / Σ n, and is missing
  when an afdeling that contributes a value has no baseline.
- Status compares value and baseline at the precision the reports show (one decimal).
"""

import math
from datetime import date

import pandas as pd
import pytest

from evalkit.compute.indicators import (
    COLUMNS,
    activity_table,
    baselines,
    by_level,
    compared,
    counts,
    indicator_table,
    members,
    plan_period,
    status,
    value,
)
from evalkit.domain import (
    BASELINEAAR,
    FALDET,
    FORBEDRET,
    FORVAERRET,
    INGEN_BASELINE,
    INGEN_DATA,
    STATUSES,
    STEGET,
    UAENDRET,
)

NA = None  # an expected missing value (pd.NA in the result)

# A tiny plan: boligselskab A has afdelinger A1, A2, A3; boligselskab B has B1.
AFDELINGER = pd.DataFrame(
    {"afdeling": ["A1", "A2", "A3", "B1"], "boligselskab": ["A", "A", "A", "B"]}
)
SAMLET = "Alle"

# A year's period of exactly 52 weeks inside the agreement (01.01.2026–30.12.2026: 364 days).
WEEKS_52 = (date(2026, 1, 1), date(2026, 12, 30))


# --- helpers ----------------------------------------------------------------------------------


def share_table(rows: dict[str, tuple]) -> pd.DataFrame:
    """A fraflytninger-like input table: afdeling -> (fraflytninger, lejemaal); None is empty."""
    return pd.DataFrame(
        {
            "afdeling": pd.Series(list(rows), dtype="str"),
            "fraflytninger": pd.array([t for t, _ in rows.values()], dtype="Int64"),
            "lejemaal": pd.array([n for _, n in rows.values()], dtype="Int64"),
        }
    )


def count_table(rows: dict[str, int | None]) -> pd.DataFrame:
    """An udsaettelser-like input table: afdeling -> effektive_udsaettelser."""
    return pd.DataFrame(
        {
            "afdeling": pd.Series(list(rows), dtype="str"),
            "effektive_udsaettelser": pd.array(list(rows.values()), dtype="Int64"),
        }
    )


def share_levels(rows: dict[str, tuple]) -> pd.DataFrame:
    return by_level(
        counts(share_table(rows), "fraflytninger", "lejemaal"), AFDELINGER, SAMLET, share=True
    )


def count_levels(rows: dict[str, int | None]) -> pd.DataFrame:
    return by_level(
        counts(count_table(rows), "effektive_udsaettelser", None), AFDELINGER, SAMLET, share=False
    )


def at(frame: pd.DataFrame, niveau: str, enhed: str, **more) -> pd.Series:
    """The one row of `frame` for (niveau, enhed[, more columns])."""
    mask = (frame["niveau"] == niveau) & (frame["enhed"] == enhed)
    for column, wanted in more.items():
        mask &= frame[column] == wanted
    found = frame[mask]
    assert len(found) == 1, f"{len(found)} rows for {niveau} {enhed} {more}"
    return found.iloc[0]


def same(actual, expected) -> bool:
    """`expected` None means missing (NA, never 0); numbers compare to 1e-9."""
    if expected is None:
        return actual is pd.NA or (isinstance(actual, float) and math.isnan(actual))
    if actual is pd.NA or pd.isna(actual):
        return False
    return actual == pytest.approx(expected, abs=1e-9)


# --- counts -----------------------------------------------------------------------------------


def test_counts_of_a_share_are_taeller_and_naevner_per_afdeling():
    result = counts(share_table({"A1": (1, 2), "A2": (10, 100)}), "fraflytninger", "lejemaal")
    assert list(result.columns) == ["afdeling", "taeller", "naevner"]
    assert list(result["afdeling"]) == ["A1", "A2"]
    assert list(result["taeller"]) == [1, 10]
    assert list(result["naevner"]) == [2, 100]
    assert result["taeller"].dtype == "Float64"
    assert result["naevner"].dtype == "Float64"


def test_counts_of_a_count_indicator_have_no_naevner():
    result = counts(count_table({"A1": 2, "B1": 0}), "effektive_udsaettelser", None)
    assert list(result["taeller"]) == [2, 0]  # a delivered 0 is a value
    assert result["naevner"].isna().all()
    assert result["naevner"].dtype == "Float64"


def test_counts_keep_an_empty_cell_missing_not_zero():
    result = counts(share_table({"A1": (None, 50), "A2": (4, None)}), "fraflytninger", "lejemaal")
    assert same(result["taeller"].iloc[0], NA)
    assert same(result["naevner"].iloc[0], 50)
    assert same(result["taeller"].iloc[1], 4)
    assert same(result["naevner"].iloc[1], NA)


def test_counts_drop_rows_without_afdeling():
    table = share_table({"A1": (1, 2)})
    table.loc[1] = [pd.NA, 5, 10]
    result = counts(table, "fraflytninger", "lejemaal")
    assert list(result["afdeling"]) == ["A1"]


def test_counts_of_a_missing_table_are_empty():
    result = counts(None, "fraflytninger", "lejemaal")
    assert list(result.columns) == ["afdeling", "taeller", "naevner"]
    assert result.empty


# --- by_level ---------------------------------------------------------------------------------


def test_aggregate_is_a_ratio_of_sums_not_an_average_of_percentages():
    # A1: 1/2 = 50 %, A2: 10/100 = 10 %.
    # Boligselskab A: (1 + 10) / (2 + 100) = 11/102 = 10.78 %, not (50 + 10) / 2 = 30 %.
    result = share_levels({"A1": (1, 2), "A2": (10, 100)})
    a = at(result, "boligselskab", "A")
    assert (a["taeller"], a["naevner"]) == (11, 102)
    vaerdi = value(result["taeller"], result["naevner"], "procent")[a.name]
    assert vaerdi == pytest.approx(1100 / 102)  # 10.784... %
    assert round(vaerdi, 2) == 10.78
    assert vaerdi != pytest.approx(30)


# A1 1/2, A2 10/100, A3 no data, B1 3/20.
SHARE_SCENARIO = {"A1": (1, 2), "A2": (10, 100), "B1": (3, 20)}


@pytest.mark.parametrize(
    ("niveau", "enhed", "taeller", "naevner", "med_data", "i_alt"),
    [
        ("afdeling", "A1", 1, 2, 1, 1),
        ("afdeling", "A2", 10, 100, 1, 1),
        ("afdeling", "A3", NA, NA, 0, 1),  # no data: NA, never 0
        ("afdeling", "B1", 3, 20, 1, 1),
        ("boligselskab", "A", 11, 102, 2, 3),  # 1 + 10, 2 + 100; A3 left out
        ("boligselskab", "B", 3, 20, 1, 1),
        ("samlet", SAMLET, 14, 122, 3, 4),  # 1 + 10 + 3, 2 + 100 + 20
    ],
)
def test_by_level_sums_over_the_afdelinger_with_data(
    niveau, enhed, taeller, naevner, med_data, i_alt
):
    row = at(share_levels(SHARE_SCENARIO), niveau, enhed)
    assert same(row["taeller"], taeller)
    assert same(row["naevner"], naevner)
    assert row["afdelinger_med_data"] == med_data
    assert row["afdelinger_i_alt"] == i_alt


def test_by_level_has_one_row_per_afdeling_then_boligselskab_then_samlet():
    result = share_levels(SHARE_SCENARIO)
    assert list(zip(result["niveau"], result["enhed"], strict=True)) == [
        ("afdeling", "A1"),
        ("afdeling", "A2"),
        ("afdeling", "A3"),
        ("afdeling", "B1"),
        ("boligselskab", "A"),
        ("boligselskab", "B"),
        ("samlet", SAMLET),
    ]
    assert list(result["boligselskab"].iloc[:6]) == ["A", "A", "A", "B", "A", "B"]
    assert result["boligselskab"].iloc[6] is pd.NA or pd.isna(result["boligselskab"].iloc[6])


def test_a_unit_without_data_is_missing_never_zero():
    # Only A1 has data: boligselskab B (only B1) has nothing to sum.
    result = share_levels({"A1": (1, 2)})
    b = at(result, "boligselskab", "B")
    assert same(b["taeller"], NA)
    assert same(b["naevner"], NA)
    assert b["afdelinger_med_data"] == 0
    assert same(value(result["taeller"], result["naevner"], "procent")[b.name], NA)


def test_no_data_at_all_leaves_every_row_missing():
    result = by_level(counts(None, "fraflytninger", "lejemaal"), AFDELINGER, SAMLET, share=True)
    assert len(result) == 4 + 2 + 1
    assert result["taeller"].isna().all()
    assert result["naevner"].isna().all()
    assert (result["afdelinger_med_data"] == 0).all()
    assert list(result["afdelinger_i_alt"]) == [1, 1, 1, 1, 3, 1, 4]


@pytest.mark.parametrize(
    ("rows", "enhed", "taeller", "naevner", "med_data"),
    [
        # A2 has move-outs but no lejemaal: it cannot give a share and is left out.
        ({"A1": (1, 2), "A2": (5, None)}, "A", 1, 2, 1),
        # A2 has lejemaal but no move-outs: also left out (an empty cell is not 0).
        ({"A1": (1, 2), "A2": (None, 100)}, "A", 1, 2, 1),
        # A delivered 0 is data: (0 + 1) / (50 + 2) = 1/52.
        ({"A1": (1, 2), "A2": (0, 50)}, "A", 1, 52, 2),
    ],
)
def test_a_share_needs_both_taeller_and_naevner(rows, enhed, taeller, naevner, med_data):
    result = share_levels(rows)
    row = at(result, "boligselskab", enhed)
    assert same(row["taeller"], taeller)
    assert same(row["naevner"], naevner)
    assert row["afdelinger_med_data"] == med_data
    a2 = at(result, "afdeling", "A2")
    if med_data == 1:
        assert same(a2["taeller"], NA) and same(a2["naevner"], NA)
        assert a2["afdelinger_med_data"] == 0


def test_a_share_without_any_naevner_has_no_data():
    # Same afdeling A2 as in the first case above, but now no other afdeling has a lejemaal.
    # A2 (5 move-outs, lejemaal empty) must still be left out.
    result = share_levels({"A2": (5, None)})
    row = at(result, "samlet", SAMLET)
    assert row["afdelinger_med_data"] == 0
    assert same(row["taeller"], NA)


def test_data_for_an_afdeling_outside_the_plan_is_ignored():
    # Z9 is not an afdeling of the plan: samlet = 1/2 from A1 alone.
    row = at(share_levels({"A1": (1, 2), "Z9": (50, 60)}), "samlet", SAMLET)
    assert (row["taeller"], row["naevner"], row["afdelinger_med_data"]) == (1, 2, 1)


# A1 2, B1 0, A2 and A3 no data.
@pytest.mark.parametrize(
    ("niveau", "enhed", "taeller", "med_data"),
    [
        ("afdeling", "A1", 2, 1),
        ("afdeling", "A2", NA, 0),
        ("afdeling", "B1", 0, 1),  # a delivered 0 is a value
        ("boligselskab", "A", 2, 1),  # 2 (A2, A3 left out)
        ("boligselskab", "B", 0, 1),  # 0, not missing
        ("samlet", SAMLET, 2, 2),  # 2 + 0
    ],
)
def test_a_count_indicator_sums_counts_and_has_no_naevner(niveau, enhed, taeller, med_data):
    row = at(count_levels({"A1": 2, "B1": 0}), niveau, enhed)
    assert same(row["taeller"], taeller)
    assert same(row["naevner"], NA)
    assert row["afdelinger_med_data"] == med_data


def test_a_count_aggregate_without_data_is_missing_not_zero():
    row = at(count_levels({"A1": 2}), "boligselskab", "B")
    assert same(row["taeller"], NA)
    assert row["afdelinger_med_data"] == 0


# --- value ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taeller", "naevner", "enhed", "expected"),
    [
        (1, 2, "procent", 50.0),  # 100 · 1/2
        (11, 102, "procent", 1100 / 102),  # 100 · 11/102 = 10.78 %
        (59, 312, "procent", 5900 / 312),  # 18.91 %
        (10, 10, "procent", 100.0),  # all: 100, not 1
        (0, 10, "procent", 0.0),  # none moved: a value
        (3, 0, "procent", NA),  # no dwellings: no share
        (0, 0, "procent", NA),
        (3, NA, "procent", NA),  # naevner missing
        (NA, 10, "procent", NA),  # taeller missing
        (3, NA, "antal", 3.0),  # a count is the count itself
        (0, NA, "antal", 0.0),
        (7, 20, "antal", 7.0),  # a naevner does not turn a count into a share
        (NA, NA, "antal", NA),
    ],
)
def test_value_is_a_percentage_for_shares_and_the_count_for_counts(
    taeller, naevner, enhed, expected
):
    result = value(
        pd.Series([taeller], dtype="Float64"), pd.Series([naevner], dtype="Float64"), enhed
    )
    assert result.dtype == "Float64"
    assert same(result.iloc[0], expected)


# --- baselines --------------------------------------------------------------------------------

# Baselines per afdeling, as the agreement gives them (percent, no counts): A1 20 %, A2 10 %,
# B1 30 %; A3 has none.
BASELINE = pd.DataFrame({"baseline": {"A1": 20.0, "A2": 10.0, "B1": 30.0}})


def baselines_for(rows: dict[str, tuple]) -> pd.DataFrame:
    levels = share_levels(rows)
    return levels.join(baselines(levels, BASELINE, AFDELINGER, "procent"))


@pytest.mark.parametrize(
    ("rows", "niveau", "enhed", "expected"),
    [
        # Data: A1 10/100, A2 30/300.
        # An afdeling has its own baseline, with or without data this year.
        ({"A1": (10, 100), "A2": (30, 300)}, "afdeling", "A1", 20.0),
        ({"A1": (10, 100), "A2": (30, 300)}, "afdeling", "B1", 30.0),
        ({"A1": (10, 100), "A2": (30, 300)}, "afdeling", "A3", NA),
        # A: (20·100 + 10·300) / (100 + 300) = 5000/400 = 12.5, not (20 + 10)/2 = 15.
        ({"A1": (10, 100), "A2": (30, 300)}, "boligselskab", "A", 12.5),
        # B: B1 has no data this year, nothing to weigh.
        ({"A1": (10, 100), "A2": (30, 300)}, "boligselskab", "B", NA),
        # Samlet: only A1 and A2 contribute: 12.5.
        ({"A1": (10, 100), "A2": (30, 300)}, "samlet", SAMLET, 12.5),
        # Add B1 10/100: samlet (20·100 + 10·300 + 30·100) / 500 = 8000/500 = 16.
        ({"A1": (10, 100), "A2": (30, 300), "B1": (10, 100)}, "samlet", SAMLET, 16.0),
        ({"A1": (10, 100), "A2": (30, 300), "B1": (10, 100)}, "boligselskab", "B", 30.0),
        # Same data, other weights: A1 10/300, A2 30/100 -> (20·300 + 10·100)/400 = 17.5.
        ({"A1": (10, 300), "A2": (30, 100)}, "boligselskab", "A", 17.5),
        # A3 (no baseline) contributes a value: A and samlet have no baseline; B is fine.
        ({"A1": (10, 100), "A3": (5, 50), "B1": (1, 10)}, "boligselskab", "A", NA),
        ({"A1": (10, 100), "A3": (5, 50), "B1": (1, 10)}, "samlet", SAMLET, NA),
        ({"A1": (10, 100), "A3": (5, 50), "B1": (1, 10)}, "boligselskab", "B", 30.0),
        # A3 without data does not matter: A = A1's 20.
        ({"A1": (10, 100)}, "boligselskab", "A", 20.0),
        # No data at all: no aggregate baseline.
        ({}, "samlet", SAMLET, NA),
    ],
)
def test_baseline_of_an_aggregate_is_weighted_by_this_years_naevner(rows, niveau, enhed, expected):
    result = baselines_for(rows)
    assert result["baseline"].dtype == "Float64"
    assert same(at(result, niveau, enhed)["baseline"], expected)


def test_an_afdelings_baseline_does_not_depend_on_data_for_count_indicators():
    levels = count_levels({"A1": 2})
    own = pd.DataFrame({"baseline": {"A1": 4.0, "B1": 1.0}})
    result = levels.join(baselines(levels, own, AFDELINGER, "antal"))
    assert same(at(result, "afdeling", "A1")["baseline"], 4.0)
    assert same(at(result, "afdeling", "B1")["baseline"], 1.0)
    assert same(at(result, "afdeling", "A2")["baseline"], NA)
    # An aggregate of counts sums the baselines of its afdelinger with data: A = A1's 4.
    assert same(at(result, "boligselskab", "A")["baseline"], 4.0)


# The baseline year's counts per afdeling (udsættelser 2024): A1 4 in 100 units, A2 6 in 200,
# A3 10 with units unknown, B1 3 in 50; every afdeling has a baseline.
COUNTS_2024 = pd.DataFrame(
    {
        "baseline": {"A1": 4.0, "A2": 6.0, "A3": 10.0, "B1": 3.0},
        "baseline_taeller": {"A1": 4.0, "A2": 6.0, "A3": 10.0, "B1": 3.0},
        "baseline_naevner": {"A1": 100.0, "A2": 200.0, "A3": None, "B1": 50.0},
    }
)


@pytest.mark.parametrize(
    ("this_year", "niveau", "enhed", "expected"),
    [
        # (baseline, baseline_taeller, baseline_naevner, baseline_afdelinger)
        # This year only A1 and B1 have data: samlet's baseline is A1 + B1 of 2024 = 7 in
        # 150 units, not all four afdelinger's 23: the same afdelinger on both sides.
        ({"A1": 1, "B1": 2}, "samlet", SAMLET, (7, 7, 150, 2)),
        ({"A1": 1, "B1": 2}, "boligselskab", "A", (4, 4, 100, 1)),
        ({"A1": 1, "B1": 2}, "boligselskab", "B", (3, 3, 50, 1)),
        # A1 and A2: 10 in 300 units.
        ({"A1": 1, "A2": 0}, "boligselskab", "A", (10, 10, 300, 2)),
        # With A3 (units unknown in 2024) the counts still sum, the units do not: 20, units NA.
        ({"A1": 1, "A2": 0, "A3": 5}, "boligselskab", "A", (20, 20, NA, 3)),
        ({"A1": 1, "A2": 0, "A3": 5}, "samlet", SAMLET, (20, 20, NA, 3)),
        # No data this year: nothing to compare, no baseline.
        ({"A1": 1}, "boligselskab", "B", (NA, NA, NA, 0)),
    ],
)
def test_an_aggregates_count_baseline_sums_the_same_afdelinger_as_its_value(
    this_year, niveau, enhed, expected
):
    levels = count_levels(this_year)
    row = at(levels.join(baselines(levels, COUNTS_2024, AFDELINGER, "antal")), niveau, enhed)
    actual = (row["baseline"], row["baseline_taeller"], row["baseline_naevner"],
              row["baseline_afdelinger"])  # fmt: skip
    assert all(same(a, e) for a, e in zip(actual, expected, strict=True)), actual


def test_an_aggregate_without_a_baseline_for_every_afdeling_with_data_has_none():
    # B1 has no 2024 count: this year's A1 + B1 cannot be compared with A1 alone. The
    # coverage column says how many of the 2 afdelinger with data have a baseline: 1.
    own = COUNTS_2024.drop(index="B1")
    levels = count_levels({"A1": 1, "B1": 2})
    row = at(levels.join(baselines(levels, own, AFDELINGER, "antal")), "samlet", SAMLET)
    assert same(row["baseline"], NA) and same(row["baseline_taeller"], NA)
    assert (row["afdelinger_med_data"], row["baseline_afdelinger"]) == (2, 1)


@pytest.mark.parametrize(
    ("rows", "niveau", "enhed", "afdelinger"),
    [
        ({"A1": (10, 100), "A2": (30, 300)}, "boligselskab", "A", 2),
        ({"A1": (10, 100), "A2": (30, 300)}, "samlet", SAMLET, 2),
        ({"A1": (10, 100), "A3": (5, 50), "B1": (1, 10)}, "boligselskab", "A", 1),  # A3: none
        ({"A1": (10, 100), "A3": (5, 50), "B1": (1, 10)}, "samlet", SAMLET, 2),
        ({}, "samlet", SAMLET, 0),
        ({"A1": (10, 100)}, "afdeling", "A1", 1),
        ({"A1": (10, 100)}, "afdeling", "A3", 0),
        ({"A1": (10, 100)}, "afdeling", "B1", 1),  # its own baseline, without data this year
    ],
)
def test_the_baseline_coverage_counts_the_afdelinger_with_data_that_have_a_baseline(
    rows, niveau, enhed, afdelinger
):
    assert at(baselines_for(rows), niveau, enhed)["baseline_afdelinger"] == afdelinger


# --- status -----------------------------------------------------------------------------------


# Status respects noise (docs/metode.md): shares by a two-proportion z-test at 95 %
# (|z| ≥ 1.96), where a baseline without counts borrows this year's naevner; counts by the
# exact conditional test of two Poisson counts (p < 0.05), with units as exposure.
P, A = "procent", "antal"


@pytest.mark.parametrize(
    ("enhed", "retning", "taeller", "naevner", "baseline", "b_taeller", "b_naevner", "expected"),
    [
        # baseline 20 %, n = 100 both: p̄ = (p1 + 0.20)/2, se = sqrt(p̄(1 − p̄)·0.02)
        (P, "ned", 30, 100, 20.0, NA, NA, UAENDRET),  # z = 0.10/0.06124 = 1.633
        (P, "ned", 32, 100, 20.0, NA, NA, UAENDRET),  # z = 0.12/0.06203 = 1.935: just inside
        (P, "ned", 33, 100, 20.0, NA, NA, FORVAERRET),  # z = 0.13/0.06241 = 2.083: just out
        (P, "ned", 11, 100, 20.0, NA, NA, UAENDRET),  # z = −0.09/0.05118 = −1.759: inside
        (P, "ned", 10, 100, 20.0, NA, NA, FORBEDRET),  # z = −0.10/0.05050 = −1.980: outside
        (P, "op", 10, 100, 20.0, NA, NA, FORVAERRET),  # the same change, the other direction
        # satisfaction: baseline 81 %, n = 200: se = sqrt(p̄(1 − p̄)·0.01)
        (P, "op", 176, 200, 81.0, NA, NA, UAENDRET),  # z = 0.070/0.03619 = 1.934
        (P, "op", 177, 200, 81.0, NA, NA, FORBEDRET),  # z = 0.075/0.03595 = 2.086
        # a baseline with its own counts (n0 = 400): p̄ = 110/500 = 0.22,
        # se = sqrt(0.22·0.78·(1/100 + 1/400)) = 0.04631, z = 0.10/0.04631 = 2.159
        (P, "ned", 30, 100, 20.0, 80, 400, FORVAERRET),
        (P, "ned", 20, 100, 20.0, NA, NA, UAENDRET),  # no change at all
        (P, "ned", 0, 50, 0.0, NA, NA, UAENDRET),  # 0 % against 0 %: nothing to test
        # counts, equal exposure: given k1 + k0 = n, k1 ~ Bin(n, 1/2)
        (A, "ned", 0, NA, 5, 5, NA, UAENDRET),  # n = 5: p = 2/32 = 0.0625
        (A, "ned", 0, NA, 6, 6, NA, FORBEDRET),  # n = 6: p = 2/64 = 0.031
        (A, "ned", 6, NA, 0, 0, NA, FORVAERRET),
        (A, "ned", 0, NA, 0, 0, NA, UAENDRET),  # 0 against 0
        # counts with units as exposure: 0 of 100 units against 6 of 300 units:
        # k1 ~ Bin(6, 100/400): P(0) = 0.75^6 = 0.178, p = 0.347
        (A, "ned", 0, 100, 6, 6, 300, UAENDRET),
        # 0 dwellings are no exposure: the counts are compared as they are (n = 6, as above)
        (A, "ned", 0, 0, 6, 6, 300, FORBEDRET),
        (A, "ned", 0, 0, 0, 0, 0, UAENDRET),
        # missing value or baseline
        (P, "ned", NA, NA, 21.5, NA, NA, INGEN_DATA),
        (P, "ned", 5, NA, 21.5, NA, NA, INGEN_DATA),  # a share needs its naevner
        (P, "ned", 0, 0, 21.5, NA, NA, INGEN_DATA),  # a share of nothing
        (P, "op", float("nan"), 10, 21.5, NA, NA, INGEN_DATA),
        (P, "ned", NA, NA, NA, NA, NA, INGEN_DATA),  # no data wins over no baseline
        (P, "ned", 5, 50, NA, NA, NA, INGEN_BASELINE),
        (A, "ned", 2, NA, pd.NA, NA, NA, INGEN_BASELINE),
        # no direction in the agreement (retning "ingen"): a clear change is only a change
        (P, "ingen", 10, 100, 20.0, NA, NA, FALDET),  # z = −1.980, as above
        (P, "ingen", 30, 100, 20.0, 80, 400, STEGET),  # z = 2.159
        (P, "ingen", 11, 100, 20.0, NA, NA, UAENDRET),  # z = −0.09/0.0505 = −1.78
        (A, "ingen", 0, NA, 6, 6, NA, FALDET),
        (A, "ingen", 6, NA, 0, 0, NA, STEGET),
        (A, "ingen", 0, NA, 5, 5, NA, UAENDRET),
    ],
)
def test_status(enhed, retning, taeller, naevner, baseline, b_taeller, b_naevner, expected):
    assert status(enhed, retning, taeller, naevner, baseline, b_taeller, b_naevner) == expected


# --- indicator_table --------------------------------------------------------------------------

BV, SJ = "BoligViborg", "Boligselskabet Sct. Jørgen"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """A year with fraflytninger, udsaettelser and tilfredshed; foranstaltninger missing."""
    return {
        "fraflytninger": pd.DataFrame(
            {
                "afdeling": ["Ringparken", "Solgården", "Ellekonebakken"],
                "lejemaal": pd.array([100, 200, 150], dtype="Int64"),
                "fraflytninger": pd.array([20, 41, 30], dtype="Int64"),
            }
        ),
        "udsaettelser": pd.DataFrame(
            {
                "afdeling": ["Ringparken", "Kølvrå afd. 8", "Karup"],
                "effektive_udsaettelser": pd.array([0, 3, 1], dtype="Int64"),
            }
        ),
        "tilfredshed": pd.DataFrame(
            {
                "afdeling": ["Houlkærvænget", "Ellekonebakken"],
                "besvarelser": pd.array([200, 200], dtype="Int64"),
                "tilfredse": pd.array([180, 170], dtype="Int64"),
            }
        ),
    }


@pytest.fixture(scope="module")
def table(tables, agreement) -> pd.DataFrame:
    return indicator_table(2025, tables, agreement)


INDICATORS = ["fraflytning", "udsaettelser", "tilfredshed", "foranstaltning"]
REQUIRED = [
    "aar",
    "niveau",
    "enhed",
    "indikator",
    "taeller",
    "naevner",
    "vaerdi",
    "baseline_aar",
    "baseline",
    "status",
]


def test_indicator_table_has_the_required_columns(table):
    assert set(REQUIRED) <= set(table.columns)
    assert list(table.columns) == COLUMNS


def test_indicator_table_has_one_row_per_unit_and_indicator(table, agreement):
    # 16 afdelinger + 2 boligselskaber + 1 samlet = 19 rows, times 4 indicators = 76.
    assert len(table) == 19 * 4
    assert not table.duplicated(["niveau", "enhed", "indikator"]).any()
    assert sorted(table["indikator"].unique()) == sorted(INDICATORS)
    assert set(table["niveau"]) == {"afdeling", "boligselskab", "samlet"}
    assert (table["aar"] == 2025).all()
    for indikator in INDICATORS:
        part = table[table["indikator"] == indikator]
        assert len(part) == 19
        assert list(part.loc[part["niveau"] == "afdeling", "enhed"]) == agreement.afdeling_names
        assert list(part.loc[part["niveau"] == "boligselskab", "enhed"]) == [BV, SJ]
        assert list(part.loc[part["niveau"] == "samlet", "enhed"]) == ["Helhedsplanen"]


@pytest.mark.parametrize(
    ("indikator", "baseline_aar"),
    [("fraflytning", 2023), ("udsaettelser", 2024), ("tilfredshed", 2023), ("foranstaltning", NA)],
)
def test_indicator_table_carries_the_baseline_year(table, indikator, baseline_aar):
    years = table.loc[table["indikator"] == indikator, "baseline_aar"]
    assert all(same(y, baseline_aar) for y in years)


@pytest.mark.parametrize(
    ("indikator", "niveau", "enhed", "taeller", "naevner", "vaerdi", "baseline", "expected"),
    [
        # fraflytning ("ned"), baselines 2023: Ringparken 21.5, Solgården 20.5, Ellekonebakken 17.1
        # Every change below is within the noise (|z| < 1.96, see test_status).
        ("fraflytning", "afdeling", "Ringparken", 20, 100, 20.0, 21.5, UAENDRET),  # z = −0.26
        ("fraflytning", "afdeling", "Solgården", 41, 200, 20.5, 20.5, UAENDRET),  # 41/200
        ("fraflytning", "afdeling", "Ellekonebakken", 30, 150, 20.0, 17.1, UAENDRET),  # z = 0.65
        ("fraflytning", "afdeling", "Kølvrå afd. 8", NA, NA, NA, 9.3, INGEN_DATA),
        # BV: (20 + 41)/(100 + 200) = 61/300 = 20.33 %;
        # baseline (21.5·100 + 20.5·200)/300 = 6250/300 = 20.83
        ("fraflytning", "boligselskab", BV, 61, 300, 6100 / 300, 6250 / 300, UAENDRET),
        # SJ: 30/150 = 20 % against Ellekonebakken's 17.1
        ("fraflytning", "boligselskab", SJ, 30, 150, 20.0, 17.1, UAENDRET),
        # Samlet: 91/450 = 20.22 %; baseline (2150 + 4100 + 17.1·150)/450 = 8815/450 = 19.59
        ("fraflytning", "samlet", "Helhedsplanen", 91, 450, 9100 / 450, 8815 / 450, UAENDRET),
        # udsaettelser (antal): counts summed; naevner = the afdeling's units from
        # fraflytninger (Ringparken 100; Kølvrå and Karup have none); no baseline year data
        ("udsaettelser", "afdeling", "Ringparken", 0, 100, 0.0, NA, INGEN_BASELINE),
        ("udsaettelser", "afdeling", "Kølvrå afd. 8", 3, NA, 3.0, NA, INGEN_BASELINE),
        ("udsaettelser", "afdeling", "Vestervang", NA, NA, NA, NA, INGEN_DATA),
        # BV: 0 + 3; units not known for Kølvrå, so no naevner for the sum
        ("udsaettelser", "boligselskab", BV, 3, NA, 3.0, NA, INGEN_BASELINE),
        ("udsaettelser", "boligselskab", SJ, 1, NA, 1.0, NA, INGEN_BASELINE),  # Karup 1
        ("udsaettelser", "samlet", "Helhedsplanen", 4, NA, 4.0, NA, INGEN_BASELINE),  # 0+3+1
        # tilfredshed ("op"), baselines 2023: Houlkærvænget 91, Ellekonebakken 81
        ("tilfredshed", "afdeling", "Houlkærvænget", 180, 200, 90.0, 91.0, UAENDRET),
        ("tilfredshed", "afdeling", "Ellekonebakken", 170, 200, 85.0, 81.0, UAENDRET),
        ("tilfredshed", "afdeling", "Ringparken", NA, NA, NA, NA, INGEN_DATA),
        # BV: only Houlkærvænget contributes: 180/200 = 90 % against 91
        ("tilfredshed", "boligselskab", BV, 180, 200, 90.0, 91.0, UAENDRET),
        ("tilfredshed", "boligselskab", SJ, 170, 200, 85.0, 81.0, UAENDRET),
        # Samlet: 350/400 = 87.5 %; baseline (91·200 + 81·200)/400 = 86
        ("tilfredshed", "samlet", "Helhedsplanen", 350, 400, 87.5, 86.0, UAENDRET),
        # foranstaltning: no table this year -> ingen data, missing, not 0
        ("foranstaltning", "afdeling", "Ringparken", NA, NA, NA, NA, INGEN_DATA),
        ("foranstaltning", "boligselskab", BV, NA, NA, NA, NA, INGEN_DATA),
        ("foranstaltning", "samlet", "Helhedsplanen", NA, NA, NA, NA, INGEN_DATA),
    ],
)
def test_indicator_table_rows(
    table, indikator, niveau, enhed, taeller, naevner, vaerdi, baseline, expected
):
    row = at(table, niveau, enhed, indikator=indikator)
    assert same(row["taeller"], taeller)
    assert same(row["naevner"], naevner)
    assert same(row["vaerdi"], vaerdi)
    assert same(row["baseline"], baseline)
    assert row["status"] == expected


def test_indicator_table_counts_the_afdelinger_behind_each_aggregate(table):
    fraflytning = table[table["indikator"] == "fraflytning"]
    assert at(fraflytning, "boligselskab", BV)[
        ["afdelinger_med_data", "afdelinger_i_alt"]
    ].tolist() == [2, 11]
    assert at(fraflytning, "boligselskab", SJ)[
        ["afdelinger_med_data", "afdelinger_i_alt"]
    ].tolist() == [1, 5]
    assert at(fraflytning, "samlet", "Helhedsplanen")[
        ["afdelinger_med_data", "afdelinger_i_alt"]
    ].tolist() == [3, 16]


def test_a_missing_table_gives_ingen_data_rows_with_missing_values(table):
    missing = table[table["indikator"] == "foranstaltning"]
    assert len(missing) == 19
    for column in ("taeller", "naevner", "vaerdi"):
        assert missing[column].isna().all(), column
    assert (missing["status"] == INGEN_DATA).all()
    assert (missing["afdelinger_med_data"] == 0).all()


def test_a_year_without_any_table_is_all_missing_never_zero(agreement):
    empty = indicator_table(2025, {}, agreement)
    assert len(empty) == 19 * 4
    for column in ("taeller", "naevner", "vaerdi"):
        assert empty[column].isna().all(), column
        assert not (empty[column] == 0).any(), column
    assert (empty["status"] == INGEN_DATA).all()


def test_every_status_is_one_of_the_five(table):
    assert set(table["status"]) <= set(STATUSES)


# --- activity_table ---------------------------------------------------------------------------

HVR, CIV, BOG = (
    "Hverdagsrådgivning",
    "Civilsamfund som samarbejdspartner",
    "Bo Godt – koordineret samarbejde",
)


@pytest.fixture(scope="module")
def aktiviteter() -> pd.DataFrame:
    """Hours and participants as read from aktiviteter.csv; an empty afdeling = shared hours."""
    return pd.DataFrame(
        {
            "aktivitet": [HVR, HVR, HVR, BOG, HVR],
            "afdeling": pd.Series(
                ["Ringparken", "Solgården", "Karup", "Ringparken", None], dtype="str"
            ),
            "timer": pd.array([10.0, 5.5, 4.0, 20.0, 3.0], dtype="Float64"),
            "deltagere": pd.array([4, 2, 1, 7, 5], dtype="Int64"),
        }
    )


@pytest.fixture(scope="module")
def activities(aktiviteter, agreement) -> pd.DataFrame:
    return activity_table(2025, aktiviteter, agreement, WEEKS_52)


@pytest.mark.parametrize(
    ("niveau", "enhed", "aktivitet", "timer", "deltagere", "plan"),
    [
        ("afdeling", "Ringparken", HVR, 10.0, 4, NA),
        ("afdeling", "Ringparken", BOG, 20.0, 7, NA),
        ("afdeling", "Solgården", HVR, 5.5, 2, NA),
        ("afdeling", "Karup", HVR, 4.0, 1, NA),
        # BoligViborg: Ringparken + Solgården = 10 + 5.5 = 15.5 h, 4 + 2 = 6 deltagere
        ("boligselskab", BV, HVR, 15.5, 6, NA),
        ("boligselskab", BV, BOG, 20.0, 7, NA),
        # Sct. Jørgen: Karup 4 h, 1 deltager
        ("boligselskab", SJ, HVR, 4.0, 1, NA),
        # Total: 10 + 5.5 + 4 + 3 shared = 22.5 h, 4 + 2 + 1 + 5 = 12; plan 17 t/uge · 52 = 884
        ("samlet", "Helhedsplanen", HVR, 22.5, 12, 884.0),
        # No hours registered: still a row with the plan 7 · 52 = 364; hours missing, not 0
        ("samlet", "Helhedsplanen", CIV, NA, NA, 364.0),
        # Bo Godt: 20 h; plan 25 · 52 = 1300
        ("samlet", "Helhedsplanen", BOG, 20.0, 7, 1300.0),
    ],
)
def test_activity_table_rows(activities, niveau, enhed, aktivitet, timer, deltagere, plan):
    row = at(activities, niveau, enhed, aktivitet=aktivitet)
    assert same(row["timer"], timer)
    assert same(row["deltagere"], deltagere)
    assert same(row["planlagte_timer"], plan)
    assert row["aar"] == 2025


def test_activity_table_has_no_row_without_hours_below_the_total(activities):
    # Sct. Jørgen registered no Bo Godt hours; Vestervang none at all.
    sj = activities[(activities["niveau"] == "boligselskab") & (activities["enhed"] == SJ)]
    assert list(sj["aktivitet"]) == [HVR]
    assert "Vestervang" not in set(activities["enhed"])


def test_shared_hours_count_in_the_total_and_in_no_boligselskab(activities):
    hvr = activities[activities["aktivitet"] == HVR]
    in_boligselskaber = hvr.loc[hvr["niveau"] == "boligselskab", "timer"].sum()  # 15.5 + 4
    total = at(hvr, "samlet", "Helhedsplanen")["timer"]  # 22.5
    assert in_boligselskaber == pytest.approx(19.5)
    assert total - in_boligselskaber == pytest.approx(3.0)  # the shared hours


def test_shared_hours_are_in_no_afdeling_and_no_boligselskab(activities, agreement):
    # The 3 shared hours (empty afdeling) belong to the whole plan only.
    units = set(activities.loc[activities["niveau"] != "samlet", "enhed"])
    assert units <= set(agreement.afdeling_names) | set(agreement.boligselskaber)


@pytest.mark.parametrize(
    ("niveau", "enhed"),
    [("afdeling", "Karup"), ("boligselskab", SJ), ("samlet", "Helhedsplanen")],
)
def test_activity_rows_without_numbers_are_missing_not_zero(agreement, niveau, enhed):
    # Rows of a template not filled in: Karup's Bo Godt row has no hours and no participants;
    # its Hverdagsrådgivning row has 2 hours and no participants.
    aktiviteter = pd.DataFrame(
        {
            "aktivitet": [BOG, HVR],
            "afdeling": pd.Series(["Karup", "Karup"], dtype="str"),
            "timer": pd.array([None, 2.0], dtype="Float64"),
            "deltagere": pd.array([None, None], dtype="Int64"),
        }
    )
    result = activity_table(2025, aktiviteter, agreement, WEEKS_52)
    bo_godt = at(result, niveau, enhed, aktivitet=BOG)
    assert same(bo_godt["timer"], NA) and same(bo_godt["deltagere"], NA)
    hverdag = at(result, niveau, enhed, aktivitet=HVR)
    assert same(hverdag["timer"], 2.0) and same(hverdag["deltagere"], NA)


@pytest.mark.parametrize(
    ("period", "plans"),
    [
        (WEEKS_52, [17 * 52, 7 * 52, 25 * 52]),  # 884, 364, 1300
        ((date(2026, 1, 1), date(2026, 1, 7)), [17, 7, 25]),
        # 01.08.2025–31.07.2026 = 365 days = 365/7 weeks: 17 · 365/7 = 886.43 h
        ((date(2025, 8, 1), date(2026, 7, 31)), [17 * 365 / 7, 7 * 365 / 7, 25 * 365 / 7]),
        # 2025 inside the agreement: 01.08.2025–31.12.2025 = 153 days: 25 · 153/7 = 546.43 h
        ((date(2025, 1, 1), date(2025, 12, 31)), [17 * 153 / 7, 7 * 153 / 7, 25 * 153 / 7]),
    ],
)
def test_plan_is_hours_per_week_from_the_agreement_times_the_weeks_of_the_year_inside_it(
    aktiviteter, agreement, period, plans
):
    assert [a.timer_pr_uge for a in agreement.activities] == [17, 7, 25]
    result = activity_table(2025, aktiviteter, agreement, period)
    total = result[result["niveau"] == "samlet"]
    # one total row per activity, in the agreement's order
    assert list(total["aktivitet"]) == [HVR, CIV, BOG]
    assert list(total["planlagte_timer"]) == pytest.approx(plans)
    # without the units of every afdeling, no unit's share of the plan is known
    assert result.loc[result["niveau"] != "samlet", "planlagte_timer"].isna().all()


def test_activity_table_orders_levels_afdeling_boligselskab_samlet(activities):
    niveauer = list(activities["niveau"])
    assert niveauer == sorted(niveauer, key=["afdeling", "boligselskab", "samlet"].index)


@pytest.mark.parametrize("aktiviteter_input", [None, "empty"])
def test_activity_table_without_data_is_empty(agreement, aktiviteter_input):
    frame = None
    if aktiviteter_input == "empty":
        frame = pd.DataFrame(columns=["aktivitet", "afdeling", "timer", "deltagere"])
    result = activity_table(2025, frame, agreement, WEEKS_52)
    assert result.empty
    assert list(result.columns) == [
        "aar",
        "delaftale",
        "niveau",
        "enhed",
        "aktivitet",
        "timer",
        "deltagere",
        "planlagte_timer",
        "andel_lejemaal",
    ]


def test_the_plan_follows_each_units_share_of_the_dwelling_units(aktiviteter, agreement):
    # The plan's rule: resources follow each area's share of the helhedsplan. With 100 units
    # in every one of the 16 afdelinger, Ringparken's share is 100/1600 = 6.25 %, so its plan
    # for Hverdagsrådgivning is 17 t/uge · 52 · 0.0625 = 55.25 h; BoligViborg has 11 of 16
    # afdelinger: 884 · 11/16 = 607.75 h.
    units = pd.DataFrame(
        {
            "afdeling": agreement.afdeling_names,
            "lejemaal": pd.array([100] * 16, dtype="Int64"),
            "fraflytninger": pd.array([0] * 16, dtype="Int64"),
        }
    )
    result = activity_table(2025, aktiviteter, agreement, WEEKS_52, units)
    ringparken = at(result, "afdeling", "Ringparken", aktivitet=HVR)
    assert ringparken["andel_lejemaal"] == pytest.approx(6.25)
    assert ringparken["planlagte_timer"] == pytest.approx(55.25)
    assert at(result, "boligselskab", BV, aktivitet=HVR)["planlagte_timer"] == pytest.approx(607.75)
    assert at(result, "samlet", "Helhedsplanen", aktivitet=HVR)["planlagte_timer"] == 884


# --- issue 3: what the numbers can carry -------------------------------------------------------


def test_every_share_has_a_wilson_interval_and_counts_have_none(table):
    ringparken = at(table, "afdeling", "Ringparken", indikator="fraflytning")  # 20/100
    assert (ringparken["ki_nedre"], ringparken["ki_oevre"]) == pytest.approx(
        (13.34, 28.88), abs=0.01
    )
    evictions = at(table, "afdeling", "Ringparken", indikator="udsaettelser")
    assert same(evictions["ki_nedre"], NA) and same(evictions["ki_oevre"], NA)
    assert same(at(table, "afdeling", "Karup", indikator="fraflytning")["ki_nedre"], NA)


def test_evictions_are_also_given_per_1000_units(table):
    # Ringparken: 0 evictions in 100 units -> 0 per 1,000; Kølvrå: units unknown -> missing
    assert at(table, "afdeling", "Ringparken", indikator="udsaettelser")["pr_1000"] == 0
    assert same(at(table, "afdeling", "Kølvrå afd. 8", indikator="udsaettelser")["pr_1000"], NA)


def test_small_denominators_are_marked(agreement):
    tables = {"fraflytninger": pd.DataFrame({
        "afdeling": ["Lindon", "Elmely"],
        "lejemaal": pd.array([19, 20], dtype="Int64"),
        "fraflytninger": pd.array([3, 7], dtype="Int64"),
    })}  # fmt: skip
    result = indicator_table(2025, tables, agreement, small=20)
    rows = result[result["indikator"] == "fraflytning"]
    assert bool(at(rows, "afdeling", "Lindon")["lille_naevner"]) is True  # 19 < 20
    assert bool(at(rows, "afdeling", "Elmely")["lille_naevner"]) is False
    assert bool(at(rows, "afdeling", "Karup")["lille_naevner"]) is False  # no data: no caution


def test_the_eviction_baseline_is_the_2024_data_from_2025_on(agreement):
    # The agreement sets the eviction baseline "at the end of 2024": the 2024 counts.
    def year(counts: dict[str, int]) -> dict[str, pd.DataFrame]:
        return {"udsaettelser": pd.DataFrame({
            "afdeling": list(counts),
            "effektive_udsaettelser": pd.array(list(counts.values()), dtype="Int64"),
        })}  # fmt: skip

    y2024 = year({"Ringparken": 6, "Karup": 1})
    y2025 = year({"Ringparken": 0, "Karup": 1})
    later = indicator_table(2025, y2025, agreement, {2024: y2024})
    evictions = later[later["indikator"] == "udsaettelser"]
    ringparken = at(evictions, "afdeling", "Ringparken")
    assert (ringparken["baseline"], ringparken["baseline_kilde"]) == (6, "data 2024")
    assert ringparken["status"] == FORBEDRET  # 0 against 6: p = 2/64 (test_status)
    samlet = at(evictions, "samlet", "Helhedsplanen")
    assert (samlet["taeller"], samlet["baseline"]) == (1, 7)  # 0 + 1 against 6 + 1
    same_year = indicator_table(2024, y2024, agreement, {2024: y2024})
    # 2024 is the baseline year: its figures are the baseline, not compared with themselves.
    for niveau, enhed in [("afdeling", "Ringparken"), ("samlet", "Helhedsplanen")]:
        row = at(same_year, niveau, enhed, indikator="udsaettelser")
        assert row["status"] == BASELINEAAR and same(row["baseline"], NA)
    assert at(same_year, "afdeling", "Vestervang", indikator="udsaettelser")["status"] == (
        INGEN_DATA
    )
    unknown = indicator_table(2025, y2025, agreement, {})
    assert (
        at(unknown, "afdeling", "Ringparken", indikator="udsaettelser")["status"] == INGEN_BASELINE
    )


@pytest.mark.parametrize(
    ("columns", "opdeling"),
    [
        ({}, "ikke oplyst"),
        ({"serviceloven": [3, 2]}, "serviceloven"),
        ({"serviceloven": [3, 2], "barnets_lov": [1, 0]}, "serviceloven og barnets lov"),
        # only the Barnets lov part given: the rest of the total is serviceloven
        ({"barnets_lov": [1, 0]}, "serviceloven og barnets lov"),
    ],
)
def test_measures_say_which_laws_they_count(agreement, columns, opdeling):
    table = pd.DataFrame({
        "afdeling": ["Ringparken", "Karup"],
        "beboere": pd.array([300, 50], dtype="Int64"),
        "med_foranstaltning": pd.array([4, 2], dtype="Int64"),
        **{k: pd.array(v, dtype="Int64") for k, v in columns.items()},
    })  # fmt: skip
    result = indicator_table(2025, {"foranstaltninger": table}, agreement)
    assert set(result.loc[result["indikator"] == "foranstaltning", "opdeling"]) == {opdeling}
    assert set(result.loc[result["indikator"] != "foranstaltning", "opdeling"]) == {""}


def test_evictions_in_an_afdeling_of_0_dwellings_have_no_rate_per_1000(agreement):
    tables = {
        "udsaettelser": pd.DataFrame({"afdeling": ["Karup"], "effektive_udsaettelser": [0]}),
        "fraflytninger": pd.DataFrame(
            {"afdeling": ["Karup"], "lejemaal": [0], "fraflytninger": [0]}
        ),
    }
    result = indicator_table(2025, tables, agreement)
    karup = result[(result["enhed"] == "Karup") & (result["indikator"] == "udsaettelser")]
    assert karup["taeller"].tolist() == [0]
    assert karup["pr_1000"].isna().all()  # never inf


# --- issue 12: like for like, and the plan's period --------------------------------------------


def evictions(counts: dict[str, int]) -> dict[str, pd.DataFrame]:
    return {"udsaettelser": pd.DataFrame({
        "afdeling": list(counts),
        "effektive_udsaettelser": pd.array(list(counts.values()), dtype="Int64"),
    })}  # fmt: skip


def test_an_aggregate_is_compared_with_the_same_afdelinger_in_the_baseline_year(agreement):
    # 2024: every one of the 16 afdelinger has 6 evictions (96 in all). 2025: only the first 6
    # afdelinger have data, 6 each (36). The helhedsplan's baseline is those 6 afdelinger's
    # 2024 counts, 36 – not 96 – so the status is unchanged, not "forbedret".
    names = agreement.afdeling_names
    y2024 = evictions(dict.fromkeys(names, 6))
    y2025 = evictions(dict.fromkeys(names[:6], 6))
    table = indicator_table(2025, y2025, agreement, {2024: y2024})
    samlet = at(table, "samlet", "Helhedsplanen", indikator="udsaettelser")
    assert (samlet["taeller"], samlet["baseline"], samlet["baseline_taeller"]) == (36, 36, 36)
    assert samlet["status"] == UAENDRET
    assert (samlet["afdelinger_med_data"], samlet["baseline_afdelinger"],
            samlet["afdelinger_i_alt"]) == (6, 6, 16)  # fmt: skip
    # BoligViborg (11 afdelinger, the first 6 of them with data) likewise.
    bv = at(table, "boligselskab", BV, indikator="udsaettelser")
    assert (bv["taeller"], bv["baseline"], bv["baseline_afdelinger"]) == (36, 36, 6)
    # Sct. Jørgen has no data in 2025: no baseline either, and its coverage is 0.
    sj = at(table, "boligselskab", SJ, indikator="udsaettelser")
    assert same(sj["baseline"], NA) and sj["baseline_afdelinger"] == 0
    assert (
        list(members(table, agreement.afdelinger, "baseline")[[samlet.name]].iloc[0]) == (names[:6])
    )


def test_the_eviction_baseline_uses_the_same_afdelingers_units_as_exposure(agreement):
    # 2024: Ringparken 10 in 100 units, Karup 2 in 400 units. 2025: Ringparken alone, 10 in
    # 100 units. The helhedsplan's baseline is Ringparken's 10 in 100 units: 100 per 1,000
    # against 100 per 1,000, unchanged. Against both afdelinger (12 in 500: 24 per 1,000) it
    # would have looked like a clear rise.
    def units(rows):
        return pd.DataFrame(
            {
                "afdeling": list(rows),
                "lejemaal": pd.array(list(rows.values()), dtype="Int64"),
                "fraflytninger": pd.array([0] * len(rows), dtype="Int64"),
            }
        )

    y2024 = evictions({"Ringparken": 10, "Karup": 2}) | {
        "fraflytninger": units({"Ringparken": 100, "Karup": 400})
    }
    y2025 = evictions({"Ringparken": 10}) | {"fraflytninger": units({"Ringparken": 100})}
    table = indicator_table(2025, y2025, agreement, {2024: y2024})
    samlet = at(table, "samlet", "Helhedsplanen", indikator="udsaettelser")
    assert (samlet["baseline_taeller"], samlet["baseline_naevner"]) == (10, 100)
    assert samlet["status"] == UAENDRET
    assert compared("antal", 10, 100, 10, 10, 100) == (100.0, 100.0, "pr_1000")


def test_without_units_the_counts_of_the_same_afdelinger_are_compared(agreement):
    # No units in either year: 2025 Ringparken 0 against its own 2024 count 6 (not 6 + 5 of
    # Karup, which has no 2025 data).
    table = indicator_table(
        2025, evictions({"Ringparken": 0}), agreement,
        {2024: evictions({"Ringparken": 6, "Karup": 5})},
    )  # fmt: skip
    samlet = at(table, "samlet", "Helhedsplanen", indikator="udsaettelser")
    assert (samlet["baseline"], samlet["baseline_afdelinger"]) == (6, 1)
    assert same(samlet["baseline_naevner"], NA)
    assert compared("antal", 0, None, 6, 6, None) == (0.0, 6.0, "antal")
    assert samlet["status"] == FORBEDRET  # 0 against 6: p = 2/64


def test_members_name_the_afdelinger_behind_each_value_and_baseline(agreement):
    # 2025 data: Ringparken and Karup; 2024 (baseline): Ringparken only.
    table = indicator_table(
        2025, evictions({"Ringparken": 0, "Karup": 1}), agreement,
        {2024: evictions({"Ringparken": 6})},
    )  # fmt: skip
    ev = table[table["indikator"] == "udsaettelser"]
    data = members(ev, agreement.afdelinger, "data")
    base = members(ev, agreement.afdelinger, "baseline")
    samlet = at(ev, "samlet", "Helhedsplanen").name
    assert data[samlet] == ("Ringparken", "Karup")
    assert base[samlet] == ()  # Karup has no 2024 count: no like-for-like baseline
    assert data[at(ev, "boligselskab", BV).name] == ("Ringparken",)
    assert base[at(ev, "boligselskab", BV).name] == ("Ringparken",)
    assert base[at(ev, "afdeling", "Ringparken").name] == ("Ringparken",)
    assert base[at(ev, "afdeling", "Karup").name] == ()
    assert data[at(ev, "afdeling", "Vestervang").name] == ()


@pytest.mark.parametrize(
    ("year", "periode", "expected"),
    [
        # The agreement runs 01.08.2025–31.07.2029.
        (2025, None, (date(2025, 8, 1), date(2025, 12, 31))),  # 153 days, not 365
        (2026, None, (date(2026, 1, 1), date(2026, 12, 31))),
        (2029, None, (date(2029, 1, 1), date(2029, 7, 31))),
        (2024, None, None),  # wholly before: no plan
        (2030, None, None),  # wholly after
        # metadata.yaml's periode replaces the calendar year, still within the agreement
        (2025, (date(2025, 7, 1), date(2026, 6, 30)), (date(2025, 8, 1), date(2026, 6, 30))),
        (2026, (date(2026, 3, 1), date(2026, 5, 31)), (date(2026, 3, 1), date(2026, 5, 31))),
        (2024, (date(2024, 1, 1), date(2025, 7, 31)), None),
    ],
)
def test_the_plan_covers_the_years_period_inside_the_agreements(agreement, year, periode, expected):
    fra, til = periode or (date(year, 1, 1), date(year, 12, 31))
    assert plan_period(fra, til, agreement.delaftaler[0]) == expected


def test_the_plan_of_2025_counts_the_agreements_weeks_only(aktiviteter, agreement):
    total = activity_table(2025, aktiviteter, agreement, (date(2025, 1, 1), date(2025, 12, 31)))
    plan = at(total, "samlet", "Helhedsplanen", aktivitet=HVR)["planlagte_timer"]
    assert plan == pytest.approx(17 * 153 / 7)  # 371.57 h, not 17 · 52 = 884


def test_a_year_without_a_plan_has_no_planned_hours(aktiviteter, agreement):
    result = activity_table(2024, aktiviteter, agreement, (date(2024, 1, 1), date(2024, 12, 31)))
    assert len(result) and result["planlagte_timer"].isna().all()  # missing, never 0
