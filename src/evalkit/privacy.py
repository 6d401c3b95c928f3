"""Statistical disclosure control: no small cell of a sensitive indicator is published.

Evictions and social measures concern identifiable households in small estates. Danish
practice: Statistics Denmark wants at least 3 observations per cell, the health-data
authority suppresses cells under 5, LBF's Beboerdata suppresses small cells. evalkit
suppresses counts 1–4 (threshold `diskretion` in delaftale.yaml) and everything computed from
them (percentage, interval, rate per 1,000).

Primary suppression hides the small cells. Secondary suppression makes sure none of them can be
recovered by subtraction: the published levels are tied by sums (a boligselskab is the sum of
its afdelinger; the whole plan is the sum of the boligselskaber and of all afdelinger), and in
every such sum the number of hidden cells must be 0 or at least 2. Where exactly one is hidden,
the smallest shown cell of that sum is hidden too, until no sum has a single hidden cell.
"""

import pandas as pd

from evalkit.sheets import csv_text


def primary(taeller: pd.Series, threshold: int) -> pd.Series:
    """Cells with a count of 1 to threshold − 1. Zero may be shown; missing is not hidden."""
    return (taeller >= 1) & (taeller < threshold)


def sums(rows: pd.DataFrame, afdelinger: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """The sums that tie the rows of one year and indicator: (total row, part rows).

    The narrowest sums come first, so that a complement is found close to the cell it
    protects (less is hidden than when the whole plan is searched first).
    """
    index = {(n, e): i for i, n, e in zip(rows.index, rows["niveau"], rows["enhed"], strict=True)}
    ties = []
    for name, members in afdelinger.groupby("boligselskab", sort=False)["afdeling"]:
        if ("boligselskab", name) in index:
            parts = [index[("afdeling", a)] for a in members if ("afdeling", a) in index]
            ties.append((index[("boligselskab", name)], parts))
    for total in rows.index[rows["niveau"] == "samlet"]:
        ties.append((total, list(rows.index[rows["niveau"] == "boligselskab"])))
        ties.append((total, list(rows.index[rows["niveau"] == "afdeling"])))
    return ties


def hidden_cells(rows: pd.DataFrame, afdelinger: pd.DataFrame, threshold: int) -> pd.Series:
    """Which rows of one year and one sensitive indicator are hidden (primary + secondary)."""
    counts = rows["taeller"].astype("Float64")
    hidden = primary(counts, threshold).fillna(False).astype(bool)
    ties = sums(rows, afdelinger)
    changed = True
    while changed:
        changed = False
        for total, parts in ties:
            cells = [total, *parts]
            # A missing cell is not published either, but it is not known, so it hides nothing:
            # only cells with a value take part in the sum.
            known = [c for c in cells if not pd.isna(counts[c])]
            if sum(hidden[c] for c in known) != 1:
                continue
            shown = [c for c in parts if c in known and not hidden[c]]
            if not shown:
                shown = [total] if not hidden[total] else []
            if shown:
                # the smallest cell that is not 0: hiding a 0 protects little
                smallest = min(shown, key=lambda c: (counts[c] == 0, counts[c], c))
                hidden[smallest] = True
                changed = True
    return hidden


PRIMARY, SECONDARY = "primær", "sekundær"


def publish(indikatorer: pd.DataFrame, afdelinger: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The figures that may be published: sensitive small cells and their complements hidden.

    Hidden values become missing in the numeric columns. `skjult` says why a row's value is
    hidden: "primær" (a count of 1 to threshold − 1), "sekundær" (hidden so that no small cell
    can be recovered by subtraction; its own value may be anything) or "" (shown).
    `baseline_skjult` does the same for the baseline, an earlier year's count.
    """
    threshold = settings["diskretion"]
    sensitive = set(settings["foelsomme_indikatorer"])
    out = indikatorer.copy()
    out["skjult"] = ""
    for (_, indikator), rows in out.groupby(["aar", "indikator"], sort=False):
        if indikator in sensitive:
            hidden = hidden_cells(rows, afdelinger, threshold)
            small = primary(rows["taeller"].astype("Float64"), threshold).fillna(False)
            out.loc[rows.index, "skjult"] = [
                (PRIMARY if s else SECONDARY) if h else ""
                for h, s in zip(hidden, small, strict=True)
            ]
    # The baseline of a sensitive count is an earlier year's count: hidden as it was hidden in
    # that year where that year is here, and by the primary rule otherwise.
    out["baseline_skjult"] = ""
    for indikator in sensitive:
        mine = out["indikator"] == indikator
        by_year = out[mine].set_index(["aar", "niveau", "enhed"])["skjult"]
        keys = zip(out.loc[mine, "baseline_aar"], out.loc[mine, "niveau"], out.loc[mine, "enhed"],
                   strict=True)  # fmt: skip
        # In the baseline year itself there is no baseline: nothing to hide.
        before = (out.loc[mine, "baseline_aar"] < out.loc[mine, "aar"]).fillna(False)
        earlier = [by_year.get(k, "") if b else "" for k, b in zip(keys, before, strict=True)]
        small = primary(out.loc[mine, "baseline_taeller"].astype("Float64"), threshold).fillna(
            False
        )
        out.loc[mine, "baseline_skjult"] = [
            e or (PRIMARY if s else "") for e, s in zip(earlier, small, strict=True)
        ]
    for column in VALUE_COLUMNS:
        out[column] = out[column].astype("Float64").mask(out["skjult"] != "")
    for column in ("baseline", "baseline_taeller"):
        out[column] = out[column].astype("Float64").mask(out["baseline_skjult"] != "")
    return out


VALUE_COLUMNS = ["taeller", "vaerdi", "ki_nedre", "ki_oevre", "pr_1000"]


def label(reason: str, threshold: int) -> str:
    """How a hidden cell is written: "<5" for a small count, "skjult" for its complement."""
    return f"<{threshold}" if reason == PRIMARY else "skjult"


def as_published_csv(published: pd.DataFrame, columns: list[str], threshold: int) -> str:
    """tal.csv: the columns of indikatorer.csv, a hidden value written as "<5" or "skjult".

    Only cells that exist for the indicator are marked (a count has no interval).
    """
    from evalkit.indicators import INPUTS

    table = published.copy()
    share = table["indikator"].map(lambda i: INPUTS[i][2] is not None)
    has_n = table["naevner"].notna()
    exists = {"ki_nedre": share & has_n, "ki_oevre": share & has_n, "pr_1000": ~share & has_n}
    for column in VALUE_COLUMNS:
        hidden = (table["skjult"] != "") & exists.get(column, True)
        marks = table["skjult"].map(lambda r: label(r, threshold))
        table[column] = table[column].astype(object).where(~hidden, marks)
    for column in ("baseline", "baseline_taeller"):
        hidden = table["baseline_skjult"] != ""
        marks = table["baseline_skjult"].map(lambda r: label(r, threshold))
        table[column] = table[column].astype(object).where(~hidden, marks)
    return csv_text(table[columns])
