"""Spec: no small cell of a sensitive indicator can be read or recovered (evalkit.privacy)."""

import pandas as pd
import pytest

from evalkit.indicators import COLUMNS
from evalkit.privacy import (
    PRIMARY,
    SECONDARY,
    as_published_csv,
    hidden_cells,
    primary,
    publish,
    sums,
)

# A tiny plan: boligselskab A has A1, A2, A3; B has B1, B2.
AFDELINGER = pd.DataFrame(
    {"afdeling": ["A1", "A2", "A3", "B1", "B2"], "boligselskab": ["A", "A", "A", "B", "B"]}
)
SETTINGS = {"diskretion": 5, "foelsomme_indikatorer": ["udsaettelser"]}


def year(counts: dict[str, int | None]) -> pd.DataFrame:
    """Rows of one year and indicator: afdeling counts, with their sums as A, B and Alle."""
    rows = [("afdeling", a, counts[a]) for a in AFDELINGER["afdeling"]]
    for name, members in AFDELINGER.groupby("boligselskab")["afdeling"]:
        known = [counts[m] for m in members if counts[m] is not None]
        rows.append(("boligselskab", name, sum(known) if known else None))
    known = [c for c in counts.values() if c is not None]
    rows.append(("samlet", "Alle", sum(known) if known else None))
    return pd.DataFrame(
        {
            "niveau": [r[0] for r in rows],
            "enhed": [r[1] for r in rows],
            "taeller": pd.array([r[2] for r in rows], dtype="Float64"),
        }
    )


def hidden_names(counts: dict) -> set[str]:
    rows = year(counts)
    return set(rows.loc[hidden_cells(rows, AFDELINGER, 5), "enhed"])


def no_sum_has_a_single_hidden_cell(counts: dict) -> bool:
    rows = year(counts)
    hidden = hidden_cells(rows, AFDELINGER, 5)
    for total, parts in sums(rows, AFDELINGER):
        known = [c for c in [total, *parts] if not pd.isna(rows.loc[c, "taeller"])]
        if sum(hidden[c] for c in known) == 1:
            return False
    return True


@pytest.mark.parametrize(
    ("count", "hidden"),
    [(0, False), (1, True), (2, True), (4, True), (5, False), (12, False), (None, False)],
)
def test_primary_hides_counts_from_1_to_4(count, hidden):
    assert bool(primary(pd.Series([count], dtype="Float64"), 5).fillna(False)[0]) is hidden


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Nothing small: nothing hidden.
        ({"A1": 5, "A2": 7, "A3": 0, "B1": 9, "B2": 6}, set()),
        # A2 = 2 is small. A = 14 and A1, A3 shown would give A2 = 14 − 12: so the next
        # smallest non-zero afdeling in A (A1 = 5) is hidden too. Alle = A + B = 29 with A
        # shown: fine, both A-cells stay hidden among A's parts and among all afdelinger.
        ({"A1": 5, "A2": 2, "A3": 7, "B1": 9, "B2": 6}, {"A1", "A2"}),
        # Two small cells in A hide each other.
        ({"A1": 1, "A2": 3, "A3": 7, "B1": 9, "B2": 6}, {"A1", "A2"}),
        # B = 3 is small itself (B1 = 3, B2 = 0): B1 and B hidden. Alle = A + B: B is the one
        # hidden boligselskab, so A is hidden too; A then has one hidden cell (A itself) among
        # its sum with all parts shown, so its smallest non-zero afdeling (A3 = 6) goes too.
        ({"A1": 9, "A2": 0, "A3": 6, "B1": 3, "B2": 0}, {"B1", "B", "A", "A3"}),
        # A missing value is not published, but hides nothing: A2 = 2 is still protected.
        ({"A1": 8, "A2": 2, "A3": None, "B1": 9, "B2": 6}, {"A1", "A2"}),
    ],
)
def test_secondary_suppression_by_hand(counts, expected):
    assert hidden_names(counts) == expected


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_can_be_recovered_by_subtraction(seed):
    import random

    rng = random.Random(seed)
    counts = {a: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, None]) for a in AFDELINGER["afdeling"]}
    assert no_sum_has_a_single_hidden_cell(counts), counts


