"""reports/index.html: every year and unit, its status at a glance, failed units marked, and
links to each year's figures (tal.csv, tal.xlsx) and to the PDFs that are current."""

import json
from pathlib import Path

import pandas as pd

from evalkit import fmt
from evalkit.domain import (
    FALDET,
    FORBEDRET,
    FORVAERRET,
    LEVEL_NAMES,
    STATUS_SYMBOLS,
    STEGET,
    UAENDRET,
    report_units,
)
from evalkit.files import write_atomic
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.sheets import read_csv
from evalkit.paths import Paths, is_year
from evalkit.publish import pdf, records, tal
from evalkit.report import markup


def write_index(paths: Paths, agreement: Agreement) -> Path:
    """reports/index.html: every year and unit, its status at a glance, failed units marked."""
    order = {u: i for i, u in enumerate(report_units(agreement))}
    years = []
    for year_dir in sorted(paths.reports.glob("[0-9]*"), reverse=True):
        if not is_year(year_dir.name):  # "2025 kopi" is the analyst's
            continue
        year = int(year_dir.name)
        outcomes = records.recorded(paths, year)
        if not outcomes:
            continue
        table = _indicators(paths, year)
        meta = paths.processed_year(year) / "metadata.json"
        example = meta.exists() and json.loads(meta.read_text(encoding="utf-8"))["eksempeldata"]
        years.append(
            {
                "aar": year,
                "eksempeldata": example,
                "files": [
                    {"name": name, "href": f"{year}/{name}"}
                    for name in (tal.TAL, tal.TAL_XLSX)
                    if (year_dir / name).is_file()
                ],
                "units": [
                    {
                        "enhed": o.unit.enhed,
                        "niveau": LEVEL_NAMES[o.unit.niveau],
                        "ok": o.ok,
                        "href": f"{year}/{o.html}" if o.ok else None,
                        "pdf": _pdf(paths, year, o.html) if o.ok else None,
                        "error": o.error,
                        "summaries": [
                            (d.navn, _summary(table, d.navn, o.unit.niveau, o.unit.enhed))
                            for d in agreement.delaftaler
                        ],
                    }
                    for o in sorted(outcomes.values(), key=lambda o: order.get(o.unit, len(order)))
                ],
            }
        )
    page = markup.render(
        "index.html.j2",
        navn=agreement.helhedsplan,
        delaftaler=[
            {
                "navn": d.navn,
                "eksempel": d.eksempel,
                "periode": f"{fmt.day(d.periode_fra)}–{fmt.day(d.periode_til)}",
            }
            for d in agreement.delaftaler
        ],
        years=years,
    )
    path = paths.reports / "index.html"
    write_atomic(path, page)
    return path


def _pdf(paths: Paths, year: int, html: str) -> str | None:
    """The report's PDF, if it is current: a stale one is never linked."""
    page = paths.reports_year(year) / html
    return f"{year}/{page.with_suffix('.pdf').name}" if pdf.current(page) else None


def _indicators(paths: Paths, year: int) -> pd.DataFrame | None:
    from evalkit.compute.build import PUBLISHED

    # The published statuses: an exact one could tell where a hidden count lies.
    path = paths.processed_year(year) / PUBLISHED
    return read_csv(path) if path.exists() else None


def _summary(table: pd.DataFrame | None, delaftale: str, niveau: str, enhed: str) -> str:
    """The unit's statuses in one delaftale, counted."""
    if table is None:
        return ""
    rows = table[
        (table["delaftale"] == delaftale) & (table["niveau"] == niveau) & (table["enhed"] == enhed)
    ]
    counts = rows["status"].value_counts()
    # The verdicts always; a change without a verdict (no direction in the agreement) where
    # there is one.
    shown = [FORBEDRET, UAENDRET, FORVAERRET] + [s for s in (STEGET, FALDET) if counts.get(s)]
    return " · ".join(
        f"{STATUS_SYMBOLS[status]} {counts.get(status, 0)} {status}" for status in shown
    )
