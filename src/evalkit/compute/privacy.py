"""Statistical disclosure control: no small cell of a sensitive indicator can be read or deduced.

Evictions and social measures concern identifiable households in small estates. Danish
practice: Statistics Denmark wants at least 3 observations per cell, the health-data
authority suppresses cells under 5, LBF's Beboerdata suppresses small cells. evalkit
suppresses counts 1 to t − 1 (threshold t = `diskretion` in helhedsplan.yaml) and everything
computed from them (percentage, interval, rate per 1,000, status).

Primary suppression hides the small cells ("<t"). Secondary suppression then hides more
("skjult") until the audit (evalkit.compute.audit) finds that every hidden figure keeps its
protection interval against a reader who combines every published figure: the sums
afdeling → boligselskab → helhedsplan, the labels and the denominators. Where a hidden figure
is not protected, one more figure of the sums it takes part in is hidden: the smallest by its
published denominator (e.g. lejemål or beboere) first, then afdeling before total, then by name.
The choice never looks at a hidden count, so knowing the rule tells a reader nothing about
one; for the same reason a 0 is never chosen (hiding it would only say "0 or at least t").
A small total whose small parts would be narrowed by its "<t" is hidden as "skjult" instead.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from evalkit.compute.audit import PRIMARY, SECONDARY, audit, baseline_figures, figures
from evalkit.compute.indicators import members, status_over
from evalkit.domain import BASELINEAAR, INGEN_DATA
from evalkit.inputs.sheets import csv_text

VALUE_COLUMNS = ["taeller", "vaerdi", "ki_nedre", "ki_oevre", "pr_1000"]
LEVEL_ORDER = {"afdeling": 0, "boligselskab": 1, "samlet": 2}


def primary(taeller: pd.Series, threshold: int) -> pd.Series:
    """Cells with a count of 1 to threshold − 1. Zero may be shown; missing is not hidden."""
    return ((taeller >= 1) & (taeller < threshold)).fillna(False).astype(bool)


@dataclass
class Published:
    """The figures as they may be published, and the audit that allows it."""

    table: pd.DataFrame  # indikatorer.csv's columns, hidden values missing, `skjult` says why
    audit: pd.DataFrame  # every hidden figure: aar, indikator, niveau, enhed, label, min, max
    threshold: int
    shares: frozenset[str] = frozenset()  # the ids of the indicators that are shares

    @property
    def holds(self) -> bool:
        return bool(self.audit["beskyttet"].all())

    def failures(self, year: int | None = None) -> pd.DataFrame:
        """Hidden figures without their protection interval (in reports of `year`)."""
        bad = self.audit[~self.audit["beskyttet"]]
        return bad if year is None else bad[bad["publiceret"] <= year]


def suppress(
    rows: pd.DataFrame, afdelinger: pd.DataFrame, threshold: int
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Labels ("", PRIMARY, SECONDARY) for one sensitive indicator's rows of every year, and
    for their baselines.

    Year by year, oldest first: a year's reports show the years before it as they were
    published, so only the year's own figures may be hidden further. Returns the labels, the
    baselines' labels and the final audit of each year.
    """
    labels = pd.Series("", index=rows.index, dtype=object)
    labels[primary(rows["taeller"].astype("Float64"), threshold)] = PRIMARY
    sums = _Sums(rows, labels, afdelinger)
    # A small total tells its hidden parts that they are small too: two small parts would
    # each be at most t − 2, a "skjult" part at most t − 1. Such a total is hidden as
    # "skjult" from the start (parts before totals, so that this carries upwards).
    for total in sums.parts:
        if _narrows(total, sums, labels):
            labels[total] = SECONDARY
    cells = (members(rows, afdelinger, "data"), members(rows, afdelinger, "baseline"))
    baseline_labels = pd.Series("", index=rows.index, dtype=object)
    audits = []
    for year in sorted(rows["aar"].unique()):
        shown = rows["aar"] <= year
        mine = rows["aar"] == year
        # The baselines repeat earlier years' counts, as labelled there: fixed by now.
        baseline_labels[mine] = _baseline_labels(rows, labels, cells, year, threshold)
        baselines = baseline_figures(rows[mine], baseline_labels[mine], cells[1][mine])
        while True:
            published = figures(rows[shown], labels[shown], afdelinger) + baselines
            result = audit(published, threshold, focus=lambda f, y=year: f.publiceret == y)
            # A baseline sum that the published figures pin down tells nothing new: shown.
            deduced = _deduced_baselines(result, rows[mine], year)
            if deduced:
                baseline_labels[deduced] = ""
                baselines = baseline_figures(rows[mine], baseline_labels[mine], cells[1][mine])
                continue
            picks = _complements(result, sums, labels, year)
            if not picks:
                break
            labels[list(picks)] = SECONDARY
        audits.append(result)
    return labels, baseline_labels, pd.concat(audits, ignore_index=True)