def table(years: dict[int, dict[str, int]]) -> pd.DataFrame:
    """An indikatorer-like table of udsaettelser for several years, 2024 the baseline year."""
    parts = []
    for aar, counts in years.items():
        rows = year(counts)
        rows["aar"], rows["indikator"] = aar, "udsaettelser"
        rows["naevner"] = pd.array([100.0] * len(rows), dtype="Float64")
        rows["vaerdi"] = rows["taeller"]
        rows["pr_1000"] = 10 * rows["taeller"]
        rows["ki_nedre"] = rows["ki_oevre"] = pd.NA
        rows["baseline_aar"] = 2024
        base = year(years[2024]).set_index(["niveau", "enhed"])["taeller"] if aar > 2024 else None
        keys = list(zip(rows["niveau"], rows["enhed"], strict=True))
        rows["baseline_taeller"] = [base[k] if base is not None else pd.NA for k in keys]
        rows["baseline"] = rows["baseline_taeller"]
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


def test_publish_hides_the_count_and_everything_computed_from_it():
    published = publish(table({2024: {"A1": 5, "A2": 2, "A3": 7, "B1": 9, "B2": 6}}),
                        AFDELINGER, SETTINGS)  # fmt: skip
    a2 = published.set_index("enhed").loc["A2"]
    assert a2["skjult"] == PRIMARY
    assert all(pd.isna(a2[c]) for c in ("taeller", "vaerdi", "pr_1000"))
    a1 = published.set_index("enhed").loc["A1"]
    assert a1["skjult"] == SECONDARY and pd.isna(a1["taeller"])
    assert published.set_index("enhed").loc["A3", "taeller"] == 7  # shown
    assert published.set_index("enhed").loc["B1", "naevner"] == 100  # units are not sensitive


def test_a_baseline_is_hidden_as_it_was_hidden_in_its_own_year():
    # 2024: A2 = 2 (primary), A1 = 5 (secondary). In 2025 both are the baseline.
    published = publish(
        table({2024: {"A1": 5, "A2": 2, "A3": 7, "B1": 9, "B2": 6},
               2025: {"A1": 6, "A2": 6, "A3": 7, "B1": 9, "B2": 6}}),
        AFDELINGER, SETTINGS,
    )  # fmt: skip
    later = published[published["aar"] == 2025].set_index("enhed")
    assert later.loc["A2", "baseline_skjult"] == PRIMARY and pd.isna(later.loc["A2", "baseline"])
    assert later.loc["A1", "baseline_skjult"] == SECONDARY
    assert later.loc["A3", "baseline"] == 7
    assert later.loc["A2", "taeller"] == 6  # this year's 6 is shown


def test_the_baseline_year_has_no_baseline_to_hide():
    # 2024 is the baseline year: its own small cells are hidden as values, but there is no
    # baseline in 2024, so nothing in its baseline columns is marked hidden.
    published = publish(table({2024: {"A1": 5, "A2": 2, "A3": 7, "B1": 9, "B2": 6}}),
                        AFDELINGER, SETTINGS)  # fmt: skip
    assert published.set_index("enhed").loc["A2", "skjult"] == PRIMARY
    assert (published["baseline_skjult"] == "").all()


def test_tal_csv_writes_hidden_cells_as_under_5_or_skjult():
    published = publish(table({2024: {"A1": 5, "A2": 2, "A3": 7, "B1": 9, "B2": 6}}),
                        AFDELINGER, SETTINGS)  # fmt: skip
    for column in COLUMNS:
        if column not in published:
            published[column] = pd.NA
    text = as_published_csv(published.assign(indikator="udsaettelser"), COLUMNS, 5)
    lines = {line.split(",")[2]: line.split(",") for line in text.splitlines()[1:]}
    taeller = COLUMNS.index("taeller")
    assert lines["A2"][taeller] == "<5"
    assert lines["A1"][taeller] == "skjult"
    assert lines["A3"][taeller] == "7.0"
    assert lines["A2"][COLUMNS.index("ki_nedre")] == ""  # a count has no interval to hide


def test_insensitive_indicators_are_never_hidden():
    rows = table({2024: {"A1": 1, "A2": 2, "A3": 7, "B1": 9, "B2": 6}})
    rows["indikator"] = "fraflytning"
    assert (publish(rows, AFDELINGER, SETTINGS)["skjult"] == "").all()
