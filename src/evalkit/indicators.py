"""The indicators of the delaftale, as pure functions over DataFrames.

Definitions (source in brackets):
- fraflytning: external household move-outs in the year / dwelling units, in percent
  (LBF's fraflytningsprocent; the agreement's delmål 1).
- udsaettelser: number of effective evictions, i.e. carried out by the bailiff, in the year
  (delmål 2). A count, not a share; its naevner is the dwelling units (from fraflytninger),
  so that afdelinger of different size compare per 1,000 units.
- tilfredshed: answers "meget tilfreds" or "tilfreds" / all answers, in percent
  (LBF's tryghed- og trivselsmåling; delmål 3).
- foranstaltning: residents with a measure under serviceloven / residents, in percent
  (Viborg Kommune, boligsocial monitorering; delmål 4).

Aggregates over afdelinger (boligselskab, samlet) are ratios of sums, never averages of
percentages (LBF). A missing value stays missing (NA), never 0.

Status against the baseline respects noise: a change is forbedret or forværret only when it is
statistically clear at the 95 % level (evalkit.stats; the rule is in docs/metode.md).
"""

import pandas as pd

from evalkit import stats
from evalkit.agreement import Agreement

# indicator id -> (input table, numerator column, denominator column or None for counts)
INPUTS: dict[str, tuple[str, str, str | None]] = {
    "fraflytning": ("fraflytninger", "fraflytninger", "lejemaal"),
    "udsaettelser": ("udsaettelser", "effektive_udsaettelser", None),  # units: UNITS
    "tilfredshed": ("tilfredshed", "tilfredse", "besvarelser"),
    "foranstaltning": ("foranstaltninger", "med_foranstaltning", "beboere"),
}

UNITS = ("fraflytninger", "lejemaal")  # where a count indicator finds its dwelling units

LEVELS = ("afdeling", "boligselskab", "samlet")

FORBEDRET, UAENDRET, FORVAERRET = "forbedret", "uændret (inden for usikkerheden)", "forværret"
INGEN_DATA, INGEN_BASELINE = "ingen data", "ingen baseline"
STATUSES = (FORBEDRET, UAENDRET, FORVAERRET, INGEN_DATA, INGEN_BASELINE)

COLUMNS = [
    "aar", "niveau", "enhed", "boligselskab", "indikator", "taeller", "naevner", "vaerdi",
    "ki_nedre", "ki_oevre", "pr_1000", "baseline_aar", "baseline", "baseline_taeller",
    "baseline_naevner", "baseline_kilde", "status", "lille_naevner", "love",
    "afdelinger_med_data", "afdelinger_i_alt",
]  # fmt: skip


def counts(table: pd.DataFrame | None, numerator: str, denominator: str | None) -> pd.DataFrame:
    """Per afdeling: taeller and naevner (NA for a count indicator) from an input table."""
    if table is None:
        return pd.DataFrame({"afdeling": [], "taeller": [], "naevner": []})
    rows = table.dropna(subset=["afdeling"])
    return pd.DataFrame(
        {
            "afdeling": rows["afdeling"].astype(object),
            "taeller": rows[numerator].astype("Float64"),
            "naevner": rows[denominator].astype("Float64") if denominator else pd.NA,
        }
    ).astype({"naevner": "Float64"})


def by_level(
    afdeling_counts: pd.DataFrame, afdelinger: pd.DataFrame, samlet: str, share: bool
) -> pd.DataFrame:
    """Rows for every afdeling, every boligselskab and the whole plan.

    An afdeling has data when it has a taeller and, for a share, a naevner. An aggregate sums
    taeller and naevner over the afdelinger that have data; it is missing when none has.
    `afdelinger_med_data` says how many contributed.
    """
    is_share = share
    base = afdelinger[["afdeling", "boligselskab"]].merge(
        afdeling_counts, on="afdeling", how="left"
    )
    has_data = base["taeller"].notna() & (base["naevner"].notna() | (not is_share))
    used = pd.DataFrame(
        {
            "boligselskab": base["boligselskab"],
            "taeller": base["taeller"].where(has_data),
            "naevner": base["naevner"].where(has_data),
            "har_data": has_data.astype(int),
        }
    )
    rows = [
        pd.DataFrame(
            {
                "niveau": "afdeling",
                "enhed": base["afdeling"],
                "boligselskab": base["boligselskab"],
                "taeller": used["taeller"],
                "naevner": used["naevner"],
                "afdelinger_med_data": used["har_data"],
                "afdelinger_i_alt": 1,
            }
        )
    ]
    # One pass over all afdelinger, not one per boligselskab: thousands of them nationally.
    groups = used.groupby("boligselskab", sort=False)
    companies = pd.DataFrame(
        {
            "taeller": groups["taeller"].sum(min_count=1),
            # A count's naevner (units) is summed only when every afdeling with data has it.
            "naevner": groups["naevner"]
            .sum(min_count=1)
            .where(groups["naevner"].count() == groups["har_data"].sum()),
            "afdelinger_med_data": groups["har_data"].sum(),
            "afdelinger_i_alt": groups.size(),
        }
    )
    companies = companies.rename_axis("enhed").reset_index()
    companies.insert(0, "niveau", "boligselskab")
    companies.insert(2, "boligselskab", companies["enhed"])
    whole = pd.DataFrame(
        {
            "niveau": ["samlet"],
            "enhed": [samlet],
            "boligselskab": [pd.NA],
            "taeller": [used["taeller"].sum(min_count=1)],
            "naevner": [
                used["naevner"].sum(min_count=1)
                if used["naevner"].count() == has_data.sum()
                else pd.NA
            ],
            "afdelinger_med_data": [int(has_data.sum())],
            "afdelinger_i_alt": [len(base)],
        }
    )
    result = pd.concat([*rows, companies, whole], ignore_index=True)
    return result.astype({"taeller": "Float64", "naevner": "Float64"})


