"""The indicators of the delaftaler, as pure functions over DataFrames.

Each indicator is declared in its delaftale's YAML (evalkit.inputs.agreement.Indicator):
- type andel: taeller / naevner in percent, both columns of its yearly table (the move-out
  rate: LBF's fraflytningsprocent, external household move-outs / dwelling units);
- type antal: a count (effective evictions), optionally also per 1,000 of a declared
  exposure (pr_1000: dwelling units), so that afdelinger of different size compare.
The definitions of the shipped delaftaler are in docs/metode.md.

Aggregates over afdelinger (boligselskab, samlet) are ratios of sums, never averages of
percentages (LBF). A missing value stays missing (NA), never 0.

Status against the baseline respects noise: a change is forbedret or forværret only when it is
statistically clear at the 95 % level (compute.stats; the rule is in docs/metode.md). Where the
agreement gives no direction (retning "ingen"), a clear change is only steget or faldet.

An aggregate's baseline sums the same afdelinger as its value: those with data this year.
`members` names them for any row.
"""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from evalkit.compute import stats
from evalkit.domain import (
    BASELINEAAR,
    FALDET,
    FORBEDRET,
    FORVAERRET,
    INGEN_BASELINE,
    INGEN_DATA,
    SKJULT,
    STEGET,
    UAENDRET,
)
from evalkit.inputs.agreement import ANDEL, ANTAL, Agreement, Delaftale, Indicator

COLUMNS = [
    "aar", "niveau", "enhed", "boligselskab", "delaftale", "indikator", "taeller", "naevner",
    "vaerdi", "ki_nedre", "ki_oevre", "pr_1000", "baseline_aar", "baseline", "baseline_taeller",
    "baseline_naevner", "baseline_kilde", "status", "lille_naevner", "opdeling",
    "afdelinger_med_data", "baseline_afdelinger", "afdelinger_i_alt",
]  # fmt: skip
# afdelinger_med_data: the afdelinger whose data make the value (an afdeling: 1 or 0).
# baseline_afdelinger: of those, the ones with a baseline (an afdeling: 1 if it has one). An
# aggregate has a baseline only when the two are equal: then the baseline sums exactly the
# afdelinger the value sums (`members`).


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
    rows: pd.DataFrame, own: pd.DataFrame, afdelinger: pd.DataFrame, enhed: str
) -> pd.DataFrame:
    """The baseline of each row of `by_level` (afdeling or aggregate), and what it covers.

    `own` holds each afdeling's baseline (indexed by afdeling): `baseline` in the indicator's
    unit and, where it comes from a year's data rather than the agreement, that year's
    `baseline_taeller` and `baseline_naevner`.

    An afdeling's row has its own baseline, with or without data this year. An aggregate is
    compared like for like: its baseline is built over exactly the afdelinger that make its
    value this year (`afdelinger_med_data`), and only when every one of them has a baseline;
    otherwise it has none. Built
    - from a year's counts: Σ baseline_taeller, with Σ baseline_naevner where every one is
      known (a share needs it: Σ taeller / Σ naevner);
    - from the agreement's percentages, which come without counts: weighted by this year's
      naevner, Σ baseline·naevner / Σ naevner (a count: Σ baseline).
    Returns baseline, baseline_taeller, baseline_naevner and baseline_afdelinger (how many of
    the afdelinger with data this year have a baseline; an afdeling: 1 if it has one).
    """
    from_counts = "baseline_taeller" in own
    own = own.reindex(columns=["baseline", "baseline_taeller", "baseline_naevner"])
    per = afdelinger[["afdeling", "boligselskab"]].merge(
        rows.loc[rows["niveau"] == "afdeling", ["enhed", "naevner", "afdelinger_med_data"]],
        left_on="afdeling", right_on="enhed", how="left",
    ).join(own.astype("Float64"), on="afdeling")  # fmt: skip
    has_base = per["baseline"].notna()
    used = (per["afdelinger_med_data"] == 1) & has_base
    b, n = per["baseline"].where(used), per["naevner"].where(used)
    parts = pd.DataFrame(
        {
            "in": used.astype(int),
            "data": (per["afdelinger_med_data"] == 1).astype(int),
            "b": b,
            "bn_w": b * n,
            "n": n,
            "bt": per["baseline_taeller"].where(used),
            "bn": per["baseline_naevner"].where(used),
            "bn_known": (per["baseline_naevner"].notna() & used).astype(int),
        }
    )
    samlet = rows.loc[rows["niveau"] == "samlet", "enhed"]
    groups = pd.concat(
        [
            parts.groupby(per["boligselskab"].to_numpy()).sum(min_count=1),
            parts.sum(min_count=1).to_frame(samlet.iloc[0] if len(samlet) else "").T,
        ]
    )
    complete = (groups["in"] == groups["data"]) & (groups["data"] > 0)
    if from_counts:
        bt = groups["bt"]
        bn = groups["bn"].where(groups["bn_known"] == groups["in"])
        agg = pd.DataFrame({"baseline": value(bt, bn, enhed), "baseline_taeller": bt,
                            "baseline_naevner": bn})  # fmt: skip
    else:
        weighted = groups["bn_w"] / groups["n"].where(groups["n"] > 0)
        agg = pd.DataFrame({"baseline": groups["b"] if enhed == "antal" else weighted})
        agg = agg.reindex(columns=["baseline", "baseline_taeller", "baseline_naevner"])
    agg = agg.astype("Float64").where(complete)
    agg["baseline_afdelinger"] = groups["in"].fillna(0).astype(int)
    mine = own.assign(baseline_afdelinger=own["baseline"].notna().astype(int))
    result = pd.DataFrame(index=rows.index)
    afdeling = rows["niveau"] == "afdeling"
    units = rows["enhed"].to_numpy()  # each row's unit looked up once in each table
    aggregate = agg.reindex(units).set_axis(rows.index)
    alone = mine.reindex(units).set_axis(rows.index)
    for column in ["baseline", "baseline_taeller", "baseline_naevner", "baseline_afdelinger"]:
        result[column] = aggregate[column].where(~afdeling, alone[column])
        result[column] = result[column].astype(
            "Int64" if column == "baseline_afdelinger" else "Float64"
        )
    result["baseline_afdelinger"] = result["baseline_afdelinger"].fillna(0)
    return result


