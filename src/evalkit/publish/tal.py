"""The published figures: hidden and audited once per run (evalkit.compute.privacy), kept in
data/processed/<year>/offentliggjort.csv for the reports, and written as reports/<year>/tal.csv
and tal.xlsx; the exact figures also as data/processed/<year>/indikatorer.xlsx for the analyst.

The CSV files are for machines (comma, decimal point, UTF-8); the workbooks for people, who
open them in Excel (docs/inddata.md).
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from evalkit.files import write_atomic
from evalkit.inputs.agreement import Agreement, Indicator
from evalkit.inputs.sheets import Sheet, csv_text, read_csv, workbook_bytes
from evalkit.paths import Paths

if TYPE_CHECKING:
    from evalkit.compute.privacy import Published

TAL, TAL_XLSX, FIGURES_XLSX = "tal.csv", "tal.xlsx", "indikatorer.xlsx"


def publish_years(
    paths: Paths, agreement: Agreement, years: list[int], afresh: bool = False
) -> "Published":
    """Hide and audit the figures of every processed year up to the last of `years`: each
    sensitive indicator's answer remembered (evalkit.publish.memo), or with `afresh` worked
    out again.

    Each of `years` whose audit holds gets data/processed/<year>/offentliggjort.csv, which
    its reports and the later years' reports read; a year whose audit fails gets none.
    """
    from evalkit.compute.build import load_processed
    from evalkit.compute.privacy import publish
    from evalkit.publish.memo import Remembered

    memo = Remembered(paths, afresh)
    published = publish(load_processed(paths, max(years)).indikatorer, agreement, memo.suppress)
    memo.save()
    for year in years:
        if published.failures(year).empty:
            write_published(paths, published, year)
    return published


def write_published(paths: Paths, published: "Published", year: int) -> Path:
    """data/processed/<year>/offentliggjort.csv: the year's figures as the reports show them."""
    from evalkit.compute.build import PUBLISHED
    from evalkit.compute.indicators import COLUMNS

    rows = published.table[published.table["aar"] == year]
    path = paths.processed_year(year) / PUBLISHED
    write_atomic(path, csv_text(rows[[*COLUMNS, "skjult", "baseline_skjult"]]))
    return path


def write_tal(paths: Paths, agreement: Agreement, published: "Published", year: int) -> Path:
    """reports/<year>/tal.csv and tal.xlsx: exactly the figures the reports publish, each
    hidden one marked, never its value ("<5" or "skjult" in the CSV, "under 5" or "skjult" in
    the workbook: the same cells)."""
    from evalkit.compute.indicators import COLUMNS
    from evalkit.compute.privacy import as_published, as_published_csv, label_words

    rows = published.table[published.table["aar"] == year]
    folder = paths.reports_year(year)
    marked = as_published(rows, COLUMNS, published.threshold, published.shares, label_words)
    sheets = workbook(marked, agreement, year, _example(paths, year), published=True)
    write_atomic(folder / TAL_XLSX, sheets)
    path = folder / TAL
    write_atomic(path, as_published_csv(rows, COLUMNS, published.threshold, published.shares))
    return path


def write_figures(paths: Paths, agreement: Agreement, year: int) -> Path:
    """data/processed/<year>/indikatorer.xlsx: indikatorer.csv, exact, as a workbook."""
    folder = paths.processed_year(year)
    table = read_csv(folder / "indikatorer.csv")
    path = folder / FIGURES_XLSX
    write_atomic(path, workbook(table, agreement, year, _example(paths, year), published=False))
    return path


def _example(paths: Paths, year: int) -> bool:
    meta = paths.processed_year(year) / "metadata.json"
    return bool(json.loads(meta.read_text(encoding="utf-8")).get("eksempeldata"))