def value(taeller: pd.Series, naevner: pd.Series, enhed: str) -> pd.Series:
    """The indicator value: a percentage 0–100 for shares, the count itself for counts."""
    if enhed == "antal":
        return taeller.astype("Float64")
    return (100 * taeller / naevner.where(naevner > 0)).astype("Float64")


def baselines(
    rows: pd.DataFrame, afdeling_baseline: pd.Series, afdelinger: pd.DataFrame
) -> pd.Series:
    """The baseline for each row (afdeling or aggregate), in the indicator's unit.

    The agreement gives baselines as percentages per afdeling, without counts. An aggregate's
    baseline is therefore weighted by this year's denominators (Σ baseline·naevner / Σ naevner),
    and only when every afdeling that contributes a value has a baseline; otherwise missing.
    """
    result = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    own = rows["niveau"] == "afdeling"
    result[own] = rows.loc[own, "enhed"].map(afdeling_baseline).astype("Float64")
    # The afdelinger that contribute a value, each with its boligselskab and baseline.
    company_of = afdelinger.set_index("afdeling")["boligselskab"]
    part = rows[
        own
        & rows["enhed"].isin(afdelinger["afdeling"])
        & rows["taeller"].notna()
        & rows["naevner"].notna()
    ]
    b = part["enhed"].map(afdeling_baseline)
    weighted = (b * part["naevner"]).to_numpy(dtype=float, na_value=float("nan"))
    naevner = part["naevner"].to_numpy(dtype=float)
    missing = b.isna().to_numpy()
    members = pd.Series(range(len(part))).groupby(part["enhed"].map(company_of).to_numpy())
    by_company = {
        name: _weighted(weighted, naevner, missing, list(at))
        for name, at in members.indices.items()
    }
    companies = rows["niveau"] == "boligselskab"
    result[companies] = rows.loc[companies, "enhed"].map(by_company).astype("Float64")
    result[rows["niveau"] == "samlet"] = _weighted(
        weighted, naevner, missing, list(range(len(part)))
    )
    return result


def _weighted(weighted, naevner, missing, at: list[int]):
    """Σ baseline·naevner / Σ naevner over the rows `at`; NA if any lacks a baseline."""
    if not at or missing[at].any() or naevner[at].sum() == 0:
        return pd.NA
    return float(weighted[at].sum() / naevner[at].sum())


def status(
    enhed: str,
    retning: str,
    taeller: float | None,
    naevner: float | None,
    baseline: float | None,
    baseline_taeller: float | None = None,
    baseline_naevner: float | None = None,
) -> str:
    """Compare a value with its baseline in the desired direction ("ned" or "op").

    Shares (enhed "procent"): a two-proportion z-test at 95 %. Where the baseline has no
    counts (the agreement gives percentages only), its uncertainty is judged with this year's
    naevner. Counts (enhed "antal"): the exact conditional test of two Poisson counts, with the
    dwelling units of each year as exposure where both are known.
    A change that is not clear at 95 % is "uændret (inden for usikkerheden)".
    """
    if _missing(taeller) or (enhed == "procent" and (_missing(naevner) or naevner == 0)):
        return INGEN_DATA
    if _missing(baseline):
        return INGEN_BASELINE
    if enhed == "procent":
        n0 = naevner if _missing(baseline_naevner) else baseline_naevner
        p1, p0 = taeller / naevner, baseline / 100
        clear = abs(stats.two_proportion_z(p1, naevner, p0, n0)) >= stats.Z95
        change = p1 - p0
    else:
        k0 = baseline if _missing(baseline_taeller) else baseline_taeller
        e1, e0 = (1.0, 1.0)
        known = not _missing(naevner) and not _missing(baseline_naevner)
        if known and naevner > 0 and baseline_naevner > 0:  # no exposure of 0 dwellings
            e1, e0 = float(naevner), float(baseline_naevner)
        clear = stats.poisson_change_p(int(taeller), int(k0), e1, e0) < stats.ALPHA
        change = taeller / e1 - k0 / e0
    if not clear or change == 0:
        return UAENDRET
    better = change < 0 if retning == "ned" else change > 0
    return FORBEDRET if better else FORVAERRET