# The columns members() reads: a caller with many rows may hand it only these.
MEMBER_COLUMNS = ["aar", "indikator", "niveau", "enhed", "afdelinger_med_data",
                  "baseline_afdelinger"]  # fmt: skip


def members(table: pd.DataFrame, afdelinger: pd.DataFrame, of: str = "data") -> pd.Series:
    """The afdelinger whose figures a row sums, for any rows of indikatorer.csv (exact or
    published): of="data" the row's value, of="baseline" its baseline. A tuple per row, in the
    order of afdelinger.csv; empty where there is nothing to sum.

    Read from the coverage columns of the rows of the same year and indicator, so it holds also
    where values are hidden. An aggregate's baseline sums the same afdelinger as its value, or
    none (`baselines`); an afdeling's baseline is its own.
    """
    with_data = table[(table["niveau"] == "afdeling") & (table["afdelinger_med_data"] == 1)]
    company = afdelinger.set_index("afdeling")["boligselskab"]
    found: dict[tuple, list[str]] = {}
    for aar, indikator, name in zip(
        with_data["aar"], with_data["indikator"], with_data["enhed"], strict=True
    ):
        found.setdefault((aar, indikator, "boligselskab", company.get(name)), []).append(name)
        found.setdefault((aar, indikator, "samlet"), []).append(name)
    order = {name: i for i, name in enumerate(afdelinger["afdeling"])}
    result = []
    for r in table.itertuples(index=False):
        if r.niveau == "afdeling":
            flag = r.baseline_afdelinger if of == "baseline" else r.afdelinger_med_data
            result.append((r.enhed,) if flag == 1 else ())
            continue
        if of == "baseline" and not (0 < r.afdelinger_med_data == r.baseline_afdelinger):
            result.append(())
            continue
        key = (r.aar, r.indikator, r.niveau) + ((r.enhed,) if r.niveau == "boligselskab" else ())
        result.append(tuple(sorted(found.get(key, []), key=order.get)))
    return pd.Series(result, index=table.index, dtype=object)