def _deduced_baselines(result: pd.DataFrame, rows: pd.DataFrame, year: int) -> list:
    """The rows whose hidden baseline, a sum the baseline year did not publish, a reader can
    compute exactly from what is published: showing it adds nothing."""
    pinned = result[(result["publiceret"] == year) & (result["aar"] < year)
                    & ~result["beskyttet"] & (result["min"] == result["max"])]  # fmt: skip
    keys = zip(rows.index, rows["niveau"], rows["enhed"], strict=True)
    where = {(n, f"{e} (baseline i {year})"): i for i, n, e in keys}
    return [where[(n, e)] for n, e in zip(pinned["niveau"], pinned["enhed"], strict=True)]


class _Sums:
    """Which rows take part in a sum with which: a total and its parts, per year."""

    def __init__(self, rows: pd.DataFrame, labels: pd.Series, afdelinger: pd.DataFrame):
        company = dict(zip(afdelinger["afdeling"], afdelinger["boligselskab"], strict=True))
        has_data = rows["taeller"].notna() | (labels != "")
        self.at: dict[tuple, int] = {}
        self.parent: dict[int, int] = {}
        self.parts: dict[int, list[int]] = defaultdict(list)
        self.taeller = rows["taeller"].astype("Float64").to_dict()
        naevner = rows["naevner"].astype("Float64")
        levels = rows["niveau"].map(LEVEL_ORDER)
        # The choice of a complement: smallest denominator first, then afdeling before
        # total, then name. None of it is a hidden count.
        self.order = {
            i: (float("inf") if pd.isna(n) else float(n), lev, e)
            for i, n, lev, e in zip(rows.index, naevner, levels, rows["enhed"], strict=True)
        }
        data = rows[has_data]
        keys = list(zip(data.index, data["aar"], data["niveau"], data["enhed"], strict=True))
        whole = {aar: i for i, aar, niveau, _ in keys if niveau == "samlet"}
        for i, aar, niveau, enhed in keys:
            self.at[(aar, niveau, enhed)] = i
        for i, aar, niveau, enhed in keys:
            if niveau == "afdeling":
                up = self.at.get((aar, "boligselskab", company[enhed]))
            else:
                up = whole.get(aar) if niveau == "boligselskab" else None
            if up is not None:
                self.parent[i] = up
                self.parts[up].append(i)

    def neighbours(self, i: int) -> list[int]:
        """The rows of every sum row i takes part in: its parts, its total, its siblings."""
        up = self.parent.get(i)
        siblings = [j for j in self.parts.get(up, []) if j != i] if up is not None else []
        return list(self.parts.get(i, [])) + ([up] if up is not None else []) + siblings


def _narrows(total: int, sums: "_Sums", labels: pd.Series) -> bool:
    """A "<t" total narrows its hidden parts unless it has one, itself "<t" (then they are
    equal, both 1 to t − 1). Hidden as "skjult", it does not; with one small part it would
    itself be pinned within 1 to t − 1, so that total stays "<t"."""
    hidden = [labels[p] for p in sums.parts[total] if labels[p]]
    return labels[total] == PRIMARY and hidden not in ([], [PRIMARY])


def _complements(result: pd.DataFrame, sums: _Sums, labels: pd.Series, year: int) -> set:
    """For each independent system with an unprotected figure: the smallest shown figure,
    not 0, of the sums the unprotected figures take part in, or else of the sums any hidden
    figure of that system takes part in (the module's rule).

    One per system and round, since hiding it may protect the others too.
    """
    picks: set = set()
    failing = result[~result["beskyttet"]]
    if failing.empty:
        return picks

    def options(figures: pd.DataFrame) -> set:
        found = set()
        for niveau, enhed in zip(figures["niveau"], figures["enhed"], strict=True):
            i = sums.at[(year, niveau, enhed)]
            found |= {j for j in sums.neighbours(i) if labels[j] == "" and sums.taeller[j] != 0}
            up = sums.parent.get(i)
            if up is not None and _narrows(up, sums, labels):
                found.add(up)
        return found

    mine = result[result["aar"] == year]
    for part, unprotected in failing.groupby("del", sort=False):
        found = options(unprotected[unprotected["aar"] == year]) or options(
            mine[mine["del"] == part]
        )
        if found:
            picks.add(min(found, key=sums.order.__getitem__))
    return picks