# -- the workbooks ---------------------------------------------------------------------------
# The columns of tal.csv and indikatorer.csv as a workbook names them (docs/inddata.md,
# "Kolonner", describes each).
HEADINGS = {
    "aar": "År", "niveau": "Niveau", "enhed": "Enhed", "boligselskab": "Boligselskab",
    "delaftale": "Delaftale", "indikator": "Indikator", "taeller": "Tæller",
    "naevner": "Nævner", "vaerdi": "Værdi", "ki_nedre": "95 %-interval, nedre",
    "ki_oevre": "95 %-interval, øvre", "pr_1000": "Pr. 1.000", "baseline_aar": "Baselineår",
    "baseline": "Baseline", "baseline_taeller": "Baseline, tæller",
    "baseline_naevner": "Baseline, nævner", "baseline_kilde": "Baseline, kilde",
    "status": "Status", "lille_naevner": "Lille nævner", "opdeling": "Opdeling",
    "afdelinger_med_data": "Afdelinger med data",
    "baseline_afdelinger": "Afdelinger med baseline", "afdelinger_i_alt": "Afdelinger i alt",
}  # fmt: skip
# Excel number formats: shown rounded as in the reports (a share with one decimal and " %",
# the value still the percentage, not a fraction), the exact value kept in the cell. Excel
# shows them with the reader's own decimal comma and thousands point.
WHOLE, YEAR, ONE_DECIMAL, PERCENT = "#,##0", "0", "0.0", '0.0" %"'
COUNTS = ["taeller", "naevner", "baseline_taeller", "baseline_naevner", "afdelinger_med_data",
          "baseline_afdelinger", "afdelinger_i_alt"]  # fmt: skip
ABOUT = "Om tallene"  # the workbook's first sheet
_NOT_IN_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def workbook(
    table: pd.DataFrame, agreement: Agreement, year: int, example: bool, published: bool
) -> bytes:
    """tal.xlsx (`published`: `table` has its hidden cells marked) or indikatorer.xlsx (the
    exact values): a sheet "Om tallene", then one sheet per indicator in the helhedsplan's
    order, its rows as in `table`.

    A sheet per indicator, not per delaftale: a sheet's "Værdi" is then one kind of number (a
    percentage or a count) with one format, its tab is named by the indicator's short name,
    and a reader sorts or filters one measure.
    """
    sheets: list[Sheet] = []
    about = []
    for indicator in agreement.indicators:
        title = _title(indicator.kort_navn, {s.title for s in sheets})
        rows = table[table["indikator"] == indicator.id]
        sheets.append(Sheet(title, rows[list(HEADINGS)].rename(columns=HEADINGS),
                            _formats(indicator)))  # fmt: skip
        invented = agreement.delaftale(indicator.delaftale).eksempel
        about.append((title, f"{indicator.delaftale}"
                             f"{' (eksempelaftale, ikke en rigtig delaftale)' if invented else ''}"
                             f", delmål {indicator.delmaal_nr}: {indicator.navn}"))  # fmt: skip
    limit = agreement.settings["diskretion"]
    lines = [
        ("Helhedsplan", agreement.helhedsplan),
        ("År", str(year)),
        ("Eksempeldata", "Ja: opdigtede tal, ikke faktiske" if example else "Nej"),
    ]
    if published:
        lines += [
            ("Tallene", "De offentliggjorte tal, som rapporterne viser dem."),
            (f"under {limit}", f"Et antal fra 1 til {limit - 1} personer eller husstande: "
                               "skjult, så ingen kan genkendes."),
            ("skjult", "Et tal, som et skjult antal ellers kunne regnes ud fra."),
        ]  # fmt: skip
    else:
        lines.append(("Tallene", "De præcise tal, også de små. Kun til analytikeren: må ikke "
                                 "offentliggøres (det må reports/<år>/tal.xlsx)."))  # fmt: skip
    first = Sheet(ABOUT, pd.DataFrame(lines + about, columns=["Emne", "Forklaring"]))
    return workbook_bytes([first, *sheets])


def _formats(indicator: Indicator) -> dict[str, str]:
    value = PERCENT if indicator.enhed == "procent" else WHOLE
    formats = dict.fromkeys(COUNTS, WHOLE) | {
        "aar": YEAR, "baseline_aar": YEAR, "vaerdi": value, "baseline": value,
        "ki_nedre": PERCENT, "ki_oevre": PERCENT, "pr_1000": ONE_DECIMAL,
    }  # fmt: skip
    return {HEADINGS[column]: f for column, f in formats.items()}


def _title(name: str, taken: set[str]) -> str:
    """A sheet's tab: at most 31 characters, none that Excel forbids, unlike the others as
    Excel compares them, whatever the case ("Tal" and "TAL" are one name)."""
    base = " ".join(name.translate(_NOT_IN_TITLE).split())[:31].strip() or "Indikator"
    title, n = base, 2
    unlike = {t.casefold() for t in [*taken, ABOUT]}
    while title.casefold() in unlike:
        title = f"{base[: 30 - len(str(n))].strip()} {n}"
        n += 1
    return title
