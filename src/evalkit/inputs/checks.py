"""Plausibility checks across years: warnings, not errors, so the analyst looks twice.

A share that moves by more than `spring_procentpoint` percentage points from last year, or an
afdeling whose dwelling units change by more than `lejemaal_aendring_procent` percent, is
flagged by `evalkit validate` (thresholds in the `evalkit:` section of delaftale.yaml).
"""

import re

import pandas as pd

from evalkit import fmt
from evalkit.errors import Problem
from evalkit.inputs.agreement import INPUTS


def implausible_changes(
    year: int,
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    settings: dict,
    files: dict[str, str],
) -> list[Problem]:
    """Warnings for jumps between last year's tables and this year's (`files`: table -> path)."""
    warnings = []
    for indicator_id, (name, numerator, denominator) in INPUTS.items():
        if denominator is None or name not in tables or name not in previous:
            continue
        now = _shares(tables[name], numerator, denominator)
        before = _shares(previous[name], numerator, denominator)
        both = now.join(before.add_suffix("_før"), how="inner").dropna()
        for afdeling, row in both.iterrows():
            jump = row["andel"] - row["andel_før"]
            if abs(jump) > settings["spring_procentpoint"]:
                warnings.append(
                    Problem(
                        files[name],
                        f"{afdeling}: {indicator_id} er gået fra {fmt.pct(row['andel_før'])} i "
                        f"{year - 1} til {fmt.pct(row['andel'])} – mere end "
                        f"{settings['spring_procentpoint']} procentpoint. Tjek tallet.",
                        column=numerator,
                        warning=True,
                    )
                )
    if "fraflytninger" in tables and "fraflytninger" in previous:
        now = tables["fraflytninger"].set_index("afdeling")["lejemaal"]
        before = previous["fraflytninger"].set_index("afdeling")["lejemaal"]
        for afdeling in now.index.intersection(before.index):
            a, b = now[afdeling], before[afdeling]
            if pd.isna(a) or pd.isna(b) or b == 0:
                continue
            change = 100 * (a - b) / b
            if abs(change) > settings["lejemaal_aendring_procent"]:
                warnings.append(
                    Problem(
                        files["fraflytninger"],
                        f"{afdeling}: lejemål er gået fra {fmt.number(b)} i {year - 1} til "
                        f"{fmt.number(a)} ({fmt.pct(change)}) – mere end "
                        f"{settings['lejemaal_aendring_procent']} %. Tjek tallet.",
                        column="lejemaal",
                        warning=True,
                    )
                )
    return warnings


def _shares(table: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    rows = table.dropna(subset=["afdeling"]).set_index("afdeling")
    share = 100 * rows[numerator] / rows[denominator].where(rows[denominator] > 0)
    return pd.DataFrame({"andel": share.astype("Float64")})


# A count of 1–4 beside a word about evictions or social measures: notes are published as
# written, so such a note would undo the hiding of small counts (evalkit.compute.privacy).
_SMALL = r"(?<![\d.,])(?:[1-4]|én|ét|to|tre|fire)(?![\d]|[.,]\d)"
_TOPIC = r"(?:udsæt|udsat|foranstaltning|anbring|anbragt|underretning)\w*"
_NEAR = r"(?:[\s,:]+\w+){0,3}?[\s,:]+"  # up to three words between, within one clause
SMALL_COUNT = re.compile(rf"\b{_SMALL}{_NEAR}{_TOPIC}|\b{_TOPIC}{_NEAR}{_SMALL}\b", re.I)


def small_counts_in_notes(notes: dict[str, str], files: dict[str, str]) -> list[Problem]:
    """Warnings for notes that name a small count of evictions or measures (`files`:
    afdeling -> the note's path)."""
    warnings = []
    for afdeling, text in notes.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for found in SMALL_COUNT.finditer(line):
                warnings.append(
                    Problem(
                        files[afdeling],
                        f'noten nævner "{found.group(0)}". Noter offentliggøres, som de er '
                        "skrevet, og et lille antal udsættelser eller foranstaltninger kan "
                        "genkende en husstand, selv om tallet er skjult i tabellerne. Skriv fx "
                        '"få" i stedet for tallet.',
                        row=number,
                        warning=True,
                    )
                )
    return warnings