Suppress = Callable[[pd.DataFrame, pd.DataFrame, int], tuple[pd.Series, pd.Series, pd.DataFrame]]


def publish(indikatorer: pd.DataFrame, agreement, hide: Suppress | None = None) -> Published:
    """The figures that may be published: sensitive small cells and their complements hidden.

    Hidden values become missing in the numeric columns. `skjult` says why a row's value is
    hidden: "primær" (a count of 1 to threshold − 1), "sekundær" (hidden so that no small cell
    can be deduced) or "" (shown). `baseline_skjult` does the same for the baseline, an
    earlier year's count. A status that would depend on where a hidden count lies is
    "skjult (små tal)" (indicators.status_over). `hide`: suppress, or a function that gives
    what it would (a remembered answer: evalkit.publish.memo).
    """
    hide = hide or suppress
    settings = agreement.settings
    threshold = settings["diskretion"]
    out = indikatorer.copy()
    out["skjult"] = out["baseline_skjult"] = ""
    audits = []
    for indikator in sorted(agreement.sensitive):
        mine = out["indikator"] == indikator
        if not mine.any():
            continue
        labels, baseline_labels, result = hide(out[mine], agreement.afdelinger, threshold)
        out.loc[mine, "skjult"] = labels
        out.loc[mine, "baseline_skjult"] = baseline_labels
        audits.append(result.assign(indikator=indikator))
    for column in VALUE_COLUMNS:
        out[column] = out[column].astype("Float64").mask(out["skjult"] != "")
    for column in ("baseline", "baseline_taeller"):
        out[column] = out[column].astype("Float64").mask(out["baseline_skjult"] != "")
    _hidden_statuses(out, agreement, threshold)
    columns = ["publiceret", "aar", "indikator", "niveau", "enhed", "label", "min", "max",
               "beskyttet", "del"]  # fmt: skip
    result = pd.concat(audits, ignore_index=True) if audits else pd.DataFrame(columns=columns)
    shares = frozenset(i.id for i in agreement.indicators if i.type == "andel")
    return Published(out, result[columns], threshold, shares)


def _baseline_labels(
    rows: pd.DataFrame,
    labels: pd.Series,
    cells: tuple[pd.Series, pd.Series],
    year: int,
    threshold: int,
) -> pd.Series:
    """The labels of the baselines of `year`'s rows (one sensitive indicator).

    A baseline sums the baseline year's counts of some afdelinger (indicators.members). Where
    the baseline year published a figure of the same afdelinger, the baseline is that figure
    and keeps its label. Otherwise it is a sum the baseline year did not publish: shown where
    all its afdelinger were shown (a sum of shown figures), "<t" where it holds one small count
    and otherwise 0s (then it is that count), and else "skjult": a sum of hidden counts tells
    no more than that it is at least 1, which the audit checks.
    """
    data, base = cells
    label_of = {(a, c): lab for a, c, lab in zip(rows["aar"], data, labels, strict=True) if c}
    own = {
        (a, e): (lab, t)
        for a, n, e, lab, t in zip(
            rows["aar"], rows["niveau"], rows["enhed"], labels, rows["taeller"], strict=True
        )  # fmt: skip
        if n == "afdeling"
    }
    mine = rows["aar"] == year
    result = pd.Series("", index=rows.index[mine], dtype=object)
    for i, aar, summed, counted in zip(rows.index[mine], rows.loc[mine, "baseline_aar"],
                                       base[mine], rows.loc[mine, "baseline_taeller"],
                                       strict=True):  # fmt: skip
        if not summed or pd.isna(aar) or aar >= year or pd.isna(counted):
            continue  # no baseline from data, or the baseline year itself
        if (aar, summed) in label_of:
            result[i] = label_of[(aar, summed)]
            continue
        if not any((aar, a) in own for a in summed):  # the baseline year is not shown here
            result[i] = PRIMARY if 1 <= counted < threshold else ""
            continue
        parts = [own.get((aar, a), ("", 0)) for a in summed]
        hidden = [lab for lab, _ in parts if lab]
        rest = sum(t for lab, t in parts if not lab and not pd.isna(t))
        one_small = hidden == [PRIMARY] and rest == 0
        result[i] = "" if not hidden else PRIMARY if one_small else SECONDARY
    return result


