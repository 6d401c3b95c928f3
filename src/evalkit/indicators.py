"""The indicators of the delaftale, as pure functions over DataFrames.

Definitions (source in brackets):
- fraflytning: external household move-outs in the year / dwelling units, in percent
  (LBF's fraflytningsprocent; the agreement's delmål 1).
- udsaettelser: number of effective evictions, i.e. carried out by the bailiff, in the year
  (delmål 2). A count, not a share.
- tilfredshed: answers "meget tilfreds" or "tilfreds" / all answers, in percent
  (LBF's tryghed- og trivselsmåling; delmål 3).
- foranstaltning: residents with a measure under serviceloven / residents, in percent
  (Viborg Kommune, boligsocial monitorering; delmål 4).

Aggregates over afdelinger (boligselskab, samlet) are ratios of sums, never averages of
percentages (LBF). A missing value stays missing (NA), never 0.
"""

import pandas as pd

from evalkit import fmt
from evalkit.agreement import Agreement

# indicator id -> (input table, numerator column, denominator column or None for counts)
INPUTS: dict[str, tuple[str, str, str | None]] = {
    "fraflytning": ("fraflytninger", "fraflytninger", "lejemaal"),
    "udsaettelser": ("udsaettelser", "effektive_udsaettelser", None),
    "tilfredshed": ("tilfredshed", "tilfredse", "besvarelser"),
    "foranstaltning": ("foranstaltninger", "med_foranstaltning", "beboere"),
}

LEVELS = ("afdeling", "boligselskab", "samlet")

FORBEDRET, UAENDRET, FORVAERRET = "forbedret", "uændret", "forværret"
INGEN_DATA, INGEN_BASELINE = "ingen data", "ingen baseline"
STATUSES = (FORBEDRET, UAENDRET, FORVAERRET, INGEN_DATA, INGEN_BASELINE)

COLUMNS = [
    "aar", "niveau", "enhed", "boligselskab", "indikator", "taeller", "naevner", "vaerdi",
    "baseline_aar", "baseline", "status", "afdelinger_med_data", "afdelinger_i_alt",
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
            "naevner": groups["naevner"].sum(min_count=1),
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
            "naevner": [used["naevner"].sum(min_count=1)],
            "afdelinger_med_data": [int(has_data.sum())],
            "afdelinger_i_alt": [len(base)],
        }
    )
    if not is_share:
        companies["naevner"] = whole["naevner"] = pd.NA
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


def status(vaerdi: float | None, baseline: float | None, retning: str) -> str:
    """Compare a value with its baseline in the desired direction ("ned" or "op").

    Values are compared as the reports show them (one decimal); equal is uændret.
    """
    if vaerdi is None or pd.isna(vaerdi):
        return INGEN_DATA
    if baseline is None or pd.isna(baseline):
        return INGEN_BASELINE
    change = fmt.rounded(vaerdi, 1) - fmt.rounded(baseline, 1)
    if change == 0:
        return UAENDRET
    better = change < 0 if retning == "ned" else change > 0
    return FORBEDRET if better else FORVAERRET


def indicator_table(
    year: int, tables: dict[str, pd.DataFrame], agreement: Agreement
) -> pd.DataFrame:
    """One row per (niveau, enhed, indikator) for the year: the content of indikatorer.csv."""
    parts = []
    for indicator in agreement.indicators:
        table_name, numerator, denominator = INPUTS[indicator.id]
        rows = by_level(
            counts(tables.get(table_name), numerator, denominator),
            agreement.afdelinger,
            agreement.helhedsplan,
            share=denominator is not None,
        )
        rows.insert(0, "aar", year)
        rows.insert(4, "indikator", indicator.id)
        rows["vaerdi"] = value(rows["taeller"], rows["naevner"], indicator.enhed)
        known = agreement.baseline[agreement.baseline["indikator"] == indicator.id]
        rows["baseline_aar"] = indicator.baseline_aar
        rows["baseline"] = baselines(
            rows, known.set_index("afdeling")["vaerdi"], agreement.afdelinger
        )
        rows["status"] = [
            status(v, b, indicator.retning)
            for v, b in zip(rows["vaerdi"], rows["baseline"], strict=True)
        ]
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True)
    table["baseline_aar"] = table["baseline_aar"].astype("Int64")
    return table[COLUMNS]


def activity_table(
    year: int, aktiviteter: pd.DataFrame | None, agreement: Agreement, weeks: float
) -> pd.DataFrame:
    """Hours and participants per activity, per afdeling and in total, with the plan.

    The plan is the agreement's hours per week times the weeks the year's data covers; it is
    given for the whole helhedsplan only (its split by afdeling follows their needs).
    Hours not tied to one afdeling count in the total only.
    """
    columns = ["aar", "niveau", "enhed", "aktivitet", "timer", "deltagere", "planlagte_timer"]
    names = [a.navn for a in agreement.activities]
    if aktiviteter is None or aktiviteter.empty:
        return pd.DataFrame(columns=columns)
    data = aktiviteter.merge(agreement.afdelinger[["afdeling", "boligselskab"]], how="left")
    parts = [
        data.dropna(subset=["afdeling"])
        .groupby(["afdeling", "aktivitet"], as_index=False)[["timer", "deltagere"]]
        .sum()
        .rename(columns={"afdeling": "enhed"})
        .assign(niveau="afdeling"),
        data.dropna(subset=["boligselskab"])
        .groupby(["boligselskab", "aktivitet"], as_index=False)[["timer", "deltagere"]]
        .sum()
        .rename(columns={"boligselskab": "enhed"})
        .assign(niveau="boligselskab"),
    ]
    total = data.groupby("aktivitet")[["timer", "deltagere"]].sum().reindex(names)
    plan = pd.Series({a.navn: a.timer_pr_uge * weeks for a in agreement.activities})
    parts.append(
        total.assign(planlagte_timer=plan, niveau="samlet", enhed=agreement.helhedsplan)
        .rename_axis("aktivitet")
        .reset_index()
    )
    result = pd.concat(parts, ignore_index=True)
    result["aar"] = year
    result["aktivitet"] = pd.Categorical(result["aktivitet"], categories=names, ordered=True)
    result = result.sort_values(["niveau", "enhed", "aktivitet"], kind="stable")
    result["aktivitet"] = result["aktivitet"].astype(str)
    return result[columns].reset_index(drop=True)