def compared(
    enhed: str,
    taeller: float | None,
    naevner: float | None,
    baseline: float | None,
    baseline_taeller: float | None = None,
    baseline_naevner: float | None = None,
) -> tuple[float, float, str] | None:
    """The two figures a status compares, this year's first, and how they are measured.

    Shares: percent against the baseline in percent ("procent"). Counts: per 1,000 dwelling
    units where both years' units are known ("pr_1000"), else the counts themselves ("antal").
    None where either figure is missing.
    """
    if _missing(taeller) or _missing(baseline):
        return None
    if enhed == "procent":
        if _missing(naevner) or naevner == 0:
            return None
        return 100 * taeller / naevner, float(baseline), "procent"
    k0 = baseline if _missing(baseline_taeller) else baseline_taeller
    if _missing(naevner) or _missing(baseline_naevner) or not naevner or not baseline_naevner:
        return float(taeller), float(k0), "antal"
    return 1000 * taeller / naevner, 1000 * k0 / baseline_naevner, "pr_1000"


def status(
    enhed: str,
    retning: str,
    taeller: float | None,
    naevner: float | None,
    baseline: float | None,
    baseline_taeller: float | None = None,
    baseline_naevner: float | None = None,
) -> str:
    """Compare a value with its baseline in the desired direction ("ned", "op" or "ingen").

    Shares (enhed "procent"): a two-proportion z-test at 95 %. Where the baseline has no
    counts (the agreement gives percentages only), its uncertainty is judged with this year's
    naevner. Counts (enhed "antal"): the exact conditional test of two Poisson counts, with the
    dwelling units of each year as exposure where both are known.
    A change that is not clear at 95 % is "uændret (inden for usikkerheden)". A clear change is
    forbedret or forværret in the agreement's direction, and steget or faldet where the
    agreement gives none (retning "ingen").
    """
    if _missing(taeller) or (enhed == "procent" and (_missing(naevner) or naevner == 0)):
        return INGEN_DATA
    if _missing(baseline):
        return INGEN_BASELINE
    now, before, scale = compared(
        enhed, taeller, naevner, baseline, baseline_taeller, baseline_naevner
    )
    if scale == "procent":
        n0 = naevner if _missing(baseline_naevner) else baseline_naevner
        z = stats.two_proportion_z(taeller / naevner, naevner, baseline / 100, n0)
        clear = abs(z) >= stats.Z95
    else:
        k0 = baseline if _missing(baseline_taeller) else baseline_taeller
        e1, e0 = (naevner, baseline_naevner) if scale == "pr_1000" else (1.0, 1.0)
        clear = stats.poisson_change_p(int(taeller), int(k0), float(e1), float(e0)) < stats.ALPHA
    if not clear or now == before:
        return UAENDRET
    if retning == "ingen":
        return STEGET if now > before else FALDET
    better = now < before if retning == "ned" else now > before
    return FORBEDRET if better else FORVAERRET


def status_over(
    enhed: str,
    retning: str,
    taellere,
    naevner: float | None,
    baselines,
    baseline_naevner: float | None = None,
) -> str:
    """The status of a figure whose count or baseline is hidden (evalkit.compute.privacy).

    `taellere`: the counts the figure's label allows (one where shown); `baselines`: the
    (baseline, baseline_taeller) pairs the baseline's label allows; None where a label allows
    any count. The verdict is shown only when it is the same for every allowed value,
    otherwise "skjult (små tal)": a word must not tell where in its range a hidden count lies.
    """
    if baselines is not None and all(_missing(b) for b, _ in baselines):
        return INGEN_BASELINE
    if taellere is None or baselines is None:
        return SKJULT
    seen = None
    for k in _ends_first(taellere):
        for b, bt in _ends_first(baselines):
            verdict = status(enhed, retning, k, naevner, b, bt, baseline_naevner)
            if seen is not None and verdict != seen:
                return SKJULT
            seen = verdict
    return seen