def _hidden_statuses(out: pd.DataFrame, agreement, threshold: int) -> None:
    """Replace the status of every row with a hidden count or baseline by the status that is
    the same for every value the labels allow ("<t": 1 to t − 1; "skjult": 0 to the
    denominator), or "skjult (små tal)"."""
    hidden = out[
        ((out["skjult"] != "") | (out["baseline_skjult"] != ""))
        & ~out["status"].isin([BASELINEAAR, INGEN_DATA])
    ]  # the same for any count
    numbers = ["taeller", "naevner", "baseline", "baseline_taeller", "baseline_naevner"]
    hidden = hidden.astype({c: float for c in numbers})  # plain floats iterate fast
    statuses = []
    for ind_id, label, taeller, naevner, base_label, base, base_taeller, base_n in zip(
        hidden["indikator"], hidden["skjult"], hidden["taeller"], hidden["naevner"],
        hidden["baseline_skjult"], hidden["baseline"], hidden["baseline_taeller"],
        hidden["baseline_naevner"], strict=True,
    ):  # fmt: skip
        ind = agreement.indicator(ind_id)
        counts = _allowed(label, taeller, naevner, threshold)
        if base_label:
            allowed = _allowed(base_label, None, base_n, threshold)
            baselines = (
                None if allowed is None else [(_value(k, base_n, ind.enhed), k) for k in allowed]
            )
        else:
            baselines = [(base, base_taeller)]
        statuses.append(status_over(ind.enhed, ind.retning, counts, naevner, baselines, base_n))
    out.loc[hidden.index, "status"] = statuses


def _allowed(label: str, shown, naevner, threshold: int):
    """The counts a label allows; a shown count is itself."""
    if not label:
        return [shown]
    if pd.isna(naevner):
        return None  # no upper bound: a hidden count could be anything
    top = int(naevner)
    return range(1, min(threshold - 1, top) + 1) if label == PRIMARY else range(0, top + 1)


def _value(count: float, naevner, enhed: str):
    return count if enhed == "antal" else 100 * count / naevner


def label(reason: str, threshold: int) -> str:
    """How a hidden cell is written: "<5" for a small count, "skjult" for its complement."""
    return f"<{threshold}" if reason == PRIMARY else "skjult"


def label_words(reason: str, threshold: int) -> str:
    """How a hidden cell reads in a workbook: "under 5" for a small count, "skjult" for its
    complement ("<5" is the same cell in tal.csv)."""
    return f"under {threshold}" if reason == PRIMARY else "skjult"


def as_published(
    published: pd.DataFrame,
    columns: list[str],
    threshold: int,
    shares: frozenset[str],
    marked: Callable[[str, int], str] = label,
) -> pd.DataFrame:
    """The columns of indikatorer.csv with each hidden value replaced by its mark (`marked`:
    `label` for tal.csv, `label_words` for tal.xlsx).

    Only cells that exist for the indicator are marked (a count has no interval; `shares`:
    the ids of the indicators that are shares).
    """
    table = published.copy()
    share = table["indikator"].isin(shares)
    has_n = table["naevner"].notna()
    exists = {"ki_nedre": share & has_n, "ki_oevre": share & has_n, "pr_1000": ~share & has_n}
    for column in VALUE_COLUMNS:
        hidden = (table["skjult"] != "") & exists.get(column, True)
        marks = table["skjult"].map(lambda r: marked(r, threshold))
        table[column] = table[column].astype(object).where(~hidden, marks)
    for column in ("baseline", "baseline_taeller"):
        hidden = table["baseline_skjult"] != ""
        marks = table["baseline_skjult"].map(lambda r: marked(r, threshold))
        table[column] = table[column].astype(object).where(~hidden, marks)
    return table[columns]


def as_published_csv(
    published: pd.DataFrame, columns: list[str], threshold: int, shares: frozenset[str]
) -> str:
    """tal.csv: the columns of indikatorer.csv, a hidden value written as "<5" or "skjult"."""
    return csv_text(as_published(published, columns, threshold, shares))