def _missing(x) -> bool:
    return x is None or pd.isna(x)


def interval(taeller: pd.Series, naevner: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The 95 % Wilson interval of each share, in percent; missing where the share is."""
    low, high = [], []
    for t, n in zip(taeller, naevner, strict=True):
        if _missing(t) or _missing(n) or n <= 0:
            low.append(pd.NA)
            high.append(pd.NA)
        else:
            lo, hi = stats.wilson(float(t), float(n))
            low.append(100 * lo)
            high.append(100 * hi)
    return pd.Series(low, dtype="Float64"), pd.Series(high, dtype="Float64")


def unit_levels(indicator_id: str, tables: dict[str, pd.DataFrame], agreement: Agreement):
    """by_level for one indicator from one year's tables; counts get units as naevner."""
    table_name, numerator, denominator = INPUTS[indicator_id]
    rows = counts(tables.get(table_name), numerator, denominator)
    if denominator is None:
        units = counts(tables.get(UNITS[0]), UNITS[1], None).rename(columns={"taeller": "units"})
        rows = rows.drop(columns="naevner").merge(units[["afdeling", "units"]], how="left")
        rows = rows.rename(columns={"units": "naevner"})
    return by_level(rows, agreement.afdelinger, agreement.helhedsplan, denominator is not None)


def laws(table: pd.DataFrame | None) -> str:
    """Which laws the foranstaltning figure counts, from the optional split columns."""
    if table is None:
        return ""
    if "barnets_lov" in table and table["barnets_lov"].notna().any():
        return "serviceloven og barnets lov"
    if "serviceloven" in table and table["serviceloven"].notna().any():
        return "serviceloven"
    return "ikke oplyst"


def indicator_table(
    year: int,
    tables: dict[str, pd.DataFrame],
    agreement: Agreement,
    baseline_tables: dict[int, dict[str, pd.DataFrame]] | None = None,
    small: int = 20,
) -> pd.DataFrame:
    """One row per (niveau, enhed, indikator) for the year: the content of indikatorer.csv.

    Baselines come from the agreement (baseline.csv). Where the agreement has none but names
    a baseline year that has data (udsættelser: 2024), that year's data are the baseline for
    the years after it; `baseline_tables` holds those years' tables. A naevner under `small`
    sets lille_naevner.
    """
    parts = []
    for indicator in agreement.indicators:
        rows = unit_levels(indicator.id, tables, agreement)
        rows.insert(0, "aar", year)
        rows.insert(4, "indikator", indicator.id)
        rows["vaerdi"] = value(rows["taeller"], rows["naevner"], indicator.enhed)
        is_share = indicator.enhed == "procent"
        low, high = interval(rows["taeller"], rows["naevner"]) if is_share else (pd.NA, pd.NA)
        rows["ki_nedre"], rows["ki_oevre"] = _aligned(low, rows), _aligned(high, rows)
        units = rows["naevner"].where(rows["naevner"] > 0)  # no rate of 0 dwellings
        rows["pr_1000"] = pd.NA if is_share else 1000 * rows["taeller"] / units
        rows = rows.join(_baseline(year, indicator, rows, agreement, baseline_tables or {}))
        rows["status"] = [
            status(indicator.enhed, indicator.retning, t, n, b, bt, bn)
            for t, n, b, bt, bn in zip(
                rows["taeller"], rows["naevner"], rows["baseline"],
                rows["baseline_taeller"], rows["baseline_naevner"], strict=True,
            )
        ]  # fmt: skip
        rows["lille_naevner"] = (rows["naevner"] < small).fillna(False).astype(bool)
        rows["love"] = (
            laws(tables.get("foranstaltninger")) if indicator.id == "foranstaltning" else ""
        )
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True)
    for column in ("baseline_aar",):
        table[column] = table[column].astype("Int64")
    for column in ("pr_1000", "ki_nedre", "ki_oevre", "baseline_taeller", "baseline_naevner"):
        table[column] = table[column].astype("Float64")
    return table[COLUMNS]


def _aligned(series, rows: pd.DataFrame):
    return series.set_axis(rows.index) if isinstance(series, pd.Series) else series


