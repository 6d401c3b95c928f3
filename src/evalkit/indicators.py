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
    base["har_data"] = has_data
    rows = [
        pd.DataFrame(
            {
                "niveau": "afdeling",
                "enhed": base["afdeling"],
                "boligselskab": base["boligselskab"],
                "taeller": base["taeller"].where(has_data),
                "naevner": base["naevner"].where(has_data),
                "afdelinger_med_data": has_data.astype(int),
                "afdelinger_i_alt": 1,
            }
        )
    ]
    groups = [
        ("boligselskab", name, part) for name, part in base.groupby("boligselskab", sort=False)
    ]
    groups.append(("samlet", samlet, base))
    for niveau, name, part in groups:
        used = part[part["har_data"]]
        rows.append(
            pd.DataFrame(
                {
                    "niveau": [niveau],
                    "enhed": [name],
                    "boligselskab": [name if niveau == "boligselskab" else pd.NA],
                    "taeller": [used["taeller"].sum() if len(used) else pd.NA],
                    "naevner": [used["naevner"].sum() if len(used) and is_share else pd.NA],
                    "afdelinger_med_data": [len(used)],
                    "afdelinger_i_alt": [len(part)],
                }
            )
        )
    result = pd.concat(rows, ignore_index=True)
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
    result = []
    for _, row in rows.iterrows():
        if row["niveau"] == "afdeling":
            result.append(afdeling_baseline.get(row["enhed"], pd.NA))
            continue
        members = afdelinger["afdeling"]
        if row["niveau"] == "boligselskab":
            members = afdelinger.loc[afdelinger["boligselskab"] == row["enhed"], "afdeling"]
        part = rows[(rows["niveau"] == "afdeling") & rows["enhed"].isin(members)]
        part = part[part["taeller"].notna() & part["naevner"].notna()]
        b = part["enhed"].map(afdeling_baseline)
        if part.empty or b.isna().any() or part["naevner"].sum() == 0:
            result.append(pd.NA)
        else:
            result.append(float((b * part["naevner"]).sum() / part["naevner"].sum()))
    return pd.Series(result, index=rows.index, dtype="Float64")


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
        .sum(min_count=1)  # all empty: no data, never 0
        .rename(columns={"afdeling": "enhed"})
        .assign(niveau="afdeling"),
        data.dropna(subset=["boligselskab"])
        .groupby(["boligselskab", "aktivitet"], as_index=False)[["timer", "deltagere"]]
        .sum(min_count=1)
        .rename(columns={"boligselskab": "enhed"})
        .assign(niveau="boligselskab"),
    ]
    total = data.groupby("aktivitet")[["timer", "deltagere"]].sum(min_count=1).reindex(names)
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