def _ends_first(values) -> list:
    # A verdict that differs usually differs between the ends: found after a few tests.
    values = list(values)
    return values[:1] + values[-1:] + values[1:-1] if len(values) > 1 else values


def _missing(x) -> bool:
    # pd.isna of one value (None, NA, NaN) without its cost: it runs for every row and figure.
    return x is None or x is pd.NA or x != x


def _values(column: pd.Series) -> list:
    """The column's values as Python numbers, None where missing: a row-by-row test walks
    a list many times faster than a missing-aware Series."""
    return column.to_numpy(dtype=object, na_value=None).tolist()


def interval(taeller: pd.Series, naevner: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The 95 % Wilson interval of each share, in percent; missing where the share is."""
    t = taeller.to_numpy(dtype=float, na_value=np.nan)
    n = naevner.to_numpy(dtype=float, na_value=np.nan)
    share = ~np.isnan(t) & (n > 0)  # NaN > 0 is false: a missing naevner has no share
    low, high = np.full(len(t), np.nan), np.full(len(t), np.nan)
    lo, hi = stats.wilson(t[share], n[share])
    low[share], high[share] = 100 * lo, 100 * hi
    return pd.Series(low, dtype="Float64"), pd.Series(high, dtype="Float64")


def unit_levels(indicator: Indicator, tables: dict[str, pd.DataFrame], agreement: Agreement):
    """by_level for one indicator from one year's tables.

    A share's naevner is its declared column; a count's naevner is its exposure (pr_1000),
    or missing where it declares none.
    """
    rows = counts(tables.get(indicator.tabel), indicator.taeller, indicator.naevner)
    if indicator.type == ANTAL and indicator.pr_1000 is not None:
        exposure = indicator.pr_1000
        units = counts(tables.get(exposure.tabel), exposure.kolonne, None)
        units = units.rename(columns={"taeller": "units"})[["afdeling", "units"]]
        rows = rows.drop(columns="naevner").merge(units, how="left")
        rows = rows.rename(columns={"units": "naevner"})
    share = indicator.type == ANDEL
    return by_level(rows, agreement.afdelinger, agreement.helhedsplan, share)


def split(indicator: Indicator, table: pd.DataFrame | None) -> str:
    """What the numerator counts, from the declared optional split columns (opdeling): the
    agreement's part and every part filled in ("serviceloven og barnets lov"); "ikke oplyst"
    where none is; "" for an indicator without a split."""
    if indicator.opdeling is None or table is None:
        return ""
    filled = [
        part.navn
        for part in indicator.opdeling.dele
        if part.kolonne in table and table[part.kolonne].notna().any()
    ]
    if not filled:
        return NOT_TOLD
    return " og ".join(dict.fromkeys([indicator.opdeling.aftalens, *filled]))


NOT_TOLD = "ikke oplyst"


def indicator_table(
    year: int,
    tables: dict[str, pd.DataFrame],
    agreement: Agreement,
    baseline_tables: dict[int, dict[str, pd.DataFrame]] | None = None,
    small: int = 20,
) -> pd.DataFrame:
    """One row per (niveau, enhed, indikator) for the year: the content of indikatorer.csv.

    Baselines come from the agreement (baseline.csv). Where the agreement has none but names
    a baseline year that has data (baseline_aar), that year's data are the baseline for
    the years after it; `baseline_tables` holds those years' tables. A naevner under `small`
    sets lille_naevner.
    """
    parts = []
    for indicator in agreement.indicators:
        rows = unit_levels(indicator, tables, agreement)
        rows.insert(0, "aar", year)
        rows.insert(4, "delaftale", indicator.delaftale)
        rows.insert(5, "indikator", indicator.id)
        rows["vaerdi"] = value(rows["taeller"], rows["naevner"], indicator.enhed)
        is_share = indicator.enhed == "procent"
        # Missing figures typed as the others: the indicators' rows join without a column
        # of objects, which a national table would take long to turn back into numbers.
        none = pd.Series(pd.NA, index=rows.index, dtype="Float64")
        low, high = interval(rows["taeller"], rows["naevner"]) if is_share else (none, none)
        rows["ki_nedre"], rows["ki_oevre"] = _aligned(low, rows), _aligned(high, rows)
        units = rows["naevner"].where(rows["naevner"] > 0)  # no rate of 0 dwellings
        rows["pr_1000"] = none if is_share else 1000 * rows["taeller"] / units
        rows = rows.join(_baseline(year, indicator, rows, agreement, baseline_tables or {}))
        rows["status"] = [
            status(indicator.enhed, indicator.retning, t, n, b, bt, bn)
            for t, n, b, bt, bn in zip(
                *(_values(rows[c]) for c in ("taeller", "naevner", "baseline", "baseline_taeller",
                                             "baseline_naevner")), strict=True,
            )
        ]  # fmt: skip
        if year == indicator.baseline_aar:
            # The baseline year's figures become the baseline; they are not compared.
            rows.loc[rows["status"] != INGEN_DATA, "status"] = BASELINEAAR
        rows["lille_naevner"] = (rows["naevner"] < small).fillna(False).astype(bool)
        rows["opdeling"] = split(indicator, tables.get(indicator.tabel))
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True)
    for column in ("baseline_aar", "baseline_afdelinger"):
        table[column] = table[column].astype("Int64")
    for column in ("pr_1000", "ki_nedre", "ki_oevre", "baseline_taeller", "baseline_naevner"):
        table[column] = table[column].astype("Float64")
    return table[COLUMNS]


def _aligned(series, rows: pd.DataFrame):
    return series.set_axis(rows.index) if isinstance(series, pd.Series) else series


def _baseline(year, indicator, rows, agreement, baseline_tables) -> pd.DataFrame:
    """baseline_aar, baseline, baseline_taeller, baseline_naevner, baseline_kilde and
    baseline_afdelinger per row.

    The agreement's figures where it gives them (baseline.csv); otherwise, after the baseline
    year, that year's data. In the baseline year itself there is no baseline (status
    baselineår).
    """
    known = agreement.baseline[agreement.baseline["indikator"] == indicator.id]
    own = pd.DataFrame({"baseline": pd.Series(dtype="Float64")})
    kilde = ""
    if not known.empty:
        own = known.set_index("afdeling")[["vaerdi"]].rename(columns={"vaerdi": "baseline"})
        kilde = "delaftalen"
    elif indicator.baseline_aar and year > indicator.baseline_aar:
        base_tables = baseline_tables.get(indicator.baseline_aar)
        if base_tables is not None:
            base = unit_levels(indicator, base_tables, agreement)
            base = base[(base["niveau"] == "afdeling") & (base["afdelinger_med_data"] == 1)]
            own = pd.DataFrame(
                {
                    "baseline": value(base["taeller"], base["naevner"], indicator.enhed),
                    "baseline_taeller": base["taeller"],
                    "baseline_naevner": base["naevner"],
                }
            ).set_axis(base["enhed"])
            kilde = f"data {indicator.baseline_aar}"
    out = baselines(rows, own, agreement.afdelinger, indicator.enhed)
    out.insert(0, "baseline_aar", pd.Series(indicator.baseline_aar, out.index, dtype="Int64"))
    out["baseline_kilde"] = ["" if gone else kilde for gone in out["baseline"].isna().tolist()]
    return out


def plan_period(fra: date, til: date, delaftale: Delaftale) -> tuple[date, date] | None:
    """The part of the period the year's data cover (fra–til: the calendar year, or
    metadata.yaml's periode) that lies inside the delaftale's period; None when none does.

    The agreement's hours per week hold only while it runs (e.g. 01.08.2025–31.07.2029): the
    plan for 2025 is its weeks from 1 August, and a year wholly outside has no plan.
    """
    start, end = max(fra, delaftale.periode_fra), min(til, delaftale.periode_til)
    return (start, end) if start <= end else None


def plan_weeks(period: tuple[date, date] | None) -> float | None:
    """Weeks in a plan period, both days counted (153 days = 153/7 weeks); None: no plan."""
    return None if period is None else ((period[1] - period[0]) + timedelta(days=1)).days / 7


ACTIVITY_COLUMNS = ["aar", "delaftale", "niveau", "enhed", "aktivitet", "timer", "deltagere",
                    "planlagte_timer", "andel_lejemaal"]  # fmt: skip


def activity_table(
    year: int,
    aktiviteter: pd.DataFrame | None,
    agreement: Agreement,
    period: tuple[date, date],
    lejemaal: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hours and participants per activity, per afdeling, per boligselskab and in total.

    planlagte_timer: the delaftale's hours per week times the weeks of its plan period
    (`plan_period` of the year's `period`; None: no plan, missing), for the whole
    helhedsplan; for an afdeling or boligselskab, that plan times its share of the
    helhedsplan's dwelling units (`andel_lejemaal`, from the table helhedsplan.yaml names in
    `lejemaal`), the plan's rule that resources follow each area's share. Missing where the
    units are not known. Hours not tied to one afdeling count in the total only.
    """
    names = [a.navn for a in agreement.activities]
    if aktiviteter is None or aktiviteter.empty:
        return pd.DataFrame(columns=ACTIVITY_COLUMNS)
    plan, of = {}, {}
    for d in agreement.delaftaler:
        weeks = plan_weeks(plan_period(*period, d))
        for a in d.activities:
            plan[a.navn] = a.timer_pr_uge * weeks if weeks is not None else pd.NA
            of[a.navn] = d.navn
    shares = _unit_shares(agreement, lejemaal)
    data = aktiviteter.merge(agreement.afdelinger[["afdeling", "boligselskab"]], how="left")
    data["samlet"] = agreement.helhedsplan  # shared hours (no afdeling) count here only
    shares["samlet"] = pd.Series({agreement.helhedsplan: 1.0})
    parts = []
    for niveau in ("afdeling", "boligselskab", "samlet"):
        # Rows the data deliver (all empty: missing, never 0); the total lists every activity
        # with its plan, even one without hours.
        summed = data.groupby([niveau, "aktivitet"])[["timer", "deltagere"]].sum(min_count=1)
        summed.index = summed.index.set_names(["enhed", "aktivitet"])
        units = sorted(data[niveau].dropna().unique().tolist())
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
    result["delaftale"] = result["aktivitet"].map(of)
    result = result.astype({"timer": "Float64", "deltagere": "Float64",
                            "planlagte_timer": "Float64", "andel_lejemaal": "Float64"})  # fmt: skip
    return result[ACTIVITY_COLUMNS].reset_index(drop=True)


def _unit_shares(agreement: Agreement, table: pd.DataFrame | None) -> dict[str, pd.Series]:
    """Each afdeling's and boligselskab's share (0–1) of the helhedsplan's dwelling units."""
    column = agreement.lejemaal.kolonne if agreement.lejemaal else None
    if table is None or column is None or column not in table:
        return {}
    units = agreement.afdelinger[["afdeling", "boligselskab"]].merge(
        table[["afdeling", column]], how="left"
    )
    if units[column].isna().any():
        return {}  # a share of an unknown total is not known
    total = units[column].sum()
    return {
        "afdeling": units.set_index("afdeling")[column] / total,
        "boligselskab": units.groupby("boligselskab")[column].sum() / total,
    }