def _baseline(year, indicator, rows, agreement, baseline_tables) -> pd.DataFrame:
    """baseline_aar, baseline, baseline_taeller, baseline_naevner, baseline_kilde per row."""
    out = pd.DataFrame(index=rows.index)
    out["baseline_aar"] = indicator.baseline_aar
    out["baseline"] = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    out["baseline_taeller"] = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    out["baseline_naevner"] = pd.Series(pd.NA, index=rows.index, dtype="Float64")
    out["baseline_kilde"] = ""
    known = agreement.baseline[agreement.baseline["indikator"] == indicator.id]
    if not known.empty:
        out["baseline"] = baselines(
            rows, known.set_index("afdeling")["vaerdi"], agreement.afdelinger
        )
        out.loc[out["baseline"].notna(), "baseline_kilde"] = "delaftalen"
    elif indicator.baseline_aar and year > indicator.baseline_aar:
        base_tables = baseline_tables.get(indicator.baseline_aar)
        if base_tables is not None:
            base = unit_levels(indicator.id, base_tables, agreement)
            base = rows[["niveau", "enhed"]].merge(base, on=["niveau", "enhed"], how="left")
            base.index = rows.index
            out["baseline"] = value(base["taeller"], base["naevner"], indicator.enhed)
            out["baseline_taeller"] = base["taeller"].astype("Float64")
            out["baseline_naevner"] = base["naevner"].astype("Float64")
            out.loc[out["baseline"].notna(), "baseline_kilde"] = f"data {indicator.baseline_aar}"
    return out


def activity_table(
    year: int,
    aktiviteter: pd.DataFrame | None,
    agreement: Agreement,
    weeks: float,
    fraflytninger: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hours and participants per activity, per afdeling, per boligselskab and in total.

    planlagte_timer: the agreement's hours per week times the weeks the year's data covers,
    for the whole helhedsplan; for an afdeling or boligselskab, that plan times its share of
    the helhedsplan's dwelling units (`andel_lejemaal`, from fraflytninger), the plan's rule
    that resources follow each area's share. Missing where the units are not known.
    Hours not tied to one afdeling count in the total only.
    """
    columns = ["aar", "niveau", "enhed", "aktivitet", "timer", "deltagere",
               "planlagte_timer", "andel_lejemaal"]  # fmt: skip
    names = [a.navn for a in agreement.activities]
    if aktiviteter is None or aktiviteter.empty:
        return pd.DataFrame(columns=columns)
    plan = {a.navn: a.timer_pr_uge * weeks for a in agreement.activities}
    shares = _unit_shares(agreement, fraflytninger)
    data = aktiviteter.merge(agreement.afdelinger[["afdeling", "boligselskab"]], how="left")
    data["samlet"] = agreement.helhedsplan  # shared hours (no afdeling) count here only
    shares["samlet"] = pd.Series({agreement.helhedsplan: 1.0})
    parts = []
    for niveau in ("afdeling", "boligselskab", "samlet"):
        # Rows the data deliver (all empty: missing, never 0); the total lists every activity
        # with its plan, even one without hours.
        summed = data.groupby([niveau, "aktivitet"])[["timer", "deltagere"]].sum(min_count=1)
        summed.index = summed.index.set_names(["enhed", "aktivitet"])
        units = sorted(set(data[niveau].dropna()))
        grid = pd.MultiIndex.from_product([units, names], names=["enhed", "aktivitet"])
        keep = grid if niveau == "samlet" else grid[grid.isin(summed.index)]
        part = summed.reindex(keep).reset_index()
        share = shares.get(niveau)
        part["andel_lejemaal"] = part["enhed"].map(share) * 100 if share is not None else pd.NA
        part["planlagte_timer"] = part["aktivitet"].map(plan) * part["andel_lejemaal"] / 100
        part["niveau"] = niveau
        parts.append(part)
    result = pd.concat(parts, ignore_index=True)
    result["aar"] = year
    result = result.astype({"timer": "Float64", "deltagere": "Float64",
                            "planlagte_timer": "Float64", "andel_lejemaal": "Float64"})  # fmt: skip
    return result[columns].reset_index(drop=True)


def _unit_shares(agreement: Agreement, fraflytninger: pd.DataFrame | None) -> dict[str, pd.Series]:
    """Each afdeling's and boligselskab's share (0–1) of the helhedsplan's dwelling units."""
    if fraflytninger is None:
        return {}
    units = agreement.afdelinger[["afdeling", "boligselskab"]].merge(
        fraflytninger[["afdeling", "lejemaal"]], how="left"
    )
    if units["lejemaal"].isna().any():
        return {}  # a share of an unknown total is not known
    total = units["lejemaal"].sum()
    return {
        "afdeling": units.set_index("afdeling")["lejemaal"] / total,
        "boligselskab": units.groupby("boligselskab")["lejemaal"].sum() / total,
    }
