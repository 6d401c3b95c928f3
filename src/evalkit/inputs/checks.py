"""Plausibility checks across years: warnings, not errors, so the analyst looks twice.

A share that moves by more than `spring_procentpoint` percentage points from last year, or an
afdeling whose dwelling units change by more than `lejemaal_aendring_procent` percent, is
flagged by `evalkit validate` (thresholds in the `evalkit:` section of helhedsplan.yaml).
"""

import re

import pandas as pd

from evalkit import fmt
from evalkit.errors import Problem
from evalkit.inputs.agreement import Agreement


def implausible_changes(
    year: int,
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    agreement: Agreement,
    files: dict[str, str],
) -> list[Problem]:
    """Warnings for jumps between last year's tables and this year's (`files`: table -> path).

    Every share a delaftale declares, and the helhedsplan's dwelling units.
    """
    settings, warnings = agreement.settings, []
    for ind in agreement.indicators:
        name = ind.tabel
        if ind.naevner is None or name not in tables or name not in previous:
            continue
        now = _shares(tables[name], ind.taeller, ind.naevner)
        before = _shares(previous[name], ind.taeller, ind.naevner)
        both = now.join(before.add_suffix("_før"), how="inner").dropna()
        for afdeling, row in both.iterrows():
            jump = row["andel"] - row["andel_før"]
            if abs(jump) > settings["spring_procentpoint"]:
                warnings.append(
                    Problem(
                        files[name],
                        f"{afdeling}: {ind.kort_navn.lower()} er gået fra "
                        f"{fmt.pct(row['andel_før'])} i {year - 1} til {fmt.pct(row['andel'])} – "
                        f"mere end {settings['spring_procentpoint']} procentpoint. Tjek tallet.",
                        column=ind.taeller,
                        warning=True,
                    )
                )
    units = agreement.lejemaal
    if units and units.tabel in tables and units.tabel in previous:
        now = tables[units.tabel].set_index("afdeling")[units.kolonne]
        before = previous[units.tabel].set_index("afdeling")[units.kolonne]
        for afdeling in now.index.intersection(before.index):
            a, b = now[afdeling], before[afdeling]
            if pd.isna(a) or pd.isna(b) or b == 0:
                continue
            change = 100 * (a - b) / b
            if abs(change) > settings["lejemaal_aendring_procent"]:
                warnings.append(
                    Problem(
                        files[units.tabel],
                        f"{afdeling}: lejemål er gået fra {fmt.number(b)} i {year - 1} til "
                        f"{fmt.number(a)} ({fmt.pct(change)}) – mere end "
                        f"{settings['lejemaal_aendring_procent']} %. Tjek tallet.",
                        column=units.kolonne,
                        warning=True,
                    )
                )
    return warnings


def _shares(table: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    rows = table.dropna(subset=["afdeling"]).set_index("afdeling")
    share = 100 * rows[numerator] / rows[denominator].where(rows[denominator] > 0)
    return pd.DataFrame({"andel": share.astype("Float64")})


# A count of 1–4 beside a word about a sensitive topic: notes are published as written, so
# such a note would undo the hiding of small counts (evalkit.compute.privacy). The words are
# the helhedsplan's own (`foelsomme_ord` in helhedsplan.yaml: beginnings of words, as
# "udsæt" for udsættelse and udsat).
_SMALL = r"(?<![\d.,])(?:[1-4]|én|ét|to|tre|fire)(?![\d]|[.,]\d)"
_NEAR = r"(?:[\s,:]+\w+){0,3}?[\s,:]+"  # up to three words between, within one clause


def small_count_pattern(words: list[str]) -> re.Pattern | None:
    """A small count within three words of one of `words`; None without words."""
    if not words:
        return None
    topic = "(?:" + "|".join(re.escape(w) for w in words) + r")\w*"
    return re.compile(rf"\b{_SMALL}{_NEAR}{topic}|\b{topic}{_NEAR}{_SMALL}\b", re.I)


def small_counts_in_notes(
    notes: dict[str, str], files: dict[str, str], words: list[str]
) -> list[Problem]:
    """Warnings for notes that name a small count of a sensitive topic (`files`: afdeling ->
    the note's path; `words`: the topic's words)."""
    pattern = small_count_pattern(words)
    if pattern is None:
        return []
    warnings = []
    for afdeling, text in notes.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for found in pattern.finditer(line):
                warnings.append(
                    Problem(
                        files[afdeling],
                        f'noten nævner "{found.group(0)}". Noter offentliggøres, som de er '
                        "skrevet, og et lille antal af de følsomme tal kan genkende en "
                        "husstand, selv om tallet er skjult i tabellerne. Skriv fx "
                        '"få" i stedet for tallet.',
                        row=number,
                        warning=True,
                    )
                )
    return warnings
