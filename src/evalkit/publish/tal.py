"""The published figures: hidden and audited once per run (evalkit.compute.privacy), kept in
data/processed/<year>/offentliggjort.csv for the reports, and written as reports/<year>/tal.csv.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.files import write_atomic
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.sheets import csv_text
from evalkit.paths import Paths

if TYPE_CHECKING:
    from evalkit.compute.privacy import Published


def publish_years(paths: Paths, agreement: Agreement, years: list[int]) -> "Published":
    """Hide and audit the figures of every processed year up to the last of `years`.

    Each of `years` whose audit holds gets data/processed/<year>/offentliggjort.csv, which
    its reports and the later years' reports read; a year whose audit fails gets none.
    """
    from evalkit.compute.build import load_processed
    from evalkit.compute.privacy import publish

    published = publish(load_processed(paths, max(years)).indikatorer, agreement)
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


def write_tal(paths: Paths, published: "Published", year: int) -> Path:
    """reports/<year>/tal.csv: exactly the figures the reports publish, hidden ones marked."""
    from evalkit.compute.indicators import COLUMNS
    from evalkit.compute.privacy import as_published_csv

    rows = published.table[published.table["aar"] == year]
    path = paths.reports_year(year) / "tal.csv"
    write_atomic(path, as_published_csv(rows, COLUMNS, published.threshold, published.shares))
    return path
